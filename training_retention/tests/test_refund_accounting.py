"""Refunds on real accounting (X-04, RET-07): one credit note per invoice in its
currency, to whom it was billed; the refund paid by finance through Odoo's payment
wizard; the reconciliation report; reversal of an approved case; one case per
enrolment; "paid" is cash, not credit notes.

Course: 40 lessons for 4,000 (100 a lesson); 10 lessons consumed unless said
otherwise; policy fee 5 % capped at 200; the student leaves on 2025-04-15.
"""

from contextlib import contextmanager

from odoo import Command, fields
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import freeze_time, tagged

from .common import RetentionCommon


@tagged("post_install", "-at_install")
@freeze_time("2025-04-15 08:00:00")
class TestRefundAccounting(RetentionCommon):
    @contextmanager
    def _refused(self, exception, pattern):
        """Refused with ``pattern`` in the message, and nothing written (savepoint)."""
        with self.assertRaises(exception) as caught:
            yield
        self.assertRegex(str(caught.exception), pattern)

    def _approved(self, case):
        case.action_submit()
        self._approve_all(case)
        self.assertEqual(case.state, "approved")
        return case

    def _receivable(self, partner):
        lines = self.env["account.move.line"].search(
            [
                ("partner_id", "=", partner.id),
                ("account_id.account_type", "=", "asset_receivable"),
                ("parent_state", "=", "posted"),
            ]
        )
        return sum(lines.mapped("balance"))

    def _reconciliation(self, case):
        return self.env["training.refund.reconciliation"].search(
            [("case_id", "=", case.id)]
        )

    def test_refund_paid_by_finance_then_reversed(self):
        """X-04, RET-07: paid 4,000, 10 consumed: 3,000 - 150 = 2,850 credited on one
        credit note reversing the invoice; nothing is paid at approval ("refund to
        pay"); finance pays 2,850 through the wizard; the receivable nets to zero
        (4,000 - 4,000 paid - 2,850 credited + 2,850 paid back); the reconciliation
        report shows no mismatch. Reversing the case reverses the credit note,
        cancels the payment and restores the enrolment and the archive."""
        enrollment = self._enrolled()
        invoice = self._invoice(enrollment, paid=4000.0)
        self._consume(enrollment, 10)
        case = self._approved(self._case(enrollment))
        move = case.sudo().refund_move_ids
        self.assertRecordValues(
            move,
            [
                {
                    "move_type": "out_refund",
                    "state": "posted",
                    "amount_total": 2850.0,
                    "reversed_entry_id": invoice.id,
                    "partner_id": self.student.id,
                    "currency_id": invoice.currency_id.id,
                }
            ],
        )
        self.assertEqual(case.refund_state, "to_pay")
        self.assertFalse(case.sudo().refund_payment_ids)
        self.assertEqual(enrollment.state, "withdrawn")

        # Only finance registers the payment.
        with self.assertRaises(UserError):
            case.with_user(self.user_customer_service).action_register_refund_payment()
        payment = self._pay_refund_as_finance(case)
        self.assertEqual(payment.amount, 2850.0)
        self.assertEqual(payment.partner_id, self.student)
        self.assertEqual(payment.payment_type, "outbound")
        self.assertEqual(case.refund_state, "paid")
        self.assertEqual(case.sudo().refund_payment_ids, payment)
        self.assertAlmostEqual(self._receivable(self.student), 0.0)
        self.assertRecordValues(
            self._reconciliation(case),
            [
                {
                    "statement_credit": 2850.0,
                    "credit_note_total": 2850.0,
                    "statement_refund": 2850.0,
                    "paid_back": 2850.0,
                    "credit_note_residual": 0.0,
                    "mismatch": False,
                }
            ],
        )

        # Customer service cannot reverse; finance can.
        with self.assertRaises(UserError):
            case.with_user(self.user_customer_service).action_reverse()
        case.with_user(self.user_finance).action_reverse()
        self.assertEqual(case.state, "reversed")
        self.assertEqual(case.refund_state, "reversed")
        self.assertEqual(move.reversal_move_ids.state, "posted")
        self.assertEqual(payment.state, "canceled")
        self.assertEqual(enrollment.state, "active")
        self.assertIn(enrollment.archive_id.state, ("active", "pending"))
        # Back where it was: invoice paid, nothing owed, nothing due to the student.
        self.assertAlmostEqual(self._receivable(self.student), 0.0)
        self.assertEqual(invoice.payment_state, "paid")
        self.assertFalse(self._reconciliation(case))
        self.assertIn("reversed", case.message_ids[0].body)

    def test_one_case_per_enrollment(self):
        """RET-07: a second case on an enrolment with an open case is refused, also
        when it is added by a write; after a rejection a new case is possible."""
        enrollment = self._enrolled()
        self._invoice(enrollment, paid=4000.0)
        first = self._case(enrollment)
        with self._refused(ValidationError, "already has an open"):
            self._case(enrollment)
        other = self._enrolled(course=self.course_a)
        second = self._case(other)
        with self._refused(ValidationError, "already has an open"):
            second.with_user(self.user_customer_service).write(
                {"enrollment_ids": [Command.link(enrollment.id)]}
            )
        first.with_user(self.user_customer_service).action_cancel()
        self.assertTrue(self._case(enrollment))

    def test_paid_is_cash_not_credit_notes(self):
        """RET-07: 4,000 invoiced, nothing paid; accounting credits 1,000 with its own
        credit note, reconciled: paid is 0 (not 1,000), 3,000 owed, 1,000 credited
        before. 10 consumed: unit price actually invoiced 3,000 / 40 = 75; 30 x 75 =
        2,250 - 5 % (112.50) = 2,137.50, all of it netted against the 3,000 owed:
        nothing paid back."""
        enrollment = self._enrolled()
        invoice = self._invoice(enrollment)
        self._consume(enrollment, 10)
        credit_note = self.env["account.move"].create(
            {
                "move_type": "out_refund",
                "partner_id": self.student.id,
                "reversed_entry_id": invoice.id,
                "invoice_date": "2025-04-01",
                "invoice_line_ids": [
                    Command.create(
                        {"product_id": self.product_course.id, "price_unit": 1000.0}
                    )
                ],
            }
        )
        credit_note.action_post()
        (credit_note.line_ids + invoice.line_ids).filtered(
            lambda line: (
                line.account_id.account_type == "asset_receivable"
                and not line.reconciled
            )
        ).reconcile()
        case = self._case(enrollment)
        case.action_compute_refund()
        self.assertRecordValues(
            case,
            [
                {
                    "amount_invoiced": 4000.0,
                    "amount_paid": 0.0,
                    "amount_arrears": 3000.0,
                    "amount_credit": 2137.5,
                    "amount_arrears_netted": 2137.5,
                    "amount_refund": 0.0,
                }
            ],
        )

    def test_backdated_leaving_date(self):
        """RET-07: the leaving date can never be before the last attended lesson
        (2025-03-10); a date 20 days back (more than the company's 7) needs finance's
        confirmation, which only finance can give and which the statement prints."""
        enrollment = self._enrolled()
        self._invoice(enrollment, paid=4000.0)
        self._consume(enrollment, 10)
        with self._refused(ValidationError, "last lesson"):
            self._case(enrollment, effective_date="2025-03-09")
        case = self._case(enrollment, effective_date="2025-03-26")
        with self._refused(UserError, "finance must confirm"):
            case.action_submit()
        self.assertEqual(case.state, "draft")
        with self.assertRaises(AccessError):
            case.with_user(self.user_customer_service).write(
                {"backdate_confirmed": True}
            )
        case.with_user(self.user_finance).write({"backdate_confirmed": True})
        case.action_submit()
        self.assertIn(
            "20 days in the past: confirmed by finance",
            " ".join(case.statement_line_ids.mapped("name")),
        )

    def test_finance_fields_and_forgiveness(self):
        """RET-07: override and forgiveness are finance's: customer service and
        teachers cannot set them. 4,000 invoiced, 1,000 paid, 10 consumed: 2,850
        credited, all of it against the 3,000 owed, 150 still owed; finance forgives
        the 150: one credit note of 3,000, the receivable nets to zero, refund 0."""
        enrollment = self._enrolled()
        self._invoice(enrollment, paid=1000.0)
        self._consume(enrollment, 10)
        case = self._case(enrollment)
        for user in (self.user_customer_service, self.user_teacher):
            for field in ("forgive_arrears", "refund_override", "use_refund_override"):
                with self.assertRaises(AccessError):
                    case.with_user(user).write({field: 150.0})
        case.with_user(self.user_finance).write({"forgive_arrears": 150.0})
        self._approved(case)
        self.assertRecordValues(
            case,
            [
                {
                    "amount_credit": 2850.0,
                    "amount_forgiven": 150.0,
                    "amount_arrears_netted": 2850.0,
                    "amount_refund": 0.0,
                    "refund_state": "paid",
                }
            ],
        )
        self.assertEqual(case.sudo().refund_move_ids.amount_total, 3000.0)
        self.assertIn(("Arrears forgiven by finance", 150.0), self._statement(case))
        self.assertAlmostEqual(self._receivable(self.student), 0.0)
        self.assertFalse(self._reconciliation(case).mismatch)

    def test_guardian_billed_foreign_currency_two_enrolments(self):
        """X-04, RET-07: course 1 invoiced in EUR to the guardian (4,000 EUR at 2 EUR
        per USD, paid), 10 of 40 consumed: 3,000 - 150 = 2,850 EUR; course 2
        invoiced in EUR to the guardian too (1,200 EUR for 10 lessons, paid), 8
        consumed: 2 x 120 = 240 - 12 = 228 EUR. One credit note per invoice, each for
        its own course, in EUR at the invoice's rate (2,850 EUR = 1,425 USD), to the
        guardian; finance pays 3,078 EUR back to the guardian."""
        eur = self.setup_other_currency("EUR", rates=[("2025-01-01", 2.0)])
        course_1 = self._enrolled()
        course_2 = self._enrolled(course=self.course_a)
        invoices = self.env["account.move"]
        for enrollment, price, consumed in (
            (course_1, 4000.0, 10),
            (course_2, 1200.0, 8),
        ):
            vals = enrollment._prepare_invoice_vals()
            vals.update(partner_id=self.guardian.id, currency_id=eur.id)
            vals["invoice_line_ids"][0][2]["price_unit"] = price
            invoice = self.env["account.move"].create(vals)
            enrollment.invoice_ids = [Command.link(invoice.id)]
            invoice.action_post()
            self._pay(invoice, price)
            self._consume(enrollment, consumed)
            invoices |= invoice
        case = self._approved(self._case(course_1 + course_2))
        self.assertEqual(case.currency_id, eur)
        moves = case.sudo().refund_move_ids.sorted(lambda m: m.reversed_entry_id.id)
        self.assertRecordValues(
            moves,
            [
                {
                    "reversed_entry_id": invoices[0].id,
                    "amount_total": 2850.0,
                    "amount_total_signed": -1425.0,
                    "currency_id": eur.id,
                    "partner_id": self.guardian.id,
                },
                {
                    "reversed_entry_id": invoices[1].id,
                    "amount_total": 228.0,
                    "amount_total_signed": -114.0,
                    "currency_id": eur.id,
                    "partner_id": self.guardian.id,
                },
            ],
        )
        self.assertEqual(case.amount_refund, 3078.0)
        payments = self._pay_refund_as_finance(case)
        self.assertEqual(payments.partner_id, self.guardian)
        self.assertEqual(sum(payments.mapped("amount")), 3078.0)
        self.assertEqual(case.refund_state, "paid")
        self.assertAlmostEqual(self._receivable(self.guardian), 0.0)
        self.assertFalse(self._reconciliation(case).mismatch)
        # The guardian who paid is told too.
        decision = case.message_ids.filtered(
            lambda m: m.body and "is approved" in m.body
        )
        self.assertIn(self.guardian, decision.partner_ids)

    def test_automatic_payment_journal(self):
        """X-04: with a refund journal in the settings the refund is paid on it at
        approval: 2,850 on the bank journal, nothing left to pay."""
        self.company.training_refund_journal_id = self.company_data[
            "default_journal_bank"
        ]
        enrollment = self._enrolled()
        self._invoice(enrollment, paid=4000.0)
        self._consume(enrollment, 10)
        case = self._approved(self._case(enrollment))
        self.assertEqual(case.refund_state, "paid")
        self.assertEqual(
            case.sudo().refund_payment_ids.journal_id,
            self.company_data["default_journal_bank"],
        )
        self.assertEqual(case.sudo().refund_payment_ids.amount, 2850.0)
        self.assertEqual(
            fields.Date.to_string(case.sudo().refund_payment_ids.date), "2025-04-15"
        )

    def test_demo_data_reconciles(self):
        """X-04: the refund reconciliation report shows no mismatch over the whole
        database (the demo school's approved cases, when the demo data is
        installed, and anything else there)."""
        Report = self.env["training.refund.reconciliation"]
        self.assertFalse(Report.search([("mismatch", "=", True)]))

    def test_reconciliation_report_for_finance_only(self):
        """X-04, RET-07: the refund reconciliation is finance's: customer service
        and teachers are refused its rows (search_read, read_group); finance reads
        them."""
        Report = self.env["training.refund.reconciliation"]
        for user in (self.user_customer_service, self.user_teacher):
            with self.assertRaises(AccessError):
                Report.with_user(user).search_read([], ["statement_refund"])
            with self.assertRaises(AccessError):
                Report.with_user(user).read_group([], ["paid_back:sum"], [])
        Report.with_user(self.user_finance).search_read([], ["statement_refund"])

"""Withdrawal end to end (RET-02, X-03, X-04) as the people who act: customer service
opens and submits the application, the three tiers approve in order (customer
service, finance, management), the approval stops the enrolment and posts and pays
the credit note, customer service closes the case (archive sealed, follow-up call).
"""

from odoo import Command
from odoo.exceptions import UserError
from odoo.tests import freeze_time, tagged

from .common import RetentionCommon


@tagged("post_install", "-at_install")
@freeze_time("2025-04-15 08:00:00")
class TestWithdrawalFlow(RetentionCommon):
    def test_withdrawal_paid_invoice_end_to_end(self):
        """RET-01, RET-02, RET-07, X-03, X-04: paid 4,000 for 40 lessons, 10
        consumed, materials 300: the approval in order credits 2,550 on a posted
        credit note reversing the invoice, pays it back with an outgoing payment
        reconciled with it; the partner's balance is zero; out-of-order and
        outsider approvals are refused; closing seals the archive and plans the
        follow-up call, whose outcome is logged."""
        enrollment = self._enrolled()
        invoice = self._invoice(enrollment, paid=4000.0)
        self._consume(enrollment, 10)
        archive = enrollment.archive_id
        reason = self.env.ref("training_retention.reason_withdrawal_schedule")
        case = self._case(
            enrollment,
            reason_id=reason.id,
            material_ids=[
                Command.create({"name": "Textbook set", "amount": 300.0}),
                Command.create({"name": "Student card", "amount": 0.0}),
            ],
        )
        self.assertEqual(case.archive_id, archive)
        case.action_submit()
        self.assertEqual(case.state, "to_approve")
        self.assertEqual(
            case.review_ids.sorted("sequence").mapped("reviewer_group_id"),
            self.env.ref(
                "training_student_archive.training_student_archive_group_customer_service"
            )
            + self.env.ref(
                "training_student_archive.training_student_archive_group_finance"
            )
            + self.group_management,
        )
        self.assertEqual(case.amount_refund, 2550.0)

        # Out of order: finance before customer service is refused, nothing approved.
        with self.assertRaisesRegex(UserError, "You cannot approve case"):
            case.with_user(self.user_finance).validate_tier()
        self.assertFalse(case.review_ids.filtered(lambda r: r.status == "approved"))

        case.with_user(self.user_customer_service_2).validate_tier()
        with self.assertRaisesRegex(UserError, "Finance: payments and arrears"):
            case.with_user(self.user_customer_service_2).validate_tier()
        case.with_user(self.user_finance).validate_tier()
        self.assertEqual(case.state, "to_approve")
        self.assertFalse(case.sudo().refund_move_ids)
        case.with_user(self.user_management).validate_tier()

        self.assertEqual(case.state, "approved")
        self.assertEqual(case.validation_status, "validated")
        # who approved which tier, in the chatter, in order.
        approvals = case.message_ids.filtered(
            lambda m: m.body and "Approved:" in m.body
        ).sorted("id")
        self.assertEqual(
            approvals.author_id,
            (
                self.user_customer_service_2 + self.user_finance + self.user_management
            ).partner_id,
        )
        self.assertIn("step 1 of 3", approvals[0].body)
        # Enrolment stopped, archive closed as withdrawn.
        self.assertEqual(enrollment.state, "withdrawn")
        self.assertEqual(archive.state, "withdrawn")
        # the credit note; finance pays the refund from the case.
        self.assertEqual(case.refund_state, "to_pay")
        self._pay_refund_as_finance(case)
        refund = case.sudo().refund_move_ids
        self.assertRecordValues(
            refund,
            [
                {
                    "move_type": "out_refund",
                    "state": "posted",
                    "partner_id": self.student.id,
                    "reversed_entry_id": invoice.id,
                    "amount_total": 2550.0,
                    "amount_residual": 0.0,
                    "training_attrition_case_id": case.id,
                }
            ],
        )
        self.assertIn(case.name, refund.ref)
        self.assertIn(reason.name, refund.ref)
        self.assertEqual(refund.invoice_line_ids.product_id, self.product_course)
        self.assertIn(refund, enrollment.invoice_ids)
        payment = case.sudo().refund_payment_ids
        self.assertRecordValues(
            payment,
            [
                {
                    "payment_type": "outbound",
                    "partner_type": "customer",
                    "amount": 2550.0,
                    "state": payment.state,
                }
            ],
        )
        self.assertIn(payment.state, ("in_process", "paid"))
        self.assertIn(refund.payment_state, ("in_payment", "paid"))
        # Partner balance: 4,000 invoiced - 4,000 paid - 2,550 credited + 2,550 paid
        # back = 0 on the receivable.
        receivable = self.student.property_account_receivable_id
        lines = self.env["account.move.line"].search(
            [
                ("partner_id", "=", self.student.id),
                ("account_id", "=", receivable.id),
                ("parent_state", "=", "posted"),
            ]
        )
        self.assertAlmostEqual(sum(lines.mapped("balance")), 0.0)
        self.assertTrue(all(lines.mapped("reconciled")))
        # The student was told.
        told = case.message_ids.filtered(lambda m: self.student in m.partner_ids)
        self.assertTrue(told.filtered(lambda m: "is approved" in m.body))

        # Never twice.
        refunds_before = self.env["account.move"].search_count(
            [("move_type", "=", "out_refund")]
        )
        with self.assertRaisesRegex(UserError, "never created twice"):
            case.sudo()._create_refund()
        self.assertEqual(
            self.env["account.move"].search_count([("move_type", "=", "out_refund")]),
            refunds_before,
        )

        # Materials: the textbook is still to hand back; closing waits for it.
        with self.assertRaisesRegex(UserError, "Textbook set"):
            case.with_user(self.user_customer_service).action_close()
        case.material_ids.with_user(self.user_customer_service).write({"state": "kept"})
        case.with_user(self.user_customer_service).action_close()
        self.assertEqual(case.state, "done")
        self.assertEqual(archive.state, "sealed")
        call = case.activity_ids.filtered(
            lambda a: (
                a.activity_type_id
                == self.env.ref("training_retention.mail_activity_type_followup_call")
            )
        )
        self.assertEqual(call.user_id, self.user_customer_service)
        call.with_user(self.user_customer_service).action_feedback(
            feedback="Happy with the refund; may come back in autumn."
        )
        self.assertTrue(
            case.message_ids.filtered(
                lambda m: "may come back in autumn" in (m.body or "")
            )
        )

    def test_withdrawal_unpaid_invoice_reconciled(self):
        """RET-02, X-04: the invoice was never paid: the 2,850 credit note (3,000 of
        unconsumed lessons - 150 fee) is reconciled against the open invoice, no
        money goes out; 1,150 stays due (the 10 lessons consumed and the fee)."""
        enrollment = self._enrolled()
        invoice = self._invoice(enrollment)
        self._consume(enrollment, 10)
        case = self._case(enrollment)
        case.action_submit()
        self._approve_all(case)
        self.assertEqual(case.state, "approved")
        refund = case.sudo().refund_move_ids
        self.assertRecordValues(
            refund,
            [{"state": "posted", "amount_total": 2850.0, "amount_residual": 0.0}],
        )
        self.assertFalse(case.sudo().refund_payment_ids)
        self.assertEqual(case.amount_refund, 0.0)
        self.assertEqual(invoice.amount_residual, 1150.0)
        self.assertEqual(invoice.payment_state, "partial")
        self.assertEqual(self.student.credit, 1150.0)

    def test_rejection_and_resubmission(self):
        """RET-02, X-03: finance rejects (payments unclear): the case is rejected,
        the student is told, nothing stops; back to application and submitted again,
        the approvals start over."""
        enrollment = self._enrolled()
        self._invoice(enrollment, paid=4000.0)
        case = self._case(enrollment)
        case.action_submit()
        case.with_user(self.user_customer_service_2).validate_tier()
        case.with_user(self.user_finance).reject_tier()
        self.assertEqual(case.state, "rejected")
        self.assertEqual(enrollment.state, "active")
        self.assertFalse(case.sudo().refund_move_ids)
        self.assertTrue(
            case.message_ids.filtered(lambda m: "Rejected by" in (m.body or ""))
        )
        case.with_user(self.user_customer_service).action_draft()
        self.assertFalse(case.review_ids)
        case.with_user(self.user_customer_service).action_submit()
        self.assertEqual(len(case.review_ids), 3)
        self._approve_all(case)
        self.assertEqual(enrollment.state, "withdrawn")

"""Discounts offered to students who leave or owe: the re-enrolment coupon of a
force-majeure case (RET-06) and the discount offered on overdue enrolment invoices
(RET-04), both on real accounting and Odoo's ``loyalty`` programs."""

import base64

from odoo import Command
from odoo.exceptions import UserError, ValidationError
from odoo.tests import freeze_time, tagged

from .common import RetentionCommon


@tagged("post_install", "-at_install")
class TestReenrolmentCoupon(RetentionCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.program = cls.env["loyalty.program"].create(
            {
                "name": "Come back: 15 % off",
                "program_type": "coupons",
                "trigger": "with_code",
                "applies_on": "current",
                "company_id": cls.company.id,
                "rule_ids": [Command.clear()],
                "communication_plan_ids": [Command.clear()],
                "reward_ids": [
                    Command.clear(),
                    Command.create(
                        {
                            "reward_type": "discount",
                            "discount": 15.0,
                            "discount_mode": "percent",
                            "discount_applicability": "order",
                            "required_points": 1.0,
                        }
                    ),
                ],
            }
        )
        cls.company.training_reenrol_program_id = cls.program

    def _force_majeure_case(self):
        enrollment = self._enrolled()
        self._invoice(enrollment, paid=4000.0)
        proof = self.env["ir.attachment"].create(
            {
                "name": "medical-certificate.pdf",
                "datas": base64.b64encode(b"%PDF-1.4 certificate"),
            }
        )
        case = self._case(
            enrollment,
            case_type="force_majeure",
            reenrol_coupon=True,
            attachment_ids=[Command.link(proof.id)],
        )
        case.action_submit()
        case.with_user(self.user_customer_service).action_verify_proof()
        case.with_user(self.user_customer_service_2).validate_tier()
        return case

    def _cards(self):
        return self.env["loyalty.card"].search(
            [("partner_id", "=", self.student.id), ("program_id", "=", self.program.id)]
        )

    @freeze_time("2025-04-15 10:00:00")
    def test_coupon_once_on_approval(self):
        """RET-06, X-04: approving a force-majeure case with the re-enrolment option
        gives the student ONE coupon of the company's program, with the points its
        reward needs, linked on the case, its code in the chatter and in the
        decision e-mailed to the student; approving again or re-running the options
        creates no second coupon."""
        case = self._force_majeure_case()
        self.assertFalse(case.coupon_id, "no coupon before the final approval")
        case.with_user(self.user_management).validate_tier()

        self.assertEqual(case.state, "approved")
        coupon = case.coupon_id
        self.assertEqual(self._cards(), coupon)
        self.assertEqual(coupon.partner_id, self.student)
        self.assertEqual(coupon.program_id, self.program)
        self.assertEqual(coupon.program_id.program_type, "coupons")
        self.assertTrue(coupon.code)
        self.assertEqual(case.coupon_code, coupon.code)
        # Usable: the coupon holds the points of the program's 15 % order discount.
        reward = self.program.reward_ids
        self.assertEqual(reward.discount, 15.0)
        self.assertEqual(reward.discount_applicability, "order")
        self.assertGreaterEqual(coupon.points, reward.required_points)
        self.assertEqual(
            self.env["loyalty.card"].search([("code", "=", coupon.code)]), coupon
        )
        note = case.message_ids.filtered(
            lambda m: coupon.code in (m.body or "") and not m.partner_ids
        )
        self.assertTrue(note, "the coupon's code is in the case's chatter")
        decision = case.message_ids.filtered(
            lambda m: self.student in m.partner_ids and coupon.code in (m.body or "")
        )
        self.assertEqual(len(decision), 1, "the decision e-mails the code")

        case.sudo()._apply_humane_options()
        case.sudo()._create_reenrol_coupon()
        with self.assertRaises(UserError):
            case.with_user(self.user_management).validate_tier()
        self.assertEqual(self._cards(), coupon, "never a second coupon")

    @freeze_time("2025-04-15 10:00:00")
    def test_coupon_needs_program(self):
        """RET-06: without a re-enrolment program in the settings the final approval
        is refused with a clear error and nothing is written."""
        self.company.training_reenrol_program_id = False
        case = self._force_majeure_case()
        with self.assertRaisesRegex(UserError, "coupon program"):
            case.with_user(self.user_management).validate_tier()
        self.assertEqual(case.state, "to_approve")
        self.assertFalse(case.coupon_id)
        self.assertFalse(case.sudo().refund_move_ids)
        self.assertFalse(self._cards())


@tagged("post_install", "-at_install")
class TestArrearsDiscount(RetentionCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.training_arrears_max_discount = 15.0
        cls.env["training.arrears.step"].create(
            {
                "name": "E-mail",
                "company_id": cls.company.id,
                "days_overdue": 7,
                "channel": "email",
                "mail_template_id": cls.env.ref(
                    "training_retention.mail_template_arrears_reminder"
                ).id,
            }
        )
        # Taxed fees: the credit note reverses the lines with their taxes.
        cls.product_course.taxes_id = cls.tax_sale_a

    def _reminder(self, paid):
        """An overdue invoice of 4000 + 15 % tax, ``paid`` paid, reminded once."""
        enrollment = self._enrolled()
        enrollment.with_user(self.user_finance).action_create_invoice()
        invoice = enrollment.invoice_ids
        invoice.write({"invoice_date": "2025-03-01", "invoice_date_due": "2025-03-01"})
        invoice.action_post()
        self.assertEqual(invoice.amount_total, 4600.0)
        self._pay(invoice, paid)
        with freeze_time("2025-03-10 01:00:00"):
            self.env["training.arrears.reminder"]._cron_send_reminders()
        reminder = self.env["training.arrears.reminder"].search(
            [("invoice_id", "=", invoice.id)]
        )
        self.assertEqual(len(reminder), 1)
        return reminder.with_user(self.user_finance), invoice

    def _refunds(self):
        return self.env["account.move"].search(
            [("move_type", "=", "out_refund"), ("partner_id", "=", self.student.id)]
        )

    @freeze_time("2025-03-12 10:00:00")
    def test_discount_credit_note(self):
        """RET-04, X-04: finance offers a discount on the outstanding amount, bounded
        by the company's maximum (an offer above it is refused, nothing written);
        when the student accepts, a posted credit note proportional to the invoice
        lines is reconciled with the invoice, whose open amount drops by exactly the
        discount; it is never applied twice and cannot change afterwards."""
        reminder, invoice = self._reminder(paid=1600.0)
        currency = invoice.currency_id
        self.assertEqual(invoice.amount_residual, 3000.0)

        with self.assertRaisesRegex(ValidationError, "outside the allowed range"):
            reminder.discount_percent = 20.0
        reminder.invalidate_recordset()
        self.assertEqual(reminder.discount_percent, 0.0)
        self.assertEqual(reminder.discount_amount, 0.0)
        with self.assertRaisesRegex(UserError, "offers no discount"):
            reminder.action_accept_discount()

        reminder.discount_percent = 10.0
        self.assertEqual(reminder.discount_amount, 300.0)
        reminder.action_accept_discount()

        move = reminder.discount_move_id
        self.assertEqual(self._refunds(), move)
        self.assertEqual(move.state, "posted")
        self.assertEqual(move.reversed_entry_id, invoice)
        self.assertEqual(currency.compare_amounts(move.amount_total, 300.0), 0)
        self.assertEqual(move.amount_tax, currency.round(move.amount_untaxed * 0.15))
        self.assertEqual(move.invoice_line_ids.tax_ids, self.tax_sale_a)
        self.assertTrue(currency.is_zero(move.amount_residual))
        self.assertEqual(
            currency.compare_amounts(
                invoice.amount_residual, 3000.0 - reminder.discount_amount
            ),
            0,
        )
        self.assertEqual(invoice.amount_residual, 2700.0)
        self.assertEqual(invoice.payment_state, "partial")
        self.assertIn(move, invoice.training_enrollment_ids.invoice_ids)

        with self.assertRaisesRegex(UserError, "never applied twice"):
            reminder.action_accept_discount()
        with self.assertRaisesRegex(UserError, "cannot change"):
            reminder.discount_percent = 5.0
        self.assertEqual(self._refunds(), move)
        self.assertEqual(invoice.amount_residual, 2700.0)

    @freeze_time("2025-03-12 10:00:00")
    def test_discount_above_open_amount(self):
        """RET-04: a discount offered, then the student pays most of the invoice: the
        discount now exceeds what is open and its acceptance is refused, writing
        nothing."""
        reminder, invoice = self._reminder(paid=1600.0)
        reminder.discount_percent = 10.0
        self._pay(invoice, 2800.0)
        self.assertEqual(invoice.amount_residual, 200.0)
        with self.assertRaisesRegex(ValidationError, "more than the"):
            reminder.action_accept_discount()
        self.assertFalse(reminder.discount_move_id)
        self.assertFalse(self._refunds())
        self.assertEqual(invoice.amount_residual, 200.0)

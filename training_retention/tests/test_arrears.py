"""Arrears (RET-04): the scheduled action walks the reminder ladder over the overdue,
unpaid invoices of enrolments, each reminder once, then opens an arrears case whose
refund settlement nets the arrears."""

from datetime import date

from odoo import Command
from odoo.tests import freeze_time, tagged

from .common import RetentionCommon


@tagged("post_install", "-at_install")
class TestArrears(RetentionCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.instalments = cls.env["account.payment.term"].create(
            {
                "name": "Three monthly instalments",
                "company_id": cls.company.id,
                "line_ids": [
                    Command.create(
                        {"value": "percent", "value_amount": 40.0, "nb_days": 0}
                    ),
                    Command.create(
                        {"value": "percent", "value_amount": 30.0, "nb_days": 30}
                    ),
                    Command.create(
                        {"value": "percent", "value_amount": 30.0, "nb_days": 60}
                    ),
                ],
            }
        )
        Step = cls.env["training.arrears.step"]
        cls.step_email = Step.create(
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
        cls.step_sms = Step.create(
            {
                "name": "SMS",
                "company_id": cls.company.id,
                "days_overdue": 14,
                "channel": "sms",
                "sms_template_id": cls.env.ref(
                    "training_retention.sms_template_arrears_reminder"
                ).id,
                "offer_instalments": True,
                "instalment_term_id": cls.instalments.id,
            }
        )
        cls.step_call = Step.create(
            {
                "name": "Call",
                "company_id": cls.company.id,
                "days_overdue": 21,
                "channel": "call",
                "user_id": cls.user_finance.id,
                "is_final": True,
                "consequence": "The enrolment will be ended for arrears.",
            }
        )

    def _overdue_invoice(self, enrollment):
        enrollment.with_user(self.user_finance).action_create_invoice()
        invoice = enrollment.invoice_ids
        invoice.write({"invoice_date": "2025-03-01", "invoice_date_due": "2025-03-01"})
        invoice.action_post()
        return invoice

    def _run(self, day):
        with freeze_time(f"{day} 01:00:00"):
            self.env["training.arrears.reminder"]._cron_send_reminders()

    def test_reminder_ladder_then_arrears_case(self):
        """RET-04: 4,000 due on 2025-03-01, 1,000 paid. Day 8: e-mail stating amount
        and deadline; run twice, sent once. Day 15: SMS offering instalments. Day
        22: the final phone call for finance. Day 30, deadline passed: an arrears
        case opens (once) and waits for finance then management; the approval nets
        the 3,000 of arrears from the credit of the unconsumed lessons."""
        with freeze_time("2025-03-01 01:00:00"):
            enrollment = self._enrolled(start="2025-03-03", enrolled="2025-02-20")
            invoice = self._overdue_invoice(enrollment)
            self._pay(invoice, 1000.0)
        Reminder = self.env["training.arrears.reminder"]
        self._run("2025-03-05")
        self.assertFalse(Reminder.search([("invoice_id", "=", invoice.id)]))

        self._run("2025-03-09")
        self._run("2025-03-09")
        reminders = Reminder.search([("invoice_id", "=", invoice.id)])
        self.assertRecordValues(
            reminders,
            [
                {
                    "step_id": self.step_email.id,
                    "amount_due": 3000.0,
                    "deadline": date(2025, 3, 16),
                    "enrollment_id": enrollment.id,
                }
            ],
        )
        mails = (
            self.env["mail.mail"]
            .sudo()
            .search(
                [
                    ("model", "=", "training.arrears.reminder"),
                    ("res_id", "=", reminders.id),
                ]
            )
        )
        self.assertEqual(len(mails), 1)
        self.assertIn(self.student, mails.recipient_ids)
        self.assertIn("3,000.00", mails.subject)

        self._run("2025-03-16")
        self._run("2025-03-16")
        sms_reminder = Reminder.search(
            [("invoice_id", "=", invoice.id), ("step_id", "=", self.step_sms.id)]
        )
        self.assertEqual(len(sms_reminder), 1)
        sms = self.env["sms.sms"].sudo().search([("partner_id", "=", self.student.id)])
        self.assertEqual(len(sms), 1)
        self.assertIn("Instalments possible", sms.body)
        self.assertIn("3,000.00", sms.body)

        self._run("2025-03-23")
        self._run("2025-03-23")
        calls = enrollment.activity_ids.filtered(
            lambda a: (
                a.activity_type_id
                == self.env.ref("training_retention.mail_activity_type_arrears_call")
            )
        )
        self.assertEqual(len(calls), 1)
        self.assertEqual(calls.user_id, self.user_finance)
        self.assertIn("ended for arrears", calls.note)
        self.assertEqual(len(Reminder.search([("invoice_id", "=", invoice.id)])), 3)
        self.assertFalse(
            self.env["training.attrition.case"].search(
                [("partner_id", "=", self.student.id)]
            )
        )

        self._run("2025-03-31")
        self._run("2025-03-31")
        case = self.env["training.attrition.case"].search(
            [("partner_id", "=", self.student.id)]
        )
        self.assertEqual(len(case), 1)
        self.assertRecordValues(
            case,
            [
                {
                    "case_type": "arrears",
                    "origin": "system",
                    "state": "to_approve",
                    "amount_arrears": 3000.0,
                    "amount_arrears_netted": 3000.0,
                    "amount_refund": 800.0,
                }
            ],
        )
        self.assertEqual(len(case.review_ids), 2)
        with freeze_time("2025-03-31 03:00:00"):
            case.with_user(self.user_finance).validate_tier()
            case.with_user(self.user_management).validate_tier()
        self.assertEqual(enrollment.state, "withdrawn")
        # 40 lessons, none recorded: 4,000 - 5 % capped at 200 = 3,800 credited,
        # 3,000 of it settles the invoice, 800 paid back (1,000 paid - 200 fee).
        self.assertEqual(case.refund_move_id.amount_total, 3800.0)
        self.assertEqual(invoice.amount_residual, 0.0)
        self.assertEqual(case.refund_payment_ids.amount, 800.0)

    def test_instalment_offer_accepted(self):
        """RET-04: the student accepts the instalment offer of the SMS reminder:
        the invoice gets a new payment schedule of three instalments."""
        with freeze_time("2025-03-01 01:00:00"):
            enrollment = self._enrolled(start="2025-03-03", enrolled="2025-02-20")
            invoice = self._overdue_invoice(enrollment)
        self._run("2025-03-16")
        reminder = self.env["training.arrears.reminder"].search(
            [("invoice_id", "=", invoice.id)]
        )
        self.assertEqual(reminder.step_id, self.step_sms)
        with freeze_time("2025-03-17 01:00:00"):
            reminder.with_user(self.user_finance).action_apply_instalments()
        self.assertEqual(invoice.state, "posted")
        self.assertEqual(invoice.invoice_payment_term_id, self.instalments)
        receivable = invoice.line_ids.filtered(
            lambda line: line.display_type == "payment_term"
        )
        self.assertEqual(len(receivable), 3)

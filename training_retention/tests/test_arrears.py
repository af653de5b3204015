"""Arrears (RET-04): the scheduled action walks the reminder ladder over the overdue,
unpaid invoices of enrolments, each reminder once, then opens an arrears case whose
refund settlement nets the arrears."""

from datetime import date
from unittest.mock import patch

from odoo import Command
from odoo.tests import freeze_time, tagged

from .common import RetentionCommon

REMINDER_LOGGER = "odoo.addons.training_retention.models.training_arrears_reminder"


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
        self.assertEqual(case.sudo().refund_move_ids.amount_total, 3800.0)
        self.assertEqual(invoice.amount_residual, 0.0)
        self.assertEqual(case.refund_state, "to_pay")
        with freeze_time("2025-03-31 03:00:00"):
            self._pay_refund_as_finance(case)
        self.assertEqual(case.sudo().refund_payment_ids.amount, 800.0)

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

    def _mails(self, reminders):
        return (
            self.env["mail.mail"]
            .sudo()
            .search(
                [
                    ("model", "=", "training.arrears.reminder"),
                    ("res_id", "in", reminders.ids),
                ]
            )
        )

    def test_guardian_billed_invoice(self):
        """RET-04, issue 12: the fees of Zhang Xiaoming, a minor, are billed to his
        guardian Zhang Wei (the invoice's partner): the guardian owes the money, so
        the e-mail (day 8), the SMS (day 15) and the phone call (day 22) go to him,
        naming the student; each rung once, running the action twice. After the
        final deadline (day 30) the arrears case opens once, for the student and
        his enrolment, not for the guardian."""
        # The templates as the module ships them (finance's "Reset Template"): the
        # wording naming the student of a guardian-billed invoice.
        for xmlid in (
            "mail_template_arrears_reminder",
            "sms_template_arrears_reminder",
        ):
            self.env.ref(f"training_retention.{xmlid}").sudo().reset_template()
        self.guardian.email = "zhang.wei@example.com"
        minor = self.student_minor
        with freeze_time("2025-03-01 01:00:00"):
            enrollment = self._enrol(minor, self.course_40, "2025-03-03")
            enrollment.action_confirm()
            enrollment = enrollment.with_env(self.env)
            enrollment.with_user(self.user_finance).action_create_invoice()
            invoice = enrollment.invoice_ids
            invoice.write(
                {
                    "partner_id": self.guardian.id,
                    "invoice_date": "2025-03-01",
                    "invoice_date_due": "2025-03-01",
                }
            )
            invoice.action_post()
        self.assertEqual(invoice.partner_id, self.guardian)
        Reminder = self.env["training.arrears.reminder"]

        self._run("2025-03-09")
        self._run("2025-03-09")
        reminder = Reminder.search([("invoice_id", "=", invoice.id)])
        self.assertRecordValues(
            reminder,
            [
                {
                    "step_id": self.step_email.id,
                    "partner_id": self.guardian.id,
                    "student_id": minor.id,
                    "enrollment_id": enrollment.id,
                    "amount_due": 4000.0,
                }
            ],
        )
        mail = self._mails(reminder)
        self.assertEqual(len(mail), 1)
        self.assertEqual(mail.recipient_ids, self.guardian)
        self.assertIn("Dear Zhang Wei", str(mail.body_html))
        self.assertIn("Training fees of Zhang Xiaoming", str(mail.body_html))

        self._run("2025-03-16")
        self._run("2025-03-16")
        sms = self.env["sms.sms"].sudo().search([("partner_id", "=", self.guardian.id)])
        self.assertEqual(len(sms), 1)
        self.assertIn("of Zhang Xiaoming", sms.body)
        self.assertFalse(
            self.env["sms.sms"].sudo().search([("partner_id", "=", minor.id)])
        )

        self._run("2025-03-23")
        self._run("2025-03-23")
        reminders = Reminder.search([("invoice_id", "=", invoice.id)])
        self.assertEqual(
            reminders.step_id, self.step_email | self.step_sms | self.step_call
        )
        self.assertEqual(reminders.partner_id, self.guardian)
        calls = enrollment.activity_ids.filtered(
            lambda a: (
                a.activity_type_id
                == self.env.ref("training_retention.mail_activity_type_arrears_call")
            )
        )
        self.assertEqual(len(calls), 1)
        self.assertIn("Zhang Wei (student Zhang Xiaoming)", calls.note)

        self._run("2025-03-31")
        self._run("2025-03-31")
        Case = self.env["training.attrition.case"]
        case = Case.search([("partner_id", "=", minor.id)])
        self.assertRecordValues(
            case,
            [
                {
                    "case_type": "arrears",
                    "origin": "system",
                    "enrollment_ids": enrollment.ids,
                }
            ],
        )
        self.assertFalse(Case.search([("partner_id", "=", self.guardian.id)]))
        self.assertEqual(
            reminders.filtered(lambda r: r.step_id == self.step_call).case_id, case
        )

    def test_failing_reminder_does_not_stop_the_others(self):
        """RET-04, issue 12: each invoice's reminder is isolated. Li Lei's and Han
        Meimei's invoices are both 8 days overdue; sending Li Lei's reminder fails
        (the error is logged): Han Meimei's e-mail still goes out and is kept, Li
        Lei's reminder is rolled back, nothing of it kept. The next run sends Li
        Lei's e-mail and nothing twice; a third run sends nothing."""
        with freeze_time("2025-03-01 01:00:00"):
            failing = self._overdue_invoice(
                self._enrolled(start="2025-03-03", enrolled="2025-02-20")
            )
            enrollment = self._enrol(self.student_b, self.course_40, "2025-03-03")
            enrollment.action_confirm()
            working = self._overdue_invoice(enrollment.with_env(self.env))
        Reminder = self.env["training.arrears.reminder"]
        ReminderClass = type(Reminder)
        send = ReminderClass._send

        def failing_send(reminders):
            if failing in reminders.invoice_id:
                raise ValueError("mail gateway refused the message")
            return send(reminders)

        with (
            patch.object(
                ReminderClass, "_send", autospec=True, side_effect=failing_send
            ),
            self.assertLogs(REMINDER_LOGGER, "ERROR") as logs,
        ):
            self._run("2025-03-09")
        self.assertEqual(len(logs.output), 1)
        self.assertIn(f"invoice id {failing.id}", logs.output[0])
        self.assertFalse(Reminder.search([("invoice_id", "=", failing.id)]))
        sent = Reminder.search([("invoice_id", "=", working.id)])
        self.assertRecordValues(
            sent, [{"step_id": self.step_email.id, "partner_id": self.student_b.id}]
        )
        self.assertEqual(self._mails(sent).recipient_ids, self.student_b)

        self._run("2025-03-09")
        self._run("2025-03-09")
        reminders = Reminder.search([("invoice_id", "in", (failing | working).ids)])
        self.assertEqual(len(reminders), 2)
        self.assertEqual(reminders.step_id, self.step_email)
        mails = self._mails(reminders)
        self.assertEqual(len(mails), 2)
        self.assertEqual(mails.recipient_ids, self.student | self.student_b)

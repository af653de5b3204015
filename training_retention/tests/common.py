"""Shared set-up of the retention tests: real accounting, one user per role, a
40-lesson course at 100 a lesson, the refund policies of the worked examples.

Built on the archive module's :class:`TrainingArchiveCommon` (users per role,
courses, students) and Odoo's ``AccountTestInvoicingCommon`` (a company with its own
chart of accounts, sales and bank journals). Nothing is read from demo data; the
dates are set explicitly and the tests freeze the clock.
"""

from odoo import Command
from odoo.tests import Form, new_test_user

from odoo.addons.account.tests.common import AccountTestInvoicingCommon
from odoo.addons.training_student_archive.tests.common import (
    TrainingArchiveCommon,
    group,
)


class RetentionCommon(TrainingArchiveCommon, AccountTestInvoicingCommon):
    @classmethod
    def setup_independent_user(cls):
        # Keep the superuser as the set-up user: the training users are created here.
        return None

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        invoicing = cls.env.ref("account.group_account_invoice")
        cls.user_finance.groups_id += invoicing
        cls.user_management.groups_id += invoicing
        # Untaxed course fees: the worked examples count in round numbers.
        cls.product_course.taxes_id = False
        cls.course_40 = cls.env["training.course"].create(
            {
                "name": "English B1",
                "code": "ENB1",
                "lesson_count": 40,
                "list_price": 4000.0,
                "product_id": cls.product_course.id,
                "teacher_ids": [Command.set(cls.user_teacher.ids)],
            }
        )
        Policy = cls.env["training.refund.policy"]
        cls.policy = Policy.create(
            {
                "name": "Test standard policy",
                "company_id": cls.company.id,
                "full_refund_before_start": True,
                "cooling_off_days": 7,
                "admin_fee_percent": 5.0,
                "admin_fee_cap": 200.0,
                "deduct_materials": True,
            }
        )
        cls.policy_force_majeure = Policy.create(
            {
                "name": "Test force majeure policy",
                "company_id": cls.company.id,
                "case_type": "force_majeure",
                "admin_fee_percent": 0.0,
                "deduct_materials": False,
            }
        )
        cls.user_portal = new_test_user(
            cls.env,
            login="trn_portal_student",
            name="Li Lei",
            groups="base.group_portal",
            partner_id=cls.student.id,
            company_id=cls.company.id,
            context={"no_reset_password": True},
        )
        cls.user_teacher_only = cls.user_teacher
        # Segregation of duties: the agent who opens a case does not approve
        # its customer-service tier; a second agent does.
        cls.user_customer_service_2 = new_test_user(
            cls.env,
            login="trn_cs2",
            groups=group("customer_service"),
            company_id=cls.company.id,
            tz="Asia/Shanghai",
            context={"no_reset_password": True},
        )
        cls.group_management = cls.env.ref(group("management"))

    # -- helpers: the flows as the people who run them ------------------------------

    def _enrolled(self, course=None, start="2025-03-07", enrolled="2025-03-01", **vals):
        """An active enrolment of Li Lei, confirmed on ``enrolled``."""
        enrollment = self._enrol(self.student, course or self.course_40, start, **vals)
        enrollment.action_confirm()
        enrollment = enrollment.with_env(self.env)
        enrollment.confirm_date = f"{enrolled} 09:00:00"
        return enrollment

    def _invoice(self, enrollment, paid=None, discount=0.0):
        """Finance invoices the enrolment and posts it; ``paid`` is registered."""
        enrollment.with_user(self.user_finance).action_create_invoice()
        invoice = enrollment.invoice_ids.filtered(lambda m: m.state == "draft")
        if discount:
            invoice.invoice_line_ids.discount = discount
        invoice.with_user(self.user_finance).action_post()
        if paid:
            self._pay(invoice, paid)
        return invoice

    def _pay(self, invoice, amount):
        return (
            self.env["account.payment.register"]
            .with_user(self.user_finance)
            .with_context(active_model="account.move", active_ids=invoice.ids)
            .create({"amount": amount, "payment_date": "2025-03-05"})
            ._create_payments()
        )

    def _consume(self, enrollment, lessons):
        Record = self.env["training.learning.record"].with_user(self.user_teacher)
        Record.create(
            [
                {
                    "enrollment_id": enrollment.id,
                    "record_type": "lesson",
                    "lesson_number": number,
                    "attendance": "present",
                    "date": "2025-03-10",
                }
                for number in range(1, lessons + 1)
            ]
        )

    def _case(self, enrollments, user=None, **vals):
        """An application opened by customer service (by default)."""
        return (
            self.env["training.attrition.case"]
            .with_user(user or self.user_customer_service)
            .create(
                {
                    "partner_id": enrollments.partner_id.id,
                    "enrollment_ids": [Command.set(enrollments.ids)],
                    "effective_date": "2025-04-15",
                    "application_date": "2025-04-15",
                    **vals,
                }
            )
        )

    def _statement(self, case):
        """The statement as (description, amount or None) pairs."""
        return [
            (line.name, line.amount if line.show_amount else None)
            for line in case.statement_line_ids
        ]

    def _pay_refund_as_finance(self, case, journal=None):
        """Finance clicks Register Refund Payment on the approved case and confirms
        Odoo's payment wizard (on the bank journal unless said otherwise)."""
        action = case.with_user(self.user_finance).action_register_refund_payment()
        self.assertEqual(action["res_model"], "account.payment.register")
        wizard = Form(
            self.env["account.payment.register"]
            .with_user(self.user_finance)
            .with_context(**action["context"])
        )
        wizard.journal_id = journal or self.company_data["default_journal_bank"]
        return wizard.save()._create_payments()

    def _approve_all(self, case):
        """Every tier in turn, each by a different reviewer who did not apply."""
        applicants = case.sudo()._get_tier_applicants()
        for user in (
            self.user_customer_service,
            self.user_customer_service_2,
            self.user_finance,
            self.user_management,
        ):
            if case.state != "to_approve" or user in applicants:
                continue
            review = case.with_user(user)._tier_next_review()
            if review and user not in case.review_ids.done_by:
                case.with_user(user).validate_tier()

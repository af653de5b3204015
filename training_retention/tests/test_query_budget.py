"""Query budgets of the scheduled actions (issue 7): one call processes one bounded
batch whose statements do not grow with the number of records processed."""

from odoo.tests import freeze_time, tagged

from odoo.addons.training_student_archive.tests.common import QueryCountMixin

from .common import RetentionCommon


@tagged("post_install", "-at_install", "is_query_count")
class TestRetentionQueryBudget(QueryCountMixin, RetentionCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.step_call = cls.env["training.arrears.step"].create(
            {
                "name": "Call",
                "company_id": cls.company.id,
                "days_overdue": 21,
                "channel": "call",
                "user_id": cls.user_finance.id,
                "consequence": "The enrolment will be ended for arrears.",
            }
        )

    def _overdue_invoices(self, size):
        """``size`` enrolments whose invoice fell due on 1 March 2025 unpaid."""
        invoices = self.env["account.move"]
        for _n in range(size):
            enrollment = self._enrolled()
            enrollment.with_user(self.user_finance).action_create_invoice()
            invoice = enrollment.invoice_ids
            invoice.write(
                {"invoice_date": "2025-03-01", "invoice_date_due": "2025-03-01"}
            )
            invoice.action_post()
            invoices |= invoice
        return invoices

    @freeze_time("2025-03-25 01:00:00")
    def test_arrears_call_rung_no_n_plus_one(self):
        """RET-04, issue 7: on 25 March, 24 days after the due date, sending the call
        rung for 2, 4 or 6 overdue invoices costs the same number of statements: the
        invoices due are selected in SQL, the reminders, the call activities (no
        assignment e-mail each) and the enrolments' notes are created in batches.
        Running it again sends nothing twice."""
        self.assertStatementsPerRecord(
            self._overdue_invoices,
            self.env["training.arrears.reminder"]._cron_send_reminders,
            (2, 4, 6),
        )

        invoices = self._overdue_invoices(2)
        Reminder = self.env["training.arrears.reminder"]
        for _run in range(2):
            Reminder._cron_send_reminders()
            reminders = Reminder.search([("invoice_id", "in", invoices.ids)])
            self.assertEqual(reminders.step_id, self.step_call)
            self.assertEqual(len(reminders), 2)
            self.assertEqual(
                len(
                    reminders.enrollment_id.activity_ids.filtered(
                        lambda a: a.user_id == self.user_finance
                    )
                ),
                2,
            )

    def _absent_students(self, size):
        """``size`` enrolments whose last three lessons were missed."""
        for _n in range(size):
            enrollment = self._enrolled()
            for number in range(1, 4):
                self._lesson(
                    enrollment,
                    lesson_number=number,
                    attendance="absent",
                    date=f"2025-03-{10 + number}",
                )

    @freeze_time("2025-04-15 08:00:00")
    def test_absent_in_a_row_no_n_plus_one(self):
        """RET-12, issue 7: planning the retention contacts of 2, 4 or 6 students
        who missed their last three lessons costs the same statements: one query
        over the lessons finds them, the activities are created at once."""
        self.company.training_retention_user_id = self.user_customer_service
        Enrollment = self.env["training.enrollment"]
        Enrollment._cron_flag_at_risk()  # the demo data's students first
        self.assertStatementsPerRecord(
            self._absent_students, Enrollment._cron_flag_at_risk, (2, 4, 6)
        )

    def _refund_case(self, enrollments):
        """Li Lei's withdrawal of ``enrollments``, each paid 4,000 with 10 lessons
        consumed, ready for its refund."""
        for enrollment in enrollments:
            self._invoice(enrollment, paid=4000.0)
            self._consume(enrollment, 10)
        return self._case(enrollments).sudo()

    @freeze_time("2025-04-15 08:00:00")
    def test_refund_posting_budget(self):
        """RET-02, X-04, issue 7: carrying out a withdrawal's refund (statement,
        one credit note per invoice, posted and reconciled; finance pays later)
        costs a fixed number of statements: 110, most of them Odoo's posting and
        reconciliation; a second enrolment adds only its own credit note (8): its
        statement and credit note lines are created with the others."""
        one = self._refund_case(self._enrolled())
        self.assertEqual(sum(self._statements(one._create_refund).values()), 110)
        two = self._refund_case(self._enrolled() | self._enrolled(course=self.course_a))
        self.assertEqual(sum(self._statements(two._create_refund).values()), 118)
        move = one._create_refund()
        self.assertRecordValues(
            move,
            [{"state": "posted", "amount_total": 2850.0, "payment_state": "not_paid"}],
        )

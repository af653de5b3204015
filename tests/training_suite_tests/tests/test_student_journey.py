"""A student's whole journey across the three modules, on real accounting."""

from odoo.exceptions import AccessError, UserError
from odoo.tests import freeze_time, tagged

from odoo.addons.training_retention.tests.common import RetentionCommon


@tagged("post_install", "-at_install")
@freeze_time("2025-04-15 08:00:00")
class TestStudentJourney(RetentionCommon):
    def test_complaint_then_withdrawal_to_refund_and_sealed_archive(self):
        """ARC-01, ARC-03, FB-09, RET-02, X-03, X-04, ARC-17, ARC-11: Li Lei enrols
        and pays 4,000 for 40 lessons; his archive is reviewed; after 10 lessons he
        complains by phone, and the complaint is in his archive at once; he then
        withdraws: customer service, finance and management approve in turn, the
        enrolment stops, 30 unconsumed lessons less the 5 % fee (2,850) are credited
        and paid back, his receivable is settled, and closing the case seals the
        archive, which only the archivist still reads."""
        enrollment = self._enrolled()
        archive = enrollment.archive_id
        self.assertEqual(archive.state, "pending")
        self._activate(archive)
        self.assertEqual(archive.state, "active")
        invoice = self._invoice(enrollment, paid=4000.0)
        self.assertEqual(invoice.payment_state, "paid")
        self._consume(enrollment, 10)
        self.assertEqual(enrollment.lessons_remaining, 30)

        ticket = (
            self.env["training.feedback"]
            .with_user(self.user_customer_service)
            .create(
                {
                    "name": "Lessons are too fast for me",
                    "channel": "phone",
                    "submitter_id": self.student.id,
                    "course_id": self.course_40.id,
                    "category_id": self.env.ref(
                        "training_feedback.training_feedback_category_course"
                    ).id,
                }
            )
        )
        self.assertEqual(ticket.archive_ids, archive)
        self.assertEqual(
            archive.with_user(self.user_customer_service).feedback_count, 1
        )
        feedback_deadline = self.env["training.archive.deadline"].search(
            [("archive_id", "=", archive.id), ("kind", "=", "feedback")]
        )
        self.assertRecordValues(
            feedback_deadline, [{"state": "done", "is_late": False}]
        )

        case = self._case(enrollment)
        case.action_submit()
        with self.assertRaisesRegex(UserError, "You cannot approve case"):
            case.with_user(self.user_finance).validate_tier()  # before customer service
        self._approve_all(case)
        self.assertEqual(case.state, "approved")
        self.assertEqual(enrollment.state, "withdrawn")
        approvals = case.message_ids.filtered(
            lambda m: m.body and "Approved:" in m.body
        )
        self.assertEqual(
            approvals.author_id,
            (
                self.user_customer_service_2 + self.user_finance + self.user_management
            ).partner_id,
        )

        # Finance pays the refund back from the case (Odoo's payment wizard).
        self.assertEqual(case.refund_state, "to_pay")
        self._pay_refund_as_finance(case)
        refund = case.sudo().refund_move_ids
        self.assertRecordValues(
            refund,
            [
                {
                    "move_type": "out_refund",
                    "state": "posted",
                    "amount_total": 2850.0,
                    "reversed_entry_id": invoice.id,
                    "payment_state": "paid",
                }
            ],
        )
        receivable = self.student.property_account_receivable_id
        balance = sum(
            self.env["account.move.line"]
            .search(
                [
                    ("partner_id", "=", self.student.id),
                    ("account_id", "=", receivable.id),
                    ("parent_state", "=", "posted"),
                ]
            )
            .mapped("balance")
        )
        self.assertEqual(self.company.currency_id.compare_amounts(balance, 0.0), 0)

        case.with_user(self.user_customer_service).action_close()
        self.assertEqual(archive.state, "sealed")
        self.assertEqual(archive.with_user(self.user_archivist).name, self.student.name)
        for user in (self.user_customer_service, self.user_teacher):
            with self.subTest(user=user.login), self.assertRaises(AccessError):
                archive.with_user(user).read(["name"])

"""Bad input raises a clear error and writes nothing (RET-02, RET-07, X-04)."""

from odoo import Command
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import freeze_time, tagged

from .common import RetentionCommon


@tagged("post_install", "-at_install")
@freeze_time("2025-04-15 08:00:00")
class TestRetentionBadInput(RetentionCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.enrollment = cls._enrol(cls.student, cls.course_40, "2025-03-07")
        cls.enrollment.action_confirm()
        cls.enrollment = cls.enrollment.with_env(cls.env)
        cls.enrollment.confirm_date = "2025-03-01 09:00:00"

    def test_refund_above_paid(self):
        """RET-07, X-04: finance cannot set a refundable value above what the
        invoices can still be credited (4,000 invoiced: 1,000 paid + 3,000 owed):
        4,500 is refused and nothing is written. 3,800 is accepted, and the arrears
        are netted explicitly, never forgiven silently: 3,800 credited, 3,000 of it
        pays what is owed, 800 is paid back. Forgiving more than the 3,000 owed is
        refused too."""
        self._invoice(self.enrollment, paid=1000.0)
        case = self._case(self.enrollment)
        case.action_compute_refund()
        # assertRaises (not ...Regex) rolls back to a savepoint as the request would.
        with self.assertRaises(ValidationError) as error:
            case.with_user(self.user_finance).write(
                {"use_refund_override": True, "refund_override": 4500.0}
            )
        self.assertRegex(str(error.exception), "more than the .* can still be credited")
        case.invalidate_recordset()
        self.assertFalse(case.sudo().use_refund_override)
        self.assertEqual(case.sudo().refund_override, 0.0)
        case.with_user(self.user_finance).write(
            {"use_refund_override": True, "refund_override": 3800.0}
        )
        case.action_compute_refund()
        self.assertRecordValues(
            case,
            [
                {
                    "amount_refund": 800.0,
                    "amount_credit": 3800.0,
                    "amount_arrears": 3000.0,
                    "amount_arrears_netted": 3000.0,
                    "amount_forgiven": 0.0,
                }
            ],
        )
        with self.assertRaises(ValidationError):
            case.with_user(self.user_finance).write(
                {"use_refund_override": False, "forgive_arrears": 3100.0}
            )

    def test_effective_date_before_enrolment(self):
        """RET-02: an effective date before the enrolment (2025-03-01) is refused
        and no case is created."""
        Case = self.env["training.attrition.case"]
        count = Case.search_count([])
        with self.assertRaises(ValidationError) as error:
            self._case(self.enrollment, effective_date="2025-02-20")
        self.assertIn("before the enrolment", str(error.exception))
        self.assertEqual(Case.search_count([]), count)

    def test_approval_outside_tier_group(self):
        """RET-02, X-03: only the tier's group approves, in order: an enrolment
        officer, a teacher or finance before customer service are refused and no
        review changes."""
        self._invoice(self.enrollment, paid=4000.0)
        case = self._case(self.enrollment)
        case.action_submit()
        # The customer-service tier waits for its approval (OCA updates a tier's
        # status when its can_review is computed: at the latest on flush).
        self.env.flush_all()
        statuses = case.review_ids.mapped("status")
        self.assertEqual(statuses, ["pending", "waiting", "waiting"])
        with self.assertRaises(UserError) as error:
            case.with_user(self.user_finance).validate_tier()
        self.assertIn("is for Group Customer Service", str(error.exception))
        with self.assertRaises(UserError):
            case.with_user(self.user_finance).reject_tier()
        # Roles with no business in withdrawals do not even read the case.
        for user in (self.user_enrolment, self.user_teacher):
            with self.assertRaises(AccessError):
                case.with_user(user).validate_tier()
        self.assertEqual(case.review_ids.mapped("status"), statuses)
        self.assertEqual(case.state, "to_approve")

    def test_second_refund_same_case(self):
        """X-04: a case refunded once is never refunded again: neither a new credit
        note, nor a new payment, nor a changed statement."""
        self._invoice(self.enrollment, paid=4000.0)
        case = self._case(self.enrollment)
        case.action_submit()
        self._approve_all(case)
        self._pay_refund_as_finance(case)
        move, payments = case.sudo().refund_move_ids, case.sudo().refund_payment_ids
        self.assertTrue(move and payments)
        lines = case.statement_line_ids
        Move = self.env["account.move"]
        count = Move.search_count([("training_attrition_case_id", "=", case.id)])
        with self.assertRaisesRegex(UserError, "never created twice"):
            case.sudo()._create_refund()
        with self.assertRaisesRegex(UserError, "already credited"):
            case.with_user(self.user_finance).action_compute_refund()
        self.assertEqual(
            Move.search_count([("training_attrition_case_id", "=", case.id)]), count
        )
        self.assertEqual(case.sudo().refund_payment_ids, payments)
        self.assertEqual(case.statement_line_ids, lines)
        with self.assertRaises(UserError) as error:
            case.with_user(self.user_management).unlink()
        self.assertIn("cannot be deleted", str(error.exception))
        self.assertTrue(case.exists())

    def test_missing_data_on_submit(self):
        """RET-03, RET-06: a transfer without receiving institution, a force-majeure
        case without proof, a case without enrolment: refused on submission, the
        case stays an application."""
        self._invoice(self.enrollment, paid=4000.0)
        # One case per enrolment: each case leaves another course.
        cases = [
            (
                self._case(self.enrollment, case_type="transfer"),
                "receiving institution",
            ),
            (
                self._case(
                    self._enrolled(course=self.course_a), case_type="force_majeure"
                ),
                "proof documents",
            ),
            (
                self._case(
                    self._enrolled(course=self.course_b),
                    enrollment_ids=[Command.clear()],
                ),
                "names no enrolment",
            ),
        ]
        for case, message in cases:
            with self.assertRaisesRegex(UserError, message):
                case.action_submit()
            self.assertEqual(case.state, "draft")
            self.assertFalse(case.review_ids)

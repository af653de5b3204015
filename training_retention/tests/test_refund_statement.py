"""Refund computation (RET-07) against the worked examples of the refund policy.

Course: 40 lessons for 4,000 (100 a lesson), starting 2025-03-07, enrolled
2025-03-01; the student leaves on 2025-04-15 unless said otherwise. Policy: full
refund before the start and within 7 days of the enrolment; unconsumed lessons at the
unit price actually paid; materials not handed back deducted; administrative fee 5 %
of the pro-rata value, capped at 200; arrears netted.
"""

from odoo import Command
from odoo.exceptions import UserError
from odoo.tests import freeze_time, tagged

from .common import RetentionCommon


@tagged("post_install", "-at_install")
@freeze_time("2025-04-15 08:00:00")
class TestRefundStatement(RetentionCommon):
    def test_withdrawal_before_start(self):
        """RET-07: the student enrolled and paid on 2025-03-01 for a course starting
        2025-05-01 and leaves on 2025-04-15: everything paid comes back, without
        administrative fee."""
        enrollment = self._enrolled(start="2025-05-01")
        self._invoice(enrollment, paid=4000.0)
        case = self._case(enrollment)
        case.action_compute_refund()
        self.assertRecordValues(
            case,
            [
                {
                    "amount_invoiced": 4000.0,
                    "amount_paid": 4000.0,
                    "amount_gross": 4000.0,
                    "amount_deductions": 0.0,
                    "amount_credit": 4000.0,
                    "amount_refund": 4000.0,
                }
            ],
        )
        names = [name for name, __ in self._statement(case)]
        self.assertTrue(any("before the course starts" in n for n in names), names)
        self.assertFalse(any("Administrative fee" in n for n in names), names)

    def test_forty_lessons_ten_consumed_materials_and_capped_fee(self):
        """RET-07: 40 lessons at 100, 10 consumed, materials worth 300 kept, fee 5 %
        capped at 200: 30 x 100 = 3,000 - 300 - 150 = 2,550. With a 10 % fee the cap
        applies: 3,000 - 300 - 200 = 2,500. Every step is a line of the statement."""
        enrollment = self._enrolled()
        self._invoice(enrollment, paid=4000.0)
        self._consume(enrollment, 10)
        case = self._case(
            enrollment,
            material_ids=[Command.create({"name": "Textbook set", "amount": 300.0})],
        )
        case.with_user(self.user_customer_service).action_compute_refund()
        self.assertEqual(
            self._statement(case),
            [
                ("Refund policy: Test standard policy", None),
                (
                    (
                        "Li Lei - ENB1: invoiced $\xa04,000.00, paid $\xa04,000.00, "
                        "credited before $\xa00.00, outstanding $\xa00.00"
                    ),
                    None,
                ),
                ("Lessons: 40 purchased, 10 consumed (25.0 %), 30 remaining.", None),
                (
                    (
                        "Unit price actually paid: $\xa04,000.00 / 40 lessons = "
                        "$\xa0100.00."
                    ),
                    None,
                ),
                ("Unconsumed lessons: 30 x $\xa0100.00", 3000.0),
                ("Refundable value", 3000.0),
                ("Material not handed back: Textbook set", -300.0),
                ("Administrative fee: 5.0 % of $\xa03,000.00", -150.0),
                ("Credited on the invoices", 2550.0),
                ("Refund to pay (paid so far: $\xa04,000.00)", 2550.0),
            ],
        )
        self.assertEqual(case.amount_refund, 2550.0)

        # Finance raises the fee to 10 %: the rules of a policy in use are frozen,
        # a new version is made; this enrolment keeps the 5 % it enrolled under.
        self.assertEqual(enrollment.refund_policy_id, self.policy)
        with self.assertRaises(UserError):
            self.policy.with_user(self.user_finance).admin_fee_percent = 10.0
        action = self.policy.with_user(self.user_finance).action_new_version()
        version_2 = self.env["training.refund.policy"].browse(action["res_id"])
        version_2.with_user(self.user_finance).admin_fee_percent = 10.0
        self.assertEqual(version_2.display_name, "Test standard policy (version 2)")
        self.assertFalse(self.policy.active)
        case.action_compute_refund()
        self.assertEqual(case.amount_refund, 2550.0)
        # A student enrolling now gets version 2; nobody changes an enrolment's.
        later = self._enrolled(course=self.course_a)
        self.assertEqual(later.refund_policy_id, version_2)
        with self.assertRaises(UserError):
            later.with_user(self.user_enrolment).write(
                {"refund_policy_id": self.policy.id}
            )

        # Handed back: no deduction any more: 3,000 - 150 = 2,850.
        case.material_ids.state = "returned"
        case.action_compute_refund()
        self.assertEqual(case.amount_refund, 2850.0)

    def test_discounted_package(self):
        """RET-07: a package sold at 25 % off (3,000 for 40 lessons): the discount is
        spread over the lessons, the unit price actually paid is 75; 10 consumed:
        30 x 75 = 2,250 - 5 % fee 112.50 = 2,137.50."""
        enrollment = self._enrolled()
        invoice = self._invoice(enrollment, discount=25.0)
        self._pay(invoice, 3000.0)
        self._consume(enrollment, 10)
        case = self._case(enrollment)
        case.action_compute_refund()
        statement = self._statement(case)
        self.assertIn(
            (
                "Unit price actually paid: $\xa03,000.00 / 40 lessons = $\xa075.00.",
                None,
            ),
            statement,
        )
        self.assertIn(("Unconsumed lessons: 30 x $\xa075.00", 2250.0), statement)
        self.assertRecordValues(
            case,
            [{"amount_paid": 3000.0, "amount_credit": 2137.5, "amount_refund": 2137.5}],
        )

    def test_partly_paid_invoice_arrears_netted(self):
        """RET-04, RET-07: 4,000 invoiced, 2,500 paid, 1,500 overdue; 10 lessons
        consumed: 3,000 - 150 fee = 2,850 credited, of which 1,500 settle the arrears
        and 1,350 are paid back (= 2,500 paid - 1,000 consumed - 150 fee)."""
        enrollment = self._enrolled()
        self._invoice(enrollment, paid=2500.0)
        self._consume(enrollment, 10)
        case = self._case(enrollment)
        case.action_compute_refund()
        self.assertRecordValues(
            case,
            [
                {
                    "amount_invoiced": 4000.0,
                    "amount_paid": 2500.0,
                    "amount_arrears": 1500.0,
                    "amount_credit": 2850.0,
                    "amount_arrears_netted": 1500.0,
                    "amount_refund": 1350.0,
                }
            ],
        )
        self.assertIn(
            ("Arrears netted (still owed on the invoices)", -1500.0),
            self._statement(case),
        )

        # Paid only 1,000: the credit does not cover the arrears, nothing is paid back
        # and the statement says what is still owed.
        enrollment2 = self._enrolled(course=self.course_a)
        self._invoice(enrollment2, paid=200.0)
        case2 = self._case(enrollment2)
        case2.action_compute_refund()
        # 10 lessons for 1,200: none consumed, 1,200 - 5 % (60) = 1,140 credited
        # against 1,000 overdue: 140 paid back.
        self.assertRecordValues(
            case2,
            [
                {
                    "amount_credit": 1140.0,
                    "amount_arrears_netted": 1000.0,
                    "amount_refund": 140.0,
                }
            ],
        )

    def test_force_majeure_generous_override(self):
        """RET-06, RET-07: the same 40 lessons, 10 consumed, materials worth 300:
        under the force-majeure policy the student keeps the materials and pays no
        fee: 3,000 refunded instead of 2,550."""
        enrollment = self._enrolled()
        self._invoice(enrollment, paid=4000.0)
        self._consume(enrollment, 10)
        case = self._case(
            enrollment,
            case_type="force_majeure",
            material_ids=[Command.create({"name": "Textbook set", "amount": 300.0})],
        )
        self.assertEqual(case.policy_id, self.policy_force_majeure)
        case.action_compute_refund()
        self.assertEqual(case.amount_refund, 3000.0)
        self.assertIn(
            ("Materials kept by the student free of charge.", None),
            self._statement(case),
        )
        # The general policy would have kept 450.
        case.policy_id = self.policy
        case.action_compute_refund()
        self.assertEqual(case.amount_refund, 2550.0)

    def test_cancellation_in_cooling_off_period(self):
        """RET-07: enrolled on 2025-04-10 in a course that started on 2025-04-08,
        cancelled on 2025-04-15 (5 days, within 7) with no lesson attended: full
        refund, 4,000. Consumption always counts: with two lessons attended the
        cooling-off period gives no full refund, 38 x 100 = 3,800 - 5 % (190) =
        3,610."""
        enrollment = self._enrolled(start="2025-04-08", enrolled="2025-04-10")
        self._invoice(enrollment, paid=4000.0)
        case = self._case(enrollment)
        case.action_compute_refund()
        self.assertEqual(case.amount_refund, 4000.0)
        self.assertIn("cooling-off period of 7 days", case.statement_line_ids[2].name)

        self._consume(enrollment, 2)
        case.action_compute_refund()
        self.assertEqual(case.amount_refund, 3610.0)
        self.assertIn(
            ("No full refund: 2 lesson(s) already attended.", None),
            self._statement(case),
        )

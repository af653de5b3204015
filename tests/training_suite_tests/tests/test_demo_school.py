import sys
from datetime import date
from pathlib import Path

from odoo.tests import TransactionCase, tagged

SCRIPTS = Path(__file__).resolve().parents[3] / "scripts"


@tagged("post_install", "-at_install")
class TestDemoSchool(TransactionCase):
    """Issue 15: the demo school `make run` loads (scripts/demo_school.py, on top of
    the modules' demo data) fills every dashboard with five years of history."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        sys.path.insert(0, str(SCRIPTS))
        try:
            import demo_school
        finally:
            sys.path.remove(str(SCRIPTS))
        cls.demo_school = demo_school
        demo_school.history(cls.env)
        cls.students = cls.env["res.partner"].search([("ref", "=like", "MD____")])

    def test_five_years_of_students(self):
        """X-02, RET-07, RET-08, RET-10: a few hundred students with Chinese names,
        enrolled over the last five years, ended on their own dates."""
        # less the student whose archive was destroyed: her contact is anonymous
        self.assertEqual(len(self.students), self.demo_school.STUDENTS - 1)
        self.assertTrue(all("\u4e00" <= c <= "\u9fff" for c in self.students[0].name))
        enrollments = self.env["training.enrollment"].search(
            [("partner_id", "in", self.students.ids)]
        )
        this_year = date.today().year
        years = set(enrollments.mapped(lambda e: e.start_date.year))
        # the four whole years before this one (this one may be a few days old)
        self.assertLessEqual(set(range(this_year - 4, this_year)), years)
        # completed enrolments closed on their end date, not on the day generated
        completed = enrollments.filtered(lambda e: e.state == "completed")
        self.assertTrue(completed)
        for enrollment in completed:
            self.assertEqual(enrollment.closed_date, enrollment.end_date)
        self.assertTrue(enrollments.filtered(lambda e: e.state == "active"))

    def test_dashboards_have_figures(self):
        """RET-08, RET-09, RET-10, RET-11: the attrition dashboard has losses in each
        of the four whole years before this one, the cohorts more than four years
        of months, the at-risk list students, the alert rules alerts, the Lessons
        menu the coming weeks; behind them learning records of lessons and tests,
        feedback with ratings and cases with posted credit notes."""
        losses = self.env["training.attrition.report.type"].read_group(
            [("period_type", "=", "month"), ("lost", ">", 0)],
            ["lost:sum"],
            ["date_start:year"],
        )
        this_year = date.today().year
        self.assertLessEqual(
            {str(y) for y in range(this_year - 4, this_year)},
            {row["date_start:year"] for row in losses},
        )
        cohorts = self.env["training.attrition.report.cohort"].read_group(
            [], ["enrolled:sum"], ["cohort_date:month"]
        )
        self.assertGreater(len(cohorts), 48)
        at_risk = self.env["training.enrollment"].search(
            [("partner_id", "in", self.students.ids), ("risk_score", ">", 0)]
        )
        self.assertTrue(at_risk)
        self.assertTrue(self.env["training.attrition.alert"].search([]))
        # the coming weeks' lessons of the new courses are planned (Lessons menu)
        planned = self.env["training.lesson"].search(
            [("course_id.code", "=", "JPN-N5"), ("date", ">", date.today())]
        )
        self.assertGreaterEqual(len(planned), 8)
        records = self.env["training.learning.record"].search(
            [("partner_id", "in", self.students.ids)]
        )
        self.assertEqual(set(records.mapped("record_type")), {"lesson", "test"})
        tickets = self.env["training.feedback"].search(
            [("submitter_id", "in", self.students.ids)]
        )
        self.assertTrue(tickets.rating_ids)
        refunds = self.env["account.move"].search(
            [
                ("partner_id", "in", self.students.ids),
                ("move_type", "=", "out_refund"),
                ("state", "=", "posted"),
            ]
        )
        self.assertTrue(refunds)

    def test_one_destruction_and_idempotent(self):
        """ARC-14: one student's archive destroyed at her request, approved and
        executed through the flow; the history is not generated twice."""
        destruction = self.env["training.archive.destruction"].search(
            [("origin", "=", "student"), ("state", "=", "done")]
        )
        self.assertEqual(len(destruction), 1)
        self.assertEqual(destruction.archive_count, 1)
        self.assertTrue(destruction.record_hash)
        Archive = self.env["training.student.archive"]
        archives = Archive.search_count([])
        self.demo_school.history(self.env)
        self.assertEqual(Archive.search_count([]), archives)

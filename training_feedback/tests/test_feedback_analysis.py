import io

from openpyxl import load_workbook

from odoo.tests import freeze_time, tagged

from .common import TrainingFeedbackCommon


@tagged("post_install", "-at_install")
class TestFeedbackAnalysis(TrainingFeedbackCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._set_problem_thresholds()

    @freeze_time("2026-05-04 02:00:00")
    def test_problem_detection_thresholds(self):
        """FB-07: a course (and its teacher) whose complaint share crosses the
        threshold with the minimum number of tickets is flagged and the service
        manager gets an activity, once however often the detection runs; under the
        minimum sample nothing is flagged; a low average rating flags too."""
        self._tickets(3)  # English A1: 3 complaints, under the minimum of 4
        self._tickets(3, kind="praise", course=self.course_b, rating=2)
        Problem = self.env["training.feedback.problem"]
        Problem._cron_detect()
        self.assertFalse(Problem.search([]))

        self._tickets(1, kind="suggestion")  # 3 of 4 complaints = 75 %
        self._tickets(1, kind="praise", course=self.course_b, rating=1)
        for _run in range(2):
            Problem._cron_detect()
            problems = Problem.search([])
            # English A1 and its teacher (complaints), French A1 (rating of the
            # handling); not its teacher, judged on their own rating (issue 14).
            self.assertEqual(len(problems), 3)
        course_a = problems.filtered(lambda p: p.course_id == self.course_a)
        self.assertEqual(course_a.feedback_count, 4)
        self.assertEqual(course_a.negative_share, 75.0)
        self.assertIn("75% complaints", course_a.reason)
        course_b = problems.filtered(lambda p: p.course_id == self.course_b)
        self.assertAlmostEqual(course_b.rating, 1.75)
        self.assertEqual(
            problems.filtered(lambda p: p.subject == "teacher").teacher_id,
            self.user_teacher,
        )
        self.assertEqual(len(course_a.activity_ids), 1)
        self.assertEqual(course_a.activity_ids.user_id, self.user_service_manager)
        # Handled: the same tickets do not bring it back (issue 14).
        course_a.with_user(self.user_service_manager).action_done()
        Problem._cron_detect()
        self.assertEqual(len(Problem.search([("course_id", "=", self.course_a.id)])), 1)

    def test_process_review_and_year_end_report(self):
        """FB-07, FB-08, X-06: on 1 January the scheduled action creates the half-year
        process review and the year-end report with an activity for the service
        manager, once; the year-end report compares the year with the one before
        and prints as PDF and as xlsx."""
        with freeze_time("2024-06-03 02:00:00"):
            self._tickets(2, kind="complaint", rating=2)
        with freeze_time("2025-03-03 02:00:00"):
            self._tickets(3, kind="complaint", rating=4)
            self._tickets(
                1,
                kind="praise",
                course=self.course_b,
                category_id=self.cat_facilities.id,
            )
        Review = self.env["training.feedback.review"]
        with freeze_time("2026-01-01 02:00:00"):
            Review._cron_process_review()
            Review._cron_process_review()
        reviews = Review.search([])
        self.assertEqual(sorted(reviews.mapped("kind")), ["half", "year"])
        year = reviews.filtered(lambda r: r.kind == "year")
        self.assertEqual(str(year.date_from), "2025-01-01")
        self.assertEqual(len(year.activity_ids), 1)
        self.assertEqual(year.activity_ids.user_id, self.user_service_manager)
        self.assertIn("Tickets", year.activity_ids.note)
        figures = year._get_figures()
        self.assertEqual(figures["current"]["count"], 4)
        self.assertEqual(figures["previous"]["count"], 2)
        self.assertAlmostEqual(figures["current"]["rating"], 4.0)
        self.assertAlmostEqual(figures["rating_change"], 2.0)
        self.assertEqual(figures["categories"][0]["name"], "Teaching Staff")
        self.assertEqual(figures["courses"][0]["complaints"], 3)

        Report = self.env["ir.actions.report"].with_user(self.user_service_manager)
        pdf, kind = Report._render_qweb_html(
            "training_feedback.review_document", year.ids
        )
        self.assertIn(b"Teaching Staff", pdf)
        content, kind = Report._render("training_feedback.review_xlsx", year.ids)
        self.assertEqual(kind, "xlsx")
        sheet = load_workbook(io.BytesIO(content)).active
        # Layout of issue 14 (test_feedback_problem_analysis checks every cell).
        self.assertEqual(sheet["A1"].value, year.name)
        self.assertEqual(sheet["A5"].value, "Tickets")
        self.assertEqual(sheet["B5"].value, 4)
        self.assertEqual(sheet["C5"].value, 2)
        self.assertEqual(sheet["B8"].value, 4)  # rating of the handling
        self.assertEqual(sheet["D8"].value, 2)  # its change
        self.assertEqual(sheet["A17"].value, "By category")
        self.assertEqual(sheet["A18"].value, "Category")
        self.assertEqual(sheet["A19"].value, "Teaching Staff")
        self.assertEqual(sheet["B19"].value, 3)
        self.assertEqual(sheet["D19"].value, 2)  # previous period

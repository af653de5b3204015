"""Feedback in the risk score (RET-09, RET-10, RET-12): open complaints, low ratings
of a ticket's handling and low satisfaction survey answers raise the risk score of the
student's active enrolments, at once, each with its company weight."""

from odoo import Command
from odoo.tests import Form, freeze_time, tagged

from odoo.addons.training_feedback.tests.common import TrainingFeedbackCommon


@tagged("post_install", "-at_install")
@freeze_time("2025-04-15 08:00:00")
class TestRiskFeedback(TrainingFeedbackCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.survey = cls.env["survey.survey"].create(
            {
                "title": "End of term",
                "scoring_type": "scoring_without_answers",
                "training_feedback_threshold": 50.0,
                "training_course_id": cls.course_a.id,
                "question_and_page_ids": [
                    Command.create(
                        {
                            "title": "How satisfied are you with the course?",
                            "question_type": "simple_choice",
                            "suggested_answer_ids": [
                                Command.create({"value": "Very", "answer_score": 10}),
                                Command.create(
                                    {"value": "Not at all", "answer_score": 0}
                                ),
                            ],
                        }
                    )
                ],
            }
        )

    def _answer(self, partner, value):
        """The student completes the end-of-term questionnaire."""
        question = self.survey.question_ids
        user_input = self.survey._create_answer(partner=partner)
        answer = question.suggested_answer_ids.filtered(lambda a: a.value == value)
        user_input._save_lines(question, answer.id)
        user_input._mark_done()
        return user_input

    def _rate(self, ticket, rate):
        """The student rates the handling through the e-mail's link (sudo)."""
        token = ticket.sudo()._rating_get_access_token()
        ticket.sudo().rating_apply(rate, token=token)

    def _resolve(self, ticket):
        """The owner sends the result to the student."""
        ticket.result = "<p>The teacher now starts on time.</p>"
        ticket.with_user(self.user_customer_service).action_resolve()

    def test_feedback_factors_and_immediate_recompute(self):
        """RET-10, RET-12: default weights open complaint +20, low rating (at or
        under 2/5) +20, low survey answer (under the questionnaire's 50 %) +15.

        * Li Lei's phone complaint: 20 at once. His suggestion, his anonymous
          complaint and Han Meimei's complaint add nothing to it (Han Meimei: 20).
        * Planned, in progress: 20; resolved (handled): 0.
        * He rates the handling 1/5: reopened, open again +20, low rating +20 = 40.
        * He answers the questionnaire with 0 %: +15 = 55; the ticket born of the
          answer does not count a second time.
        * Resolved again and rated 5/5 (closed): the last rating is good: 15.
        * Survey weight 25 in the settings: 25. On 1 August the answer is older
          than the 90-day recent period: 0.
        """
        enrollment = self.enrollment
        self.assertEqual(enrollment.risk_score, 0)
        complaint = self._phone_ticket()
        self.assertEqual(enrollment.risk_score, 20)
        self.assertEqual(
            enrollment.risk_factors, f"+20: Open complaints: {complaint.reference}"
        )
        self._phone_ticket(kind="suggestion", name="More evening classes")
        self._phone_ticket(is_anonymous=True, name="Noisy room")
        self._phone_ticket(partner=self.student_b)
        self.assertEqual(enrollment.risk_score, 20)
        self.assertEqual(self.enrollment_b.risk_score, 20)

        self._plan(complaint)
        complaint.with_user(self.user_customer_service).action_start()
        self.assertEqual(enrollment.risk_score, 20)
        self._resolve(complaint)
        self.assertEqual(enrollment.risk_score, 0)
        self.assertFalse(enrollment.risk_factors)

        self._rate(complaint, 1)
        self.assertEqual(complaint.state, "review")
        self.assertEqual(enrollment.risk_score, 40)
        self.assertEqual(
            enrollment.risk_factors.splitlines(),
            [
                f"+20: Open complaints: {complaint.reference}",
                f"+20: Low rating of the handling: {complaint.reference} rated 1/5",
            ],
        )

        answer = self._answer(self.student, "Not at all")
        self.assertTrue(answer.training_feedback_id)
        self.assertEqual(enrollment.risk_score, 55)
        self.assertIn(
            "+15: Low satisfaction survey answers: End of term on 04/15/2025: "
            "0.0 % (below 50.0 %)",
            enrollment.risk_factors,
        )
        self.assertNotIn(answer.training_feedback_id.reference, enrollment.risk_factors)
        self.assertEqual(self.enrollment_b.risk_score, 20)
        self._answer(self.student_b, "Very")
        self.assertEqual(self.enrollment_b.risk_score, 20)

        complaint.with_user(self.user_customer_service).action_plan()
        self._resolve(complaint)
        self._rate(complaint, 5)
        self.assertEqual(complaint.state, "closed")
        self.assertEqual(enrollment.risk_score, 15)
        self.assertNotIn("rated", enrollment.risk_factors)

        settings = Form(self.env["res.config.settings"])
        settings.training_risk_weight_survey = 25
        settings.save().execute()
        Enrollment = self.env["training.enrollment"]
        Enrollment._cron_compute_risk()
        self.assertEqual(enrollment.risk_score, 25)
        with freeze_time("2025-08-01 08:00:00"):
            Enrollment._cron_compute_risk()
        self.assertEqual(enrollment.risk_score, 0)

    def test_all_feedback_factors_and_weights_off(self):
        """RET-09, RET-10: the three factors add up to 20 + 20 + 15 = 55 with a
        falling attendance on top (+30, 1 of 2 lessons attended) = 85; a weight of
        0 turns a factor off: complaints off = 65; the complaint turned into a
        suggestion counts no more as a complaint: 65 as well."""
        enrollment = self.enrollment
        rated = self._phone_ticket(kind="suggestion", name="More evening classes")
        self._plan(rated)
        self._resolve(rated)
        self._rate(rated, 2)
        complaint = self._phone_ticket()
        self._answer(self.student, "Not at all")
        self.assertEqual(enrollment.risk_score, 55)
        for number, attendance in enumerate(("present", "absent"), 1):
            self._lesson(
                enrollment,
                lesson_number=number,
                attendance=attendance,
                date=f"2025-04-{number:02d}",
            )
        self.assertEqual(enrollment.risk_score, 85)
        self.company.training_risk_weight_complaint = 0
        self.env["training.enrollment"]._cron_compute_risk()
        self.assertEqual(enrollment.risk_score, 65)
        self.company.training_risk_weight_complaint = 20
        complaint.with_user(self.user_customer_service).kind = "suggestion"
        self.assertEqual(enrollment.risk_score, 65)

    def test_query_count_does_not_grow_with_batch(self):
        """RET-10: the feedback factors of a batch are read in a constant number of
        queries: scoring 1 or 5 enrolments (each with an open complaint rated 1/5
        and a low survey answer) takes as many queries."""
        enrollments = self.enrollment
        for number in range(4):
            partner = self.env["res.partner"].create(
                {"name": f"Student {number}", "email": f"s{number}@example.com"}
            )
            enrollments |= self._enrol_and_confirm(partner, self.course_a)
        for enrollment in enrollments:
            self._rate(self._phone_ticket(partner=enrollment.partner_id), 1)
            self._answer(enrollment.partner_id, "Not at all")
        self.assertEqual(set(enrollments.mapped("risk_score")), {55})

        def count(batch):
            self._end_request()
            before = self.env.cr.sql_log_count
            batch._compute_risk_scores()
            self.env.flush_all()
            return self.env.cr.sql_log_count - before

        self.assertEqual(count(enrollments[:1]), count(enrollments))
        self.assertEqual(set(enrollments.mapped("risk_score")), {55})


@tagged("post_install", "-at_install")
@freeze_time("2025-04-15 08:00:00")
class TestRiskFeedbackTranslation(TrainingFeedbackCommon):
    def test_factors_in_chinese(self):
        """X-05, RET-10: in a Chinese institution the feedback factors read in
        Chinese (i18n/zh_CN.po of this module), also when an English session (the
        nightly job, an English-speaking teacher) triggered the scoring; an English
        institution reads them in English whoever scored them."""
        self.env["res.lang"]._activate_lang("zh_CN")
        self.env["ir.module.module"]._load_module_terms(
            ["training_retention_feedback"], ["zh_CN"], overwrite=True
        )
        complaint = self._phone_ticket()
        self.enrollment.with_context(lang="zh_CN")._compute_risk_scores()
        self.assertEqual(
            self.enrollment.risk_factors, f"+20: Open complaints: {complaint.reference}"
        )
        self.enrollment.company_id.partner_id.lang = "zh_CN"
        self.enrollment.with_context(lang="en_US")._compute_risk_scores()
        self.assertEqual(
            self.enrollment.risk_factors, f"+20: 未结投诉：{complaint.reference}"
        )

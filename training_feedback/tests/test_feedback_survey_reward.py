from odoo import Command
from odoo.tests import freeze_time, tagged

from .common import TrainingFeedbackCommon


@tagged("post_install", "-at_install")
@freeze_time("2026-06-26 02:00:00")
class TestFeedbackSurveyReward(TrainingFeedbackCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.survey = cls.env["survey.survey"].create(
            {
                "title": "End of term: English A1",
                "scoring_type": "scoring_without_answers",
                "training_feedback_threshold": 50.0,
                "training_course_id": cls.course_a.id,
                "training_feedback_category_id": cls.env.ref(
                    "training_feedback.training_feedback_category_course"
                ).id,
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
        cls.question = cls.survey.question_ids

    def _answer(self, partner, value):
        user_input = self.survey._create_answer(partner=partner)
        answer = self.question.suggested_answer_ids.filtered(lambda a: a.value == value)
        user_input._save_lines(self.question, answer.id)
        user_input._mark_done()
        return user_input

    def test_low_questionnaire_score_creates_ticket(self):
        """FB-01: an end-of-term answer under the configured score becomes a ticket
        of the questionnaire's course and category, linked to the answer, once; a good
        score creates none."""
        good = self._answer(self.student_b, "Very")
        self.assertEqual(good.scoring_percentage, 100)
        self.assertFalse(good.training_feedback_id)
        low = self._answer(self.student, "Not at all")
        ticket = low.training_feedback_id
        self.assertTrue(ticket)
        self.assertEqual(ticket.channel, "survey")
        self.assertEqual(ticket.survey_user_input_id, low)
        self.assertEqual(ticket.course_id, self.course_a)
        self.assertEqual(ticket.category_id.code, "course")
        self.assertEqual(ticket.partner_id, self.student)
        self.assertEqual(ticket.archive_ids, self.archive)
        self.assertIn("Not at all", ticket.description)
        low._create_training_feedback()
        self.assertEqual(
            self.Feedback.search_count([("survey_user_input_id", "=", low.id)]), 1
        )

    def test_reward_valid_feedback(self):
        """FB-10: valid feedback earns the student a coupon of the configured program
        or a note on the archive, once; anonymous feedback earns nothing."""
        program = self.env["loyalty.program"].create(
            {"name": "Feedback thank-you", "program_type": "coupons"}
        )
        self.company.write(
            {
                "training_feedback_reward": "coupon",
                "training_feedback_reward_program_id": program.id,
                "training_feedback_reward_points": 5,
            }
        )
        ticket = self._plan(self._phone_ticket())
        card = ticket.reward_card_id
        self.assertEqual(card.program_id, program)
        self.assertEqual(card.partner_id, self.student)
        self.assertEqual(card.points, 5)
        ticket._reward()
        self.assertEqual(
            self.env["loyalty.card"].search_count([("program_id", "=", program.id)]), 1
        )

        self.company.write(
            {
                "training_feedback_reward": "note",
                "training_feedback_reward_note": "A notebook awaits you.",
            }
        )
        other = self._plan(self._phone_ticket(partner=self.student_b))
        self.assertEqual(other.reward_note, "A notebook awaits you.")
        self.assertTrue(
            self.archive_b.message_ids.filtered(
                lambda m: "A notebook awaits you." in (m.body or "")
            )
        )
        anonymous = self._plan(self._phone_ticket(is_anonymous=True))
        self.assertFalse(anonymous.reward_note)

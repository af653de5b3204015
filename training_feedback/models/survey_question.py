from odoo import fields, models


class SurveyQuestion(models.Model):
    """A question of an end-of-term questionnaire may rate the teacher (FB-07): its
    answers are the teacher's own rating, kept apart from the students' rating of the
    handling of their tickets, and judged by the problem detection and the reviews."""

    _inherit = "survey.question"

    training_teacher_rating = fields.Boolean(
        string="Rates the Teacher",
        help="The answers to this question (scale, number or scored choice) are the "
        "teacher's rating, brought to 1-5.",
    )
    training_teacher_id = fields.Many2one(
        "res.users",
        string="Teacher Rated",
        domain="[('share', '=', False)]",
        help="Teacher this question rates; empty: the teacher of the questionnaire's "
        "course, when the course has only one.",
    )

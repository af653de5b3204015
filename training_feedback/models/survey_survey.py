from odoo import api, fields, models
from odoo.exceptions import ValidationError


class SurveySurvey(models.Model):
    _inherit = "survey.survey"

    training_feedback_threshold = fields.Float(
        string="Feedback Below Score (%)",
        help="End-of-term questionnaire (FB-01): a completed answer scoring under this "
        "percentage becomes a feedback ticket. 0 turns it off.",
    )
    training_feedback_category_id = fields.Many2one(
        "training.feedback.category", string="Feedback Category"
    )
    training_course_id = fields.Many2one(
        "training.course",
        string="Course",
        help="Course the questionnaire is about; given to the tickets it creates.",
    )

    @api.constrains("training_feedback_threshold", "scoring_type")
    def _check_training_feedback_threshold(self):
        for survey in self:
            threshold = survey.training_feedback_threshold
            if threshold < 0 or threshold > 100:
                raise ValidationError(
                    self.env._("The feedback score is a percentage from 0 to 100.")
                )
            if threshold and survey.scoring_type == "no_scoring":
                raise ValidationError(
                    self.env._(
                        "Score the questionnaire to create feedback from low scores."
                    )
                )

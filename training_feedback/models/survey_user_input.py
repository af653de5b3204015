from markupsafe import Markup, escape

from odoo import fields, models
from odoo.tools.translate import LazyTranslate

_lt = LazyTranslate(__name__)


class SurveyUserInput(models.Model):
    _name = "survey.user_input"
    _inherit = ["survey.user_input", "training.personal.data"]
    _personal_data_purpose = _lt("Answers to the end-of-term questionnaires (FB-01)")
    _personal_data_retention = _lt("Deleted with the archive")

    training_feedback_id = fields.Many2one(
        "training.feedback", string="Feedback Ticket", readonly=True, copy=False
    )

    def _mark_done(self):
        res = super()._mark_done()
        self._create_training_feedback()
        return res

    def _create_training_feedback(self):
        """FB-01: an end-of-term answer under the questionnaire's score becomes a
        ticket linked to the answer (once)."""
        todo = self.filtered(
            lambda i: (
                not i.training_feedback_id
                and not i.test_entry
                and i.survey_id.training_feedback_threshold
                and i.scoring_percentage < i.survey_id.training_feedback_threshold
            )
        )
        Feedback = self.env["training.feedback"].sudo()
        for user_input in todo:
            survey = user_input.survey_id
            lines = Markup("").join(
                Markup("<li>%s: %s</li>")
                % (line.question_id.title, line.display_name or "")
                for line in user_input.user_input_line_ids
                if not line.skipped
            )
            vals = {
                "name": self.env._(
                    "%(survey)s: score %(score)s%%",
                    survey=survey.title,
                    score=user_input.scoring_percentage,
                ),
                "channel": "survey",
                "submitter_id": user_input.partner_id.id,
                "course_id": survey.training_course_id.id,
                "description": Markup("<ul>%s</ul>") % lines if lines else escape(""),
                "survey_user_input_id": user_input.id,
            }
            if survey.training_feedback_category_id:
                vals["category_id"] = survey.training_feedback_category_id.id
            user_input.training_feedback_id = Feedback.create(vals)

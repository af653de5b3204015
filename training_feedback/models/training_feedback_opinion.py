import uuid

from odoo import fields, models
from odoo.tools.translate import LazyTranslate

_lt = LazyTranslate(__name__)


class TrainingFeedbackOpinion(models.Model):
    """A student's opinion on a major change announced from a ticket (FB-05).

    When the handling changes a course (adjustment, new teacher), the service team
    announces it to every student enrolled in the course; each student gets a link to
    give their opinion, kept here, on the ticket.
    """

    _name = "training.feedback.opinion"
    _description = "Opinion on an Announced Change"
    _inherit = ["training.personal.data"]
    _personal_data_purpose = _lt("Students' opinions on announced changes (FB-05)")
    _personal_data_retention = _lt("Deleted with the archive")
    _order = "feedback_id, id"

    feedback_id = fields.Many2one(
        "training.feedback", required=True, index=True, ondelete="cascade"
    )
    announcement_id = fields.Many2one(
        "training.feedback.announcement",
        index=True,
        ondelete="cascade",
        help="The announcement this opinion answers; each announcement asks again.",
    )
    company_id = fields.Many2one(related="feedback_id.company_id", store=True)
    partner_id = fields.Many2one("res.partner", string="Student", required=True)
    access_token = fields.Char(
        required=True, copy=False, default=lambda self: str(uuid.uuid4())
    )
    answer = fields.Selection(
        [("agree", "Agree"), ("neutral", "No Opinion"), ("disagree", "Disagree")],
        readonly=True,
    )
    comment = fields.Text(readonly=True)
    answer_date = fields.Datetime(readonly=True)

    _sql_constraints = [
        (
            "feedback_partner_uniq",
            "unique(announcement_id, partner_id)",
            "A student gives one opinion per announcement.",
        ),
        ("token_uniq", "unique(access_token)", "Tokens are unique."),
    ]

    def _record_answer(self, answer, comment):
        """The student's answer, from the link of the announcement."""
        self.ensure_one()
        self.write(
            {
                "answer": answer,
                "comment": comment,
                "answer_date": fields.Datetime.now(),
            }
        )

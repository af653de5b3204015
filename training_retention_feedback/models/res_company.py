from odoo import fields, models


class ResCompany(models.Model):
    _inherit = "res.company"

    # Feedback factors of the at-risk score (RET-10, RET-12).
    training_risk_weight_complaint = fields.Integer(
        string="Weight: Open Complaints",
        default=20,
        help="Points added while a complaint of the student is being handled.",
    )
    training_risk_weight_rating = fields.Integer(
        string="Weight: Low Rating of a Handling",
        default=20,
        help="Points added when the student's last rating of a ticket's handling, "
        "given in the recent period, is at or under the low rating.",
    )
    training_risk_weight_survey = fields.Integer(
        string="Weight: Low Satisfaction Survey",
        default=15,
        help="Points added when the student answered a satisfaction questionnaire "
        "in the recent period under its feedback threshold.",
    )

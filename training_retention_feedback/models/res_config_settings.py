from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    training_risk_weight_complaint = fields.Integer(
        related="company_id.training_risk_weight_complaint", readonly=False
    )
    training_risk_weight_rating = fields.Integer(
        related="company_id.training_risk_weight_rating", readonly=False
    )
    training_risk_weight_survey = fields.Integer(
        related="company_id.training_risk_weight_survey", readonly=False
    )

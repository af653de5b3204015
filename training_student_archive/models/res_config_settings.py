from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    training_archivist_id = fields.Many2one(
        related="company_id.training_archivist_id", readonly=False
    )
    training_absence_user_id = fields.Many2one(
        related="company_id.training_absence_user_id", readonly=False
    )
    training_retention_years = fields.Integer(
        related="company_id.training_retention_years", readonly=False
    )
    training_age_of_majority = fields.Integer(
        related="company_id.training_age_of_majority", readonly=False
    )
    training_calendar_id = fields.Many2one(
        related="company_id.resource_calendar_id",
        readonly=False,
        string="Working Hours",
    )

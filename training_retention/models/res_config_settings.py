from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    training_reenrol_program_id = fields.Many2one(
        related="company_id.training_reenrol_program_id", readonly=False
    )
    training_arrears_max_discount = fields.Float(
        related="company_id.training_arrears_max_discount", readonly=False
    )

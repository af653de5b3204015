from odoo import fields, models


class AccountMove(models.Model):
    _inherit = "account.move"

    training_attrition_case_id = fields.Many2one(
        "training.attrition.case",
        string="Attrition Case",
        readonly=True,
        copy=False,
        index="btree_not_null",
        help="The attrition case this credit note refunds.",
    )

from odoo import fields, models


class TrainingAttritionMaterial(models.Model):
    """A learning material issued to a leaving student: the hand-back checklist of the
    attrition case (RET-02). Materials not handed back are deducted from the refund
    unless the policy waives it (force majeure: the student keeps them, RET-06)."""

    _name = "training.attrition.material"
    _description = "Attrition Case Material"
    _order = "case_id, id"

    case_id = fields.Many2one(
        "training.attrition.case", required=True, index=True, ondelete="cascade"
    )
    company_id = fields.Many2one(related="case_id.company_id", store=True)
    currency_id = fields.Many2one(related="case_id.currency_id")
    name = fields.Char(string="Material", required=True)
    amount = fields.Monetary(string="Value", currency_field="currency_id")
    state = fields.Selection(
        [
            ("to_return", "To Hand Back"),
            ("returned", "Handed Back"),
            ("kept", "Kept by the Student"),
        ],
        default="to_return",
        required=True,
    )

    _sql_constraints = [
        ("amount_positive", "CHECK(amount >= 0)", "A material's value is positive.")
    ]

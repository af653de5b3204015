from odoo import fields, models

CASE_TYPES = [
    ("withdrawal", "Withdrawal"),
    ("transfer", "Transfer"),
    ("arrears", "Arrears"),
    ("disciplinary", "Disciplinary"),
    ("force_majeure", "Force Majeure"),
]


class TrainingAttritionReason(models.Model):
    """Why a student leaves, per type of attrition case (RET-01): the reasons the
    retention reports group by. Maintained by management and customer service."""

    _name = "training.attrition.reason"
    _description = "Attrition Reason"
    _order = "case_type, sequence, id"

    name = fields.Char(required=True, translate=True)
    case_type = fields.Selection(CASE_TYPES, required=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    description = fields.Text(translate=True)

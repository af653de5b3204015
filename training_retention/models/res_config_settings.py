from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    training_reenrol_program_id = fields.Many2one(
        related="company_id.training_reenrol_program_id", readonly=False
    )
    training_refund_backdate_days = fields.Integer(
        related="company_id.training_refund_backdate_days", readonly=False
    )
    training_refund_journal_id = fields.Many2one(
        related="company_id.training_refund_journal_id", readonly=False
    )
    training_arrears_max_discount = fields.Float(
        related="company_id.training_arrears_max_discount", readonly=False
    )
    training_risk_absences = fields.Integer(
        related="company_id.training_risk_absences", readonly=False
    )
    training_retention_user_id = fields.Many2one(
        related="company_id.training_retention_user_id", readonly=False
    )
    training_risk_lesson_window = fields.Integer(
        related="company_id.training_risk_lesson_window", readonly=False
    )
    training_risk_attendance_min = fields.Float(
        related="company_id.training_risk_attendance_min", readonly=False
    )
    training_risk_weight_attendance = fields.Integer(
        related="company_id.training_risk_weight_attendance", readonly=False
    )
    training_risk_weight_absences = fields.Integer(
        related="company_id.training_risk_weight_absences", readonly=False
    )
    training_risk_weight_results = fields.Integer(
        related="company_id.training_risk_weight_results", readonly=False
    )
    training_risk_weight_overdue = fields.Integer(
        related="company_id.training_risk_weight_overdue", readonly=False
    )
    training_risk_recent_days = fields.Integer(
        related="company_id.training_risk_recent_days", readonly=False
    )
    training_risk_weight_violations = fields.Integer(
        related="company_id.training_risk_weight_violations", readonly=False
    )
    training_risk_weight_contact = fields.Integer(
        related="company_id.training_risk_weight_contact", readonly=False
    )

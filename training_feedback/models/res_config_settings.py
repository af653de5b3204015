from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    training_feedback_manager_id = fields.Many2one(
        related="company_id.training_feedback_manager_id", readonly=False
    )
    training_feedback_low_rating = fields.Integer(
        related="company_id.training_feedback_low_rating", readonly=False
    )
    training_feedback_close_days = fields.Integer(
        related="company_id.training_feedback_close_days", readonly=False
    )
    training_feedback_urgent_clock_hours = fields.Boolean(
        related="company_id.training_feedback_urgent_clock_hours", readonly=False
    )
    training_feedback_wait_days = fields.Integer(
        related="company_id.training_feedback_wait_days", readonly=False
    )
    training_feedback_wait_action = fields.Selection(
        related="company_id.training_feedback_wait_action", readonly=False
    )
    training_feedback_reward = fields.Selection(
        related="company_id.training_feedback_reward", readonly=False
    )
    training_feedback_reward_note = fields.Char(
        related="company_id.training_feedback_reward_note", readonly=False
    )
    training_feedback_reward_program_id = fields.Many2one(
        related="company_id.training_feedback_reward_program_id", readonly=False
    )
    training_feedback_reward_points = fields.Float(
        related="company_id.training_feedback_reward_points", readonly=False
    )
    training_feedback_problem_days = fields.Integer(
        related="company_id.training_feedback_problem_days", readonly=False
    )
    training_feedback_problem_min = fields.Integer(
        related="company_id.training_feedback_problem_min", readonly=False
    )
    training_feedback_problem_share = fields.Float(
        related="company_id.training_feedback_problem_share", readonly=False
    )
    training_feedback_problem_rating = fields.Float(
        related="company_id.training_feedback_problem_rating", readonly=False
    )

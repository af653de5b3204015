from odoo import fields, models


class AccountMove(models.Model):
    _inherit = "account.move"

    training_enrollment_ids = fields.Many2many(
        "training.enrollment", "training_enrollment_account_move_rel", "move_id", "enrollment_id",
        string="Enrolments", copy=False,
    )

    def _post(self, soft=True):
        """Posting the invoice of a draft enrolment confirms it, which creates the archive (ARC-01)."""
        posted = super()._post(soft=soft)
        enrollments = posted.filtered(lambda m: m.move_type == "out_invoice").training_enrollment_ids
        enrollments.filtered(lambda e: e.state == "draft").sudo().action_confirm()
        return posted

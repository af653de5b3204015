from odoo import fields, models

from .res_partner import ARCHIVE_READERS


class AccountMove(models.Model):
    _inherit = "account.move"

    training_enrollment_ids = fields.Many2many(
        "training.enrollment",
        "training_enrollment_account_move_rel",
        "move_id",
        "enrollment_id",
        string="Enrolments",
        copy=False,
        groups=ARCHIVE_READERS,
    )

    def _post(self, soft=True):
        """Posting the invoice of a draft enrolment confirms it (archive: ARC-01)."""
        posted = super()._post(soft=soft)
        # Accountants post invoices without any training role: read enrolments as sudo.
        invoices = posted.filtered(lambda m: m.move_type == "out_invoice")
        enrollments = invoices.sudo().training_enrollment_ids
        enrollments.filtered(lambda e: e.state == "draft").action_confirm()
        return posted

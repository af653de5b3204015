from odoo import models


class SurveyUserInput(models.Model):
    _inherit = "survey.user_input"

    def _mark_done(self):
        """A completed satisfaction answer counts in the student's risk score at
        once (RET-12)."""
        res = super()._mark_done()
        partners = self.filtered(lambda i: not i.test_entry).partner_id
        if partners:
            self.env["training.enrollment"].sudo().search(
                [("partner_id", "in", partners.ids), ("state", "=", "active")]
            )._recompute_risk()
        return res

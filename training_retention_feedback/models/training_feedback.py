from odoo import api, models

# What decides whether a ticket counts in its students' risk score.
RISK_FIELDS = {"state", "kind", "submitter_id", "student_ids", "is_anonymous"}


class TrainingFeedback(models.Model):
    _inherit = "training.feedback"

    def _recompute_students_risk(self, archives=None):
        """Recompute at once the risk score of the active enrolments of the
        students of these tickets (and of ``archives``: students a ticket no
        longer speaks of)."""
        archives = (archives or self.env["training.student.archive"]) | (
            self.sudo().archive_ids
        )
        if archives:
            self.env["training.enrollment"].sudo().search(
                [("archive_id", "in", archives.ids), ("state", "=", "active")]
            )._recompute_risk()

    @api.model_create_multi
    def create(self, vals_list):
        feedbacks = super().create(vals_list)
        feedbacks._recompute_students_risk()
        return feedbacks

    def write(self, vals):
        if not RISK_FIELDS & set(vals):
            return super().write(vals)
        before = self.sudo().archive_ids
        res = super().write(vals)
        self._recompute_students_risk(before)
        return res

    def unlink(self):
        archives = self.sudo().archive_ids
        res = super().unlink()
        self.browse()._recompute_students_risk(archives)
        return res

    def rating_apply(
        self,
        rate,
        token=None,
        rating=None,
        feedback=None,
        subtype_xmlid=None,
        notify_delay_send=False,
    ):
        res = super().rating_apply(
            rate,
            token=token,
            rating=rating,
            feedback=feedback,
            subtype_xmlid=subtype_xmlid,
            notify_delay_send=notify_delay_send,
        )
        self._recompute_students_risk()
        return res

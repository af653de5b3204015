from odoo import api, models

RISK_FIELDS = {"attendance", "score", "max_score", "record_type", "enrollment_id"}


class TrainingLearningRecord(models.Model):
    _inherit = "training.learning.record"

    @api.model_create_multi
    def create(self, vals_list):
        records = super().create(vals_list)
        records.enrollment_id._recompute_risk()
        return records

    def write(self, vals):
        """Attendance and results feed the risk score (RET-09): recompute it for
        the enrolments concerned, before and after the change."""
        enrollments = self.enrollment_id
        result = super().write(vals)
        if RISK_FIELDS.intersection(vals):
            (enrollments | self.enrollment_id)._recompute_risk()
        return result

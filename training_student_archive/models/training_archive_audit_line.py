from odoo import fields, models


class TrainingArchiveAuditLine(models.Model):
    """An incomplete archive found by a quarterly audit, with what is wrong and who
    corrects it (ARC-15)."""

    _name = "training.archive.audit.line"
    _description = "Archive Audit Line"
    _order = "audit_id, user_id, id"

    audit_id = fields.Many2one(
        "training.archive.audit", required=True, index=True, ondelete="cascade"
    )
    archive_id = fields.Many2one(
        "training.student.archive", required=True, index=True, ondelete="cascade"
    )
    user_id = fields.Many2one("res.users", string="Responsible", index=True)
    issues = fields.Text(required=True)
    corrected = fields.Boolean()

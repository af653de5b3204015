from odoo import models


class TrainingArchiveDestruction(models.Model):
    _inherit = "training.archive.destruction"

    def _destruction_blockers(self, archives):
        """A student with an open attrition case is not destroyed (RET-02)."""
        reasons = super()._destruction_blockers(archives)
        open_cases = (
            self.env["training.attrition.case"]
            .sudo()
            .search(
                [
                    ("partner_id", "in", archives.partner_id.ids),
                    ("state", "in", ("draft", "to_approve")),
                ]
            )
        )
        reasons += [
            self.env._(
                "Attrition case %(case)s of archive %(archive)s is still open.",
                case=case.name,
                archive=case.archive_id.archive_number,
            )
            for case in open_cases
        ]
        return reasons

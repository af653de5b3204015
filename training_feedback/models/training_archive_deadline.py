from odoo import fields, models

from odoo.addons.training_student_archive.models import (
    training_archive_deadline as archive_deadline,
)

# ARC-05 / FB-09: complaints are recorded in the student's archive within 24 h, i.e.
# one working day. The archive module reads its rules from the module-level dict
# DEADLINE_RULES inside _compute_due, and offers no hook to add one: the rule is added
# to that dict when this module is imported. It is harmless in databases without this
# module, where no deadline of kind "feedback" can exist.
archive_deadline.DEADLINE_RULES.setdefault("feedback", 1)


class TrainingArchiveDeadline(models.Model):
    _inherit = "training.archive.deadline"

    kind = fields.Selection(
        selection_add=[("feedback", "Feedback Recorded")],
        ondelete={"feedback": "cascade"},
    )
    feedback_id = fields.Many2one(
        "training.feedback", readonly=True, index=True, ondelete="cascade"
    )

    def _create_missing(self, specs):
        """Feedback deadlines are one per ticket and archive; the core keys deadlines by
        kind, archive, enrolment and learning record only, which would take the second
        ticket of a student for a duplicate of the first."""
        feedback_specs = [s for s in specs if s.get("feedback_id")]
        created = super()._create_missing(
            [s for s in specs if not s.get("feedback_id")]
        )
        if not feedback_specs:
            return created
        existing = self.search(
            [("feedback_id", "in", [s["feedback_id"] for s in feedback_specs])]
        )
        seen = {(d.feedback_id.id, d.archive_id.id) for d in existing}
        archives = self.env["training.student.archive"].browse(
            {s["archive_id"] for s in feedback_specs}
        )
        company_of = {archive.id: archive.company_id for archive in archives}
        vals_list = []
        for spec in feedback_specs:
            key = (spec["feedback_id"], spec["archive_id"])
            if key in seen:
                continue
            seen.add(key)
            due = self._compute_due(
                spec["kind"], spec["start"], company_of[spec["archive_id"]]
            )
            vals_list.append(dict(spec, deadline=due))
        return created | self.create(vals_list)

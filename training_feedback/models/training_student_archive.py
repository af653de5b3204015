from odoo import fields, models


class TrainingStudentArchive(models.Model):
    _inherit = "training.student.archive"

    feedback_ids = fields.Many2many(
        "training.feedback",
        "training_feedback_archive_rel",
        "archive_id",
        "feedback_id",
        readonly=True,
        help="Feedback and complaints recorded in this archive (FB-09).",
    )
    feedback_count = fields.Integer(compute="_compute_feedback_count")

    def _compute_feedback_count(self):
        # Counted as the reader: each role sees the tickets it may read.
        data = dict(
            self.env["training.feedback"]._read_group(
                [("archive_ids", "in", self.ids)], ["archive_ids"], ["__count"]
            )
        )
        for archive in self:
            archive.feedback_count = data.get(archive, 0)

    def action_view_feedback(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "training_feedback.training_feedback_action"
        )
        action["domain"] = [("archive_ids", "in", self.ids)]
        action["context"] = {"default_submitter_id": self.partner_id.id}
        return action

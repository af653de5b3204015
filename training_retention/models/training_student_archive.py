from odoo import fields, models


class TrainingStudentArchive(models.Model):
    _inherit = "training.student.archive"

    violation_ids = fields.One2many(
        "training.violation", "archive_id", string="Violations"
    )
    attrition_case_ids = fields.One2many(
        "training.attrition.case", "archive_id", string="Attrition Cases"
    )
    attrition_case_count = fields.Integer(compute="_compute_attrition_case_count")

    def _compute_attrition_case_count(self):
        counts = dict(
            self.env["training.attrition.case"]
            .sudo()
            ._read_group([("archive_id", "in", self.ids)], ["archive_id"], ["__count"])
        )
        for archive in self:
            archive.attrition_case_count = counts.get(archive, 0)

    def action_view_attrition_cases(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "training_retention.training_attrition_case_action"
        )
        action["domain"] = [("archive_id", "=", self.id)]
        action["context"] = {"default_partner_id": self.partner_id.id}
        return action

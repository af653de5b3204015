from odoo import fields, models, tools

# The roles that read archives: for anybody else (an accountant, a salesman) the
# fields do not exist, so their exports and generic reads of contacts keep working.
ARCHIVE_READERS = ",".join(
    f"training_student_archive.training_student_archive_group_{role}"
    for role in ("teacher", "enrolment", "customer_service", "finance", "archivist")
)


class ResPartner(models.Model):
    _inherit = "res.partner"

    training_archive_ids = fields.One2many(
        "training.student.archive",
        "partner_id",
        string="Learning Archives",
        groups=ARCHIVE_READERS,
    )
    training_archive_count = fields.Integer(
        compute="_compute_training_archive_count", groups=ARCHIVE_READERS
    )

    def _compute_training_archive_count(self):
        counts = dict(
            self.env["training.student.archive"]._read_group(
                [("partner_id", "in", self.ids)], ["partner_id"], ["__count"]
            )
        )
        for partner in self:
            partner.training_archive_count = counts.get(partner, 0)

    def action_view_training_archives(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "training_student_archive.training_student_archive_action"
        )
        action["domain"] = [("partner_id", "=", self.id)]
        action["context"] = {"default_partner_id": self.id}
        return action

    def init(self):
        # The archives are searched by their student's phone or e-mail, typed in
        # part (see training.student.archive._search_display_name).
        if self.env.registry.has_trigram:
            for fname in ("phone", "email"):
                tools.create_index(
                    self.env.cr,
                    f"res_partner_{fname}_trgm",
                    self._table,
                    [f"{fname} gin_trgm_ops"],
                    method="gin",
                )

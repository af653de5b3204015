from odoo import api, fields, models
from odoo.exceptions import AccessError


class TrainingArchiveAccessLog(models.Model):
    """The read log of the archives (ARC-11): one row each time a staff member
    outside the archivist group reads an archive or what it holds, through a form, a
    list, an RPC ``read``/``search_read``, an export, a printed report or a file
    download: who, when, which archive, which parts, through which channel, and the
    grant or the role that allowed it.

    Append-only: nobody writes or deletes a row, the administrator and the superuser
    included; only the destruction of an archive (ARC-13) removes the rows naming it,
    and the rows go with the archive they belong to. The archivist and management read
    it. Rows are written by :class:`TrainingArchiveReadLogMixin`, one INSERT per call.
    """

    _name = "training.archive.access.log"
    _description = "Archive Read Log"
    _order = "id desc"
    _rec_name = "archive_number"

    date = fields.Datetime(
        required=True, readonly=True, index=True, default=fields.Datetime.now
    )
    user_id = fields.Many2one("res.users", required=True, readonly=True, index=True)
    archive_id = fields.Many2one(
        "training.student.archive",
        required=True,
        readonly=True,
        index=True,
        ondelete="cascade",
    )
    archive_number = fields.Char(readonly=True)
    company_id = fields.Many2one("res.company", readonly=True, index=True)
    parts = fields.Char(
        readonly=True,
        help="Parts of the archive read: registration, learning, documents.",
    )
    channel = fields.Selection(
        [
            ("form", "Form"),
            ("list", "List"),
            ("read", "RPC read"),
            ("search_read", "RPC search_read"),
            ("export", "Export"),
            ("report", "Printed Report"),
            ("download", "File Download"),
        ],
        required=True,
        readonly=True,
    )
    grant_id = fields.Many2one(
        "training.archive.access.grant", readonly=True, ondelete="restrict"
    )
    role = fields.Char(readonly=True, help="Training roles of the reader.")

    def _check_append_only(self):
        # The destruction of an archive runs as superuser with this context key.
        if not (self.env.su and self.env.context.get("training_archive_destruction")):
            raise AccessError(
                self.env._("The archive read log cannot be changed or deleted.")
            )

    def write(self, vals):
        self._check_append_only()
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_except_append_only(self):
        self._check_append_only()

    @api.model
    def _log_reads(self, archives, parts, channel):
        """Write one row per archive of one read call, in a single INSERT; the grants
        covering them are looked up once for the whole call."""
        user = self.env.user
        archives = archives.sudo()
        category = self.env.ref("training_student_archive.module_category_training")
        staff = self.env.ref(
            "training_student_archive.training_student_archive_group_user"
        )
        roles = ", ".join(
            user.groups_id.filtered(
                lambda g: g.category_id == category and g != staff
            ).mapped("name")
        )
        grant_of = {}
        if user.has_group(
            "training_student_archive.training_student_archive_group_granted"
        ):
            grants = (
                self.env["training.archive.access.grant"]
                .sudo()
                .search(
                    [
                        ("user_id", "=", user.id),
                        ("is_valid", "=", True),
                        ("archive_ids", "in", archives.ids),
                    ]
                )
            )
            for grant in grants:
                for archive in grant.archive_ids:
                    grant_of.setdefault(archive.id, grant.id)
        parts = ",".join(sorted(parts))
        self.sudo().create(
            [
                {
                    "user_id": user.id,
                    "archive_id": archive.id,
                    "archive_number": archive.archive_number,
                    "company_id": archive.company_id.id,
                    "parts": parts,
                    "channel": channel,
                    "grant_id": grant_of.get(archive.id, False),
                    "role": roles,
                }
                for archive in archives
            ]
        )

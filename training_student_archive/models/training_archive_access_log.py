from odoo import api, fields, models
from odoo.exceptions import AccessError


class TrainingArchiveAccessLog(models.Model):
    """The read log of the archives (ARC-11): one row each time a staff member
    (any role, the archivist and management included) reads an archive or what it
    holds, through a form, a list, an RPC ``read``/``search_read``, an export, a
    printed report or a file download: who, when, which archive, which parts,
    through which channel, and the grant or the role that allowed it.

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
        """Write one row per archive of one read call in exactly one SQL statement
        (issue 7: the read log must cost one INSERT): the archive's number and
        company, the reader's training roles and the valid grant covering each
        archive are selected by the INSERT itself. The ORM's ``create`` would read
        the user's groups, the archives and the grants first; nothing computes or
        tracks on this model, so the row it writes is the same."""
        xmlid_to_id = self.env["ir.model.data"]._xmlid_to_res_id  # cached
        category = xmlid_to_id("training_student_archive.module_category_training")
        staff = xmlid_to_id(
            "training_student_archive.training_student_archive_group_user"
        )
        archives.flush_recordset(["archive_number", "company_id"])
        self.env["training.archive.access.grant"].flush_model(
            ["user_id", "active", "valid_until", "archive_ids"]
        )
        self.env.cr.execute(
            """
            WITH roles AS (
                SELECT string_agg(
                    COALESCE(g.name->>%(lang)s, g.name->>'en_US'), ', '
                    ORDER BY COALESCE(g.name->>%(lang)s, g.name->>'en_US')
                ) AS names
                  FROM res_groups g
                  JOIN res_groups_users_rel gu ON gu.gid = g.id
                 WHERE gu.uid = %(uid)s AND g.category_id = %(category)s
                   AND g.id != %(staff)s
            )
            INSERT INTO training_archive_access_log (
                create_uid, create_date, write_uid, write_date, date, user_id,
                archive_id, archive_number, company_id, parts, channel, grant_id, role
            )
            SELECT %(uid)s, %(now)s, %(uid)s, %(now)s, %(now)s, %(uid)s,
                   a.id, a.archive_number, a.company_id, %(parts)s, %(channel)s,
                   (SELECT g.id
                      FROM training_archive_access_grant g
                      JOIN training_archive_access_grant_archive_rel r
                        ON r.grant_id = g.id
                     WHERE r.archive_id = a.id AND g.user_id = %(uid)s
                       AND g.active AND g.valid_until > %(now)s
                     ORDER BY g.valid_until DESC, g.id DESC
                     LIMIT 1),
                   roles.names
              FROM training_student_archive a, roles
             WHERE a.id = ANY(%(ids)s)
            """,
            {
                "uid": self.env.uid,
                "now": fields.Datetime.now(),
                "lang": self.env.lang or "en_US",
                "category": category,
                "staff": staff,
                "parts": ",".join(sorted(parts)),
                "channel": channel,
                "ids": archives.ids,
            },
        )

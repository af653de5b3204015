from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL

# What each part of an archive opens for a granted reader: the model and the field
# naming the archive (issue 15).
PART_MODELS = {
    "registration": ("training.student.archive", "id"),
    "learning": ("training.learning.record", "archive_id"),
    "documents": ("training.archive.document", "archive_id"),
}


def archives_by_record(records, fname):
    """``{record id: [(archive id, archive number), ...]}`` of the Many2many
    ``fname`` of ``records`` to the archives, in the order of the numbers, read in
    SQL: the ORM would filter the archives by the reader's record rules, or, read as
    superuser, leave every archive in the shared cache of the reader's transaction
    (issue 15: a requester names archives they cannot read)."""
    ids = [record_id for record_id in records.ids if isinstance(record_id, int)]
    if not ids:
        return {}
    field = records._fields[fname]
    records.flush_recordset([fname])
    records.env["training.student.archive"].flush_model(["archive_number"])
    rows = records.env.execute_query(
        SQL(
            "SELECT %s, a.id, a.archive_number FROM %s"
            " JOIN training_student_archive a ON a.id = %s"
            " WHERE %s IN %s ORDER BY a.archive_number, a.id",
            SQL.identifier(field.relation, field.column1),
            SQL.identifier(field.relation),
            SQL.identifier(field.relation, field.column2),
            SQL.identifier(field.relation, field.column1),
            tuple(ids),
        )
    )
    result = {}
    for record_id, archive_id, number in rows:
        result.setdefault(record_id, []).append((archive_id, number))
    return result


def archive_numbers_text(records, fname):
    """``{record: "number, number"}`` of the archives in ``fname`` of ``records``;
    the numbers only, never the names (see :func:`archives_by_record`). A new record
    (a form being edited) takes the archives of its cache."""
    stored = archives_by_record(records, fname)
    result = {}
    for record in records:
        if isinstance(record.id, int):
            numbers = [number for __, number in stored.get(record.id, ())]
        else:
            numbers = record[fname].sudo().mapped("archive_number")
        result[record] = ", ".join(number or "" for number in numbers)
    return result


class TrainingArchiveAccessGrant(models.Model):
    """A time-limited right of one staff member to read some parts of some archives,
    created by an approved access request (ARC-09, ARC-10) and used by the record
    rules of the archive, its learning records and documents. It ends when the
    request is closed or, at ``valid_until``, by the expiry scheduled action; until
    that runs, the rules already ignore an expired grant (``is_valid``).

    Nobody edits grants by hand: they are created and ended by their request.
    """

    _name = "training.archive.access.grant"
    _description = "Archive Access Grant"
    _order = "valid_until desc, id desc"
    _check_company_auto = True

    request_id = fields.Many2one(
        "training.archive.access.request",
        required=True,
        index=True,
        ondelete="cascade",
        readonly=True,
    )
    user_id = fields.Many2one("res.users", required=True, index=True, readonly=True)
    archive_ids = fields.Many2many(
        "training.student.archive",
        "training_archive_access_grant_archive_rel",
        "grant_id",
        "archive_id",
        string="Archives",
        readonly=True,
    )
    part_ids = fields.Many2many("training.archive.part", string="Parts", readonly=True)
    valid_until = fields.Datetime(required=True, readonly=True, index=True)
    company_id = fields.Many2one("res.company", required=True, readonly=True)
    active = fields.Boolean(default=True, readonly=True)
    is_valid = fields.Boolean(
        compute="_compute_is_valid",
        search="_search_is_valid",
        help="Active and not expired, at the time of the query.",
    )
    archive_numbers = fields.Char(
        compute="_compute_archive_numbers",
        help="Numbers of the archives granted.",
    )
    # The buttons of the granted reader: the part is granted, the grant is theirs
    # and valid (issue 15).
    can_open_registration = fields.Boolean(compute="_compute_can_open")
    can_open_learning = fields.Boolean(compute="_compute_can_open")
    can_open_documents = fields.Boolean(compute="_compute_can_open")

    @api.depends("active", "valid_until")
    def _compute_is_valid(self):
        now = fields.Datetime.now()
        for grant in self:
            grant.is_valid = grant.active and grant.valid_until > now

    def _search_is_valid(self, operator, value):
        if operator not in ("=", "!=") or not isinstance(value, bool):
            raise NotImplementedError(operator)
        valid = [("active", "=", True), ("valid_until", ">", fields.Datetime.now())]
        if (operator == "=") == value:
            return valid
        return [
            "|",
            ("active", "=", False),
            ("valid_until", "<=", fields.Datetime.now()),
        ]

    @api.depends("archive_ids")
    def _compute_archive_numbers(self):
        numbers = archive_numbers_text(self, "archive_ids")
        for grant in self:
            grant.archive_numbers = numbers[grant]

    @api.depends("is_valid", "user_id", "part_ids.code")
    @api.depends_context("uid")
    def _compute_can_open(self):
        for grant in self:
            codes = (
                set(grant.part_ids.mapped("code"))
                if grant.is_valid and grant.user_id == self.env.user
                else set()
            )
            for code in PART_MODELS:
                grant[f"can_open_{code}"] = code in codes

    def _action_open_part(self, code):
        """The records of part ``code`` of the granted archives, for the granted
        reader (ARC-09, ARC-10). The domain names exactly the archives of the grant;
        the read itself goes through the record rules of the reader (the grant's)
        and is logged with the grant (ARC-11)."""
        self.ensure_one()
        titles = {
            "registration": self.env._("Registration"),
            "learning": self.env._("Learning Records"),
            "documents": self.env._("Documents"),
        }
        if not self[f"can_open_{code}"]:
            raise UserError(
                self.env._(
                    "%(grant)s does not give you the %(part)s of its archives, or "
                    "it has ended.",
                    grant=self.display_name,
                    part=titles[code],
                )
            )
        model, fname = PART_MODELS[code]
        archive_ids = [
            archive_id
            for archive_id, __ in archives_by_record(self, "archive_ids").get(
                self.id, ()
            )
        ]
        action = {
            "type": "ir.actions.act_window",
            "name": f"{titles[code]} ({self.request_id.name})",
            "res_model": model,
            "domain": [(fname, "in", archive_ids)],
            "views": [(False, "list"), (False, "form")],
            "view_mode": "list,form",
            "context": {"create": False},
        }
        if code == "registration" and len(archive_ids) == 1:
            action.update(
                views=[(False, "form")], view_mode="form", res_id=archive_ids[0]
            )
        return action

    def action_open_registration(self):
        return self._action_open_part("registration")

    def action_open_learning(self):
        return self._action_open_part("learning")

    def action_open_documents(self):
        return self._action_open_part("documents")

    @api.model_create_multi
    def create(self, vals_list):
        grants = super().create(vals_list)
        grants.user_id._sync_archive_granted_group()
        return grants

    def write(self, vals):
        result = super().write(vals)
        if "active" in vals:
            self.user_id._sync_archive_granted_group()
        return result

    @api.depends("request_id", "user_id")
    def _compute_display_name(self):
        for grant in self:
            grant.display_name = f"{grant.request_id.name} - {grant.user_id.name}"

    @api.model
    def _cron_expire_grants(self, batch_size=500):
        """End the grants whose time is over and close their requests (ARC-09,
        ARC-10). Idempotent: only grants still active are looked at, so a second run
        finds nothing.

        One batch of ``batch_size`` grants per call, the rest reported to the cron
        runner, which commits and calls again (issue 7); grants and requests are
        written at once and the notes logged in one batch, so the statements do not
        grow with the batch."""
        domain = [("valid_until", "<=", fields.Datetime.now())]
        grants = self.search(domain, limit=batch_size)
        remaining = self.search_count(domain) - len(grants)
        grants.write({"active": False})
        requests = grants.request_id.filtered(lambda r: r.state == "approved")
        body = self.env._("The access ended: its validity expired.")
        requests._message_log_batch(bodies=dict.fromkeys(requests.ids, body))
        requests.write({"state": "closed", "closed_date": fields.Datetime.now()})
        self.env["ir.cron"]._notify_progress(done=len(grants), remaining=remaining)

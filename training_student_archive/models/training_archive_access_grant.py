from odoo import api, fields, models


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

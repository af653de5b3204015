from odoo import api, models

# Fields whose reading discloses nothing about the student.
NEUTRAL_FIELDS = {"id", "display_name"}
# Context keys: the call is already logged / the channel of the outer call.
LOGGED = "training_access_logged"
CHANNEL = "training_read_channel"


def read_write(method):
    """Declare a read that writes the log read/write. Odoo 18 serves the methods
    marked ``_readonly`` (``read``, ``web_read``, ``search_read``...) on a read-only
    cursor, on the replica when there is one; the log's INSERT would fail there and
    the whole request be retried on the primary. Declared read/write, the request
    goes to the primary at once: the log row is written in the transaction of the
    read, so a read that fails leaves none (see controllers/read_log.py for the
    downloads and reports)."""
    method._readonly = False
    return method


class TrainingArchiveReadLogMixin(models.AbstractModel):
    """Logs the reads of the models holding archive data (ARC-11): every staff
    member's, the archivist, the supervisor and management included (the policy
    records every staff read); the superuser's (portal pages, after their own
    check; system jobs) and portal users' are not staff reads.

    Each entry point a person reads through (``web_read`` of a form,
    ``web_search_read`` of a list or kanban, RPC ``read`` and ``search_read``,
    ``export_data``; reports and downloads hook in ``ir.actions.report`` and
    ``ir.binary``) logs once, then marks the context so the nested reads of the same
    call (x2many lines of a form, ``read`` under ``web_read``) do not log again. The
    overrides are declared read/write (:func:`read_write`): the INSERT needs a
    read/write cursor.
    """

    _name = "training.archive.read.log.mixin"
    _description = "Archive Read Log Mixin"

    # Part of the archive the model's data belongs to (training.archive.part code).
    _training_log_part = "registration"
    # Fields of the model that belong to another part than the model's own.
    _training_log_field_parts = {}

    def _training_log_archives(self):
        return self.sudo().archive_id

    def _training_log_parts(self, fnames):
        if not fnames:  # every field: every part the model holds
            return {self._training_log_part, *self._training_log_field_parts.values()}
        return {
            self._training_log_field_parts.get(
                fname.split("/")[0], self._training_log_part
            )
            for fname in fnames
        }

    def _training_log_report_parts(self):
        return {self._training_log_part}

    def _training_log_read(self, fnames, channel, parts=None):
        """Log the read of ``self`` if a staff member reads archive data; return
        ``self`` marked as logged."""
        if (
            not self
            or self.env.su
            or self.env.context.get(LOGGED)
            or (fnames and set(fnames) <= NEUTRAL_FIELDS)
        ):
            return self
        user = self.env.user
        # has_group is cached: the check reads nothing (portal users are not staff)
        if not user.has_group("base.group_user"):
            return self
        archives = self._training_log_archives()
        if archives:
            self.env["training.archive.access.log"]._log_reads(
                archives, parts or self._training_log_parts(fnames), channel
            )
        return self.with_context(**{LOGGED: True})

    @read_write
    def read(self, fields=None, load="_classic_read"):
        records = self._training_log_read(fields, self.env.context.get(CHANNEL, "read"))
        return super(TrainingArchiveReadLogMixin, records).read(fields, load=load)

    @read_write
    def web_read(self, specification):
        # An empty specification reads nothing but the ids: the web client asks for
        # it when another form shows the record as a link (its display name).
        records = (
            self._training_log_read(
                list(specification), self.env.context.get(CHANNEL, "form")
            )
            if specification
            else self
        )
        return super(TrainingArchiveReadLogMixin, records).web_read(specification)

    @read_write
    @api.model
    def web_search_read(
        self, domain, specification, offset=0, limit=None, order=None, count_limit=None
    ):
        return super(
            TrainingArchiveReadLogMixin, self.with_context(**{CHANNEL: "list"})
        ).web_search_read(
            domain,
            specification,
            offset=offset,
            limit=limit,
            order=order,
            count_limit=count_limit,
        )

    @read_write
    @api.model
    def search_read(
        self, domain=None, fields=None, offset=0, limit=None, order=None, **read_kwargs
    ):
        rows = super().search_read(
            domain=domain,
            fields=fields,
            offset=offset,
            limit=limit,
            order=order,
            **read_kwargs,
        )
        if rows:
            self.browse([row["id"] for row in rows])._training_log_read(
                fields, self.env.context.get(CHANNEL, "search_read")
            )
        return rows

    def export_data(self, fields_to_export):
        records = self._training_log_read(fields_to_export, "export")
        return super(TrainingArchiveReadLogMixin, records).export_data(fields_to_export)

import hashlib
import json
import logging
import os
import re
from datetime import timedelta

from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import SQL

from .training_student_archive import CLOSED_STATES

_logger = logging.getLogger(__name__)

# Rows read at a time when looking for mentions of destroyed students.
MENTION_PAGE = 10000
# Shortest name looked for (two Chinese characters: 王明).
MIN_TERM = 2
# Documents the law keeps: their chatter stays, without the student's name.
KEPT_THREAD_MODELS = ("account.move", "account.payment")
# Where Odoo copies text: the name, e-mail or phone is replaced in what stays...
SCRUBBED_COPIES = (
    ("mail.message", ("body", "subject", "record_name", "email_from", "reply_to")),
    ("mail.mail", ("body_html", "email_to", "email_cc")),
    ("mail.activity", ("note", "summary")),
    ("ir.attachment", ("name", "description")),
    ("account.move", ("invoice_origin", "ref", "narration", "payment_reference")),
    ("account.move.line", ("name",)),
    ("account.payment", ("memo",)),
    ("sms.sms", ("body", "number")),
)
# ... and short-lived copies Odoo would vacuum later are deleted: tracking values
# (the message stays), composer wizards, notifications pushed to browsers (JSON
# escapes non-ASCII characters: read unescaped).
DELETED_COPIES = (
    ("mail.tracking.value", ("old_value_char", "new_value_char")),
    ("mail.compose.message", ("body",)),
    ("bus.bus", ("message::jsonb::text",)),
)
# Fields of the destruction record that its hash covers (ARC-13).
HASHED_FIELDS = (
    "name",
    "archive_numbers",
    "archive_count",
    "executed_date",
    "method",
    "responsible_name",
    "approver_names",
)


class TrainingArchiveDestruction(models.Model):
    """A destruction of student archives (ARC-13, ARC-14), and afterwards the record
    of it, kept forever.

    The archivist lists archives whose retention period is over (a *batch*), or
    records a student's own destruction request (from the portal too) for an archive
    closed by completion, withdrawal or transfer. The institution head approves it
    through the tiers of ``tier.definition`` (an administrator may change them). The
    archivist then executes it: the personal data is removed for good (see
    :meth:`_destroy_archives`), and what remains is this record: archive numbers,
    count, time, method, responsible person and approver, chained to the previous
    record by a SHA-256 hash so that any later change shows (:meth:`_verify_chain`).
    """

    _name = "training.archive.destruction"
    _description = "Archive Destruction"
    _inherit = [
        "training.sequence.mixin",
        "mail.thread",
        "mail.activity.mixin",
        "training.tier.validation",
    ]
    _order = "id desc"
    _check_company_auto = True

    _state_from = ["draft"]
    _state_to = ["done"]
    _cancel_state = "cancel"
    _tier_validation_manual_config = False

    name = fields.Char(
        string="Reference",
        required=True,
        readonly=True,
        copy=False,
        default=lambda self: self.env._("New"),
    )
    origin = fields.Selection(
        [
            ("retention", "Retention Period Over"),
            ("student", "Student's Request"),
        ],
        required=True,
        default="retention",
        tracking=True,
    )
    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda self: self.env.company
    )
    archive_ids = fields.Many2many(
        "training.student.archive",
        string="Archives",
        check_company=True,
        domain="[('state', 'in', ('completed', 'withdrawn', 'transferred', 'sealed'))]",
    )
    reason = fields.Text()
    method = fields.Selection(
        [
            ("erase", "Electronic Erasure"),
            ("erase_shred", "Electronic Erasure and Paper Shredding"),
        ],
        required=True,
        default="erase_shred",
        tracking=True,
    )
    responsible_id = fields.Many2one(
        "res.users",
        required=True,
        default=lambda self: self.env.user,
        tracking=True,
    )
    state = fields.Selection(
        [("draft", "Draft"), ("done", "Destroyed"), ("cancel", "Cancelled")],
        default="draft",
        required=True,
        tracking=True,
        copy=False,
        index=True,
    )
    # The record that remains (ARC-13): plain values, no link to personal data.
    archive_numbers = fields.Text(readonly=True, copy=False)
    archive_count = fields.Integer(readonly=True, copy=False)
    executed_date = fields.Datetime(readonly=True, copy=False)
    responsible_name = fields.Char(readonly=True, copy=False)
    approver_names = fields.Char(readonly=True, copy=False)
    previous_hash = fields.Char(readonly=True, copy=False)
    erased_summary = fields.Text(
        string="Erased",
        readonly=True,
        copy=False,
        help="Records erased per kind of data (the personal-data map), for the "
        "certificate of destruction.",
    )
    record_hash = fields.Char(readonly=True, copy=False, index=True)
    # Issue 15: the paper files to shred, kept with the record (archive number and
    # cabinet/box only: the destruction blanks the archives' locations).
    paper_locations = fields.Text(
        string="Paper Files",
        readonly=True,
        copy=False,
        help="Archive number and paper location of each destroyed archive, one a "
        "line, for the destruction list and the certificate.",
    )

    def init(self):
        # One record follows each record: a forked chain is refused.
        self.env.cr.execute(
            "CREATE UNIQUE INDEX IF NOT EXISTS training_archive_destruction_chain_uniq "
            "ON training_archive_destruction (previous_hash) WHERE state = 'done'"
        )

    def _check_still_destroyable(self, archives):
        """Re-checked when the destruction runs, not only when it was approved:
        the student may have enrolled again, or a case may be open (modules add
        their blockers in :meth:`_destruction_blockers`)."""
        blockers = self._destruction_blockers(archives)
        if blockers:
            raise UserError(
                self.env._(
                    "The destruction cannot be executed any more:\n%s",
                    "\n".join(blockers),
                )
            )

    def _kept_by_law(self):
        """``[(what, why)]`` of the data that stays after a destruction."""
        kept = [
            (entry["name"], entry["retention"])
            for entry in self.env["training.personal.data"]._personal_data_processing()
            if entry["kept"]
        ]
        kept.append(
            (
                self.env._("Accounting entries"),
                self.env._(
                    "Invoices, credit notes and payments stay (accounting law), with "
                    "an anonymised contact and no name in their references."
                ),
            )
        )
        kept.append(
            (
                self.env._("Destruction record"),
                self.env._("This record, hash-chained, kept forever (ARC-13)."),
            )
        )
        return kept

    def _backup_expiry(self):
        """Until when backups made before the destruction keep the data."""
        self.ensure_one()
        if "db.backup" not in self.env or not self.executed_date:
            return False
        [(days,)] = (
            self.env["db.backup"].sudo()._read_group([], [], ["days_to_keep:max"])
        )
        if not days:
            return False
        expiry = fields.Date.to_date(self.executed_date) + timedelta(days=days)
        return self.env._(
            "%(date)s (backups are kept %(days)s days)", date=expiry, days=days
        )

    def _destruction_blockers(self, archives):
        """Reasons, one per line, why ``archives`` cannot be destroyed now."""
        reasons = []
        for archive in archives.sudo():
            if archive.state not in (*CLOSED_STATES, "sealed"):
                reasons.append(
                    self.env._(
                        "Archive %s is not closed any more.", archive.archive_number
                    )
                )
            elif archive.enrollment_ids.filtered(
                lambda e: e.state in ("draft", "active")
            ):
                reasons.append(
                    self.env._(
                        "Archive %s has a new enrolment.", archive.archive_number
                    )
                )
        return reasons

    def write(self, vals):
        if self.filtered(lambda d: d.state == "done") and set(vals) - {
            "message_main_attachment_id",
            "activity_ids",
        }:
            raise UserError(self.env._("A destruction record cannot be changed."))
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_except_done(self):
        if self.filtered(lambda d: d.state == "done"):
            raise UserError(self.env._("A destruction record cannot be deleted."))

    @api.constrains("archive_ids", "origin")
    def _check_archives(self):
        today = fields.Date.context_today(self)
        for destruction in self.filtered(lambda d: d.state == "draft"):
            wrong = destruction.archive_ids.filtered(
                lambda a: a.state not in (*CLOSED_STATES, "sealed")
            )
            if wrong:
                raise ValidationError(
                    self.env._(
                        "Archive %s is not closed: only archives of students who "
                        "completed, withdrew or transferred can be destroyed.",
                        ", ".join(wrong.mapped("archive_number")),
                    )
                )
            if destruction.origin == "retention":
                early = destruction.archive_ids.filtered(
                    lambda a: not a.retention_end_date or a.retention_end_date > today
                )
                if early:
                    raise ValidationError(
                        self.env._(
                            "The retention period of archive %s is not over.",
                            ", ".join(early.mapped("archive_number")),
                        )
                    )
            if destruction.origin == "student" and len(destruction.archive_ids) > 1:
                raise ValidationError(
                    self.env._("A student's request concerns their own archive only.")
                )

    def _get_tier_applicants(self):
        self.ensure_one()
        return self.create_uid | self.responsible_id

    def request_validation(self):
        if self.filtered(lambda d: not d.archive_ids):
            raise UserError(self.env._("Choose the archives to destroy first."))
        return super().request_validation()

    def action_cancel(self):
        if self.filtered(lambda d: d.state != "draft"):
            raise UserError(self.env._("Only a draft destruction can be cancelled."))
        self.write({"state": "cancel"})

    # -- Execution ------------------------------------------------------------------

    def action_execute(self):
        """Destroy the archives of an approved destruction (the tier validation mixin
        refuses the state change until every tier approved it)."""
        self.ensure_one()
        if self.state != "draft":
            raise UserError(self.env._("This destruction was already executed."))
        if not self.env.user.has_group(
            "training_student_archive.training_student_archive_group_archivist"
        ):
            raise UserError(self.env._("Only the archivist executes a destruction."))
        if self.validation_status != "validated":
            raise UserError(
                self.env._("The destruction must be approved before it is executed.")
            )
        self._check_approval_chain()
        # Serialise: a new row version of the archives (a re-enrolment racing the
        # destruction conflicts with it) and of the last destruction record (two
        # executions racing: the second is retried and chains after the first;
        # the unique index on previous_hash refuses a fork in any case).
        archives = self.archive_ids
        self.env.cr.execute(
            "UPDATE training_student_archive SET id = id WHERE id IN %s",
            (tuple(archives.ids),),
        )
        self.env.cr.execute(
            "UPDATE training_archive_destruction SET id = id WHERE id = ("
            "SELECT id FROM training_archive_destruction WHERE state = 'done' "
            "ORDER BY executed_date DESC, id DESC LIMIT 1) RETURNING id"
        )
        row = self.env.cr.fetchone()
        previous = self.browse(row[0]) if row else self.browse()
        archives.invalidate_recordset()
        self._check_still_destroyable(archives)
        numbers = ", ".join(archives.sorted("archive_number").mapped("archive_number"))
        approvers = ", ".join(
            self.review_ids.filtered(lambda r: r.status == "approved").done_by.mapped(
                "name"
            )
        )
        locations = "\n".join(
            f"{line['archive_number']}\t{line['paper_location']}"
            for line in self._destruction_list_lines(archives)
        )
        summary = self.sudo()._destroy_archives(archives.sudo())
        self.invalidate_recordset(["need_validation"])
        vals = {
            "state": "done",
            "name": self.name,
            "method": self.method,
            "archive_numbers": numbers,
            "archive_count": len(archives),
            "executed_date": fields.Datetime.now(),
            "responsible_name": self.responsible_id.name,
            "approver_names": approvers,
            "previous_hash": previous.record_hash or "",
            "paper_locations": locations,
            "erased_summary": "\n".join(
                f"{name}: {count}" for name, count in sorted(summary.items())
            ),
        }
        # One write while the record is still a draft: afterwards it is frozen.
        vals["record_hash"] = self._chain_hash(vals)
        self.write(vals)
        self.message_post(
            body=Markup("%s<br/>%s")
            % (
                self.env._("%s archives destroyed.", len(archives)),
                numbers,
            ),
            subtype_xmlid="mail.mt_note",
        )
        return True

    def _destruction_list_lines(self, archives=None):
        """The destruction list (销毁清单, issue 15): one line per archive, ordered
        by archive number, with the paper location to shred. Before the execution
        from the archives (with the student's name, to check the paper file), after
        it from the record (number and location only: the rest is destroyed)."""
        self.ensure_one()
        if archives is None and self.state == "done":
            lines = []
            for row in (self.paper_locations or "").splitlines():
                number, _sep, location = row.partition("\t")
                lines.append(
                    {
                        "archive_number": number,
                        "name": "",
                        "paper_location": location,
                        "closed_date": False,
                    }
                )
            return lines
        archives = self.archive_ids if archives is None else archives
        return [
            {
                "archive_number": archive.archive_number,
                "name": archive.name or "",
                "paper_location": archive.paper_location or "",
                "closed_date": archive.closed_date,
            }
            for archive in archives.sorted(lambda a: (a.archive_number, a.id))
        ]

    @api.model
    def _chain_hash(self, values):
        """SHA-256 of the previous record's hash and of this record's content."""
        content = {
            fname: (
                fields.Datetime.to_string(values[fname])
                if fname == "executed_date"
                else values[fname]
            )
            for fname in HASHED_FIELDS
        }
        payload = (values["previous_hash"] or "") + json.dumps(content, sort_keys=True)
        return hashlib.sha256(payload.encode()).hexdigest()

    def _compute_chain_hash(self):
        self.ensure_one()
        return self._chain_hash(
            {fname: self[fname] for fname in (*HASHED_FIELDS, "previous_hash")}
        )

    @api.model
    def _verify_chain(self):
        """Recompute the chain of the executed destructions; return the records
        whose hash or link does not match (empty when the chain is intact)."""
        broken = self.browse()
        previous_hash = ""
        for record in self.sudo().search(
            [("state", "=", "done")], order="executed_date, id"
        ):
            if (
                record.previous_hash != previous_hash
                or record._compute_chain_hash() != record.record_hash
            ):
                broken |= record
            previous_hash = record.record_hash
        return broken

    def action_verify_chain(self):
        broken = self._verify_chain()
        if broken:
            raise UserError(
                self.env._(
                    "The destruction records were altered: %s.",
                    ", ".join(broken.mapped("name")),
                )
            )
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "success",
                "message": self.env._("The chain of destruction records is intact."),
            },
        }

    def _destroy_archives(self, archives):
        """Remove the personal data of ``archives`` for good (as superuser);
        return ``{model description: number of records erased}``.

        What is erased is the personal-data map (``training.personal.data``): every
        model of every module declares its records about a student and how they are
        erased (deleted, or kept blank for the accounts and the statistics). With
        them go their chatter, attachments (and files), activities and followers,
        the e-mails and messages to or from the student, the portal login, and every
        copy of the student's name, e-mail or phone that Odoo made elsewhere
        (message bodies, e-mails, tracking values, notifications pushed to browsers,
        activity notes, SMS, signatures, references of accounting entries).
        Kept: the archive record itself in state *destroyed* with its number, the
        accounting entries (the law keeps them) pointing to an anonymised contact,
        the read log rows (no personal data in them).
        """
        partners = archives.partner_id
        terms = self._personal_terms(archives)
        PersonalData = self.env["training.personal.data"]
        found = PersonalData._personal_data_find(partners)
        threads = {model: records.ids for model, records in found.items()}
        threads["res.partner"] = partners.ids
        # Chatter: messages on the student's records, messages they wrote or got.
        messages = (
            self.env["mail.message"]
            .with_context(active_test=False)
            .search(
                [
                    "|",
                    "|",
                    ("author_id", "in", partners.ids),
                    ("partner_ids", "in", partners.ids),
                    *PersonalData._on_threads(threads, "model"),
                ]
            )
        )
        # Messages on documents the law keeps (an invoice sent to the student)
        # stay, without the student's name: only the others go.
        kept = messages.filtered(
            lambda m: m.model in KEPT_THREAD_MODELS and m.model not in threads
        )
        messages -= kept
        attachments = (
            self.env["ir.attachment"].search(PersonalData._attachment_domain(threads))
            | messages.attachment_ids
        )
        # First: unlinking their records would delete them without their files.
        self._unlink_attachments(attachments)
        mails = self.env["mail.mail"].search(
            [
                "|",
                "|",
                ("recipient_ids", "in", partners.ids),
                ("mail_message_id", "in", (messages | kept).ids),
                ("email_to", "in", [p.email for p in partners if p.email]),
            ]
        )
        mails.unlink()
        self.env["mail.notification"].search(
            [("res_partner_id", "in", partners.ids)]
        ).unlink()
        messages.unlink()
        self.env["mail.activity"].with_context(active_test=False).search(
            PersonalData._on_threads(threads)
        ).unlink()
        self.env["mail.followers"].search(
            [
                "|",
                ("partner_id", "in", partners.ids),
                *PersonalData._on_threads(threads),
            ]
        ).unlink()
        summary = {}
        for records in found.values():
            records = records.exists()
            summary[records._description] = len(records)
            records._personal_data_erase(partners)
        archives.with_context(tracking_disable=True).write({"state": "destroyed"})
        users = (
            self.env["res.users"]
            .with_context(active_test=False)
            .search([("partner_id", "in", partners.ids)])
        )
        for user in users:
            user.write(
                {"login": f"destroyed-{user.id}", "active": False, "signature": False}
            )
        # One write for what every contact loses, then each its own name.
        partners.with_context(tracking_disable=True).write(
            self._anonymous_partner_values()
        )
        for archive in archives:
            archive.partner_id.with_context(tracking_disable=True).name = self.env._(
                "Destroyed archive %s", archive.archive_number
            )
        # Copies of the name, e-mail or phone Odoo made elsewhere: replaced where
        # the record stays, deleted where it is a short-lived copy.
        for model, columns in SCRUBBED_COPIES:
            if model in self.env:
                self._scrub_mentions(model, columns, terms)
        for model, columns in DELETED_COPIES:
            self._search_mentioning(model, columns, terms).unlink()
        return summary

    @api.model
    def _personal_terms(self, archives):
        """What identifies the students in free text, and what replaces it where
        the text stays: ``{term (lower case): replacement}``. Names of any length
        and script (the archive's anonymous name replaces them), e-mails, phones as
        typed and as digits (any formatting)."""
        terms = {}
        for archive in archives:
            partner = archive.partner_id
            name = partner.name and partner.name.strip()
            if name and len(name) >= MIN_TERM:
                terms[name.lower()] = self.env._(
                    "Destroyed archive %s", archive.archive_number
                )
            if partner.email and partner.email.strip():
                terms[partner.email.strip().lower()] = "***"
            for phone in (partner.phone, partner.mobile):
                digits = re.sub(r"\D", "", phone or "")
                if len(digits) >= 6:
                    terms[phone.strip().lower()] = "***"
                    terms[digits] = "***"
                    if len(digits) > 11:
                        terms[digits[-11:]] = "***"  # without the country code
        return terms

    @api.model
    def _term_pattern(self, terms):
        """One regular expression finding any of ``terms``, case-insensitive; a
        term of digits matches whatever separates them (spaces, dashes, dots)."""
        parts = []
        for term in sorted(terms, key=len, reverse=True):
            if term.isdigit():
                parts.append(r"[\s\-.()]*".join(re.escape(d) for d in term))
            else:
                parts.append(re.escape(term))
        return re.compile("|".join(parts), re.IGNORECASE) if parts else None

    @api.model
    def _scrub_mentions(self, model, columns, terms):
        """Replace ``terms`` (``{term: replacement}``) in the ``columns`` of
        ``model``, in SQL (an ORM write would track the old value, the name
        again)."""
        pattern = self._term_pattern(terms)
        rows = self._search_mentioning(model, columns, terms, values=True)
        if not rows:
            return
        Model = self.env[model]

        def replace(match):
            return terms.get(match.group(0).lower(), "***")

        updates = []
        for row_id, values in rows.items():
            changed = {
                column: pattern.sub(replace, value)
                for column, value in zip(columns, values, strict=True)
                if value
            }
            updates.append((row_id, changed))
        for row_id, changed in updates:
            self.env.cr.execute(
                SQL(
                    "UPDATE %s SET %s WHERE id = %s",
                    SQL.identifier(Model._table),
                    SQL(", ").join(
                        SQL("%s = %s", SQL.identifier(column), value)
                        for column, value in changed.items()
                    ),
                    row_id,
                )
            )
        Model.invalidate_model([c for c in columns if c in Model._fields])

    @api.model
    def _search_mentioning(self, model, columns, terms, values=False):
        """Records of ``model`` whose ``columns`` (SQL expressions) mention one of
        ``terms`` (see :meth:`_term_pattern`); with ``values``, ``{id: column
        values}`` instead.

        The table is read in pages and each text scanned once: a cheap look-up of
        its 2-character windows among the terms' beginnings first, then the regular
        expression: the time grows with the size of the table, not with the number
        of terms (an ``ILIKE ANY`` of the 4 000 terms of 1 000 archives over a day
        of bus messages takes minutes)."""
        Model = self.env[model].sudo().with_context(active_test=False)
        pattern = self._term_pattern(terms)
        starts = {term.lower()[:MIN_TERM] for term in terms}
        if not pattern:
            return {} if values else Model
        self.env.flush_all()
        found, last_id = {}, 0
        while rows := self.env.execute_query(
            SQL(
                "SELECT id, %s FROM %s WHERE id > %s ORDER BY id LIMIT %s",
                SQL(", ").join(SQL(column) for column in columns),
                SQL.identifier(Model._table),
                last_id,
                MENTION_PAGE,
            )
        ):
            for row_id, *row in rows:
                text = "\n".join(value for value in row if value)
                lowered = text.lower()
                digits = re.sub(r"[\s\-.()]", "", lowered)
                windows = {
                    chunk[i : i + MIN_TERM]
                    for chunk in (lowered, digits)
                    for i in range(len(chunk) - MIN_TERM + 1)
                }
                if windows & starts and pattern.search(text):
                    found[row_id] = row
            last_id = rows[-1][0]
        return found if values else Model.browse(list(found))

    def _unlink_attachments(self, attachments):
        """Delete the attachments and, once the transaction is committed, their files
        in the filestore (Odoo would only collect them later), unless another
        attachment shares the file."""
        attachments = attachments.exists()
        fnames = set(attachments.filtered("store_fname").mapped("store_fname"))
        Attachment = self.env["ir.attachment"]
        paths = {fname: Attachment._full_path(fname) for fname in fnames}
        attachments.unlink()
        shared = set(
            Attachment.with_context(active_test=False)
            .search([("store_fname", "in", list(fnames))])
            .mapped("store_fname")
        )
        to_remove = [path for fname, path in paths.items() if fname not in shared]

        @self.env.cr.postcommit.add
        def remove_files():
            for path in to_remove:
                try:
                    os.unlink(path)
                except OSError:
                    _logger.warning("Could not remove the destroyed file %s", path)

    def _anonymous_partner_values(self):
        return {
            "email": False,
            "phone": False,
            "mobile": False,
            "street": False,
            "street2": False,
            "zip": False,
            "city": False,
            "vat": False,
            "website": False,
            "function": False,
            "comment": False,
            "ref": False,
            "image_1920": False,
            "active": False,
        }

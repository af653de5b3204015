import hashlib
import json
import logging
import os
from collections import defaultdict

from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import SQL

from .training_student_archive import CLOSED_STATES

_logger = logging.getLogger(__name__)

# Rows read at a time when looking for mentions of destroyed students.
MENTION_PAGE = 10000
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
        "tier.validation",
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
    record_hash = fields.Char(readonly=True, copy=False, index=True)

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
        archives = self.archive_ids
        numbers = ", ".join(archives.sorted("archive_number").mapped("archive_number"))
        approvers = ", ".join(
            self.review_ids.filtered(lambda r: r.status == "approved").done_by.mapped(
                "name"
            )
        )
        self.sudo()._destroy_archives(archives.sudo())
        self.invalidate_recordset(["need_validation"])
        # Serialise the chain: one destruction at a time takes the last hash.
        self.env.cr.execute(
            "SELECT id FROM training_archive_destruction WHERE state = 'done' "
            "ORDER BY executed_date DESC, id DESC LIMIT 1 FOR UPDATE"
        )
        row = self.env.cr.fetchone()
        previous = self.browse(row[0]) if row else self.browse()
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
        """Remove the personal data of ``archives`` for good (as superuser).

        Kept: the archive record itself in state *destroyed* with its number, the
        enrolments and accounting entries (the law keeps them) pointing to an
        anonymised contact, the read log rows (no personal data in them).
        Removed: the contact's identifying data and portal login, the archive's
        registration data, learning-record comments, documents and every attachment
        of the archive's records with its file in the filestore, change requests,
        chatter messages, tracking values and e-mails naming the student.
        """
        partners = archives.partner_id
        terms = [
            term
            for partner in partners
            for term in (partner.name, partner.email, partner.phone, partner.mobile)
            if term and len(term) > 3
        ]
        enrollments = archives.enrollment_ids
        records = self.env["training.learning.record"].search(
            [("archive_id", "in", archives.ids)]
        )
        documents = self.env["training.archive.document"].search(
            [("archive_id", "in", archives.ids)]
        )
        changes = self.env["training.archive.change.request"].search(
            [("archive_id", "in", archives.ids)]
        )
        accesses = self.env["training.archive.access.request"].search(
            [("archive_ids", "in", archives.ids)]
        )
        accesses = accesses.filtered(lambda r: not (r.archive_ids - archives))
        threads = {
            "training.student.archive": archives.ids,
            "training.enrollment": enrollments.ids,
            "training.learning.record": records.ids,
            "training.archive.document": documents.ids,
            "training.archive.change.request": changes.ids,
            "training.archive.access.request": accesses.ids,
            "res.partner": partners.ids,
        }
        # Chatter: messages on the student's records and messages they wrote.
        Message = self.env["mail.message"].with_context(active_test=False)
        message_domain = [("author_id", "in", partners.ids)]
        for model, ids in threads.items():
            if ids:
                message_domain = [
                    "|",
                    "&",
                    ("model", "=", model),
                    ("res_id", "in", ids),
                    *message_domain,
                ]
        messages = Message.search(message_domain)
        attachments = (
            self.env["ir.attachment"].search(self._attachment_domain(threads))
            | messages.attachment_ids
        )
        # First: unlinking their records would delete them without their files.
        self._unlink_attachments(attachments | accesses.authorisation_ids)
        # Tracking values elsewhere naming the student (e.g. a partner change on an
        # invoice): the value goes, the message stays.
        # Short-lived copies Odoo would vacuum later: composer wizards and the
        # notifications pushed to browsers. One pass over each table.
        for model, columns in (
            ("mail.tracking.value", ("old_value_char", "new_value_char")),
            ("mail.compose.message", ("body",)),
            # JSON escapes non-ASCII characters (a Chinese name): read unescaped.
            ("bus.bus", ("message::jsonb::text",)),
        ):
            self._search_mentioning(model, columns, terms).unlink()
        mails = self.env["mail.mail"].search(
            [
                "|",
                "|",
                ("recipient_ids", "in", partners.ids),
                ("mail_message_id", "in", messages.ids),
                ("email_to", "in", [p.email for p in partners if p.email]),
            ]
        )
        mails.unlink()
        messages.unlink()
        activities = self.env["mail.activity"].with_context(active_test=False)
        for model, ids in threads.items():
            if ids:
                activities.search(
                    [("res_model", "=", model), ("res_id", "in", ids)]
                ).unlink()
        changes.with_context(skip_validation_check=True).unlink()
        for access in accesses:
            access.with_context(skip_validation_check=True).write(
                {"purpose": self.env._("(destroyed)")}
            )
        documents.unlink()
        records.write({"description": False, "name": False})
        archives.with_context(tracking_disable=True).write(
            {
                "state": "destroyed",
                "gender": False,
                "birthdate": False,
                "education": False,
                "learning_history": False,
                "learning_goals": False,
                "health_notes": False,
                "identity_type": False,
                "identity_number": False,
                "guardian_id": False,
                "emergency_contact_id": False,
                "emergency_contact_relation": False,
                "paper_location": False,
                "sensitive_consent_date": False,
                "sensitive_consent_partner_id": False,
            }
        )
        # Followers and portal logins of the student.
        self.env["mail.followers"].search([("partner_id", "in", partners.ids)]).unlink()
        users = (
            self.env["res.users"]
            .with_context(active_test=False)
            .search([("partner_id", "in", partners.ids)])
        )
        for user in users:
            user.write(
                {
                    "login": f"destroyed-{user.id}",
                    "active": False,
                }
            )
        # One write for what every contact loses, then each its own name.
        partners.with_context(tracking_disable=True).write(
            self._anonymous_partner_values()
        )
        for archive in archives:
            archive.partner_id.with_context(tracking_disable=True).name = self.env._(
                "Destroyed archive %s", archive.archive_number
            )
        # Accounting documents keep the (anonymised) contact; the references copied
        # from the enrolment name are replaced. In SQL: an ORM write would track the
        # old value (the name again) and re-synchronise each posted invoice's lines;
        # nothing is computed from the origin.
        origins = defaultdict(list)
        for enrollment in enrollments:
            for move in enrollment.invoice_ids:
                origins[move].append(enrollment.name)
        named = [
            SQL("(%s, %s)", move.id, ", ".join(names))
            for move, names in origins.items()
            if move.invoice_origin and any(t in move.invoice_origin for t in terms)
        ]
        self.env.flush_all()
        if named:
            self.env.cr.execute(
                SQL(
                    "UPDATE account_move m SET invoice_origin = v.origin "
                    "FROM (VALUES %s) AS v(id, origin) WHERE m.id = v.id",
                    SQL(", ").join(named),
                )
            )
            self.env["account.move"].invalidate_model(["invoice_origin"])

    @api.model
    def _search_mentioning(self, model, columns, terms):
        """Records of ``model`` whose ``columns`` (SQL expressions) contain one of
        ``terms`` (case-insensitive, more than 3 characters each).

        The table is read in pages and each text scanned once, looking each of its
        4-character windows up among the terms' beginnings: the time grows with the
        size of the table, not with the number of terms (an ``ILIKE ANY`` of the
        4 000 terms of 1 000 archives over a day of bus messages takes minutes)."""
        Model = self.env[model].sudo().with_context(active_test=False)
        by_start = defaultdict(set)
        for term in terms:
            by_start[term.lower()[:4]].add(term.lower())
        if not by_start:
            return Model
        self.env.flush_all()
        found, last_id = [], 0
        while rows := self.env.execute_query(
            SQL(
                "SELECT id, %s FROM %s WHERE id > %s ORDER BY id LIMIT %s",
                SQL(", ").join(SQL(column) for column in columns),
                SQL.identifier(Model._table),
                last_id,
                MENTION_PAGE,
            )
        ):
            for row_id, *values in rows:
                text = "\n".join(value for value in values if value).lower()
                windows = {text[i : i + 4] for i in range(len(text) - 3)}
                if any(
                    term in text
                    for start in windows & by_start.keys()
                    for term in by_start[start]
                ):
                    found.append(row_id)
            last_id = rows[-1][0]
        return Model.browse(found)

    @api.model
    def _attachment_domain(self, threads):
        """Attachments of the given records, binary fields' included."""
        domain = [("id", "=", 0)]
        for model, ids in threads.items():
            if ids and model != "res.partner":
                domain = [
                    "|",
                    "&",
                    ("res_model", "=", model),
                    ("res_id", "in", ids),
                    *domain,
                ]
        return [
            "&",
            "|",
            ("res_field", "=", False),
            ("res_field", "!=", False),
            *domain,
        ]

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

from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools.translate import LazyTranslate

_lt = LazyTranslate(__name__)

ARCHIVIST_GROUP = "training_student_archive.training_student_archive_group_archivist"
# Context key: the write comes from action_student_confirm, which checked who confirms.
STUDENT_CONFIRMATION = "training_student_confirmation"


class TrainingArchiveChangeRequest(models.Model):
    """An information change request (信息变更申请表, ARC-08).

    Staff, or the student from the portal, ask for corrections of the archive: the new
    values, the reason and proof attachments. The request goes through the tiers of
    ``tier.definition`` (seeded: the archivist; an administrator may add or change
    tiers without code), every approval and rejection showing in the chatter (X-03).
    Once approved the values are written to the archive, the old and new values are kept
    on the request and posted on the archive, and the student is e-mailed and asked to
    confirm. A rejected or withdrawn request changes nothing.

    The confirmation is the student's: from the portal (the controller proves the
    request is theirs), or recorded by the archivist from the student's documented
    confirmation (``student_confirmation_note``); nobody else, whatever the client
    (:meth:`action_student_confirm`, :meth:`write`).
    """

    _name = "training.archive.change.request"
    _description = "Archive Change Request"
    _inherit = [
        "training.sequence.mixin",
        "mail.thread",
        "mail.activity.mixin",
        "portal.mixin",
        "training.tier.validation",
        "training.personal.data",
    ]
    _personal_data_purpose = _lt("Requests to correct the archive (ARC-15)")
    _personal_data_retention = _lt("Destroyed with the archive")
    _order = "id desc"
    _check_company_auto = True

    # tier.validation: reviews are asked in draft; passing to "applied" needs them.
    _state_from = ["draft"]
    _state_to = ["applied"]
    _cancel_state = "withdrawn"
    _tier_validation_manual_config = False

    name = fields.Char(
        string="Reference",
        required=True,
        readonly=True,
        copy=False,
        default=lambda self: self.env._("New"),
    )
    archive_id = fields.Many2one(
        "training.student.archive",
        required=True,
        index=True,
        tracking=True,
        check_company=True,
        ondelete="cascade",
    )
    partner_id = fields.Many2one(
        related="archive_id.partner_id", store=True, string="Student"
    )
    company_id = fields.Many2one(
        related="archive_id.company_id", store=True, index=True
    )
    requested_by_id = fields.Many2one(
        "res.users",
        required=True,
        default=lambda self: self.env.user,
        readonly=True,
        index=True,
    )
    origin = fields.Selection(
        [("staff", "Staff"), ("portal", "Student Portal")],
        required=True,
        default="staff",
        readonly=True,
    )
    reason = fields.Text(required=True, help="Why the data must change.")
    line_ids = fields.One2many(
        "training.archive.change.request.line",
        "request_id",
        string="Changes",
        copy=True,
    )
    attachment_ids = fields.Many2many(
        "ir.attachment",
        string="Proof",
        help="Supporting documents: identity card, certificate, official letter.",
    )
    state = fields.Selection(
        [
            ("draft", "Draft"),
            ("applied", "Applied"),
            ("confirmed", "Confirmed by Student"),
            ("rejected", "Rejected"),
            ("withdrawn", "Cancelled"),
        ],
        default="draft",
        required=True,
        tracking=True,
        copy=False,
        index=True,
    )
    applied_date = fields.Datetime(readonly=True, copy=False, tracking=True)
    confirmed_date = fields.Datetime(
        string="Confirmed by Student on", readonly=True, copy=False, tracking=True
    )
    student_confirmation_note = fields.Text(
        string="Student's Confirmation",
        copy=False,
        tracking=True,
        help="How the student confirmed the change (signed form, e-mail, call on "
        "date...): required when the archivist records the confirmation.",
    )

    @api.model
    def _personal_data_domain(self, partners):
        return [("archive_id.partner_id", "in", partners.ids)]

    def _personal_data_erase(self, partners):
        self.with_context(skip_validation_check=True).unlink()

    @api.model_create_multi
    def create(self, vals_list):
        requests = super().create(vals_list)
        # Proof uploaded in the form belongs to the request (and its access rules).
        for request in requests:
            request.attachment_ids.filtered(lambda a: not a.res_id).sudo().write(
                {"res_model": self._name, "res_id": request.id}
            )
        return requests

    def write(self, vals):
        if (
            (vals.get("state") == "confirmed" or "confirmed_date" in vals)
            and not self.env.su
            and not self.env.context.get(STUDENT_CONFIRMATION)
        ):
            raise AccessError(
                self.env._("Only the student confirms an applied change.")
            )
        return super().write(vals)

    def _compute_access_url(self):
        for request in self:
            request.access_url = f"/my/archive/change/{request.id}"

    def _get_under_validation_exceptions(self):
        # The mixin locks the request while it is reviewed; the chatter stays usable.
        return super()._get_under_validation_exceptions() + ["attachment_ids"]

    # -- Flow ----------------------------------------------------------------------

    def _check_request_state(self, allowed):
        wrong = self.filtered(lambda r: r.state not in allowed)
        if wrong:
            raise UserError(
                self.env._(
                    "Change request %s is not in a state that allows this.",
                    ", ".join(wrong.mapped("name")),
                )
            )

    def request_validation(self):
        empty = self.filtered(lambda r: not r.line_ids)
        if empty:
            raise UserError(
                self.env._(
                    "Change request %s asks for no change: add the new values.",
                    ", ".join(empty.mapped("name")),
                )
            )
        return super().request_validation()

    def _get_tier_applicants(self):
        self.ensure_one()
        return self.requested_by_id | self.create_uid

    def _validate_tier(self, tiers=False):
        result = super()._validate_tier(tiers)
        if self.state == "draft" and self.validation_status == "validated":
            self._check_approval_chain()
            self._apply()
        return result

    def _rejected_tier(self, tiers=False):
        result = super()._rejected_tier(tiers)
        if self.state == "draft" and self.validation_status == "rejected":
            self.with_context(skip_validation_check=True).write({"state": "rejected"})
        return result

    def action_apply(self):
        """Apply an approved request. Without any tier defined (an administrator
        removed them) only the archivist may apply, so nothing is ever written to an
        archive without review."""
        self._check_request_state(("draft",))
        is_archivist = self.env.user.has_group(ARCHIVIST_GROUP)
        for request in self:
            if request.need_validation or request.review_ids or not is_archivist:
                raise UserError(
                    self.env._(
                        "Change request %s must be approved through its review "
                        "before it is applied.",
                        request.name,
                    )
                )
        self._apply()

    def _apply(self):
        """Write the new values to the archive (as superuser: the approver may not
        write every field, the approval is the permission), keep the old values,
        post them on the archive and ask the student to confirm."""
        template = self.env.ref(
            "training_student_archive.mail_template_change_request_applied",
            raise_if_not_found=False,
        )
        # need_validation has no dependencies: a value cached before the reviews
        # existed would make the mixin ask for new reviews on the state change.
        self.invalidate_recordset(["need_validation"])
        for request in self:
            archive = request.archive_id.sudo()
            values = {}
            for line in request.line_ids:
                line.old_value = line._format_value(archive[line.field_name])
                values[line.field_name] = line._converted_value()
            archive.write(values)
            request.write({"state": "applied", "applied_date": fields.Datetime.now()})
            archive.message_post(
                body=request._changes_body(),
                subtype_xmlid="mail.mt_note",
            )
            if template and request.partner_id.email:
                request.message_post_with_source(
                    template, subtype_xmlid="mail.mt_comment"
                )

    def _changes_body(self):
        self.ensure_one()
        rows = Markup("").join(
            Markup("<li>%s: %s → %s</li>")
            % (line._field_label(), line.old_value or "", line.new_value or "")
            for line in self.line_ids
        )
        return Markup("%s<ul>%s</ul>%s") % (
            self.env._("Change request %s applied:", self.name),
            rows,
            self.env._("Reason: %s", self.reason),
        )

    def action_student_confirm(self):
        """The student confirms the applied change (ARC-08): the portal controller
        calls it as superuser once it proved the request is the student's; the
        archivist records it from the student's documented confirmation. Anybody
        else is refused and nothing is written."""
        self._check_request_state(("applied",))
        if not self.env.su:
            user = self.env.user
            for request in self:
                if user.partner_id == request.partner_id:
                    continue
                if not user.has_group(ARCHIVIST_GROUP):
                    raise AccessError(
                        self.env._(
                            "Only the student, or the archivist on the student's "
                            "documented confirmation, confirms change request %s.",
                            request.name,
                        )
                    )
                if not (request.student_confirmation_note or "").strip():
                    raise UserError(
                        self.env._(
                            "Write down how the student confirmed change request "
                            "%s (signed form, e-mail, call...) first.",
                            request.name,
                        )
                    )
        self.with_context(**{STUDENT_CONFIRMATION: True}).write(
            {"state": "confirmed", "confirmed_date": fields.Datetime.now()}
        )

    def action_withdraw(self):
        """The requester withdraws the request: nothing is changed."""
        self._check_request_state(("draft",))
        self.write({"state": "withdrawn"})

import re

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools.translate import LazyTranslate

from .training_archive_access_grant import PART_MODELS, archive_numbers_text
from .training_personal_data import BLANK

_lt = LazyTranslate(__name__)

# Between the archive numbers a requester types: commas, semicolons (also the
# Chinese ones), spaces and new lines.
NUMBER_SEPARATORS = re.compile(r"[\s,;\uff0c\uff1b\u3001]+")


class TrainingArchiveAccessRequest(models.Model):
    """A request to consult student archives (学员档案查阅申请表).

    *Internal* (ARC-09): a staff member states the purpose and the parts of the
    archives needed; their department head (the administrative supervisor's tier)
    approves. *External* (ARC-10): a guardian or a partner organisation asks through a
    staff member, with the student's or guardian's written authorisation attached; the
    institution head (management tier) approves. Tiers are ``tier.definition`` records
    an administrator may change. Approval creates a time-limited
    ``training.archive.access.grant`` for the requester; closing the request, or its
    expiry, ends it. The archivist serves and closes requests.
    """

    _name = "training.archive.access.request"
    _description = "Archive Access Request"
    _inherit = [
        "training.sequence.mixin",
        "mail.thread",
        "mail.activity.mixin",
        "training.tier.validation",
        "training.personal.data",
    ]
    _order = "id desc"
    # The request stays (who asked to read what, and when); its purpose goes.
    _personal_data_erasure = BLANK
    _personal_data_purpose = _lt("Requests to read archives (ARC-11)")
    _personal_data_retention = _lt("Kept without its purpose after destruction")
    _check_company_auto = True

    _state_from = ["draft"]
    _state_to = ["approved"]
    _cancel_state = "cancel"
    _tier_validation_manual_config = False

    name = fields.Char(
        string="Reference",
        required=True,
        readonly=True,
        copy=False,
        default=lambda self: self.env._("New"),
    )
    request_type = fields.Selection(
        [("internal", "Internal"), ("external", "External")],
        required=True,
        default="internal",
        tracking=True,
    )
    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda self: self.env.company
    )
    requested_by_id = fields.Many2one(
        "res.users",
        required=True,
        readonly=True,
        index=True,
        default=lambda self: self.env.user,
        help="Staff member who reads the archives once the request is approved.",
    )
    external_partner_id = fields.Many2one(
        "res.partner",
        string="Requesting Party",
        tracking=True,
        help="Guardian, parent or partner organisation asking for the archive.",
    )
    purpose = fields.Text(required=True)
    archive_ids = fields.Many2many(
        "training.student.archive",
        string="Archives",
        required=True,
        check_company=True,
    )
    # The requester names the archives by number, without reading them (issue 15):
    # resolved to archive_ids, the source of truth, on create and write.
    archive_numbers = fields.Char(
        compute="_compute_archive_numbers",
        readonly=False,
        help="The numbers of the archives needed, separated by commas, spaces or "
        "new lines. Only exact archive numbers are recognised.",
    )
    part_ids = fields.Many2many(
        "training.archive.part",
        string="Parts",
        required=True,
        help="Which parts of the archives are needed.",
    )
    authorisation_ids = fields.Many2many(
        "ir.attachment",
        string="Written Authorisation",
        help="The student's (or guardian's) signed authorisation and the proof "
        "documents of the requesting party.",
    )
    valid_until = fields.Datetime(
        required=True, tracking=True, help="The access ends at this time."
    )
    state = fields.Selection(
        [
            ("draft", "Draft"),
            ("approved", "Access Granted"),
            ("closed", "Closed"),
            ("rejected", "Rejected"),
            ("cancel", "Cancelled"),
        ],
        default="draft",
        required=True,
        tracking=True,
        copy=False,
        index=True,
    )
    grant_ids = fields.One2many(
        "training.archive.access.grant", "request_id", string="Grants", readonly=True
    )
    closed_date = fields.Datetime(readonly=True, copy=False, tracking=True)
    # The buttons of the requester once granted (see the grant's).
    can_open_registration = fields.Boolean(compute="_compute_can_open")
    can_open_learning = fields.Boolean(compute="_compute_can_open")
    can_open_documents = fields.Boolean(compute="_compute_can_open")

    @api.model
    def _personal_data_domain(self, partners):
        return [("archive_ids.partner_id", "in", partners.ids)]

    def _personal_data_blank_values(self):
        return {"purpose": self.env._("(destroyed)")}

    def _personal_data_erase(self, partners):
        return super(
            TrainingArchiveAccessRequest, self.with_context(skip_validation_check=True)
        )._personal_data_erase(partners)

    @api.depends("archive_ids")
    def _compute_archive_numbers(self):
        numbers = archive_numbers_text(self, "archive_ids")
        for request in self:
            request.archive_numbers = numbers[request]

    @api.depends(
        "grant_ids.can_open_registration",
        "grant_ids.can_open_learning",
        "grant_ids.can_open_documents",
    )
    @api.depends_context("uid")
    def _compute_can_open(self):
        for request in self:
            for code in PART_MODELS:
                fname = f"can_open_{code}"
                request[fname] = any(request.grant_ids.mapped(fname))

    def _action_open_part(self, code):
        """The part ``code`` of the archives, through the requester's valid grant."""
        self.ensure_one()
        grant = self.grant_ids.filtered(f"can_open_{code}")[:1]
        if not grant:
            raise UserError(
                self.env._(
                    "Access request %s gives you no valid access to open.", self.name
                )
            )
        return grant._action_open_part(code)

    def action_open_registration(self):
        return self._action_open_part("registration")

    def action_open_learning(self):
        return self._action_open_part("learning")

    def action_open_documents(self):
        return self._action_open_part("documents")

    @api.model
    def _archives_from_numbers(self, text, company):
        """The archives of ``company`` numbered exactly as in ``text`` (issue 15).
        Looked up as superuser, the requester does not read the archives; only an
        exact number matches: no name, no part of a number, so nobody finds out who
        is a student. Unknown numbers are refused by name."""
        numbers = list(
            dict.fromkeys(n for n in NUMBER_SEPARATORS.split(text or "") if n)
        )
        if not numbers:
            raise ValidationError(
                self.env._("Give the number of at least one archive.")
            )
        archives = (
            self.env["training.student.archive"]
            .sudo()
            .with_context(active_test=False)
            .search(
                [("archive_number", "in", numbers), ("company_id", "=", company.id)]
            )
        )
        unknown = [
            n for n in numbers if n not in set(archives.mapped("archive_number"))
        ]
        if unknown:
            raise ValidationError(
                self.env._(
                    "No archive has the number %s. Give the exact archive numbers.",
                    ", ".join(unknown),
                )
            )
        return archives

    def _resolve_archive_numbers(self, vals, company):
        """``vals`` with ``archive_numbers`` replaced by the archives it names."""
        if "archive_numbers" not in vals:
            return vals
        vals = dict(vals)
        text = vals.pop("archive_numbers")
        if vals.get("company_id"):
            company = self.env["res.company"].browse(vals["company_id"])
        archives = self._archives_from_numbers(text, company)
        vals["archive_ids"] = [fields.Command.set(archives.ids)]
        return vals

    @api.model_create_multi
    def create(self, vals_list):
        vals_list = [
            self._resolve_archive_numbers(vals, self.env.company) for vals in vals_list
        ]
        requests = super().create(vals_list)
        for request in requests:
            request.authorisation_ids.filtered(lambda a: not a.res_id).sudo().write(
                {"res_model": self._name, "res_id": request.id}
            )
        return requests

    def write(self, vals):
        if not self:
            return True
        if "archive_numbers" in vals:
            if len(self.company_id) > 1 and not vals.get("company_id"):
                for request in self:
                    request.write(vals)
                return True
            vals = self._resolve_archive_numbers(vals, self.company_id)
        if self.env.su or "archive_ids" not in vals:
            return super().write(vals)
        # The requester does not read the archives they asked for: the ORM would
        # compute the change of the Many2many from the archives they read only,
        # and keep the others. Checked as the requester, written as superuser.
        vals = dict(vals)
        commands = vals.pop("archive_ids")
        result = super().write(vals) if vals else True
        self.check_access("write")
        not_draft = self.filtered(lambda r: r.state != "draft")
        if not_draft:
            raise UserError(
                self.env._(
                    "The archives of an access request can only be changed while "
                    "it is a draft: %s.",
                    ", ".join(not_draft.mapped("name")),
                )
            )
        super(TrainingArchiveAccessRequest, self.sudo()).write(
            {"archive_ids": commands}
        )
        return result

    @api.constrains("valid_until")
    def _check_valid_until(self):
        now = fields.Datetime.now()
        for request in self:
            if request.state == "draft" and request.valid_until <= now:
                raise ValidationError(
                    self.env._("The access of %s must end in the future.", request.name)
                )

    def request_validation(self):
        for request in self:
            if request.request_type == "external" and not request.authorisation_ids:
                raise UserError(
                    self.env._(
                        "External access request %s needs the student's or "
                        "guardian's written authorisation attached.",
                        request.name,
                    )
                )
            if request.request_type == "external" and not request.external_partner_id:
                raise UserError(
                    self.env._(
                        "External access request %s needs the requesting party.",
                        request.name,
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
            self._grant()
        return result

    def _rejected_tier(self, tiers=False):
        result = super()._rejected_tier(tiers)
        if self.state == "draft" and self.validation_status == "rejected":
            self.with_context(skip_validation_check=True).write({"state": "rejected"})
        return result

    def _grant(self):
        """Create the grant of the approved request. As superuser: the approver
        gives the access, the grant is not theirs to edit afterwards."""
        # need_validation has no dependencies: refresh it before the state change.
        self.invalidate_recordset(["need_validation"])
        for request in self:
            request.write({"state": "approved"})
            self.env["training.archive.access.grant"].sudo().create(
                {
                    "request_id": request.id,
                    "user_id": request.requested_by_id.id,
                    "archive_ids": [fields.Command.set(request.archive_ids.ids)],
                    "part_ids": [fields.Command.set(request.part_ids.ids)],
                    "valid_until": request.valid_until,
                    "company_id": request.company_id.id,
                }
            )

    def action_close(self):
        """The archives are returned: the access ends now (ARC-09)."""
        wrong = self.filtered(lambda r: r.state != "approved")
        if wrong:
            raise UserError(
                self.env._(
                    "Only a granted access request can be closed: %s.",
                    ", ".join(wrong.mapped("name")),
                )
            )
        self.sudo().grant_ids.write({"active": False})
        self.write({"state": "closed", "closed_date": fields.Datetime.now()})

    def action_cancel(self):
        wrong = self.filtered(lambda r: r.state != "draft")
        if wrong:
            raise UserError(
                self.env._(
                    "Only a draft access request can be cancelled: %s.",
                    ", ".join(wrong.mapped("name")),
                )
            )
        self.write({"state": "cancel"})

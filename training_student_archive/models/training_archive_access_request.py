from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools.translate import LazyTranslate

from .training_personal_data import BLANK

_lt = LazyTranslate(__name__)


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
        "tier.validation",
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

    @api.model
    def _personal_data_domain(self, partners):
        return [("archive_ids.partner_id", "in", partners.ids)]

    def _personal_data_blank_values(self):
        return {"purpose": self.env._("(destroyed)")}

    def _personal_data_erase(self, partners):
        return super(
            TrainingArchiveAccessRequest, self.with_context(skip_validation_check=True)
        )._personal_data_erase(partners)

    @api.model_create_multi
    def create(self, vals_list):
        requests = super().create(vals_list)
        for request in requests:
            request.authorisation_ids.filtered(lambda a: not a.res_id).sudo().write(
                {"res_model": self._name, "res_id": request.id}
            )
        return requests

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

    def _validate_tier(self, tiers=False):
        result = super()._validate_tier(tiers)
        if self.state == "draft" and self.validation_status == "validated":
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

from datetime import timedelta

from odoo import Command, api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import format_amount, format_date
from odoo.tools.translate import LazyTranslate

from odoo.addons.training_student_archive.models.training_personal_data import BLANK

from .. import refund_engine
from .training_attrition_reason import CASE_TYPES

_lt = LazyTranslate(__name__)

# Fields the attrition rates count from (training.attrition.report.rate).
RATE_FIELDS = {
    "state",
    "case_type",
    "effective_date",
    "approval_date",
    "reason_id",
    "suspend",
    "enrollment_ids",
}
# Types whose approval ends the enrolments as withdrawn (transfer: as transferred).
WITHDRAWING_TYPES = ("withdrawal", "arrears", "disciplinary", "force_majeure")
# Fields only the case itself writes (state, statement, accounting, approval dates,
# origin): written by its flow through _write_system (with skip_validation_check,
# since base_tier_validation freezes a case under review). create() and write()
# refuse them to everybody else, administrators and superuser included.
SYSTEM_FIELDS = (
    "state",
    "approval_date",
    "closed_date",
    "origin",
    "submitted_by_id",
    "refund_move_ids",
    "refund_payment_ids",
    "amount_invoiced",
    "amount_paid",
    "amount_arrears",
    "amount_gross",
    "amount_deductions",
    "amount_credit",
    "amount_arrears_netted",
    "amount_forgiven",
    "amount_refund",
    "statement_date",
    "coupon_id",
)
# Fields the verification steps fill in while the case is under review (the
# confirmation of the receiving institution, the proof check, the materials
# checklist, the documents): every other field is frozen by the review.
REVIEW_STEP_FIELDS = (
    "use_refund_override",
    "refund_override",
    "forgive_arrears",
    "backdate_confirmed",
    "transfer_confirmed",
    "transfer_confirmation_date",
    "proof_verified",
    "material_ids",
    "attachment_ids",
    "description",
    "user_id",
    "is_typical",
)
# Approved and closed cases are locked: only these fields still change, besides
# what the flow itself writes (management marks typical cases for the reports,
# the case changes hands, the mail bookkeeping Odoo writes itself).
LOCKED_STATES = ("approved", "done", "reversed")
LOCK_EXEMPT_FIELDS = (
    "is_typical",
    "user_id",
    "access_token",
    "message_main_attachment_id",
    "message_follower_ids",
    "message_ids",
    "website_message_ids",
    "activity_ids",
)
# ... and, while approved (before the closing), the materials handed back.
APPROVED_STEP_FIELDS = ("material_ids",)


class TrainingAttritionCase(models.Model):
    """An attrition case (流失): a student leaves before finishing the courses
    (RET-01) by withdrawal, transfer, arrears, disciplinary measure or force majeure.

    Who does what:

    * customer service (or the student on the portal, or teaching staff for a
      disciplinary proposal, or finance for arrears) opens the case and submits it;
    * the approval tiers (``tier.definition`` records of ``base_tier_validation``,
      editable, seeded per type in ``data/tier_definition_data.xml``) approve in order;
      for a withdrawal customer service verifies identity and enrolment, finance checks
      payments and arrears, management approves (RET-02, X-03);
    * on the last approval the student is notified, the enrolments stop, the refund of
      the policy becomes a posted credit note against the enrolments' invoices,
      reconciled with the open ones, and the rest is paid out (RET-07, X-04);
    * customer service ticks the materials handed back and closes the case: the
      archive is sealed and a follow-up call is planned.

    The refund is never created twice and never exceeds what the student paid.

    Approval integrity (RET-02, X-03, X-04): the reviews change only through
    validate_tier/reject_tier (``training.tier.validation``); each tier is approved
    by a different person who is not an *applicant*: the user who created the case
    (``create_uid``; the student's portal user for a portal application, the
    scheduler for automatic cases) and the user who submitted it
    (``submitted_by_id``). The chain is verified again before anything is carried
    out, and the state, dates and amounts (``SYSTEM_FIELDS``) are written by the
    case's flow only.
    """

    _name = "training.attrition.case"
    _description = "Attrition Case"
    _inherit = [
        "training.sequence.mixin",
        "mail.thread",
        "mail.activity.mixin",
        "portal.mixin",
        "training.tier.validation",
        "training.personal.data",
    ]
    # Kept with its amounts and credit notes (accounts), without the details.
    _personal_data_erasure = BLANK
    _personal_data_purpose = _lt(
        "Withdrawals, transfers, arrears, discipline, force majeure, refunds"
    )
    _personal_data_retention = _lt(
        "Kept with the accounting entries, without the details and documents"
    )
    _order = "application_date desc, id desc"
    _check_company_auto = True

    _state_from = ["draft", "to_approve"]
    _state_to = ["approved"]
    _cancel_state = "cancel"

    name = fields.Char(
        string="Reference",
        required=True,
        readonly=True,
        copy=False,
        default=lambda self: self.env._("New"),
    )
    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda self: self.env.company
    )
    currency_id = fields.Many2one(
        "res.currency",
        compute="_compute_currency_id",
        store=True,
        help="The currency of the enrolments' invoices (the company's when there are "
        "none): the refund is computed and credited in it.",
    )
    case_type = fields.Selection(
        CASE_TYPES, string="Type", required=True, default="withdrawal", tracking=True
    )
    state = fields.Selection(
        [
            ("draft", "Application"),
            ("to_approve", "Under Approval"),
            ("approved", "Approved"),
            ("done", "Closed"),
            ("reversed", "Reversed"),
            ("rejected", "Rejected"),
            ("cancel", "Cancelled"),
        ],
        default="draft",
        required=True,
        readonly=True,
        tracking=True,
        copy=False,
        index=True,
    )
    partner_id = fields.Many2one(
        "res.partner",
        string="Student",
        required=True,
        index=True,
        tracking=True,
        check_company=True,
    )
    archive_id = fields.Many2one(
        "training.student.archive",
        compute="_compute_archive_id",
        store=True,
        index=True,
        check_company=True,
    )
    enrollment_ids = fields.Many2many(
        "training.enrollment",
        "training_attrition_case_enrollment_rel",
        "case_id",
        "enrollment_id",
        string="Enrolments",
        check_company=True,
        domain="[('partner_id', '=', partner_id), ('state', '=', 'active')]",
    )
    reason_id = fields.Many2one(
        "training.attrition.reason",
        tracking=True,
        domain="[('case_type', '=', case_type)]",
    )
    description = fields.Text(string="Details")
    is_typical = fields.Boolean(
        string="Typical Case",
        tracking=True,
        copy=False,
        help="Management marks the cases shown in the quarterly and yearly "
        "attrition reports (RET-11).",
    )
    origin = fields.Selection(
        [("staff", "Staff"), ("portal", "Student Portal"), ("system", "Automatic")],
        default="staff",
        required=True,
        readonly=True,
        copy=False,
    )
    submitted_by_id = fields.Many2one(
        "res.users",
        readonly=True,
        copy=False,
        help="Who sent the application to the approvals: an applicant, who cannot "
        "approve it.",
    )
    application_date = fields.Date(
        required=True, default=fields.Date.context_today, tracking=True
    )
    effective_date = fields.Date(
        required=True,
        default=fields.Date.context_today,
        tracking=True,
        help="Date the student leaves: the refund is computed on this date.",
    )
    user_id = fields.Many2one(
        "res.users",
        string="Customer Service",
        default=lambda self: self.env.user,
        tracking=True,
        domain="[('share', '=', False)]",
    )
    approval_date = fields.Datetime(readonly=True, copy=False)
    closed_date = fields.Date(readonly=True, copy=False)
    attachment_ids = fields.Many2many(
        "ir.attachment",
        "training_attrition_case_attachment_rel",
        "case_id",
        "attachment_id",
        string="Documents",
        help="Application form, proofs (medical certificate, official document), "
        "confirmations.",
    )
    material_ids = fields.One2many(
        "training.attrition.material", "case_id", string="Materials"
    )
    # Refund (RET-07)
    policy_id = fields.Many2one(
        "training.refund.policy",
        string="Refund Policy",
        compute="_compute_policy_id",
        store=True,
        readonly=False,
        check_company=True,
        tracking=True,
    )
    statement_line_ids = fields.One2many(
        "training.refund.statement.line", "case_id", string="Refund Statement"
    )
    statement_date = fields.Datetime(readonly=True, copy=False)
    amount_invoiced = fields.Monetary(readonly=True, copy=False)
    amount_paid = fields.Monetary(readonly=True, copy=False)
    amount_arrears = fields.Monetary(string="Arrears", readonly=True, copy=False)
    amount_gross = fields.Monetary(string="Refundable Value", readonly=True, copy=False)
    amount_deductions = fields.Monetary(string="Deductions", readonly=True, copy=False)
    amount_credit = fields.Monetary(
        string="Credit Note Amount", readonly=True, copy=False, aggregator="sum"
    )
    amount_arrears_netted = fields.Monetary(
        string="Arrears Netted", readonly=True, copy=False
    )
    amount_refund = fields.Monetary(
        string="Refund to Pay", readonly=True, copy=False, aggregator="sum"
    )
    amount_forgiven = fields.Monetary(
        string="Arrears Forgiven", readonly=True, copy=False
    )
    # Finance's decisions (RET-07): explicit, on the statement, finance only.
    use_refund_override = fields.Boolean(
        string="Override the Refund",
        tracking=True,
        groups="training_student_archive.training_student_archive_group_finance",
        help="Finance sets the refundable value by hand (e.g. a goodwill gesture "
        "approved by management) instead of the policy's result. Arrears are still "
        "netted unless forgiven.",
    )
    refund_override = fields.Monetary(
        string="Refundable Value Set by Finance",
        tracking=True,
        copy=False,
        groups="training_student_archive.training_student_archive_group_finance",
    )
    forgive_arrears = fields.Monetary(
        string="Arrears to Forgive",
        tracking=True,
        copy=False,
        groups="training_student_archive.training_student_archive_group_finance",
        help="Finance forgives this part of what the student still owes: it is "
        "credited on top of the refund and shown on the statement.",
    )
    backdate_confirmed = fields.Boolean(
        string="Back-dated Leaving Date Confirmed",
        tracking=True,
        copy=False,
        groups="training_student_archive.training_student_archive_group_finance",
        help="Finance confirms a leaving date further in the past than the company "
        "allows without confirmation (Settings).",
    )
    refund_move_ids = fields.One2many(
        "account.move",
        "training_attrition_case_id",
        string="Credit Notes",
        readonly=True,
        groups="account.group_account_invoice",
    )
    refund_payment_ids = fields.Many2many(
        "account.payment",
        string="Refund Payments",
        compute="_compute_refund_payments",
        groups="account.group_account_invoice",
    )
    has_refund = fields.Boolean(compute="_compute_refund_payments")
    refund_state = fields.Selection(
        [
            ("none", "Nothing to Pay"),
            ("to_pay", "Refund to Pay"),
            ("paid", "Refund Paid"),
            ("reversed", "Reversed"),
        ],
        compute="_compute_refund_state",
        store=True,
        tracking=True,
    )
    # Transfer (RET-03)
    receiving_institution_id = fields.Many2one("res.partner", tracking=True)
    transfer_confirmed = fields.Boolean(
        string="Receiving Institution Confirmed", tracking=True, copy=False
    )
    transfer_confirmation_date = fields.Date(copy=False)
    followup_interval_days = fields.Integer(
        string="Follow-up Every (days)",
        default=30,
        help="Transfers: a follow-up activity is planned every so many days.",
    )
    followup_count = fields.Integer(
        string="Follow-ups Planned",
        default=3,
        help="Transfers: number of periodic follow-up activities.",
    )
    # Force majeure (RET-06)
    proof_verified = fields.Boolean(
        tracking=True,
        copy=False,
        help="Customer service checked the proof documents (medical certificate, "
        "official document). Required before approval.",
    )
    keep_materials = fields.Boolean(
        help="The student keeps the learning materials free of charge."
    )
    reenrol_coupon = fields.Boolean(
        string="Re-enrolment Discount Coupon",
        help="On approval the student receives one coupon of the company's "
        "re-enrolment discount program (Settings), e-mailed with the decision.",
    )
    coupon_id = fields.Many2one(
        "loyalty.card",
        string="Re-enrolment Coupon",
        readonly=True,
        copy=False,
        check_company=True,
    )
    coupon_code = fields.Char(related="coupon_id.code", string="Coupon Code")
    suspend = fields.Boolean(
        string="Suspend Instead of Withdraw",
        help="The enrolments stay open; the student has until the come-back date "
        "to resume.",
    )
    comeback_deadline = fields.Date(string="Come Back By")
    # Disciplinary (RET-05)
    violation_ids = fields.Many2many(
        "training.violation",
        "training_attrition_case_violation_rel",
        "case_id",
        "violation_id",
        string="Violations",
        check_company=True,
        domain="[('partner_id', '=', partner_id)]",
    )

    _sql_constraints = [
        (
            "name_company_uniq",
            "unique(name, company_id)",
            "A case reference must be unique.",
        ),
        (
            "coupon_uniq",
            "unique(coupon_id)",
            "A re-enrolment coupon belongs to one attrition case only.",
        ),
    ]

    # -- personal data ----------------------------------------------------------------

    def _personal_data_blank_values(self):
        return {"description": False}

    def _personal_data_erase(self, partners):
        """The case stays for the accounts and the statistics (a flow write: an
        approved case is locked); its documents (proofs) go with their files."""
        self.env["training.archive.destruction"]._unlink_attachments(
            self.attachment_ids
        )
        self._write_system(self._personal_data_blank_values())

    # -- computes and constraints -----------------------------------------------------

    @api.depends("partner_id", "company_id")
    def _compute_archive_id(self):
        archives = (
            self.env["training.student.archive"]
            .sudo()
            .with_context(active_test=False)
            .search([("partner_id", "in", self.partner_id.ids)])
        )
        by_key = {(a.partner_id.id, a.company_id.id): a.id for a in archives}
        for case in self:
            case.archive_id = by_key.get((case.partner_id.id, case.company_id.id))

    @api.depends("case_type", "company_id")
    def _compute_policy_id(self):
        Policy = self.env["training.refund.policy"]
        for case in self:
            if case.state in ("draft", "to_approve") or not case.policy_id:
                case.policy_id = Policy._get_policy(case.case_type, case.company_id)

    def _compute_access_url(self):
        res = super()._compute_access_url()
        for case in self:
            case.access_url = f"/my/attrition/{case.id}"
        return res

    @api.constrains("partner_id", "enrollment_ids")
    def _check_enrollments(self):
        for case in self:
            if case.enrollment_ids.partner_id - case.partner_id:
                raise ValidationError(
                    self.env._(
                        "Case %s: every enrolment must belong to the student.",
                        case.name,
                    )
                )

    @api.depends("company_id", "enrollment_ids.invoice_ids.currency_id")
    def _compute_currency_id(self):
        for case in self:
            currencies = case._refund_invoices().currency_id
            case.currency_id = currencies[:1] or case.company_id.currency_id

    def _refund_invoices(self):
        """The posted customer invoices of the case's enrolments."""
        return self.enrollment_ids.sudo().invoice_ids.filtered(
            lambda m: m.state == "posted" and m.move_type == "out_invoice"
        )

    @api.depends("refund_move_ids.payment_state")
    def _compute_refund_payments(self):
        for case in self:
            moves = case.sudo().refund_move_ids
            case.has_refund = bool(moves)
            case.sudo().refund_payment_ids = moves._get_reconciled_payments()

    @api.depends(
        "refund_move_ids.payment_state",
        "refund_move_ids.amount_residual",
        "refund_move_ids.reversal_move_ids.state",
    )
    def _compute_refund_state(self):
        for case in self:
            moves = case.sudo().refund_move_ids
            if not moves:
                case.refund_state = "none"
            elif all(m._training_is_reversed() for m in moves):
                case.refund_state = "reversed"
            elif any(not m.currency_id.is_zero(m.amount_residual) for m in moves):
                case.refund_state = "to_pay"
            else:
                case.refund_state = "paid"

    def _last_attended(self):
        """{enrolment: date of its last attended lesson}."""
        return dict(
            self.env["training.learning.record"]
            .sudo()
            ._read_group(
                [
                    ("enrollment_id", "in", self.enrollment_ids.ids),
                    ("attendance", "in", ("present", "late", "early_leave")),
                ],
                ["enrollment_id"],
                ["date:max"],
            )
        )

    @api.constrains("effective_date", "enrollment_ids")
    def _check_effective_date(self):
        """The student leaves after enrolling and never before the last lesson
        attended: a back-dated leaving date cannot pay back lessons consumed."""
        for case in self:
            last_attended = case._last_attended()
            for enrollment in case.enrollment_ids:
                enrolled_on = enrollment._training_enrolled_on()
                if case.effective_date < enrolled_on:
                    raise ValidationError(
                        self.env._(
                            "The effective date %(date)s of case %(case)s is before "
                            "the enrolment %(enrollment)s of %(enrolled)s.",
                            date=case.effective_date,
                            case=case.name,
                            enrollment=enrollment.display_name,
                            enrolled=enrolled_on,
                        )
                    )
                attended = last_attended.get(enrollment)
                if attended and case.effective_date < fields.Date.to_date(attended):
                    raise ValidationError(
                        self.env._(
                            "The effective date %(date)s of case %(case)s is before "
                            "the last lesson %(enrollment)s attended, on %(lesson)s.",
                            date=case.effective_date,
                            case=case.name,
                            enrollment=enrollment.display_name,
                            lesson=attended,
                        )
                    )

    @api.constrains("enrollment_ids", "state")
    def _check_one_case_per_enrollment(self):
        """At most one open or approved case per enrolment: a student is never
        refunded twice for the same course."""
        live = ("draft", "to_approve", "approved", "done")
        cases = self.filtered(lambda c: c.state in live and c.enrollment_ids)
        if not cases:
            return
        self.env["training.attrition.case"].flush_model(["state", "enrollment_ids"])
        # A new row version of the enrolments: two transactions adding a case to the
        # same enrolment at once conflict, and the second one is retried (and sees
        # the first case).
        self.env.cr.execute(
            "UPDATE training_enrollment SET id = id WHERE id IN %s",
            (tuple(cases.enrollment_ids.ids),),
        )
        self.env.cr.execute(
            """
            SELECT rel.enrollment_id, MIN(c.name)
              FROM training_attrition_case_enrollment_rel rel
              JOIN training_attrition_case c ON c.id = rel.case_id
             WHERE rel.enrollment_id IN %s AND c.state IN %s
          GROUP BY rel.enrollment_id
            HAVING COUNT(*) > 1
            """,
            (tuple(cases.enrollment_ids.ids), live),
        )
        clash = self.env.cr.fetchone()
        if clash:
            enrollment = self.env["training.enrollment"].browse(clash[0]).sudo()
            raise ValidationError(
                self.env._(
                    "The enrolment %(enrollment)s already has an open or approved "
                    "attrition case (%(case)s): a course is left, and refunded, once.",
                    enrollment=enrollment.display_name,
                    case=clash[1],
                )
            )

    @api.constrains("use_refund_override", "refund_override", "forgive_arrears")
    def _check_finance_amounts(self):
        """Finance's override and forgiveness stay within the accounts: never
        negative, never more than the invoices can still be credited (what was paid
        and what is owed), never more arrears forgiven than owed."""
        for case in self.sudo():
            currency = case.currency_id
            override = case.refund_override if case.use_refund_override else 0.0
            if (
                currency.compare_amounts(override, 0.0) < 0
                or currency.compare_amounts(case.forgive_arrears, 0.0) < 0
            ):
                raise ValidationError(
                    self.env._(
                        "Case %s: a refund or a forgiven amount cannot be negative.",
                        case.name,
                    )
                )
            if not override and not case.forgive_arrears:
                continue
            invoices = [
                inv
                for enrollment in case._refund_input().enrollments
                for inv in enrollment.invoices
            ]
            room = sum(
                min(inv.total - inv.credited, inv.paid + inv.residual)
                for inv in invoices
            )
            owed = sum(inv.residual for inv in invoices)
            if currency.compare_amounts(override + case.forgive_arrears, room) > 0:
                raise ValidationError(
                    self.env._(
                        "Case %(case)s: %(amount)s is more than the %(room)s the "
                        "invoices can still be credited (paid or owed).",
                        case=case.name,
                        amount=format_amount(
                            self.env, override + case.forgive_arrears, currency
                        ),
                        room=format_amount(self.env, room, currency),
                    )
                )
            if currency.compare_amounts(case.forgive_arrears, owed) > 0:
                raise ValidationError(
                    self.env._(
                        "Case %(case)s: %(amount)s of arrears cannot be forgiven, the "
                        "student owes %(owed)s.",
                        case=case.name,
                        amount=format_amount(self.env, case.forgive_arrears, currency),
                        owed=format_amount(self.env, owed, currency),
                    )
                )

    @api.model_create_multi
    def create(self, vals_list):
        records = self
        if not self._in_training_flow():
            for vals in vals_list:
                self._check_system_fields(vals.keys())
            # Defaults of the context (an action's, a JSON-RPC caller's) never set
            # them either: dropped.
            system_defaults = {f"default_{name}" for name in SYSTEM_FIELDS}
            if system_defaults & self.env.context.keys():
                # A dict replaces the context (keyword arguments would only add
                # to it, keeping the defaults).
                records = self.with_context(  # pylint: disable=context-overridden
                    {
                        key: value
                        for key, value in self.env.context.items()
                        if key not in system_defaults
                    }
                )
        return super(TrainingAttritionCase, records).create(vals_list)

    def write(self, vals):
        records = self
        if not self._in_training_flow():
            self._check_system_fields(vals.keys())
            self._check_locked(vals.keys())
            # skip_validation_check lifts the freeze under review: it is the
            # flow's (_write_system), not a context key for a JSON-RPC caller.
            if self.env.context.get("skip_validation_check"):
                records = self.with_context(skip_validation_check=False)
        result = super(TrainingAttritionCase, records).write(vals)
        if RATE_FIELDS & vals.keys():
            self.env["training.attrition.report.rate"]._trigger_refresh()
        return result

    @api.ondelete(at_uninstall=False)
    def _unlink_except_carried_out(self):
        if self.filtered(
            lambda c: c.state in ("approved", "done", "reversed") or c.has_refund
        ):
            raise UserError(
                self.env._(
                    "Approved cases are part of the student's file and the accounts: "
                    "they cannot be deleted."
                )
            )

    def _check_system_fields(self, field_names):
        """SYSTEM_FIELDS are the flow's: refused to every other create and write,
        whoever calls (RPC, administrator, superuser)."""
        forbidden = [name for name in SYSTEM_FIELDS if name in field_names]
        if forbidden:
            raise UserError(
                self.env._(
                    "The approval and refund flow of an attrition case sets these "
                    "fields, nobody else: %(fields)s. Use the buttons of the case.",
                    fields=", ".join(
                        self._fields[name]._description_string(self.env)
                        for name in forbidden
                    ),
                )
            )

    def _check_locked(self, field_names):
        """Approved and closed cases are locked (RET-02, X-04)."""
        for case in self.filtered(lambda c: c.state in LOCKED_STATES):
            allowed = set(LOCK_EXEMPT_FIELDS)
            if case.state == "approved":
                allowed.update(APPROVED_STEP_FIELDS)
            locked = [name for name in field_names if name not in allowed]
            if locked:
                raise UserError(
                    self.env._(
                        "Case %(case)s is %(state)s: %(fields)s can no longer change.",
                        case=case.name,
                        state=case._get_state_label(),
                        fields=", ".join(
                            self._fields[name]._description_string(self.env)
                            for name in locked
                            if name in self._fields
                        ),
                    )
                )

    def _write_system(self, vals):
        """Write the fields the case computes itself, also while it is under review:
        the flow's only way to write SYSTEM_FIELDS (see training.tier.validation for
        why an RPC caller cannot do the same)."""
        return (
            self._training_flow().with_context(skip_validation_check=True).write(vals)
        )

    def _create_system(self, vals_list):
        """Create cases with SYSTEM_FIELDS (origin), for the portal and the
        scheduler."""
        return self._training_flow().create(vals_list).with_env(self.env)

    def _get_tier_applicants(self):
        self.ensure_one()
        return self.create_uid | self.submitted_by_id

    def _get_under_validation_exceptions(self):
        return (
            super()._get_under_validation_exceptions()
            + list(SYSTEM_FIELDS)
            + list(REVIEW_STEP_FIELDS)
        )

    def _get_state_label(self):
        self.ensure_one()
        return dict(self._fields["state"]._description_selection(self.env))[self.state]

    # -- refund statement (RET-07) ----------------------------------------------------

    def _enrollment_rules(self, enrollment):
        """The policy of one enrolment: the case type's own policy if finance set
        one, else the version in force when the student enrolled."""
        self.ensure_one()
        return (
            (self.policy_id if self.policy_id.case_type else False)
            or enrollment.sudo().refund_policy_id
            or self.policy_id
        )

    def _backdated_days(self):
        """Days the leaving date lies in the past (today, not the application date
        typed on the case, which is the applicant's)."""
        self.ensure_one()
        return (fields.Date.context_today(self) - self.effective_date).days

    def _check_backdate(self):
        for case in self:
            limit = case.company_id.training_refund_backdate_days
            if case._backdated_days() > limit and not case.sudo().backdate_confirmed:
                raise UserError(
                    self.env._(
                        "Case %(case)s: the leaving date %(date)s is more than "
                        "%(days)s days in the past; finance must confirm it first.",
                        case=case.name,
                        date=case.effective_date,
                        days=limit,
                    )
                )

    def _refund_input(self):
        """The case as the plain values of :func:`refund_engine.compute_refund`."""
        self.ensure_one()
        case = self.sudo()
        currency = case.currency_id
        company_currency = case.company_id.currency_id
        today = fields.Date.context_today(self)
        last_attended = case._last_attended()
        enrollments = []
        for enrollment in case.enrollment_ids.sorted("id"):
            policy = case._enrollment_rules(enrollment)
            if not policy:
                raise UserError(
                    self.env._(
                        "No refund policy applies to case %s: finance must set up one "
                        "first.",
                        case.name,
                    )
                )
            invoices = []
            for invoice in enrollment.invoice_ids.filtered(
                lambda m: m.state == "posted" and m.move_type == "out_invoice"
            ):
                if invoice.currency_id != currency:
                    raise UserError(
                        self.env._(
                            "Case %(case)s: the invoices of its enrolments are in "
                            "several currencies; open one case per currency.",
                            case=case.name,
                        )
                    )
                lesson_product = enrollment.course_id.product_id
                lines = tuple(
                    refund_engine.Line(
                        line.id,
                        line.name,
                        line.price_total,
                        refund_engine.LESSON
                        if line.product_id == lesson_product
                        else refund_engine.REFUNDABLE
                        if line.product_id.training_refundable
                        else refund_engine.KEPT,
                    )
                    for line in invoice.invoice_line_ids
                    if line.display_type == "product"
                )
                invoices.append(
                    refund_engine.Invoice(
                        invoice.id,
                        invoice.name,
                        invoice.amount_total,
                        payee=invoice.partner_id.commercial_partner_id.id,
                        lines=lines,
                        **invoice._training_settlement(),
                    )
                )
            attended = last_attended.get(enrollment)
            enrollments.append(
                refund_engine.Enrollment(
                    enrollment.id,
                    enrollment.display_name,
                    refund_engine.Rules(
                        policy.display_name,
                        full_refund_before_start=policy.full_refund_before_start,
                        cooling_off_days=policy.cooling_off_days,
                        refund_rate=policy.refund_rate,
                        admin_fee_percent=policy.admin_fee_percent,
                        # The cap is set in the company's currency.
                        admin_fee_cap=company_currency._convert(
                            policy.admin_fee_cap, currency, case.company_id, today
                        ),
                        no_refund_after_percent=policy.no_refund_after_percent,
                        prorata_max_attended_percent=(
                            policy.prorata_max_attended_percent
                        ),
                    ),
                    enrollment.lesson_count,
                    enrollment.lessons_consumed,
                    enrollment._training_enrolled_on(),
                    start=enrollment.start_date,
                    end=enrollment.end_date,
                    last_attended=attended and fields.Date.to_date(attended),
                    invoices=tuple(invoices),
                )
            )
        policy = case.policy_id or case._enrollment_rules(case.enrollment_ids[:1])
        materials = case.material_ids.filtered(lambda m: m.state != "returned")
        return refund_engine.Case(
            case.effective_date,
            tuple(enrollments),
            materials=tuple((m.name, m.amount) for m in materials),
            deduct_materials=bool(policy.deduct_materials and not case.keep_materials),
            override=case.refund_override if case.use_refund_override else None,
            forgiven=case.forgive_arrears,
        )

    def _compute_statement(self):
        """The refund of the case: the engine's result, and its statement lines
        (every step in words and amounts) as values of the statement model."""
        self.ensure_one()
        fmt = lambda amount: format_amount(self.env, amount, self.currency_id)
        result = refund_engine.compute_refund(
            self._refund_input(),
            self.currency_id.round,
            _=self.env._,
            fmt=fmt,
            fmt_date=lambda day: format_date(self.env, day),
        )
        head = [(self.env._("Refund policy: %s", self._refund_policy_names()), None)]
        days = self._backdated_days()
        if days > self.company_id.training_refund_backdate_days:
            head.append(
                (
                    self.env._(
                        "Leaving date %(date)s, %(days)s days in the past: confirmed "
                        "by finance.",
                        date=format_date(self.env, self.effective_date),
                        days=days,
                    ),
                    None,
                )
            )
        lines = [(text, amount, "info") for text, amount in head] + result.lines
        values = [
            {
                "sequence": sequence,
                "name": text,
                "amount": amount or 0.0,
                "show_amount": amount is not None,
                "line_type": line_type,
            }
            for sequence, (text, amount, line_type) in enumerate(lines, 1)
        ]
        return result, values

    def _refund_policy_names(self):
        self.ensure_one()
        policies = self.policy_id.filtered(
            "case_type"
        ) or self.enrollment_ids.sudo().mapped("refund_policy_id")
        return ", ".join((policies or self.policy_id).mapped("display_name"))

    def _statement_differs(self, result):
        """The engine's ``result`` credits or refunds other amounts than the
        statement written on the case."""
        currency = self.currency_id
        return any(
            currency.compare_amounts(new, old)
            for new, old in (
                (result.credit, self.amount_credit),
                (result.forgiven, self.amount_forgiven),
                (result.refund, self.amount_refund),
                (result.netted, self.amount_arrears_netted),
            )
        )

    def _write_statement(self, result=None, lines=None):
        """(Re)write the statement and the amounts of the case (computed now unless
        given); returns the engine's result."""
        self.ensure_one()
        if result is None:
            result, lines = self._compute_statement()
        self.statement_line_ids.sudo().unlink()
        self.env["training.refund.statement.line"].sudo().create(
            [dict(line, case_id=self.id) for line in lines]
        )
        self._write_system(
            {
                "amount_invoiced": result.invoiced,
                "amount_paid": result.paid,
                "amount_arrears": result.arrears,
                "amount_gross": result.gross,
                "amount_deductions": result.deductions,
                "amount_credit": result.credit,
                "amount_forgiven": result.forgiven,
                "amount_arrears_netted": result.netted,
                "amount_refund": result.refund,
                "statement_date": fields.Datetime.now(),
            }
        )
        return result

    def action_compute_refund(self):
        """(Re)compute the refund statement; frozen once the refund is credited."""
        for case in self:
            if case.sudo().refund_move_ids:
                raise UserError(
                    self.env._(
                        "The refund of case %s is already credited: its statement "
                        "cannot change.",
                        case.name,
                    )
                )
            case._write_statement()
        return True

    # -- workflow ---------------------------------------------------------------------

    def _check_submit(self):
        for case in self:
            if case.state != "draft":
                raise UserError(
                    self.env._("Only applications can be submitted for approval.")
                )
            if not case.enrollment_ids and not case.suspend:
                raise UserError(
                    self.env._(
                        "Case %s names no enrolment: select the enrolments the "
                        "student leaves.",
                        case.name,
                    )
                )
            if case.case_type == "transfer" and not case.receiving_institution_id:
                raise UserError(
                    self.env._(
                        "Transfer %s: name the receiving institution.", case.name
                    )
                )
            if case.case_type == "force_majeure" and not case.attachment_ids:
                raise UserError(
                    self.env._(
                        "Force majeure %s: attach the proof documents (medical "
                        "certificate, official document) first.",
                        case.name,
                    )
                )
            if case.suspend and not case.comeback_deadline:
                raise UserError(
                    self.env._(
                        "Case %s: a suspension needs a date to come back by.",
                        case.name,
                    )
                )

    def action_submit(self):
        """The application goes to the approval tiers of its type. Without any
        applicable tier it is refused: nothing is approved unreviewed (X-03)."""
        self._check_submit()
        self._check_backdate()
        for case in self:
            case.invalidate_recordset(["need_validation"])
            if not case.need_validation:
                case._raise_no_tier()
        self.action_compute_refund()
        self._write_system({"state": "to_approve", "submitted_by_id": self.env.uid})
        for case in self:
            case._training_flow().request_validation()
            # need_validation has no dependencies: drop its cached True.
            case.invalidate_recordset(["need_validation", "review_ids"])
            if not case.review_ids:
                case._raise_no_tier()
        return True

    def _raise_no_tier(self):
        self.ensure_one()
        raise UserError(
            self.env._(
                "No approval applies to case %(case)s: configure the tier "
                'validations of model "%(model)s" for the type %(type)s (Settings > '
                "Technical > Tier Validations) before submitting it.",
                case=self.name,
                model=self._description,
                type=dict(self._fields["case_type"]._description_selection(self.env))[
                    self.case_type
                ],
            )
        )

    def request_validation(self):
        """Only action_submit asks for the approvals (not a JSON-RPC caller)."""
        if not self._in_training_flow():
            raise UserError(self.env._("Submit the case to send it to its approvals."))
        return super().request_validation()

    def restart_validation(self):
        """The approvals start again only by cancelling or rejecting the case and
        setting it back to draft (not through a JSON-RPC call)."""
        if not self._in_training_flow():
            raise UserError(
                self.env._(
                    "Cancel the case and set it back to draft to start its "
                    "approvals again."
                )
            )
        return super().restart_validation()

    def _check_before_approval(self):
        """Type-specific checks of the last approval (RET-03, RET-06)."""
        for case in self:
            if case.case_type == "force_majeure" and not (
                case.attachment_ids and case.proof_verified
            ):
                raise UserError(
                    self.env._(
                        "Force majeure %s: the proof documents must be attached and "
                        "verified before the approval.",
                        case.name,
                    )
                )
            if case.case_type == "transfer" and not case.transfer_confirmed:
                raise UserError(
                    self.env._(
                        "Transfer %s: the receiving institution has not confirmed yet.",
                        case.name,
                    )
                )
            if (
                case.case_type == "force_majeure"
                and case.reenrol_coupon
                and not case.coupon_id
            ):
                case._check_reenrol_program()

    def validate_tier(self):
        """Approve the next tier; refused, with the reason, to anyone else than its
        reviewers and out of order (RET-02)."""
        self.ensure_one()
        if self.state != "to_approve":
            raise UserError(
                self.env._("Case %s is not waiting for an approval.", self.name)
            )
        if not self._get_sequences_to_approve(self.env.user):
            review = self.review_ids.filtered(
                lambda r: r.status in ("waiting", "pending")
            ).sorted("sequence")[:1]
            raise UserError(
                self.env._(
                    "You cannot approve case %(case)s now: the next approval, "
                    "%(tier)s, is for %(who)s.",
                    case=self.name,
                    tier=review.name,
                    who=review.todo_by,
                )
            )
        pending = self.review_ids.filtered(lambda r: r.status in ("waiting", "pending"))
        if len(pending) == 1:
            self._check_before_approval()
        return super().validate_tier()

    def _validate_tier(self, tiers=False):
        before = self.review_ids.filtered(lambda r: r.status == "approved")
        res = super()._validate_tier(tiers=tiers)
        done = self.review_ids.filtered(lambda r: r.status == "approved") - before
        total = len(self.review_ids)
        for review in done.sorted("sequence"):
            # who approved which tier, and when, in the chatter.
            self.message_post(
                body=self.env._(
                    "Approved: %(tier)s (step %(step)s of %(total)s) by %(user)s.",
                    tier=review.name,
                    step=review.sequence,
                    total=total,
                    user=self.env.user.name,
                ),
                subtype_xmlid="mail.mt_note",
            )
        if self.validation_status == "validated" and self.state == "to_approve":
            self._action_approved()
        return res

    def _rejected_tier(self, tiers=False):
        res = super()._rejected_tier(tiers=tiers)
        if self.validation_status == "rejected" and self.state == "to_approve":
            self.message_post(
                body=self.env._("Rejected by %s.", self.env.user.name),
                subtype_xmlid="mail.mt_note",
            )
            self._write_system({"state": "rejected"})
            self._notify_student(
                self.env._(
                    "Your application %s was not approved. Customer service will "
                    "contact you.",
                    self.name,
                )
            )
        return res

    def _notify_student(self, body):
        """The decision to the student and to whoever was billed (the guardian who
        paid is refunded, and told)."""
        self.ensure_one()
        payees = self.sudo()._refund_invoices().partner_id
        self.sudo().message_post(
            body=body,
            partner_ids=(self.partner_id | payees).ids,
            subtype_xmlid="mail.mt_comment",
            message_type="comment",
        )

    def _action_approved(self):
        """Every tier approved: carry the decision out (RET-02 .. RET-07)."""
        self.ensure_one()
        # Fail closed: a forged, incomplete or self-approved chain carries nothing out.
        self._check_approval_chain()
        self._check_before_approval()
        self.invalidate_recordset(["need_validation"])
        self._write_system(
            {"state": "approved", "approval_date": fields.Datetime.now()}
        )
        # The approver (management) acts for the institution: the enrolments,
        # archive and accounting are handled with the rights of the system, in the
        # flow (the case is locked once approved).
        case = self._training_flow().sudo().with_company(self.company_id)
        if self.suspend:
            case._suspend_enrollments()
        else:
            case._stop_enrollments()
            if not case.sudo().refund_move_ids:
                case._create_refund()
        if self.case_type == "transfer":
            case._attach_learning_certificate()
            case._plan_transfer_followups()
        if self.case_type == "force_majeure":
            case._apply_humane_options()
        self._notify_approval()
        return True

    def _approved_message(self):
        self.ensure_one()
        if self.suspend:
            return self.env._(
                "Your application %(case)s is approved: your enrolments are "
                "suspended until %(date)s.",
                case=self.name,
                date=self.comeback_deadline,
            )
        if self.has_refund:
            return self.env._(
                "Your application %(case)s is approved. Credit note %(move)s: "
                "%(credit)s credited, %(refund)s refunded.",
                case=self.name,
                move=", ".join(self.sudo().refund_move_ids.mapped("name")),
                credit=format_amount(
                    self.env,
                    self.amount_credit + self.amount_forgiven,
                    self.currency_id,
                ),
                refund=format_amount(self.env, self.amount_refund, self.currency_id),
            )
        return self.env._("Your application %s is approved.", self.name)

    def _notify_approval(self):
        """The decision to the student, with the re-enrolment coupon's code."""
        self.ensure_one()
        body = self._approved_message()
        coupon = self.sudo().coupon_id
        if coupon:
            body = self.env._(
                "%(decision)s Your re-enrolment discount coupon: %(code)s "
                "(%(reward)s).",
                decision=body,
                code=coupon.code,
                reward=", ".join(coupon.program_id.reward_ids.mapped("description")),
            )
        self._notify_student(body)

    def _stop_enrollments(self):
        """Enrolments end: no lesson is recorded or scheduled for them any more."""
        self.ensure_one()
        active = self.enrollment_ids.filtered(lambda e: e.state == "active")
        if self.case_type == "transfer":
            active.action_transfer()
        else:
            active.action_withdraw()

    def _suspend_enrollments(self):
        self.ensure_one()
        self.activity_schedule(
            "training_retention.mail_activity_type_comeback",
            date_deadline=self.comeback_deadline,
            user_id=self.user_id.id or self.env.uid,
            note=self.env._(
                "Suspension of %(student)s ends: check the student comes back.",
                student=self.partner_id.name,
            ),
        )
        self.enrollment_ids.message_post(
            body=self.env._(
                "Suspended by case %(case)s until %(date)s.",
                case=self.name,
                date=self.comeback_deadline,
            )
        )

    # -- accounting (X-04) ------------------------------------------------------------

    def _lock_for_refund(self):
        """A new row version of the cases: two transactions crediting, paying or
        reversing the refund of the same case at once conflict, the second one
        waits and is retried (REPEATABLE READ), and then sees what the first did
        (issue 16). A plain row lock would not do: once the first committed, the
        second would get the lock and go on with its old snapshot."""
        self.env.cr.execute(
            "UPDATE training_attrition_case SET write_date = write_date WHERE id IN %s",
            (tuple(self.ids),),
        )
        self.invalidate_recordset(["refund_move_ids"])

    def _create_refund(self):
        """One posted credit note per invoice, in the invoice's currency and at its
        rate, reversing each line by the statement's amount for it; reconciled with
        the invoice's open balance (the arrears). What remains is the refund to pay:
        registered by finance (or automatically on the company's refund journal)."""
        self.ensure_one()
        self._lock_for_refund()
        if self.refund_move_ids:
            raise UserError(
                self.env._(
                    "Case %(case)s was already refunded by %(moves)s: a refund is "
                    "never created twice.",
                    case=self.name,
                    moves=", ".join(self.refund_move_ids.mapped("name")),
                )
            )
        result, lines = self._compute_statement()
        if self.statement_date and self._statement_differs(result):
            # Fail closed: the approvers approved the statement they saw.
            raise UserError(
                self.env._(
                    "Case %(case)s: the refund is no longer the %(refund)s of the "
                    "statement that was approved (payments, lessons or the case "
                    "changed meanwhile). Compute the refund again and approve it.",
                    case=self.name,
                    refund=format_amount(
                        self.env, self.amount_refund, self.currency_id
                    ),
                )
            )
        self._write_statement(result, lines)
        invoices = self.env["account.move"].browse(list(result.credit_by_line))
        moves = self.env["account.move"].create(
            [
                self._prepare_refund_move(invoice, result.credit_by_line[invoice.id])
                for invoice in invoices
            ]
        )
        moves.action_post()
        for move in moves:
            invoice = move.reversed_entry_id
            invoice.training_enrollment_ids.invoice_ids = [Command.link(move.id)]
            if invoice.payment_state in ("not_paid", "partial"):
                (move.line_ids + invoice.line_ids).filtered(
                    lambda line: (
                        line.account_id.account_type == "asset_receivable"
                        and not line.reconciled
                    )
                ).reconcile()
        journal = self.company_id.training_refund_journal_id
        if journal:
            self._pay_refund(journal)
        if moves:
            self.message_post(
                body=self.env._(
                    "Credit notes %(moves)s posted: %(credit)s credited, %(refund)s to "
                    "pay back.",
                    moves=", ".join(moves.mapped("name")),
                    credit=format_amount(
                        self.env, result.credit + result.forgiven, self.currency_id
                    ),
                    refund=format_amount(self.env, result.refund, self.currency_id),
                ),
                subtype_xmlid="mail.mt_note",
            )
        return moves

    def _prepare_refund_move(self, invoice, credit_by_line):
        """The ``out_refund`` of one invoice: to whom it was billed, in its currency
        and at its rate."""
        reason = (
            self.reason_id.name
            or dict(self._fields["case_type"]._description_selection(self.env))[
                self.case_type
            ]
        )
        return {
            "move_type": "out_refund",
            "partner_id": invoice.partner_id.id,
            "company_id": invoice.company_id.id,
            "currency_id": invoice.currency_id.id,
            "invoice_currency_rate": invoice.invoice_currency_rate,
            "invoice_date": fields.Date.context_today(self),
            "journal_id": invoice.journal_id.id,
            "reversed_entry_id": invoice.id,
            "invoice_origin": invoice.name,
            "ref": self.env._("%(case)s: %(reason)s", case=self.name, reason=reason),
            "training_attrition_case_id": self.id,
            "invoice_line_ids": invoice._training_refund_line_commands(
                credit_by_line, self.name
            ),
        }

    def _refund_moves_to_pay(self):
        return self.sudo().refund_move_ids.filtered(
            lambda m: m.state == "posted" and m.payment_state in ("not_paid", "partial")
        )

    def _pay_refund(self, journal):
        """Pay back what the credit notes still owe, on ``journal`` (the company's
        automatic refund setting)."""
        moves = self._refund_moves_to_pay()
        if not moves:
            return self.env["account.payment"]
        wizard = (
            self.env["account.payment.register"]
            .with_context(active_model="account.move", active_ids=moves.ids)
            .create(
                {
                    "payment_date": fields.Date.context_today(self),
                    "journal_id": journal.id,
                    "group_payment": False,
                }
            )
        )
        return wizard._create_payments()

    def action_register_refund_payment(self):
        """Finance pays the refund back through Odoo's payment wizard: journal,
        method and bank account chosen there (X-04)."""
        self.ensure_one()
        if not self.env.user.has_group(
            "training_student_archive.training_student_archive_group_finance"
        ):
            raise UserError(self.env._("Only finance registers refund payments."))
        moves = self._refund_moves_to_pay()
        if self.state not in ("approved", "done") or not moves:
            raise UserError(self.env._("Case %s has no refund left to pay.", self.name))
        return moves.sudo(False).action_register_payment()

    def action_reverse(self):
        """Finance or management undo an approved case: credit notes reversed,
        payments not yet matched with the bank cancelled, enrolments and archive
        restored; everything in the chatter."""
        finance = "training_student_archive.training_student_archive_group_finance"
        if not self.env.user.has_group(finance):
            raise UserError(
                self.env._("Only finance or management can reverse a case.")
            )
        for case in self:
            if case.state not in ("approved", "done"):
                raise UserError(
                    self.env._("Only approved cases can be reversed (%s).", case.name)
                )
            case.sudo().with_company(case.company_id)._reverse()
        return True

    def _reverse(self):
        self.ensure_one()
        self._lock_for_refund()
        payments = self.refund_payment_ids
        matched = payments.filtered("is_matched")
        if matched:
            raise UserError(
                self.env._(
                    "Case %(case)s: the refund payments %(payments)s are already "
                    "matched with the bank statement; undo the bank matching first.",
                    case=self.name,
                    payments=", ".join(matched.mapped("name")),
                )
            )
        for payment in payments:
            payment.action_draft()
            payment.action_cancel()
        moves = self.refund_move_ids.filtered(lambda m: m.state == "posted")
        reversals = moves._reverse_moves(
            [
                {
                    "ref": self.env._("Reversal of %s", move.name),
                    "invoice_date": fields.Date.context_today(self),
                }
                for move in moves
            ],
            cancel=True,
        )
        enrollments = self.enrollment_ids.filtered(
            lambda e: e.state in ("withdrawn", "transferred")
        )
        enrollments.write({"state": "active", "closed_date": False})
        self.env["training.archive.deadline"]._sync_enrollment_deadlines(enrollments)
        if self.archive_id.state in ("sealed", "withdrawn", "transferred"):
            self.archive_id.write({"state": "active", "closed_date": False})
        self._write_system({"state": "reversed"})
        self.message_post(
            body=self.env._(
                "Case reversed by %(user)s: credit notes %(moves)s reversed by "
                "%(reversals)s, payments %(payments)s cancelled, enrolments restored.",
                user=self.env.user.name,
                moves=", ".join(moves.mapped("name")) or "-",
                reversals=", ".join(reversals.mapped("name")) or "-",
                payments=", ".join(payments.mapped("name")) or "-",
            ),
            subtype_xmlid="mail.mt_note",
        )

    # -- type-specific steps ----------------------------------------------------------

    def _attach_learning_certificate(self):
        """Transfer (RET-03): the learning certificate of the archive module, when it
        offers one, goes with the case."""
        self.ensure_one()
        report = self.env.ref(
            "training_student_archive.action_report_learning_certificate",
            raise_if_not_found=False,
        )
        if not report or not self.archive_id:
            return False
        content, __ = report._render_qweb_pdf(report.report_name, self.archive_id.ids)
        attachment = self.env["ir.attachment"].create(
            {
                "name": self.env._("Learning certificate %s.pdf", self.partner_id.name),
                "raw": content,
                "res_model": self._name,
                "res_id": self.id,
                "mimetype": "application/pdf",
            }
        )
        self.attachment_ids = [Command.link(attachment.id)]
        return attachment

    def _plan_transfer_followups(self):
        """Transfer (RET-03): periodic follow-up activities for customer service."""
        self.ensure_one()
        today = fields.Date.context_today(self)
        for step in range(1, max(self.followup_count, 0) + 1):
            self.activity_schedule(
                "training_retention.mail_activity_type_transfer_followup",
                date_deadline=today
                + timedelta(days=step * self.followup_interval_days),
                user_id=self.user_id.id or self.env.uid,
                summary=self.env._("Transfer follow-up %s", step),
            )

    def _apply_humane_options(self):
        """Force majeure (RET-06): materials kept, re-enrolment discount coupon."""
        self.ensure_one()
        if self.keep_materials:
            self.material_ids.filtered(lambda m: m.state == "to_return").write(
                {"state": "kept"}
            )
        if self.reenrol_coupon:
            self._create_reenrol_coupon()

    def _check_reenrol_program(self):
        """The company's re-enrolment program, or a clear error."""
        self.ensure_one()
        # Read as the system: approvers need no right on the loyalty programs.
        program = self.company_id.sudo().training_reenrol_program_id
        if not program or program.company_id not in (
            self.company_id,
            self.env["res.company"],
        ):
            raise UserError(
                self.env._(
                    "Case %s grants a re-enrolment discount coupon: choose the "
                    "coupon program of the company in the Training settings first.",
                    self.name,
                )
            )
        return program

    def _create_reenrol_coupon(self):
        """One coupon (``loyalty.card``) of the company's re-enrolment program for
        the student, with the points its first reward needs, as the training
        feedback module rewards valid feedback (FB-10). Once per case: a re-approval
        keeps the first coupon."""
        self.ensure_one()
        self.env.cr.execute(
            "SELECT id FROM training_attrition_case WHERE id = %s FOR UPDATE",
            (self.id,),
        )
        self.invalidate_recordset(["coupon_id"])
        if self.coupon_id:
            return self.coupon_id
        program = self._check_reenrol_program()
        points = min(program.reward_ids.mapped("required_points") or [1.0])
        # loyalty_no_mail: the code goes to the student with the case's decision.
        card = (
            self.env["loyalty.card"]
            .sudo()
            .with_context(loyalty_no_mail=True)
            .create(
                {
                    "program_id": program.id,
                    "partner_id": self.partner_id.id,
                    "points": points,
                }
            )
        )
        self._write_system({"coupon_id": card.id})
        self.message_post(
            body=self.env._(
                "Re-enrolment discount coupon %(code)s of %(program)s for %(student)s.",
                code=card.code,
                program=program.name,
                student=self.partner_id.name,
            ),
            subtype_xmlid="mail.mt_note",
        )
        return card

    def action_confirm_transfer(self):
        """The receiving institution confirmed it takes the student (RET-03)."""
        for case in self:
            if case.case_type != "transfer" or not case.receiving_institution_id:
                raise UserError(
                    self.env._(
                        "Case %s is not a transfer with a receiving institution.",
                        case.name,
                    )
                )
        self.write(
            {
                "transfer_confirmed": True,
                "transfer_confirmation_date": fields.Date.context_today(self),
            }
        )
        return True

    def action_verify_proof(self):
        """Customer service checked the force-majeure proof documents (RET-06)."""
        for case in self:
            if not case.attachment_ids:
                raise UserError(
                    self.env._("Case %s has no proof document to verify.", case.name)
                )
        self.write({"proof_verified": True})
        return True

    def action_close(self):
        """Materials handed back: the archive is sealed and customer service plans
        the follow-up call, whose outcome is logged when the activity is done."""
        for case in self:
            if case.state != "approved":
                raise UserError(self.env._("Only approved cases can be closed."))
            missing = case.material_ids.filtered(lambda m: m.state == "to_return")
            if missing:
                raise UserError(
                    self.env._(
                        "Case %(case)s: materials still to hand back: %(materials)s.",
                        case=case.name,
                        materials=", ".join(missing.mapped("name")),
                    )
                )
            if not case.suspend and case.case_type != "force_majeure":
                case._seal_archive()
            case.activity_schedule(
                "training_retention.mail_activity_type_followup_call",
                user_id=case.user_id.id or self.env.uid,
                note=self.env._(
                    "Call %s: how are things, and would the student come back?",
                    case.partner_id.name,
                ),
            )
        self._write_system(
            {"state": "done", "closed_date": fields.Date.context_today(self)}
        )
        return True

    def _seal_archive(self):
        """Seal the archive once no enrolment of the student runs any more."""
        self.ensure_one()
        archive = self.archive_id.sudo()
        if not archive or archive.state in ("sealed", "destroyed"):
            return False
        if archive.enrollment_ids.filtered(lambda e: e.state in ("draft", "active")):
            return False
        if hasattr(archive, "action_seal"):
            archive.action_seal()
        else:
            archive.write({"state": "sealed"})
        archive.message_post(
            body=self.env._("Sealed after attrition case %s.", self.name),
            subtype_xmlid="mail.mt_note",
        )
        return True

    def action_cancel(self):
        for case in self:
            if case.state not in ("draft", "to_approve", "rejected"):
                raise UserError(
                    self.env._(
                        "Case %s is already carried out: it cannot be cancelled.",
                        case.name,
                    )
                )
        self._write_system({"state": "cancel"})
        return True

    def action_draft(self):
        for case in self:
            if case.state not in ("cancel", "rejected"):
                raise UserError(
                    self.env._("Only cancelled or rejected cases go back to draft.")
                )
        self._write_system({"state": "draft", "submitted_by_id": False})
        self._training_flow().review_ids.sudo().unlink()
        return True

    def action_view_refund(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "account.action_move_out_refund_type"
        )
        if len(self.refund_move_ids) == 1:
            action.update(
                res_id=self.refund_move_ids.id,
                views=[(False, "form")],
                view_mode="form",
            )
        else:
            action["domain"] = [("id", "in", self.refund_move_ids.ids)]
        return action

    def action_view_payments(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "account.action_account_payments"
        )
        action["domain"] = [("id", "in", self.refund_payment_ids.ids)]
        return action

    def _get_report_base_filename(self):
        self.ensure_one()
        return self.env._("Refund statement %s", self.name)

from datetime import timedelta

from odoo import Command, api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import format_amount

from .training_attrition_reason import CASE_TYPES

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
# Fields only the case itself writes (statement, accounting, approval dates): written
# with skip_validation_check, since base_tier_validation freezes a case under review.
SYSTEM_FIELDS = (
    "amount_invoiced",
    "amount_paid",
    "amount_arrears",
    "amount_gross",
    "amount_deductions",
    "amount_credit",
    "amount_arrears_netted",
    "amount_refund",
    "statement_date",
    "coupon_id",
)
# Fields the verification steps fill in while the case is under review (the
# confirmation of the receiving institution, the proof check, the materials
# checklist, the documents): every other field is frozen by the review.
REVIEW_STEP_FIELDS = (
    "transfer_confirmed",
    "transfer_confirmation_date",
    "proof_verified",
    "material_ids",
    "attachment_ids",
    "description",
    "user_id",
    "is_typical",
)


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
    """

    _name = "training.attrition.case"
    _description = "Attrition Case"
    _inherit = [
        "training.sequence.mixin",
        "mail.thread",
        "mail.activity.mixin",
        "portal.mixin",
        "tier.validation",
    ]
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
    currency_id = fields.Many2one(related="company_id.currency_id")
    case_type = fields.Selection(
        CASE_TYPES, string="Type", required=True, default="withdrawal", tracking=True
    )
    state = fields.Selection(
        [
            ("draft", "Application"),
            ("to_approve", "Under Approval"),
            ("approved", "Approved"),
            ("done", "Closed"),
            ("rejected", "Rejected"),
            ("cancel", "Cancelled"),
        ],
        default="draft",
        required=True,
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
    use_refund_override = fields.Boolean(
        string="Override the Refund",
        tracking=True,
        help="Finance sets the refund by hand (e.g. a goodwill gesture approved by "
        "management) instead of the policy's result.",
    )
    refund_override = fields.Monetary(
        string="Refund Set by Finance", tracking=True, copy=False
    )
    refund_move_id = fields.Many2one(
        "account.move",
        string="Credit Note",
        readonly=True,
        copy=False,
        check_company=True,
    )
    refund_payment_ids = fields.Many2many(
        "account.payment",
        "training_attrition_case_payment_rel",
        "case_id",
        "payment_id",
        string="Refund Payments",
        readonly=True,
        copy=False,
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
            "refund_move_uniq",
            "unique(refund_move_id)",
            "A credit note belongs to one attrition case only.",
        ),
        (
            "coupon_uniq",
            "unique(coupon_id)",
            "A re-enrolment coupon belongs to one attrition case only.",
        ),
    ]

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

    @api.constrains("effective_date", "enrollment_ids")
    def _check_effective_date(self):
        for case in self:
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

    @api.constrains("use_refund_override", "refund_override", "amount_paid")
    def _check_refund_override(self):
        for case in self.filtered("use_refund_override"):
            currency = case.currency_id
            if currency.compare_amounts(case.refund_override, 0.0) < 0:
                raise ValidationError(
                    self.env._("Case %s: a refund cannot be negative.", case.name)
                )
            paid = case._billing_totals()["paid"]
            if currency.compare_amounts(case.refund_override, paid) > 0:
                raise ValidationError(
                    self.env._(
                        "Case %(case)s: the refund of %(refund)s is more than the "
                        "%(paid)s the student paid.",
                        case=case.name,
                        refund=format_amount(self.env, case.refund_override, currency),
                        paid=format_amount(self.env, paid, currency),
                    )
                )

    def write(self, vals):
        result = super().write(vals)
        if RATE_FIELDS & vals.keys():
            self.env["training.attrition.report.rate"]._trigger_refresh()
        return result

    @api.ondelete(at_uninstall=False)
    def _unlink_except_carried_out(self):
        if self.filtered(lambda c: c.state in ("approved", "done") or c.refund_move_id):
            raise UserError(
                self.env._(
                    "Approved cases are part of the student's file and the accounts: "
                    "they cannot be deleted."
                )
            )

    def _write_system(self, vals):
        """Write the fields the case computes itself, also while it is under review."""
        return self.with_context(skip_validation_check=True).write(vals)

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

    def _billing_totals(self):
        self.ensure_one()
        Policy = self.env["training.refund.policy"]
        totals = {"invoiced": 0.0, "residual": 0.0, "paid": 0.0}
        for enrollment in self.enrollment_ids:
            billing = Policy._enrollment_billing(enrollment)
            for key in totals:
                totals[key] += billing[key]
        return {key: self.currency_id.round(value) for key, value in totals.items()}

    def _prepare_statement(self):
        """Compute the refund of the case: the statement lines (every step of the
        computation) and the amounts, in the company currency, rounded by it.

        :return: ``(line values, amounts, per-enrolment credit)``
        """
        self.ensure_one()
        policy = self.policy_id
        if not policy:
            raise UserError(
                self.env._(
                    "No refund policy applies to case %s: finance must set up one "
                    "first.",
                    self.name,
                )
            )
        currency = self.currency_id
        fmt = policy._fmt
        lines = []

        def add(name, amount, line_type):
            lines.append(
                {
                    "sequence": len(lines) + 1,
                    "name": name,
                    "amount": amount or 0.0,
                    "show_amount": amount is not None,
                    "line_type": line_type,
                }
            )

        add(self.env._("Refund policy: %s", policy.name), None, "info")
        results = []
        for enrollment in self.enrollment_ids.sorted("id"):
            result = policy._compute_enrollment_refund(enrollment, self.effective_date)
            for name, amount, line_type in result["lines"]:
                add(name, amount, line_type)
            results.append((enrollment, result))
        invoiced = currency.round(sum(r["invoiced"] for __, r in results))
        paid = currency.round(sum(r["paid"] for __, r in results))
        arrears = currency.round(sum(r["residual"] for __, r in results))
        gross = currency.round(sum(r["gross"] for __, r in results))
        prorata = currency.round(sum(r["gross"] for __, r in results if not r["full"]))
        add(self.env._("Refundable value"), gross, "subtotal")

        deductions = 0.0
        materials = self.material_ids.filtered(lambda m: m.state != "returned")
        if materials and policy.deduct_materials and not self.keep_materials:
            for material in materials:
                add(
                    self.env._("Material not handed back: %s", material.name),
                    -material.amount,
                    "deduction",
                )
                deductions += material.amount
        elif materials:
            add(
                self.env._("Materials kept by the student free of charge."),
                None,
                "info",
            )
        if policy.admin_fee_percent and not currency.is_zero(prorata):
            fee, capped = policy._compute_admin_fee(prorata)
            if capped:
                label = self.env._(
                    "Administrative fee: %(percent)s %% of %(base)s, capped at %(cap)s",
                    percent=policy.admin_fee_percent,
                    base=fmt(prorata),
                    cap=fmt(policy.admin_fee_cap),
                )
            else:
                label = self.env._(
                    "Administrative fee: %(percent)s %% of %(base)s",
                    percent=policy.admin_fee_percent,
                    base=fmt(prorata),
                )
            add(label, -fee, "deduction")
            deductions += fee
        deductions = currency.round(deductions)
        credit = max(currency.round(gross - deductions), 0.0)
        if currency.compare_amounts(deductions, gross) > 0:
            add(
                self.env._(
                    "The deductions exceed the refundable value: nothing is credited."
                ),
                None,
                "info",
            )
        if self.use_refund_override:
            refund = currency.round(self.refund_override)
            netted = arrears
            credit = currency.round(refund + netted)
            add(
                self.env._(
                    "Refund set by finance instead of the policy's result: %s",
                    fmt(refund),
                ),
                None,
                "info",
            )
        else:
            netted = min(arrears, credit)
            refund = currency.round(credit - netted)
        add(self.env._("Credited on the invoices"), credit, "subtotal")
        if not currency.is_zero(arrears):
            add(
                self.env._("Arrears netted (unpaid invoices of the enrolments)"),
                -netted,
                "deduction",
            )
            if currency.compare_amounts(arrears, netted) > 0:
                add(
                    self.env._(
                        "Still owed by the student after the netting: %s",
                        fmt(arrears - netted),
                    ),
                    None,
                    "info",
                )
        add(
            self.env._("Refund to pay (paid so far: %s)", fmt(paid)),
            refund,
            "total",
        )
        amounts = {
            "amount_invoiced": invoiced,
            "amount_paid": paid,
            "amount_arrears": arrears,
            "amount_gross": gross,
            "amount_deductions": deductions,
            "amount_credit": credit,
            "amount_arrears_netted": netted,
            "amount_refund": refund,
        }
        return lines, amounts, self._allocate_credit(credit, results)

    def _allocate_credit(self, credit, results):
        """Spread the credited amount over the enrolments, each at most what it
        invoiced, in order: the credit note reverses that share of its invoices."""
        allocation = {}
        left = credit
        for enrollment, result in results:
            share = min(left, self.currency_id.round(result["invoiced"]))
            if self.currency_id.compare_amounts(share, 0.0) > 0:
                allocation[enrollment] = share
                left -= share
        return allocation

    def action_compute_refund(self):
        """(Re)compute the refund statement; frozen once the refund is created."""
        for case in self:
            if case.refund_move_id:
                raise UserError(
                    self.env._(
                        "The refund of case %s is already credited: its statement "
                        "cannot change.",
                        case.name,
                    )
                )
            lines, amounts, __ = case._prepare_statement()
            case.statement_line_ids.sudo().unlink()
            self.env["training.refund.statement.line"].sudo().create(
                [dict(line, case_id=case.id) for line in lines]
            )
            case._write_system(dict(amounts, statement_date=fields.Datetime.now()))
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
        """The application goes to the approval tiers of its type."""
        self._check_submit()
        self.action_compute_refund()
        self.write({"state": "to_approve"})
        for case in self:
            reviews = case.request_validation()
            # need_validation has no dependencies: drop its cached True.
            case.invalidate_recordset(["need_validation", "review_ids"])
            if not reviews:
                # No tier applies (none configured for the type): approved as is.
                case._action_approved()
        return True

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

    def reject_tier(self):
        self.ensure_one()
        if not self._get_sequences_to_approve(self.env.user):
            raise UserError(
                self.env._(
                    "You cannot reject case %s: it is not your turn to review it.",
                    self.name,
                )
            )
        return super().reject_tier()

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
            self.with_context(skip_validation_check=True).write({"state": "rejected"})
            self._notify_student(
                self.env._(
                    "Your application %s was not approved. Customer service will "
                    "contact you.",
                    self.name,
                )
            )
        return res

    def _notify_student(self, body):
        self.ensure_one()
        self.sudo().message_post(
            body=body,
            partner_ids=self.partner_id.ids,
            subtype_xmlid="mail.mt_comment",
            message_type="comment",
        )

    def _action_approved(self):
        """Every tier approved: carry the decision out (RET-02 .. RET-07)."""
        self.ensure_one()
        self._check_before_approval()
        self.invalidate_recordset(["need_validation"])
        self.write({"state": "approved"})
        self._write_system({"approval_date": fields.Datetime.now()})
        # The approver (management) acts for the institution: the enrolments,
        # archive and accounting are handled with the rights of the system.
        case = self.sudo().with_company(self.company_id)
        if self.suspend:
            case._suspend_enrollments()
        else:
            case._stop_enrollments()
            if not case.refund_move_id:
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
        if self.refund_move_id:
            return self.env._(
                "Your application %(case)s is approved. Credit note %(move)s: "
                "%(credit)s credited, %(refund)s refunded to you.",
                case=self.name,
                move=self.refund_move_id.name,
                credit=format_amount(self.env, self.amount_credit, self.currency_id),
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
        """Row lock: two approvals racing cannot both credit the same case."""
        self.env.cr.execute(
            "SELECT id FROM training_attrition_case WHERE id = %s FOR UPDATE",
            (self.id,),
        )
        self.invalidate_recordset(["refund_move_id"])

    def _create_refund(self):
        """Credit note against the enrolments' invoices, posted, reconciled with the
        open invoices; what remains credited is paid out through
        ``account.payment.register``.
        """
        self.ensure_one()
        self._lock_for_refund()
        if self.refund_move_id:
            raise UserError(
                self.env._(
                    "Case %(case)s was already refunded by %(move)s: a refund is never "
                    "created twice.",
                    case=self.name,
                    move=self.refund_move_id.name,
                )
            )
        lines, amounts, allocation = self._prepare_statement()
        self.statement_line_ids.unlink()
        self.env["training.refund.statement.line"].create(
            [dict(line, case_id=self.id) for line in lines]
        )
        self._write_system(dict(amounts, statement_date=fields.Datetime.now()))
        currency = self.currency_id
        if (
            currency.compare_amounts(amounts["amount_refund"], amounts["amount_paid"])
            > 0
        ):
            raise UserError(
                self.env._(
                    "Case %(case)s: the refund of %(refund)s is more than the "
                    "%(paid)s the student paid.",
                    case=self.name,
                    refund=format_amount(self.env, amounts["amount_refund"], currency),
                    paid=format_amount(self.env, amounts["amount_paid"], currency),
                )
            )
        if not allocation:
            return self.env["account.move"]
        move = self.env["account.move"].create(self._prepare_refund_move(allocation))
        move.action_post()
        self._write_system({"refund_move_id": move.id})
        for enrollment in allocation:
            enrollment.invoice_ids = [Command.link(move.id)]
        self._reconcile_refund(move)
        if not currency.is_zero(move.amount_residual):
            self._pay_refund(move)
        self.message_post(
            body=self.env._(
                "Credit note %(move)s posted: %(credit)s; refund paid: %(refund)s.",
                move=move._get_html_link(),
                credit=format_amount(self.env, move.amount_total, currency),
                refund=format_amount(
                    self.env, sum(self.refund_payment_ids.mapped("amount")), currency
                ),
            ),
            subtype_xmlid="mail.mt_note",
        )
        return move

    def _prepare_refund_move(self, allocation):
        """An ``out_refund`` reversing, for each enrolment, its share of the invoice
        lines (same products, accounts and taxes) so that its total is the credit."""
        line_cmds = []
        invoices = self.env["account.move"]
        for enrollment, credit in allocation.items():
            enrollment_invoices = enrollment.invoice_ids.filtered(
                lambda m: m.state == "posted" and m.move_type == "out_invoice"
            )
            invoices |= enrollment_invoices
            line_cmds += enrollment_invoices._training_credit_line_commands(
                credit, self.name
            )
        reason = (
            self.reason_id.name
            or dict(self._fields["case_type"]._description_selection(self.env))[
                self.case_type
            ]
        )
        return {
            "move_type": "out_refund",
            "partner_id": self.partner_id.id,
            "company_id": self.company_id.id,
            "invoice_date": fields.Date.context_today(self),
            "reversed_entry_id": invoices[:1].id,
            "invoice_origin": ", ".join(invoices.mapped("name")),
            "ref": self.env._("%(case)s: %(reason)s", case=self.name, reason=reason),
            "training_attrition_case_id": self.id,
            "invoice_line_ids": line_cmds,
        }

    def _reconcile_refund(self, move):
        """Net the arrears: the credit note pays the open invoices first."""
        open_invoices = self.enrollment_ids.invoice_ids.filtered(
            lambda m: (
                m.state == "posted"
                and m.move_type == "out_invoice"
                and m.payment_state in ("not_paid", "partial")
            )
        )
        for invoice in open_invoices.sorted("invoice_date"):
            if move.currency_id.is_zero(move.amount_residual):
                break
            (move.line_ids + invoice.line_ids).filtered(
                lambda line: (
                    line.account_id.account_type == "asset_receivable"
                    and not line.reconciled
                )
            ).reconcile()

    def _pay_refund(self, move):
        """Pay what the credit note still owes the student, as finance would with the
        Register Payment button."""
        wizard = (
            self.env["account.payment.register"]
            .with_context(active_model="account.move", active_ids=move.ids)
            .create({"payment_date": fields.Date.context_today(self)})
        )
        payments = wizard._create_payments()
        self._write_system({"refund_payment_ids": [Command.set(payments.ids)]})
        return payments

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
        self.write({"state": "done", "closed_date": fields.Date.context_today(self)})
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
        self.write({"state": "cancel"})
        return True

    def action_draft(self):
        for case in self:
            if case.state not in ("cancel", "rejected"):
                raise UserError(
                    self.env._("Only cancelled or rejected cases go back to draft.")
                )
        self.with_context(skip_validation_check=True).write({"state": "draft"})
        self.review_ids.sudo().unlink()
        return True

    def action_view_refund(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "account.action_move_out_refund_type"
        )
        action.update(
            res_id=self.refund_move_id.id, views=[(False, "form")], view_mode="form"
        )
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

from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools import format_amount, format_date

from .training_attrition_reason import CASE_TYPES


class TrainingRefundPolicy(models.Model):
    """The refund policy (RET-07): what a student gets back when leaving, set by
    finance and shown to students before they enrol (printable, and on the portal).

    A policy without case type is the company's general policy; a policy with a case
    type overrides it for that type (force majeure is usually more generous). The
    computation itself is :meth:`_compute_enrollment_refund`, one enrolment at a
    time; the attrition case adds the deductions and nets the arrears.
    """

    _name = "training.refund.policy"
    _description = "Refund Policy"
    _order = "sequence, id"
    _check_company_auto = True

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda self: self.env.company
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    case_type = fields.Selection(
        CASE_TYPES,
        help="Leave empty for the general policy; set it to override the general "
        "policy for one type of case.",
    )
    full_refund_before_start = fields.Boolean(
        default=True,
        help="Everything invoiced is refunded when the student leaves before the "
        "course starts.",
    )
    cooling_off_days = fields.Integer(
        string="Cooling-off Period (days)",
        default=7,
        help="Days after the enrolment during which the student may cancel for a "
        "full refund. 0 = no cooling-off period.",
    )
    refund_rate = fields.Float(
        string="Refund Rate (%)",
        default=100.0,
        help="Share of the value of the unconsumed lessons that is refunded.",
    )
    deduct_materials = fields.Boolean(
        default=True,
        help="Deduct the value of the learning materials issued and not handed back.",
    )
    admin_fee_percent = fields.Float(
        string="Administrative Fee (%)",
        help="Percentage of the value of the unconsumed lessons kept as an "
        "administrative fee (not applied to full refunds).",
    )
    admin_fee_cap = fields.Monetary(
        string="Administrative Fee Cap",
        currency_field="currency_id",
        help="Maximum administrative fee. 0 = no cap.",
    )
    no_refund_after_percent = fields.Float(
        string="No Refund After (% of the course)",
        help="No refund once this share of the course's duration (start to end "
        "date; lessons when the enrolment has no end date) has passed. 0 = never.",
    )
    prorata_max_attended_percent = fields.Float(
        string="Pro-rata Only Up To (% attended)",
        help="The unconsumed lessons are refunded only while the student attended "
        "at most this share of the lessons. 0 = no limit.",
    )
    terms = fields.Html(
        translate=True,
        help="The policy as told to students before they enrol: charging standard, "
        "refund conditions and process.",
    )

    _sql_constraints = [
        (
            "percent_check",
            (
                "CHECK(refund_rate >= 0 AND refund_rate <= 100 "
                "AND admin_fee_percent >= 0 AND admin_fee_percent <= 100 "
                "AND no_refund_after_percent >= 0 AND no_refund_after_percent <= 100 "
                "AND prorata_max_attended_percent >= 0 "
                "AND prorata_max_attended_percent <= 100)"
            ),
            "Percentages of a refund policy are between 0 and 100.",
        ),
    ]

    @api.constrains("admin_fee_cap", "cooling_off_days")
    def _check_amounts(self):
        for policy in self:
            if policy.admin_fee_cap < 0 or policy.cooling_off_days < 0:
                raise ValidationError(
                    self.env._(
                        "The fee cap and the cooling-off period of policy %s cannot "
                        "be negative.",
                        policy.name,
                    )
                )

    @api.model
    def _get_policy(self, case_type, company):
        """The policy for ``case_type`` in ``company``: the type's override, else the
        general policy."""
        policies = self.search(
            [
                ("company_id", "=", company.id),
                ("case_type", "in", [case_type, False]),
            ]
        )
        return (
            policies.filtered(lambda p: p.case_type == case_type)[:1]
            or policies.filtered(lambda p: not p.case_type)[:1]
        )

    # -- computation ------------------------------------------------------------------

    def _fmt(self, amount):
        return format_amount(self.env, amount, self.currency_id)

    @api.model
    def _enrollment_billing(self, enrollment):
        """Invoiced (net of earlier credit notes), outstanding and paid amounts of an
        enrolment, in the company currency (signed amounts of the posted moves)."""
        moves = enrollment.sudo().invoice_ids.filtered(
            lambda m: (
                m.state == "posted" and m.move_type in ("out_invoice", "out_refund")
            )
        )
        invoiced = sum(moves.mapped("amount_total_signed"))
        residual = sum(moves.mapped("amount_residual_signed"))
        return {
            "invoiced": invoiced,
            "residual": max(residual, 0.0),
            "paid": invoiced - residual,
        }

    def _compute_enrollment_refund(self, enrollment, effective_date):
        """The refundable value of one enrolment on ``effective_date``, before the
        case's deductions and the arrears.

        :return: dict with ``gross`` (rounded), ``full`` (True for a full refund,
            which bears no administrative fee), the billing amounts and ``lines``:
            the explained steps, each ``(name, amount or None, line_type)``.
        """
        self.ensure_one()
        currency = self.currency_id
        billing = self._enrollment_billing(enrollment)
        invoiced = currency.round(billing["invoiced"])
        lines = [
            (
                self.env._(
                    "%(enrollment)s: invoiced %(invoiced)s, paid %(paid)s, "
                    "outstanding %(residual)s",
                    enrollment=enrollment.display_name,
                    invoiced=self._fmt(invoiced),
                    paid=self._fmt(billing["paid"]),
                    residual=self._fmt(billing["residual"]),
                ),
                None,
                "info",
            )
        ]
        result = dict(billing, gross=0.0, full=False, lines=lines)
        if currency.compare_amounts(invoiced, 0.0) <= 0:
            lines.append(
                (self.env._("Nothing invoiced: nothing to refund."), 0.0, "base")
            )
            return result
        start = enrollment.start_date
        enrolled_on = (
            enrollment.confirm_date or enrollment.create_date or fields.Datetime.now()
        ).date()
        if self.full_refund_before_start and start and effective_date < start:
            lines.append(
                (
                    self.env._(
                        "Full refund: the student leaves on %(date)s, before the "
                        "course starts on %(start)s.",
                        date=format_date(self.env, effective_date),
                        start=format_date(self.env, start),
                    ),
                    invoiced,
                    "base",
                )
            )
            result.update(gross=invoiced, full=True)
            return result
        if (
            self.cooling_off_days
            and (effective_date - enrolled_on).days <= self.cooling_off_days
        ):
            lines.append(
                (
                    self.env._(
                        "Full refund: cancelled on %(date)s, within the cooling-off "
                        "period of %(days)s days after the enrolment on %(enrolled)s.",
                        date=format_date(self.env, effective_date),
                        days=self.cooling_off_days,
                        enrolled=format_date(self.env, enrolled_on),
                    ),
                    invoiced,
                    "base",
                )
            )
            result.update(gross=invoiced, full=True)
            return result

        total = enrollment.lesson_count
        consumed = min(enrollment.lessons_consumed, total)
        remaining = total - consumed
        attended_pct = consumed * 100.0 / total if total else 100.0
        lines.append(
            (
                self.env._(
                    "Lessons: %(total)s purchased, %(consumed)s consumed (%(pct)s %%), "
                    "%(remaining)s remaining.",
                    total=total,
                    consumed=consumed,
                    pct=round(attended_pct, 1),
                    remaining=remaining,
                ),
                None,
                "info",
            )
        )
        if self.no_refund_after_percent:
            if start and enrollment.end_date and enrollment.end_date > start:
                elapsed = (
                    (effective_date - start).days
                    * 100.0
                    / (enrollment.end_date - start).days
                )
            else:
                elapsed = attended_pct
            if elapsed > self.no_refund_after_percent:
                lines.append(
                    (
                        self.env._(
                            "No refund: %(elapsed)s %% of the course has passed, the "
                            "policy refunds nothing after %(limit)s %%.",
                            elapsed=round(elapsed, 1),
                            limit=self.no_refund_after_percent,
                        ),
                        0.0,
                        "base",
                    )
                )
                return result
        if (
            self.prorata_max_attended_percent
            and attended_pct > self.prorata_max_attended_percent
        ):
            lines.append(
                (
                    self.env._(
                        "No refund: %(pct)s %% of the lessons attended, the policy "
                        "refunds pro-rata only up to %(limit)s %%.",
                        pct=round(attended_pct, 1),
                        limit=self.prorata_max_attended_percent,
                    ),
                    0.0,
                    "base",
                )
            )
            return result
        # The unit price actually paid spreads every discount over the lessons.
        unit = invoiced / total if total else 0.0
        gross = currency.round(unit * remaining * self.refund_rate / 100.0)
        rate = (
            ""
            if self.refund_rate == 100.0
            else self.env._(" at %s %%", self.refund_rate)
        )
        lines.append(
            (
                self.env._(
                    "Unit price actually paid: %(invoiced)s / %(total)s lessons = "
                    "%(unit)s.",
                    invoiced=self._fmt(invoiced),
                    total=total,
                    unit=self._fmt(unit),
                ),
                None,
                "info",
            )
        )
        lines.append(
            (
                self.env._(
                    "Unconsumed lessons: %(remaining)s x %(unit)s%(rate)s",
                    remaining=remaining,
                    unit=self._fmt(unit),
                    rate=rate,
                ),
                gross,
                "base",
            )
        )
        result["gross"] = gross
        return result

    def _compute_admin_fee(self, base):
        """Administrative fee on ``base`` (the pro-rata refundable value), capped."""
        self.ensure_one()
        fee = self.currency_id.round(base * self.admin_fee_percent / 100.0)
        if (
            self.admin_fee_cap
            and self.currency_id.compare_amounts(fee, self.admin_fee_cap) > 0
        ):
            return self.admin_fee_cap, True
        return fee, False

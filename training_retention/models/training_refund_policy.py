from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError

from .training_attrition_reason import CASE_TYPES

# The fields that decide an amount: frozen once the policy is in use.
RULE_FIELDS = {
    "company_id",
    "case_type",
    "full_refund_before_start",
    "cooling_off_days",
    "refund_rate",
    "deduct_materials",
    "admin_fee_percent",
    "admin_fee_cap",
    "no_refund_after_percent",
    "prorata_max_attended_percent",
}


class TrainingRefundPolicy(models.Model):
    """The refund policy (RET-07): what a student gets back when leaving, set by
    finance and shown to students before they enrol (printable, and on the portal).

    A policy without case type is the company's general policy; a policy with a case
    type overrides it for that type (force majeure is usually more generous). The
    computation itself is :func:`training_retention.refund_engine.compute_refund`.

    Versions: an enrolment keeps the general policy in force when the student
    enrolled (``training.enrollment.refund_policy_id``). Once a policy applies to an
    enrolment or to an approved case its rules are frozen; finance changes them
    with a new version (:meth:`action_new_version`), which new enrolments get.
    """

    _name = "training.refund.policy"
    _description = "Refund Policy"
    _order = "sequence, id"
    _check_company_auto = True

    name = fields.Char(required=True, translate=True)
    version = fields.Integer(default=1, readonly=True, copy=False)
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

    @api.depends("name", "version")
    def _compute_display_name(self):
        for policy in self:
            policy.display_name = (
                policy.name
                if policy.version <= 1
                else self.env._(
                    "%(name)s (version %(version)s)",
                    name=policy.name,
                    version=policy.version,
                )
            )

    def _in_use(self):
        """Policies that already decide a refund: an enrolment keeps them, or an
        approved case was computed with them."""
        used = (
            self.env["training.enrollment"]
            .sudo()
            .search([("refund_policy_id", "in", self.ids)])
            .refund_policy_id
        )
        used |= (
            self.env["training.attrition.case"]
            .sudo()
            .search(
                [("policy_id", "in", self.ids), ("state", "in", ("approved", "done"))]
            )
            .policy_id
        )
        return used

    def write(self, vals):
        if RULE_FIELDS & vals.keys():
            used = self._in_use()
            if used:
                raise UserError(
                    self.env._(
                        "The refund policy %s already applies to enrolments or "
                        "approved cases: its rules cannot change. Create a new "
                        "version instead; new enrolments will get it.",
                        ", ".join(used.mapped("display_name")),
                    )
                )
        return super().write(vals)

    def action_new_version(self):
        """A copy of the policy with the next version number, in force for new
        enrolments; the old version stays with the enrolments that have it."""
        self.ensure_one()
        new = self.copy({"name": self.name, "version": self.version + 1})
        self.active = False
        return {
            "type": "ir.actions.act_window",
            "res_model": self._name,
            "res_id": new.id,
            "view_mode": "form",
            "views": [(False, "form")],
        }

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

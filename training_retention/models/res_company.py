from odoo import fields, models


class ResCompany(models.Model):
    _inherit = "res.company"

    training_violation_threshold = fields.Integer(
        string="Uncorrected Violations Before a Case",
        default=3,
        help="Number of uncorrected violations after which a disciplinary case is "
        "proposed to management (RET-05). 0 disables the proposal.",
    )
    training_risk_absences = fields.Integer(
        string="Absences in a Row Before a Retention Contact",
        default=3,
        help="A student who missed this many recorded lessons in a row shows a "
        "tendency to leave: customer service gets an activity to contact them "
        "(RET-12). 0 disables it.",
    )
    training_retention_user_id = fields.Many2one(
        "res.users",
        string="Retention Contact",
        domain="[('share', '=', False)]",
        help="Customer service officer who contacts students at risk of leaving "
        "(default: the enrolment's salesperson).",
    )
    training_reenrol_program_id = fields.Many2one(
        "loyalty.program",
        string="Re-enrolment Discount Program",
        domain="[('program_type', '=', 'coupons')]",
        help="Coupon program whose coupons are given to students who leave for "
        "force majeure, for a discount when they enrol again (RET-06).",
    )
    training_refund_backdate_days = fields.Integer(
        string="Back-dating Without Confirmation (days)",
        default=7,
        help="A leaving date further than this before the day the attrition case "
        "was opened needs finance's explicit confirmation, printed on the refund "
        "statement (RET-07).",
    )
    training_refund_journal_id = fields.Many2one(
        "account.journal",
        string="Pay Refunds Automatically On",
        domain="[('type', 'in', ('bank', 'cash')), ('company_id', '=', id)]",
        help="Leave empty for finance to register each refund payment from the case "
        "(journal, method and bank account chosen in the payment wizard). Set, the "
        "refund is paid on this journal as soon as the case is approved.",
    )
    training_arrears_max_discount = fields.Float(
        string="Max Arrears Discount (%)",
        default=20.0,
        help="Highest discount finance may offer on the outstanding amount of an "
        "overdue enrolment invoice (RET-04).",
    )
    # At-risk score (RET-09, RET-10): weights and thresholds of each factor.
    training_risk_lesson_window = fields.Integer(
        string="Lessons Looked At",
        default=10,
        help="The attendance rate is taken over this many last recorded lessons.",
    )
    training_risk_attendance_min = fields.Float(
        string="Minimum Attendance (%)",
        default=90.0,
        help="An attendance rate below this over the last lessons is a risk factor.",
    )
    training_risk_weight_attendance = fields.Integer(
        string="Weight: Low Attendance", default=30
    )
    training_risk_weight_absences = fields.Integer(
        string="Weight: Absences in a Row", default=30
    )
    training_risk_weight_results = fields.Integer(
        string="Weight: Falling Test Results", default=20
    )
    training_risk_weight_overdue = fields.Integer(
        string="Weight: Overdue Invoices", default=20
    )
    training_risk_recent_days = fields.Integer(
        string="Recent Period (days)",
        default=90,
        help="Violations and retention contacts of the last so many days count in "
        "the risk score.",
    )
    training_risk_weight_violations = fields.Integer(
        string="Weight: Recent Violations", default=20
    )
    training_risk_weight_contact = fields.Integer(
        string="Weight: Recent Retention Contact",
        default=10,
        help="Points a recent retention contact takes off the risk score.",
    )

    def write(self, vals):
        result = super().write(vals)
        if any(fname.startswith("training_risk_") for fname in vals):
            # New weights or thresholds: every score is stale until the nightly
            # recomputation (the risk cron picks the enrolments not scored today).
            self.env["training.enrollment"].sudo().search(
                [("company_id", "in", self.ids), ("state", "=", "active")]
            ).write({"risk_date": False})
        return result

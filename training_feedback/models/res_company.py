from odoo import fields, models

MANAGEMENT_GROUP = "training_student_archive.training_student_archive_group_management"


class ResCompany(models.Model):
    _inherit = "res.company"

    training_feedback_manager_id = fields.Many2one(
        "res.users",
        string="Feedback Service Manager",
        domain="[('share', '=', False)]",
        help="Receives the escalations of tickets about to breach or breaching their "
        "SLA, the problem alerts and the half-yearly process review.",
    )
    training_feedback_low_rating = fields.Integer(
        string="Low Rating",
        default=2,
        help="A rating of the handling at or under this value (1-5) reopens the ticket "
        "for review.",
    )
    training_feedback_reward = fields.Selection(
        [("none", "No Reward"), ("note", "Thank-You Note"), ("coupon", "Coupon")],
        string="Reward Valid Feedback",
        default="none",
        required=True,
        help="FB-10: what a student gets when their feedback is found valid.",
    )
    training_feedback_reward_note = fields.Char(
        string="Reward Note",
        help="Note written on the student's archive, e.g. a small gift to collect.",
    )
    training_feedback_reward_program_id = fields.Many2one(
        "loyalty.program",
        string="Reward Coupon Program",
        domain="[('program_type', 'in', ('coupons', 'gift_card'))]",
        help="Coupon program whose coupon is given to the student.",
    )
    training_feedback_reward_points = fields.Float(string="Reward Points", default=1.0)
    training_feedback_problem_days = fields.Integer(
        string="Problem Detection Window (days)", default=90
    )
    training_feedback_problem_min = fields.Integer(
        string="Minimum Tickets",
        default=5,
        help="A course or teacher is judged only with at least this many tickets.",
    )
    training_feedback_problem_share = fields.Float(
        string="Complaint Share Threshold (%)", default=60.0
    )
    training_feedback_problem_rating = fields.Float(
        string="Low Average Rating Threshold", default=2.5
    )
    training_feedback_urgent_clock_hours = fields.Boolean(
        string="Urgent Tickets in Clock Hours",
        help="The service levels of urgent tickets count clock hours, nights and "
        'week-ends included (the policy\'s "24 hours" taken literally), instead of '
        "working hours of the company's calendar.",
    )
    training_feedback_wait_days = fields.Integer(
        string="Waiting for the Student Limit (working days)",
        default=5,
        help="A ticket waiting for the student's answer longer than this is closed or "
        "escalated; 0: no limit.",
    )
    training_feedback_wait_action = fields.Selection(
        [("close", "Close the Ticket"), ("escalate", "Escalate")],
        string="After the Waiting Limit",
        default="escalate",
        required=True,
    )
    training_feedback_close_days = fields.Integer(
        string="Close Resolved Tickets After (days)",
        default=7,
        help="A resolved ticket the student has not rated is closed after this many "
        "days.",
    )

    def _training_feedback_managers(self):
        """Who receives the feedback escalations of this company: its service manager,
        or, while none is set, the active internal users of the management group
        working in it (an escalation never goes to nobody)."""
        self.ensure_one()
        if self.training_feedback_manager_id:
            return self.training_feedback_manager_id
        users = self.env.ref(MANAGEMENT_GROUP).sudo().users
        return users.filtered(
            lambda u: u.active and not u.share and self in u.company_ids
        )

from odoo import fields, models


class TrainingFeedbackSlaCycle(models.Model):
    """One service-level cycle of a ticket (FB-04), kept for the statistics.

    A ticket starts its first cycle when it is received and a new one each time it is
    reopened (e.g. after a low rating, FB-06): the plan and the resolution are due
    again from the reopening. Only the ticket's own transitions and the scheduled
    action write a cycle (as superuser); nobody edits one by hand.

    Invariants, enforced by ``training.feedback``:

    * the deadlines of the running targets follow the ticket's service level (its
      priority, category or the level itself changing), counted from ``start`` plus
      the time paused while waiting for the student (``paused_hours`` on the working
      calendar, ``paused_clock_hours`` in clock hours);
    * a breach is recorded (``ack_breached``, ``resolve_breached``) the moment a
      deadline is seen passed and never taken back: a late resolution, a later
      change of priority or a reopening leave it;
    * each escalation level of each target is sent once per cycle
      (``ack_escalated``, ``resolve_escalated``).
    """

    _name = "training.feedback.sla.cycle"
    _description = "Feedback Service-Level Cycle"
    _order = "feedback_id, sequence"
    _check_company_auto = True

    feedback_id = fields.Many2one(
        "training.feedback",
        required=True,
        ondelete="cascade",
        index=True,
        readonly=True,
    )
    company_id = fields.Many2one(
        related="feedback_id.company_id", store=True, index=True
    )
    sequence = fields.Integer(string="Cycle", readonly=True, default=1)
    reason = fields.Selection(
        [("received", "Received"), ("reopened", "Reopened")],
        required=True,
        readonly=True,
        default="received",
    )
    start = fields.Datetime(required=True, readonly=True)
    end_date = fields.Datetime(string="Ended", readonly=True)
    sla_id = fields.Many2one(
        "training.feedback.sla", string="Service Level", readonly=True
    )
    priority = fields.Selection(
        [("0", "Normal"), ("1", "Urgent")], readonly=True, default="0"
    )
    clock_hours = fields.Boolean(
        readonly=True, help="Targets counted in clock hours, not on the calendar."
    )
    ack_deadline = fields.Datetime(string="Plan Due", readonly=True)
    ack_date = fields.Datetime(string="Planned On", readonly=True)
    resolve_deadline = fields.Datetime(string="Resolution Due", readonly=True)
    resolve_date = fields.Datetime(string="Resolved On", readonly=True)
    paused_hours = fields.Float(
        string="Paused (target hours)",
        readonly=True,
        help="Working time spent waiting for the student, in target hours (24 h: one "
        "working day).",
    )
    paused_clock_hours = fields.Float(string="Paused (clock hours)", readonly=True)
    ack_breached = fields.Boolean(string="Plan Late", readonly=True)
    resolve_breached = fields.Boolean(string="Resolution Late", readonly=True)
    ack_escalated = fields.Selection(
        [("at_risk", "About to Breach"), ("breached", "Breached")],
        string="Plan Escalated",
        readonly=True,
    )
    resolve_escalated = fields.Selection(
        [("at_risk", "About to Breach"), ("breached", "Breached")],
        string="Resolution Escalated",
        readonly=True,
    )
    state = fields.Selection(
        [("open", "Running"), ("met", "Met"), ("breached", "Breached")],
        string="Outcome",
        required=True,
        readonly=True,
        default="open",
        index=True,
    )

    def _close(self, now):
        """End the running cycles: breached when any of their targets was late."""
        for cycle in self.filtered(lambda c: c.state == "open"):
            cycle.write(
                {
                    "end_date": now,
                    "state": "breached"
                    if cycle.ack_breached or cycle.resolve_breached
                    else "met",
                }
            )

from odoo import api, fields, models
from odoo.exceptions import ValidationError


class TrainingFeedbackSla(models.Model):
    """Service-level targets of the tickets (FB-04), configured by management.

    A target applies to a priority and, optionally, to some categories; the most
    specific matching target wins (categories given before any category, then
    sequence). Hours are clock hours when the company has no working calendar; on a
    calendar, every 24 h of target are one working day of the calendar (the policy's
    "24 h" is a working day, as for the archive deadlines of ARC-05), unless the
    target (``clock_hours``) or, for urgent tickets, the company
    (``training_feedback_urgent_clock_hours``) counts clock hours. The warning counts
    like the targets.
    """

    _name = "training.feedback.sla"
    _description = "Feedback Service-Level Target"
    _order = "sequence, id"
    _check_company_auto = True

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    company_id = fields.Many2one("res.company", index=True)
    priority = fields.Selection(
        [("0", "Normal"), ("1", "Urgent")], required=True, default="0"
    )
    category_ids = fields.Many2many(
        "training.feedback.category",
        string="Categories",
        help="Empty: every category.",
    )
    ack_hours = fields.Float(
        string="Plan and Response Within (h)",
        required=True,
        help="The student gets a handling plan and a first response within this time.",
    )
    resolve_hours = fields.Float(string="Resolved Within (h)", required=True)
    warning_hours = fields.Float(
        string="Warn Before (h)",
        default=4.0,
        help="A ticket this close to a target is escalated as about to breach; counted "
        "like the targets (on the calendar, 24 h are one working day).",
    )
    clock_hours = fields.Boolean(
        help="Count these targets in clock hours, nights and week-ends included (the "
        'policy\'s "24 hours" taken literally), instead of on the working calendar.',
    )

    @api.constrains("ack_hours", "resolve_hours", "warning_hours")
    def _check_hours(self):
        for sla in self:
            if sla.ack_hours <= 0 or sla.resolve_hours <= 0 or sla.warning_hours < 0:
                raise ValidationError(
                    self.env._("The targets of %s must be positive hours.", sla.name)
                )
            if sla.resolve_hours < sla.ack_hours:
                raise ValidationError(
                    self.env._(
                        "The resolution target of %s cannot come before its response "
                        "target.",
                        sla.name,
                    )
                )

    @api.model
    def _find(self, priority, category, company):
        """Target applying to a ticket of ``priority`` and ``category``."""
        candidates = self.search(
            [
                ("priority", "=", priority),
                ("company_id", "in", [False, company.id]),
            ]
        )
        specific = candidates.filtered(lambda s: category in s.category_ids)
        general = candidates.filtered(lambda s: not s.category_ids)
        return (specific or general)[:1]

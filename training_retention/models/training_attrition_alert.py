from odoo import api, fields, models
from odoo.exceptions import UserError


class TrainingAttritionAlert(models.Model):
    """An early warning (RET-09): a rule fired on the attrition rates of a period.

    Raised by the scheduled evaluation of ``training.attrition.alert.rule`` with the
    figures behind it; the responsible departments get an activity, investigate
    (customer service contacts the students at risk) and close it with their
    findings in the chatter. One alert per rule, period and breakdown group.
    """

    _name = "training.attrition.alert"
    _description = "Attrition Alert"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "date_start desc, id desc"
    _check_company_auto = True

    name = fields.Char(compute="_compute_name", store=True)
    rule_id = fields.Many2one(
        "training.attrition.alert.rule",
        required=True,
        index=True,
        ondelete="cascade",
        check_company=True,
    )
    company_id = fields.Many2one("res.company", required=True, index=True)
    state = fields.Selection(
        [
            ("new", "New"),
            ("investigating", "Investigating"),
            ("done", "Closed"),
        ],
        default="new",
        required=True,
        tracking=True,
        copy=False,
        index=True,
    )
    period_type = fields.Selection(related="rule_id.period_type", store=True)
    date_start = fields.Date(string="Period", required=True, readonly=True)
    date_end = fields.Date(string="Period End", readonly=True)
    breakdown_key = fields.Char(required=True, readonly=True, default="total")
    stage_id = fields.Many2one(
        "training.course.stage", string="Course Stage", readonly=True
    )
    course_id = fields.Many2one("training.course", readonly=True)
    source_id = fields.Many2one(
        "utm.source", string="Recruitment Channel", readonly=True
    )
    enrolled = fields.Integer(readonly=True)
    lost = fields.Integer(readonly=True)
    rate = fields.Float(string="Rate (%)", digits=(16, 2), readonly=True)
    previous_rate = fields.Float(
        string="Previous Period (%)", digits=(16, 2), readonly=True
    )
    details = fields.Text(string="Figures", readonly=True)

    _sql_constraints = [
        (
            "rule_period_uniq",
            "unique(rule_id, date_start, breakdown_key)",
            "A rule raises one alert per period and group only.",
        ),
    ]

    @api.depends(
        "rule_id.name",
        "date_start",
        "breakdown_key",
        "stage_id",
        "course_id",
        "source_id",
    )
    def _compute_name(self):
        for alert in self:
            alert.name = " - ".join(
                filter(
                    None,
                    [
                        alert.rule_id.name,
                        alert._group_label(),
                        fields.Date.to_string(alert.date_start),
                    ],
                )
            )

    def _group_label(self):
        """The breakdown group of the alert: its stage, course or channel, or the
        enrolments without one ("No Course Stage"...); nothing for the whole
        institution."""
        self.ensure_one()
        fname = (self.breakdown_key or "total").split(",")[0]
        if fname not in ("stage_id", "course_id", "source_id"):
            return ""
        if self[fname]:
            return self[fname].display_name
        return {
            "stage_id": self.env._("No Course Stage"),
            "course_id": self.env._("No Course"),
            "source_id": self.env._("No Recruitment Channel"),
        }[fname]

    def _notify_responsible(self, users):
        for alert in self:
            for user in users:
                alert.activity_schedule(
                    "training_retention.mail_activity_type_attrition_alert",
                    user_id=user.id,
                    note=self.env._(
                        "%(alert)s: %(rate)s %% (previous period %(previous)s %%), "
                        "%(lost)s lost of %(enrolled)s enrolled. Investigate and "
                        "contact the students at risk.",
                        alert=alert.name,
                        rate=round(alert.rate, 2),
                        previous=round(alert.previous_rate, 2),
                        lost=alert.lost,
                        enrolled=alert.enrolled,
                    ),
                )

    def action_investigate(self):
        if self.filtered(lambda a: a.state != "new"):
            raise UserError(self.env._("Only new alerts can be taken up."))
        self.write({"state": "investigating"})
        return True

    def action_done(self):
        if self.filtered(lambda a: a.state == "done"):
            raise UserError(self.env._("This alert is already closed."))
        self.write({"state": "done"})
        self.activity_ids.action_feedback(
            feedback=self.env._("Alert closed by %s.", self.env.user.name)
        )
        return True

    def action_view_rates(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "training_retention.training_attrition_report_rate_action"
        )
        domain = [
            ("period_type", "=", self.period_type),
            ("company_id", "=", self.company_id.id),
        ]
        if self.breakdown_key and self.breakdown_key != "total":
            fname = self.breakdown_key.split(",")[0]
            # False: the enrolments without a stage, course or channel
            domain.append((fname, "=", self[fname].id))
        action["domain"] = domain
        action["context"] = {}
        return action

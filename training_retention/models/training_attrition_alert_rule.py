import logging
from collections import defaultdict

from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools import date_utils

from .training_attrition_report_mixin import PERIOD_TYPES

_logger = logging.getLogger(__name__)

PERIOD_STEP = {
    "week": relativedelta(weeks=1),
    "month": relativedelta(months=1),
    "quarter": relativedelta(months=3),
    "year": relativedelta(years=1),
}
# Complete periods the scheduled evaluation catches up at most, the last included.
MAX_CATCH_UP = 12
# measure -> numerator of the rate report (the denominator is always ``enrolled``)
MEASURES = {
    "rate": "lost",
    "rate_active": "lost_active",
    "rate_passive": "lost_passive",
}
BREAKDOWNS = {
    "total": False,
    "stage": "stage_id",
    "course": "course_id",
    "source": "source_id",
}


class TrainingAttritionAlertRule(models.Model):
    """Early-warning rule on the attrition rates (RET-09), set up by management.

    Evaluated by a scheduled action on the last complete period of its type and on
    the complete periods since its last evaluation that the action missed (at most
    ``MAX_CATCH_UP`` periods, none before the period the rule was created in), for
    the whole institution or for each course stage, course or recruitment channel:

    * *threshold*: the rate is above ``threshold`` % in each of the last
      ``consecutive_periods`` periods;
    * *rise*: the rate rose by more than ``threshold`` points over the period before
      (with the stage breakdown: a stage's rate jumping).

    Every period the rule looks at must count at least ``min_enrolled`` enrolments:
    a small sample never fires. A rule raises at most one alert per period and
    breakdown group (SQL constraint on the alert), so running it again adds nothing;
    the responsible users and the members of the responsible groups get an activity.
    """

    _name = "training.attrition.alert.rule"
    _description = "Attrition Alert Rule"
    _order = "sequence, id"
    _check_company_auto = True

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda self: self.env.company
    )
    rule_type = fields.Selection(
        [
            ("threshold", "Rate Above a Threshold"),
            ("rise", "Rise Over the Previous Period"),
        ],
        required=True,
        default="threshold",
    )
    measure = fields.Selection(
        [
            ("rate", "Attrition Rate"),
            ("rate_active", "Active Attrition Rate"),
            ("rate_passive", "Passive Attrition Rate"),
        ],
        required=True,
        default="rate",
    )
    breakdown = fields.Selection(
        [
            ("total", "Whole Institution"),
            ("stage", "Each Course Stage"),
            ("course", "Each Course"),
            ("source", "Each Recruitment Channel"),
        ],
        required=True,
        default="total",
    )
    period_type = fields.Selection(PERIOD_TYPES, required=True, default="week")
    threshold = fields.Float(
        string="Threshold (% or points)",
        digits=(16, 2),
        help="Threshold rules: the rate (%) above which the rule fires. Rise rules: "
        "the increase in percentage points over the previous period.",
    )
    consecutive_periods = fields.Integer(
        default=2,
        help="Threshold rules: the rate must be above the threshold in this many "
        "periods in a row.",
    )
    min_enrolled = fields.Integer(
        string="Minimum Enrolled",
        default=10,
        help="Each period the rule looks at must count at least this many enrolled "
        "students, or the rule does not fire.",
    )
    user_ids = fields.Many2many(
        "res.users",
        "training_attrition_alert_rule_user_rel",
        "rule_id",
        "user_id",
        string="Responsible Users",
        domain="[('share', '=', False)]",
    )
    group_ids = fields.Many2many(
        "res.groups",
        "training_attrition_alert_rule_group_rel",
        "rule_id",
        "group_id",
        string="Responsible Departments",
        help="Every member (working in the rule's company) gets an activity.",
    )
    alert_ids = fields.One2many("training.attrition.alert", "rule_id")
    evaluated_until = fields.Date(
        string="Evaluated Up To",
        readonly=True,
        copy=False,
        help="End of the last complete period the rule was evaluated on; the "
        "scheduled action catches up the periods after it.",
    )
    alert_count = fields.Integer(compute="_compute_alert_count")

    @api.depends("alert_ids")
    def _compute_alert_count(self):
        counts = dict(
            self.env["training.attrition.alert"]._read_group(
                [("rule_id", "in", self.ids)], ["rule_id"], ["__count"]
            )
        )
        for rule in self:
            rule.alert_count = counts.get(rule, 0)

    @api.constrains("threshold", "consecutive_periods", "min_enrolled")
    def _check_parameters(self):
        for rule in self:
            if rule.threshold < 0 or rule.min_enrolled < 0:
                raise ValidationError(
                    self.env._(
                        "Rule %s: the threshold and the minimum number of enrolled "
                        "students cannot be negative.",
                        rule.name,
                    )
                )
            if rule.rule_type == "threshold" and rule.consecutive_periods < 1:
                raise ValidationError(
                    self.env._(
                        "Rule %s: the rate must be above the threshold in at least "
                        "one period.",
                        rule.name,
                    )
                )

    # -- evaluation -------------------------------------------------------------------

    def _periods(self, last):
        """Start dates of the periods the rule looks at to judge the period that
        starts on ``last``, oldest first, ending with it."""
        self.ensure_one()
        step = PERIOD_STEP[self.period_type]
        count = self.consecutive_periods if self.rule_type == "threshold" else 2
        return [last - step * offset for offset in range(max(count, 1) - 1, -1, -1)]

    def _periods_to_evaluate(self, today):
        """Start dates of the periods to judge on ``today``, oldest first: those
        after the last one evaluated (or from the one the rule was created in),
        at most ``MAX_CATCH_UP`` of them, always ending with the last complete
        period before ``today``."""
        self.ensure_one()
        step = PERIOD_STEP[self.period_type]
        last = date_utils.start_of(today, self.period_type) - step
        if self.evaluated_until:
            first = self.evaluated_until + relativedelta(days=1)
        else:
            first = fields.Date.context_today(self, self.create_date)
        start = max(
            date_utils.start_of(first, self.period_type),
            last - step * (MAX_CATCH_UP - 1),
        )
        periods = []
        while start < last:
            periods.append(start)
            start += step
        return periods + [last]

    def _figures(self, starts):
        """``{group key: {period start: (enrolled, lost, rate)}}`` from the rate
        report, ``lost`` being the numerator of the rule's measure."""
        self.ensure_one()
        breakdown = BREAKDOWNS[self.breakdown]
        numerator = MEASURES[self.measure]
        groupby = ["date_start:day"] + ([breakdown] if breakdown else [])
        rows = (
            self.env["training.attrition.report.rate"]
            .sudo()
            ._read_group(
                [
                    ("period_type", "=", self.period_type),
                    ("date_start", "in", starts),
                    ("company_id", "=", self.company_id.id),
                ],
                groupby,
                ["enrolled:sum", f"{numerator}:sum"],
            )
        )
        figures = defaultdict(dict)
        for row in rows:
            start, *group, enrolled, lost = row
            # SUM of the view's counts comes back as a float
            enrolled, lost = int(enrolled or 0), int(lost or 0)
            # enrolments without the value (a course without stage, an enrolment
            # without channel) form a group of their own: "<field>,0"
            key = f"{breakdown},{group[0].id or 0}" if breakdown else "total"
            rate = lost * 100.0 / enrolled if enrolled else 0.0
            figures[key][start] = (enrolled, lost, rate)
        return figures

    def _fires(self, series, starts):
        """Whether the figures of one group over ``starts`` raise an alert."""
        self.ensure_one()
        points = [series.get(start, (0, 0, 0.0)) for start in starts]
        if any(
            enrolled < self.min_enrolled or not enrolled for enrolled, __, __ in points
        ):
            return False
        if self.rule_type == "threshold":
            return all(rate > self.threshold for __, __, rate in points)
        previous, last = points[-2][2], points[-1][2]
        return last - previous > self.threshold

    def _responsible_users(self):
        self.ensure_one()
        users = self.user_ids | self.group_ids.users
        return users.filtered(
            lambda u: not u.share and self.company_id in u.company_ids
        )

    def _evaluate(self, today=None):
        """Raise the alerts of the last complete period and of the complete periods
        missed since the last evaluation; never twice."""
        today = today or fields.Date.context_today(self)
        Alert = self.env["training.attrition.alert"]
        created = Alert
        for rule in self:
            lasts = rule._periods_to_evaluate(today)
            windows = {last: rule._periods(last) for last in lasts}
            existing = set(
                Alert.with_context(active_test=False)
                .search([("rule_id", "=", rule.id), ("date_start", "in", lasts)])
                .mapped(lambda alert: (alert.date_start, alert.breakdown_key))
            )
            figures = rule._figures(sorted({d for w in windows.values() for d in w}))
            vals_list = []
            for last, starts in windows.items():
                for key, series in figures.items():
                    if (last, key) in existing or not rule._fires(series, starts):
                        continue
                    vals_list.append(rule._prepare_alert(key, series, starts))
            if vals_list:
                alerts = Alert.create(vals_list)
                alerts._notify_responsible(rule._responsible_users())
                created |= alerts
            end = lasts[-1] + PERIOD_STEP[rule.period_type] - relativedelta(days=1)
            if not rule.evaluated_until or rule.evaluated_until < end:
                rule.evaluated_until = end
        return created

    def _prepare_alert(self, key, series, starts):
        self.ensure_one()
        enrolled, lost, rate = series[starts[-1]]
        previous = series.get(starts[-2]) if len(starts) > 1 else None
        vals = {
            "rule_id": self.id,
            "company_id": self.company_id.id,
            "period_type": self.period_type,
            "date_start": starts[-1],
            "date_end": starts[-1]
            + PERIOD_STEP[self.period_type]
            - relativedelta(days=1),
            "breakdown_key": key,
            "enrolled": enrolled,
            "lost": lost,
            "rate": rate,
            "previous_rate": previous[2] if previous else 0.0,
            "details": "\n".join(
                self.env._(
                    "%(start)s: %(enrolled)s enrolled, %(lost)s lost, %(rate)s %%",
                    start=start,
                    enrolled=series.get(start, (0, 0, 0.0))[0],
                    lost=series.get(start, (0, 0, 0.0))[1],
                    rate=round(series.get(start, (0, 0, 0.0))[2], 2),
                )
                for start in starts
            ),
        }
        if key != "total":
            fname, res_id = key.split(",")
            vals[fname] = int(res_id) or False
        return vals

    @api.model
    def _cron_evaluate(self):
        """Evaluate every active rule, each in a savepoint of its own: a rule that
        fails is logged and rolled back (its alerts and ``evaluated_until`` with it,
        so the next run catches its periods up), the others are evaluated as usual."""
        self.env["training.attrition.report.rate"]._refresh()
        rules = self.search([("active", "=", True)])
        failed = self.browse()
        for rule in rules:
            try:
                with self.env.cr.savepoint():
                    rule.with_company(rule.company_id)._evaluate()
            except Exception:
                _logger.exception(
                    "Attrition alert rule %s (id %s) failed: skipped, the other rules "
                    "are evaluated.",
                    rule.name,
                    rule.id,
                )
                failed |= rule
        self.env["ir.cron"]._notify_progress(done=len(rules) - len(failed), remaining=0)
        return True

    def action_view_alerts(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "training_retention.training_attrition_alert_action"
        )
        action["domain"] = [("rule_id", "=", self.id)]
        action["context"] = {}
        return action

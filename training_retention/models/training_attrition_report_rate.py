from odoo import fields, models
from odoo.tools import SQL

from .training_attrition_reason import CASE_TYPES
from .training_attrition_report_mixin import ACTIVE_TYPES, PASSIVE_TYPES, PERIOD_TYPES

PERIOD_STEPS = {
    "week": "1 week",
    "month": "1 month",
    "quarter": "3 months",
    "year": "1 year",
}


class TrainingAttritionReportRate(models.Model):
    """Attrition rates per period (RET-08), for management, customer service and
    finance, in pivot, graph and list views.

    One row per period (week, month, quarter and year, each row being of one
    ``period_type``), company, course, course stage and recruitment channel, with

    * ``enrolled``: enrolments active at the start of the period plus those enrolled
      in it (``enrolled_start + enrolled_new``);
    * ``lost``: enrolments lost in the period, split active (withdrawal, transfer)
      and passive (arrears, disciplinary, force majeure) and per type;
    * ``rate = lost / enrolled x 100`` and the same per split, computed from the sums
      whatever the grouping (see ``training.attrition.report.mixin``).

    The counts add up over courses, stages and channels, not over periods: a student
    active all year is enrolled in each of its months. Filter one period type.

    A materialised view, refreshed by ``_refresh`` (see the mixin): the figures are
    those of the last refresh, minutes after a change when the cron runner is up.
    """

    _name = "training.attrition.report.rate"
    _inherit = ["training.attrition.report.mixin"]
    _description = "Attrition Rate Analysis"
    _auto = False
    _order = "date_start desc, course_id"
    _rec_name = "date_start"
    _materialized = True
    _materialized_indexes = (("period_idx", "period_type, date_start"),)

    _ratio_fields = {
        "rate": ("lost", "enrolled"),
        "rate_active": ("lost_active", "enrolled"),
        "rate_passive": ("lost_passive", "enrolled"),
        **{f"rate_{code}": (f"lost_{code}", "enrolled") for code, __ in CASE_TYPES},
    }

    period_type = fields.Selection(PERIOD_TYPES, readonly=True)
    date_start = fields.Date(string="Period", readonly=True)
    date_end = fields.Date(string="Period End", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    course_id = fields.Many2one("training.course", readonly=True)
    stage_id = fields.Many2one(
        "training.course.stage", string="Course Stage", readonly=True
    )
    source_id = fields.Many2one(
        "utm.source", string="Recruitment Channel", readonly=True
    )
    enrolled_start = fields.Integer(string="Active at Start", readonly=True)
    enrolled_new = fields.Integer(string="New Enrolments", readonly=True)
    enrolled = fields.Integer(readonly=True)
    completed = fields.Integer(readonly=True)
    lost = fields.Integer(readonly=True)
    lost_active = fields.Integer(string="Lost (Active)", readonly=True)
    lost_passive = fields.Integer(string="Lost (Passive)", readonly=True)
    lost_withdrawal = fields.Integer(string="Withdrawals", readonly=True)
    lost_transfer = fields.Integer(string="Transfers", readonly=True)
    lost_arrears = fields.Integer(string="Arrears", readonly=True)
    lost_disciplinary = fields.Integer(string="Disciplinary", readonly=True)
    lost_force_majeure = fields.Integer(string="Force Majeure", readonly=True)
    rate = fields.Float(
        string="Attrition Rate (%)", digits=(16, 2), readonly=True, aggregator="avg"
    )
    rate_active = fields.Float(
        string="Active Rate (%)", digits=(16, 2), readonly=True, aggregator="avg"
    )
    rate_passive = fields.Float(
        string="Passive Rate (%)", digits=(16, 2), readonly=True, aggregator="avg"
    )
    rate_withdrawal = fields.Float(
        string="Withdrawal Rate (%)", digits=(16, 2), readonly=True, aggregator="avg"
    )
    rate_transfer = fields.Float(
        string="Transfer Rate (%)", digits=(16, 2), readonly=True, aggregator="avg"
    )
    rate_arrears = fields.Float(
        string="Arrears Rate (%)", digits=(16, 2), readonly=True, aggregator="avg"
    )
    rate_disciplinary = fields.Float(
        string="Disciplinary Rate (%)",
        digits=(16, 2),
        readonly=True,
        aggregator="avg",
    )
    rate_force_majeure = fields.Float(
        string="Force Majeure Rate (%)",
        digits=(16, 2),
        readonly=True,
        aggregator="avg",
    )

    def _period_query(self):
        """Every period of each type from the first enrolment to today (or the last
        recorded end, if later)."""
        types = SQL(", ").join(
            SQL("(%s, %s::interval)", code, step) for code, step in PERIOD_STEPS.items()
        )
        return SQL(
            """
            SELECT p.period_type,
                   gs::date AS date_start,
                   (gs + p.step)::date AS date_stop
              FROM (
                  SELECT MIN(enrolled_on) AS first_day,
                         GREATEST(
                             MAX(COALESCE(ended_on, enrolled_on)), CURRENT_DATE
                         ) AS last_day
                    FROM spell
              ) bounds
             CROSS JOIN (VALUES %s) AS p(period_type, step)
             CROSS JOIN LATERAL generate_series(
                 date_trunc(p.period_type, bounds.first_day::timestamp),
                 bounds.last_day::timestamp,
                 p.step
             ) gs
             WHERE bounds.first_day IS NOT NULL
            """,
            types,
        )

    def _view_query(self):
        lost_here = SQL("s.loss_type IS NOT NULL AND s.ended_on < p.date_stop")
        return SQL(
            """
            WITH spell AS (%(spell)s),
                 period AS (%(period)s)
            -- Numbered within each period type, so that a filter on the type
            -- (every view filters on it) is applied before the join, not after.
            SELECT (CASE p.period_type %(type_ranks)s END) * 100000000
                   + ROW_NUMBER() OVER (
                       PARTITION BY p.period_type
                       ORDER BY p.date_start, s.company_id, s.course_id,
                                s.stage_id, s.source_id
                   ) AS id,
                   p.period_type,
                   p.date_start,
                   p.date_stop - 1 AS date_end,
                   s.company_id,
                   s.course_id,
                   s.stage_id,
                   s.source_id,
                   COUNT(*) FILTER (WHERE s.enrolled_on < p.date_start)
                       AS enrolled_start,
                   COUNT(*) FILTER (WHERE s.enrolled_on >= p.date_start)
                       AS enrolled_new,
                   COUNT(*) AS enrolled,
                   COUNT(*) FILTER (
                       WHERE s.loss_type IS NULL AND s.ended_on < p.date_stop
                   ) AS completed,
                   %(losses)s,
                   COUNT(*) FILTER (WHERE %(lost_here)s) * 100.0 / COUNT(*) AS rate,
                   %(rates)s
              FROM period p
              JOIN spell s
                ON s.enrolled_on < p.date_stop
               AND (s.ended_on IS NULL OR s.ended_on >= p.date_start)
             GROUP BY p.period_type, p.date_start, p.date_stop, s.company_id,
                      s.course_id, s.stage_id, s.source_id
            """,
            spell=self._spell_query(),
            period=self._period_query(),
            losses=self._loss_counts_sql(lost_here),
            lost_here=lost_here,
            rates=self._loss_rates_sql(lost_here),
            type_ranks=SQL(" ").join(
                SQL("WHEN %s THEN %s", code, rank)
                for rank, (code, __) in enumerate(PERIOD_TYPES)
            ),
        )

    def _loss_rates_sql(self, condition):
        """Row-level rates of the splits (grouped rates come from the sums)."""
        return SQL(", ").join(
            SQL(
                "COUNT(*) FILTER (WHERE %s AND s.loss_type IN %s) * 100.0 / COUNT(*) "
                "AS %s",
                condition,
                tuple(types),
                SQL.identifier(fname),
            )
            for fname, types in self._rate_types().items()
        )

    def _rate_types(self):
        rates = {"rate_active": ACTIVE_TYPES, "rate_passive": PASSIVE_TYPES}
        rates.update({f"rate_{code}": (code,) for code, __ in CASE_TYPES})
        return rates

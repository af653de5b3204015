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

    def _view_query(self):
        """Counted from events, not by joining every enrolment to every period it
        spans (19 M rows for 100 000 students): each enrolment starts in one period
        of each type and ends in at most one; the enrolled at the start of a period
        are the running sum of the starts minus the ends before it. The periods run
        from the first enrolment of a group to today (or its last end, if later),
        and a row is kept where at least one enrolment is counted."""
        dims = SQL("company_id, course_id, stage_id, source_id")
        kinds = SQL(", ").join(
            SQL("(%s, %s::interval)", code, step) for code, step in PERIOD_STEPS.items()
        )
        # rate field -> (its losses column, the loss types it counts)
        splits = {
            fname: (fname.replace("rate_", "lost_", 1), tuple(types))
            for fname, types in self._rate_types().items()
        }
        tallies = [
            SQL("SUM(started) AS enrolled_new"),
            SQL("SUM(ended) AS ended"),
            SQL("COUNT(loss_type) AS lost"),
            SQL("COUNT(*) FILTER (WHERE ended = 1 AND loss_type IS NULL) AS completed"),
            *(
                SQL(
                    "COUNT(*) FILTER (WHERE loss_type IN %s) AS %s",
                    types,
                    SQL.identifier(lost),
                )
                for lost, types in splits.values()
            ),
        ]
        rates = SQL(", ").join(
            SQL(
                "%s * 100.0 / enrolled AS %s",
                SQL.identifier(lost),
                SQL.identifier(fname),
            )
            for fname, (lost, __) in splits.items()
        )
        return SQL(
            """
            WITH spell AS (%(spell)s),
                 kind AS (SELECT * FROM (VALUES %(kinds)s) AS k(period_type, step)),
                 event AS (
                     -- the periods of each group, a start, an end
                     SELECT k.period_type, gs::date AS date_start, %(g_dims)s,
                            0 AS started, 0 AS ended, NULL AS loss_type
                       FROM (
                           SELECT %(dims)s, MIN(enrolled_on) AS first_day,
                                  GREATEST(
                                      MAX(COALESCE(ended_on, enrolled_on)),
                                      CURRENT_DATE
                                  ) AS last_day
                             FROM spell
                            GROUP BY %(dims)s
                       ) g
                      CROSS JOIN kind k
                      CROSS JOIN LATERAL generate_series(
                          date_trunc(k.period_type, g.first_day::timestamp),
                          g.last_day::timestamp,
                          k.step
                      ) gs
                     UNION ALL
                     SELECT k.period_type,
                            date_trunc(k.period_type, s.enrolled_on)::date,
                            %(s_dims)s, 1, 0, NULL
                       FROM spell s CROSS JOIN kind k
                     UNION ALL
                     SELECT k.period_type,
                            date_trunc(k.period_type, s.ended_on)::date,
                            %(s_dims)s, 0, 1, s.loss_type
                       FROM spell s CROSS JOIN kind k
                      WHERE s.ended_on IS NOT NULL
                 ),
                 tally AS (
                     SELECT period_type, date_start, %(dims)s, %(tallies)s
                       FROM event
                      GROUP BY period_type, date_start, %(dims)s
                 ),
                 running AS (
                     SELECT t.*,
                            SUM(enrolled_new - ended) OVER (
                                PARTITION BY period_type, %(dims)s
                                ORDER BY date_start
                            ) - (enrolled_new - ended) AS enrolled_start
                       FROM tally t
                 ),
                 counted AS (
                     SELECT r.*, enrolled_start + enrolled_new AS enrolled
                       FROM running r
                      WHERE enrolled_start + enrolled_new > 0
                 )
            -- Numbered within each period type: ids stay apart between types.
            SELECT (CASE c.period_type %(type_ranks)s END) * 100000000
                   + ROW_NUMBER() OVER (
                       PARTITION BY c.period_type
                       ORDER BY c.date_start, %(dims)s
                   ) AS id,
                   c.period_type,
                   c.date_start,
                   (c.date_start + k.step)::date - 1 AS date_end,
                   %(dims)s,
                   enrolled_start::int AS enrolled_start,
                   enrolled_new::int AS enrolled_new,
                   enrolled::int AS enrolled,
                   completed,
                   lost,
                   %(losses)s,
                   lost * 100.0 / enrolled AS rate,
                   %(rates)s
              FROM counted c
              JOIN kind k ON k.period_type = c.period_type
            """,
            spell=self._spell_query(),
            kinds=kinds,
            dims=dims,
            g_dims=SQL("g.company_id, g.course_id, g.stage_id, g.source_id"),
            s_dims=SQL("s.company_id, s.course_id, s.stage_id, s.source_id"),
            tallies=SQL(", ").join(tallies),
            losses=SQL(", ").join(SQL.identifier(lost) for lost, __ in splits.values()),
            rates=rates,
            type_ranks=SQL(" ").join(
                SQL("WHEN %s THEN %s", code, rank)
                for rank, (code, __) in enumerate(PERIOD_TYPES)
            ),
        )

    def _rate_types(self):
        rates = {"rate_active": ACTIVE_TYPES, "rate_passive": PASSIVE_TYPES}
        rates.update({f"rate_{code}": (code,) for code, __ in CASE_TYPES})
        return rates

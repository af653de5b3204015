from odoo import fields, models
from odoo.tools import SQL

from .training_attrition_reason import CASE_TYPES

COHORT_MONTHS = (1, 3, 6, 12)


class TrainingAttritionReportCohort(models.Model):
    """Retention by enrolment-month cohort (RET-08), for management, customer
    service and finance.

    One row per enrolment that was ever active, in the cohort of the month it was
    enrolled in. For N in 1, 3, 6 and 12 months:

    * ``mature_N`` is 1 once N months have passed since the enrolment (figures of
      younger enrolments are not known yet and stay out of the share);
    * ``retained_N`` is 1 when such an enrolment was not lost (withdrawn or
      transferred) within N months of its enrolment: still active, or completed;
    * ``retention_N = retained_N / mature_N x 100``, computed from the sums whatever
      the grouping (group by cohort month, course, stage or channel).
    """

    _name = "training.attrition.report.cohort"
    _inherit = ["training.attrition.report.mixin"]
    _description = "Attrition Cohort Analysis"
    _auto = False
    _order = "cohort_date desc, id"
    _materialized = True
    _materialized_indexes = (("cohort_idx", "cohort_date"),)
    _rec_name = "enrollment_id"

    _ratio_fields = {
        f"retention_{months}": (f"retained_{months}", f"mature_{months}")
        for months in COHORT_MONTHS
    }

    cohort_date = fields.Date(string="Cohort", readonly=True)
    enrolled_on = fields.Date(readonly=True)
    ended_on = fields.Date(readonly=True)
    enrollment_id = fields.Many2one(
        "training.enrollment", string="Enrolment", readonly=True
    )
    partner_id = fields.Many2one("res.partner", string="Student", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    course_id = fields.Many2one("training.course", readonly=True)
    stage_id = fields.Many2one(
        "training.course.stage", string="Course Stage", readonly=True
    )
    source_id = fields.Many2one(
        "utm.source", string="Recruitment Channel", readonly=True
    )
    loss_type = fields.Selection(CASE_TYPES, readonly=True)
    reason_id = fields.Many2one("training.attrition.reason", readonly=True)
    enrolled = fields.Integer(string="Cohort Size", readonly=True)
    lost = fields.Integer(readonly=True)
    mature_1 = fields.Integer(string="Known After 1 Month", readonly=True)
    mature_3 = fields.Integer(string="Known After 3 Months", readonly=True)
    mature_6 = fields.Integer(string="Known After 6 Months", readonly=True)
    mature_12 = fields.Integer(string="Known After 12 Months", readonly=True)
    retained_1 = fields.Integer(string="Retained After 1 Month", readonly=True)
    retained_3 = fields.Integer(string="Retained After 3 Months", readonly=True)
    retained_6 = fields.Integer(string="Retained After 6 Months", readonly=True)
    retained_12 = fields.Integer(string="Retained After 12 Months", readonly=True)
    retention_1 = fields.Float(
        string="Retention 1 Month (%)", digits=(16, 2), readonly=True, aggregator="avg"
    )
    retention_3 = fields.Float(
        string="Retention 3 Months (%)",
        digits=(16, 2),
        readonly=True,
        aggregator="avg",
    )
    retention_6 = fields.Float(
        string="Retention 6 Months (%)",
        digits=(16, 2),
        readonly=True,
        aggregator="avg",
    )
    retention_12 = fields.Float(
        string="Retention 12 Months (%)",
        digits=(16, 2),
        readonly=True,
        aggregator="avg",
    )

    def _view_query(self):
        columns = []
        for months in COHORT_MONTHS:
            horizon = SQL("(s.enrolled_on + %s::interval)::date", f"{months} months")
            mature = SQL("%s <= CURRENT_DATE", horizon)
            retained = SQL(
                "%s AND (s.loss_type IS NULL OR s.ended_on >= %s)", mature, horizon
            )
            columns.append(
                SQL(
                    """(%(mature)s)::int AS %(mature_col)s,
                       (%(retained)s)::int AS %(retained_col)s,
                       CASE WHEN %(mature)s
                            THEN (%(retained)s)::int * 100.0 END AS %(rate_col)s""",
                    mature=mature,
                    retained=retained,
                    mature_col=SQL.identifier(f"mature_{months}"),
                    retained_col=SQL.identifier(f"retained_{months}"),
                    rate_col=SQL.identifier(f"retention_{months}"),
                )
            )
        return SQL(
            """
            SELECT s.enrollment_id AS id,
                   s.enrollment_id,
                   date_trunc('month', s.enrolled_on)::date AS cohort_date,
                   s.enrolled_on,
                   s.ended_on,
                   s.partner_id,
                   s.company_id,
                   s.course_id,
                   s.stage_id,
                   s.source_id,
                   s.loss_type,
                   s.reason_id,
                   1 AS enrolled,
                   (s.loss_type IS NOT NULL)::int AS lost,
                   %s
              FROM (%s) s
            """,
            SQL(", ").join(columns),
            self._spell_query(),
        )

from odoo import fields, models
from odoo.tools import SQL

from .training_attrition_reason import CASE_TYPES
from .training_attrition_report_mixin import ACTIVE_TYPES, PERIOD_TYPES


class TrainingAttritionReportType(models.Model):
    """Attrition rates per period split by type of loss (RET-08, RET-11): the
    attrition dashboard of management, customer service and finance, whose chart
    stacks the rate of each type month by month.

    Each row of the rate report (``training.attrition.report.rate``) is repeated
    once per loss type with the losses of that type, so the rate can be grouped by
    type. Every type row of a rate row carries its ``enrolled``: the enrolled of a
    group are ``SUM(enrolled) / COUNT(DISTINCT loss_type)`` (see
    ``_read_group_select``), and the rate of a group is its losses over them; the
    rates of the types of a period add up to the period's attrition rate.
    """

    _name = "training.attrition.report.type"
    _inherit = ["training.attrition.report.mixin"]
    _description = "Attrition Rate by Type"
    _auto = False
    _order = "date_start desc, loss_type"
    _rec_name = "date_start"

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
    loss_type = fields.Selection(CASE_TYPES, string="Type", readonly=True)
    loss_class = fields.Selection(
        [("active", "Active Loss"), ("passive", "Passive Loss")],
        string="Active or Passive",
        readonly=True,
    )
    enrolled = fields.Integer(readonly=True)
    lost = fields.Integer(readonly=True)
    rate = fields.Float(
        string="Attrition Rate (%)", digits=(16, 2), readonly=True, aggregator="avg"
    )

    def _view_query(self):
        types = SQL(", ").join(
            SQL(
                "(%s, %s, %s)",
                code,
                "active" if code in ACTIVE_TYPES else "passive",
                number,
            )
            for number, (code, __) in enumerate(CASE_TYPES)
        )
        lost = SQL(" ").join(
            SQL("WHEN %s THEN r.%s", code, SQL.identifier(f"lost_{code}"))
            for code, __ in CASE_TYPES
        )
        return SQL(
            """
            SELECT r.id * %(count)s + t.number AS id,
                   r.period_type,
                   r.date_start,
                   r.date_end,
                   r.company_id,
                   r.course_id,
                   r.stage_id,
                   r.source_id,
                   t.loss_type,
                   t.loss_class,
                   r.enrolled,
                   CASE t.loss_type %(lost)s END AS lost,
                   (CASE t.loss_type %(lost)s END) * 100.0 / r.enrolled AS rate
              FROM training_attrition_report_rate r
             CROSS JOIN (VALUES %(types)s) AS t(loss_type, loss_class, number)
            """,
            count=len(CASE_TYPES),
            types=types,
            lost=lost,
        )

    def _read_group_select(self, aggregate_spec, query):
        # Each rate row is repeated once per type: count its enrolled once.
        if aggregate_spec.split(":")[0] in ("enrolled", "rate"):
            enrolled = SQL(
                "SUM(%s) / COUNT(DISTINCT %s)",
                self._field_to_sql(self._table, "enrolled", query),
                self._field_to_sql(self._table, "loss_type", query),
            )
            if aggregate_spec.startswith("enrolled"):
                return enrolled
            return SQL(
                "SUM(%s) * 100.0 / NULLIF(%s, 0)",
                self._field_to_sql(self._table, "lost", query),
                enrolled,
            )
        return super()._read_group_select(aggregate_spec, query)

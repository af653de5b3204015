from odoo import api, models, tools
from odoo.tools import SQL

PERIOD_TYPES = [
    ("week", "Week"),
    ("month", "Month"),
    ("quarter", "Quarter"),
    ("year", "Year"),
]
ACTIVE_TYPES = ("withdrawal", "transfer")
PASSIVE_TYPES = ("arrears", "disciplinary", "force_majeure")


class TrainingAttritionReportMixin(models.AbstractModel):
    """What the attrition reports share (RET-08): the *enrolment spells* every figure
    is counted from, and ratio measures that stay right once grouped.

    A ratio such as an attrition rate cannot be summed or averaged over the rows of a
    pivot: ``_ratio_fields`` maps each ratio field to its numerator and denominator
    fields, and ``_read_group_select`` computes it as ``SUM(numerator) * 100 /
    SUM(denominator)`` over whatever the pivot, graph or grouped list groups.
    """

    _name = "training.attrition.report.mixin"
    _description = "Attrition Report Helpers"

    # ratio field -> (numerator field, denominator field), in percent
    _ratio_fields = {}

    # Reports counted ahead (materialised) and refreshed by _refresh; extra indexes.
    _materialized = False
    _materialized_indexes = ()

    def init(self):
        """Create the report's view; a materialised one gets a unique index (for
        ``REFRESH ... CONCURRENTLY``) and ``_materialized_indexes``."""
        if self._abstract:
            return
        table = SQL.identifier(self._table)
        tools.drop_view_if_exists(self.env.cr, self._table)
        kind = SQL("MATERIALIZED VIEW" if self._materialized else "VIEW")
        self.env.cr.execute(
            SQL("CREATE %s %s AS (%s)", kind, table, self._view_query())
        )
        if not self._materialized:
            return
        for suffix, columns in (("id_uniq", "id"), *self._materialized_indexes):
            unique = SQL("UNIQUE" if suffix == "id_uniq" else "")
            self.env.cr.execute(
                SQL(
                    "CREATE %s INDEX %s ON %s (%s)",
                    unique,
                    SQL.identifier(f"{self._table}_{suffix}"),
                    table,
                    SQL(columns),
                )
            )

    @api.model
    def _refresh(self):
        """Recount the figures of the materialised attrition reports from the
        enrolments and cases as they are now; readers are not blocked meanwhile.
        Run by the scheduled action *Training: Refresh Attrition Rates* at night and
        soon after enrolments or cases change (``_trigger_refresh``), and before the
        alert rules and the printed reports use the figures."""
        self.env.flush_all()
        for model in self.env.registry.descendants(
            ["training.attrition.report.mixin"], "_inherit"
        ):
            Report = self.env[model]
            if Report._materialized and not Report._abstract:
                self.env.cr.execute(
                    SQL(
                        "REFRESH MATERIALIZED VIEW CONCURRENTLY %s",
                        SQL.identifier(Report._table),
                    )
                )
        self.env.invalidate_all()
        return True

    @api.model
    def _trigger_refresh(self):
        """Ask the cron runner to refresh the figures soon."""
        cron = self.env.ref(
            "training_retention.ir_cron_refresh_attrition_rates",
            raise_if_not_found=False,
        )
        if cron:
            cron.sudo()._trigger()

    @api.model
    def _spell_query(self):
        """One row per enrolment that was ever active: when it started to count
        (``enrolled_on``), when it stopped (``ended_on``, NULL while active) and, for a
        loss, its type (``loss_type``) and reason.

        * ``enrolled_on``: the day of the confirmation (else of the creation), or the
          start date when earlier -- the same day the attrition cases check their
          effective date against;
        * a loss is an enrolment ended as withdrawn or transferred; its type and date
          come from the approved (or closed) attrition case linked to it, else from
          the enrolment (withdrawn: withdrawal, transferred: transfer; its closed
          date). Completed enrolments end without a loss; suspensions end nothing.
        """
        return SQL(
            """
            SELECT e.id AS enrollment_id,
                   e.partner_id,
                   e.company_id,
                   e.course_id,
                   e.stage_id,
                   e.source_id,
                   d.enrolled_on,
                   -- never before it started (GREATEST skips a NULL)
                   CASE WHEN e.state != 'active' THEN GREATEST(d.enrolled_on, CASE
                       WHEN e.state IN ('withdrawn', 'transferred') THEN COALESCE(
                           cl.effective_date, e.closed_date, e.write_date::date
                       )
                       ELSE COALESCE(e.closed_date, e.write_date::date)
                   END) END AS ended_on,
                   CASE
                       WHEN e.state IN ('withdrawn', 'transferred') THEN COALESCE(
                           cl.case_type,
                           CASE e.state
                               WHEN 'withdrawn' THEN 'withdrawal'
                               ELSE 'transfer'
                           END
                       )
                   END AS loss_type,
                   CASE
                       WHEN e.state IN ('withdrawn', 'transferred') THEN cl.reason_id
                   END AS reason_id
              FROM training_enrollment e
             CROSS JOIN LATERAL (
                  SELECT LEAST(
                      COALESCE(e.confirm_date, e.create_date)::date, e.start_date
                  ) AS enrolled_on
             ) d
              LEFT JOIN (
                  SELECT DISTINCT ON (rel.enrollment_id)
                         rel.enrollment_id,
                         c.case_type,
                         c.effective_date,
                         c.reason_id
                    FROM training_attrition_case_enrollment_rel rel
                    JOIN training_attrition_case c ON c.id = rel.case_id
                   WHERE c.state IN ('approved', 'done')
                     AND c.suspend IS NOT TRUE
                   ORDER BY rel.enrollment_id,
                            c.approval_date DESC NULLS LAST,
                            c.id DESC
              ) cl ON cl.enrollment_id = e.id
             WHERE e.state IN ('active', 'completed', 'withdrawn', 'transferred')
            """
        )

    def _read_group_select(self, aggregate_spec, query):
        fname = aggregate_spec.split(":")[0]
        if fname in self._ratio_fields:
            numerator, denominator = self._ratio_fields[fname]
            return SQL(
                "SUM(%s) * 100.0 / NULLIF(SUM(%s), 0)",
                self._field_to_sql(self._table, numerator, query),
                self._field_to_sql(self._table, denominator, query),
            )
        return super()._read_group_select(aggregate_spec, query)

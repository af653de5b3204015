from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.exceptions import UserError

from ..models.training_attrition_reason import CASE_TYPES
from ..models.training_attrition_report_mixin import (
    ACTIVE_TYPES,
    PASSIVE_TYPES,
)

TREND_PERIODS = 4
COUNTS = ["enrolled", "lost", "lost_active", "lost_passive"] + [
    f"lost_{code}" for code, __ in CASE_TYPES
]


class TrainingAttritionReportPrint(models.TransientModel):
    """Quarterly and yearly attrition report (RET-11) for the management meeting:
    totals, rates by type, reason shares, stage and course breakdowns, the trend
    over the previous periods and the cases management marked as typical; printed
    as PDF or exported as xlsx. Figures come from the rate report (RET-08)."""

    _name = "training.attrition.report.print"
    _description = "Attrition Report"

    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company
    )
    period_type = fields.Selection(
        [("quarter", "Quarter"), ("year", "Year")], required=True, default="quarter"
    )
    year = fields.Integer(
        required=True, default=lambda self: fields.Date.context_today(self).year
    )
    quarter = fields.Selection(
        [("1", "Q1"), ("2", "Q2"), ("3", "Q3"), ("4", "Q4")],
        default=lambda self: str((fields.Date.context_today(self).month - 1) // 3 + 1),
    )

    @api.constrains("year")
    def _check_year(self):
        for wizard in self:
            if not 1900 < wizard.year < 3000:
                raise UserError(self.env._("Enter a year such as 2025."))

    def _period(self):
        self.ensure_one()
        if self.period_type == "year":
            start = fields.Date.to_date(f"{self.year}-01-01")
            return start, relativedelta(years=1)
        if not self.quarter:
            raise UserError(self.env._("Choose the quarter to report on."))
        month = (int(self.quarter) - 1) * 3 + 1
        return fields.Date.to_date(f"{self.year}-{month:02d}-01"), relativedelta(
            months=3
        )

    def _period_label(self, start):
        if self.period_type == "year":
            return str(start.year)
        return f"Q{(start.month - 1) // 3 + 1} {start.year}"

    @staticmethod
    def _row(label, sums):
        enrolled = int(sums.get("enrolled") or 0)
        row = {"label": label}
        for fname in COUNTS:
            row[fname] = int(sums.get(fname) or 0)
        for fname in ["lost", "lost_active", "lost_passive"] + [
            f"lost_{code}" for code, __ in CASE_TYPES
        ]:
            rate_name = "rate" + fname[4:]
            row[rate_name] = row[fname] * 100.0 / enrolled if enrolled else 0.0
        return row

    def _groups(self, domain, groupby):
        Rate = self.env["training.attrition.report.rate"]
        aggregates = [f"{fname}:sum" for fname in COUNTS]
        result = []
        for values in Rate._read_group(domain, groupby, aggregates):
            keys, sums = values[: len(groupby)], values[len(groupby) :]
            result.append((keys, dict(zip(COUNTS, sums, strict=True))))
        return result

    def _report_data(self):
        """Every figure of the report, for the PDF and the xlsx alike."""
        self.ensure_one()
        start, step = self._period()
        stop = start + step
        base = [
            ("period_type", "=", self.period_type),
            ("company_id", "=", self.company_id.id),
        ]
        here = base + [("date_start", "=", start)]
        total = self._row(self._period_label(start), dict(self._groups(here, [])[0][1]))
        types = dict(CASE_TYPES)
        type_rows = [
            {
                "label": types[code],
                "kind": self.env._("active")
                if code in ACTIVE_TYPES
                else self.env._("passive"),
                "lost": total[f"lost_{code}"],
                "rate": total[f"rate_{code}"],
            }
            for code in ACTIVE_TYPES + PASSIVE_TYPES
        ]
        stages = [
            self._row(keys[0].display_name or self.env._("No stage"), sums)
            for keys, sums in self._groups(here, ["stage_id"])
        ]
        courses = [
            self._row(keys[0].display_name, sums)
            for keys, sums in self._groups(here, ["course_id"])
        ]
        starts = [start - step * back for back in range(TREND_PERIODS, -1, -1)]
        by_start = {
            keys[0]: sums
            for keys, sums in self._groups(
                base + [("date_start", "in", starts)], ["date_start:day"]
            )
        }
        trend = [
            self._row(self._period_label(when), by_start.get(when, {}))
            for when in starts
        ]
        losses = self.env["training.attrition.report.cohort"]._read_group(
            [
                ("company_id", "=", self.company_id.id),
                ("loss_type", "!=", False),
                ("ended_on", ">=", start),
                ("ended_on", "<", stop),
            ],
            ["reason_id"],
            ["__count"],
            order="__count desc",
        )
        lost = sum(count for __, count in losses)
        reasons = [
            {
                "label": reason.display_name or self.env._("Not specified"),
                "lost": count,
                "share": count * 100.0 / lost if lost else 0.0,
            }
            for reason, count in losses
        ]
        typical = self.env["training.attrition.case"].search(
            [
                ("company_id", "=", self.company_id.id),
                ("is_typical", "=", True),
                ("state", "in", ("approved", "done")),
                ("effective_date", ">=", start),
                ("effective_date", "<", stop),
            ],
            order="effective_date, id",
        )
        return {
            "title": self.env._(
                "Attrition report %(period)s - %(company)s",
                period=total["label"],
                company=self.company_id.name,
            ),
            "total": total,
            "types": type_rows,
            "reasons": reasons,
            "stages": stages,
            "courses": courses,
            "trend": trend,
            "typical": [
                {
                    "name": case.name,
                    "student": case.partner_id.name,
                    "type": types[case.case_type],
                    "reason": case.reason_id.name or "",
                    "date": fields.Date.to_string(case.effective_date),
                    "description": case.description or "",
                }
                for case in typical
            ],
        }

    def action_print_pdf(self):
        self.ensure_one()
        self._period()
        self.env["training.attrition.report.rate"]._refresh()
        return self.env.ref(
            "training_retention.action_report_attrition_review"
        ).report_action(self)

    def action_print_xlsx(self):
        self.ensure_one()
        self._period()
        self.env["training.attrition.report.rate"]._refresh()
        return self.env.ref(
            "training_retention.action_report_attrition_review_xlsx"
        ).report_action(self)

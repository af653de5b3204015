"""Quarterly and yearly attrition report (RET-11) on the fixed data set of
:mod:`.common_analytics`: totals, rates by type, reason shares, stage and course
breakdowns, trend and typical cases, in the xlsx (read back with openpyxl) and the
PDF's HTML."""

import io

import openpyxl

from odoo.tests import Form, freeze_time, tagged

from .common_analytics import AttritionDataCommon


@tagged("post_install", "-at_install")
@freeze_time("2025-07-01 08:00:00")
class TestAttritionReport(AttritionDataCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Case = cls.env["training.attrition.case"]
        cls.case_e4 = Case.search([("enrollment_ids", "in", cls.e["E4"].ids)])
        cls.reason = cls.env["training.attrition.reason"].search(
            [("case_type", "=", "arrears")], limit=1
        )
        # A past, approved decision: its details as the flow recorded them.
        cls.case_e4._write_system(
            {
                "reason_id": cls.reason.id,
                "is_typical": True,
                "description": "Lost his job; paid nothing since February.",
            }
        )
        cls.env["training.attrition.report.rate"]._refresh()

    def _wizard(self, **vals):
        form = Form(
            self.env["training.attrition.report.print"].with_user(
                self.user_customer_service
            )
        )
        for key, value in vals.items():
            setattr(form, key, value)
        return form.save()

    @staticmethod
    def _sections(content):
        """``{section title: [rows of values]}`` of the xlsx, header row included."""
        sheet = openpyxl.load_workbook(io.BytesIO(content)).active
        sections, current = {}, None
        for row in sheet.iter_rows(min_row=2, values_only=True):
            values = [v for v in row if v is not None]
            if not values:
                current = None
            elif current is None:
                current = sections.setdefault(values[0], [])
            else:
                current.append(list(row[: len(values)]))
        return sheet.title, sections

    def test_quarterly_report_xlsx_and_pdf(self):
        """RET-11, RET-08: Q1 2025: 11 enrolled, 5 lost (45.45 %); active 3 (E3,
        E12 withdrawals, E6 transfer: 27.27 %), passive 2 (E4 arrears, E8 force
        majeure: 18.18 %); reasons: E4's 1 of 5 (20 %), 4 not specified (80 %);
        foundation 3 of 7, advanced 2 of 4; trend from Q1 2024 (nobody) over Q4
        2024 (2 enrolled, none lost); E4's case is the typical one."""
        wizard = self._wizard(period_type="quarter", year=2025, quarter="1")
        action = wizard.action_print_xlsx()
        self.assertEqual(action["report_type"], "xlsx")
        content, __ = (
            self.env["ir.actions.report"]
            .with_user(self.user_customer_service)
            ._render_xlsx(action["report_name"], wizard.ids, None)
        )
        title, sections = self._sections(content)
        self.assertEqual(title, "Q1 2025")
        totals = sections["Totals"]
        self.assertEqual(
            totals[0][:4], ["Period", "Enrolled", "Lost", "Attrition Rate (%)"]
        )
        label, enrolled, lost, rate, active, passive = totals[1]
        self.assertEqual((label, enrolled, lost), ("Q1 2025", 11, 5))
        self.assertAlmostEqual(rate, 500 / 11, places=2)
        self.assertAlmostEqual(active, 300 / 11, places=2)
        self.assertAlmostEqual(passive, 200 / 11, places=2)
        types = {line[0]: (line[1], line[2]) for line in sections["Rates by type"][1:]}
        self.assertEqual(
            types,
            {
                "Withdrawal": ("active", 2),
                "Transfer": ("active", 1),
                "Arrears": ("passive", 1),
                "Disciplinary": ("passive", 0),
                "Force Majeure": ("passive", 1),
            },
        )
        reasons = {line[0]: (line[1], line[2]) for line in sections["Reasons"][1:]}
        self.assertEqual(
            reasons, {self.reason.name: (1, 20.0), "Not specified": (4, 80.0)}
        )
        stages = {
            line[0]: (line[1], line[2]) for line in sections["By course stage"][1:]
        }
        self.assertEqual(
            stages,
            {self.stage_foundation.name: (7, 3), self.stage_advanced.name: (4, 2)},
        )
        courses = {line[0]: (line[1], line[2]) for line in sections["By course"][1:]}
        self.assertEqual(
            courses,
            {self.course_a.display_name: (7, 3), self.course_b.display_name: (4, 2)},
        )
        trend = [tuple(line[:3]) for line in sections["Trend"][1:]]
        self.assertEqual(
            trend,
            [
                ("Q1 2024", 0, 0),
                ("Q2 2024", 0, 0),
                ("Q3 2024", 0, 0),
                ("Q4 2024", 2, 0),
                ("Q1 2025", 11, 5),
            ],
        )
        typical = sections["Typical cases"][1:]
        self.assertEqual(len(typical), 1)
        self.assertEqual(typical[0][0], self.case_e4.name)
        self.assertIn("Lost his job", typical[0][5])
        # The PDF shows the same figures.
        html = (
            self.env["ir.actions.report"]
            .with_user(self.user_customer_service)
            ._render_qweb_html(
                "training_retention.action_report_attrition_review", wizard.ids
            )[0]
            .decode()
        )
        for text in ("Q1 2025", "45.45", "27.27", "18.18", self.case_e4.name, "80.00"):
            self.assertIn(text, html)

    def test_yearly_report(self):
        """RET-11: the year 2025: 11 enrolled, 6 lost (E7's disciplinary loss in
        April too): 54.55 %; the trend goes back four years."""
        wizard = self._wizard(period_type="year", year=2025)
        data = wizard._report_data()
        total = data["total"]
        self.assertEqual((total["enrolled"], total["lost"]), (11, 6))
        self.assertAlmostEqual(total["rate"], 600 / 11, places=2)
        self.assertEqual(
            [(t["label"], t["enrolled"]) for t in data["trend"]],
            [("2021", 0), ("2022", 0), ("2023", 0), ("2024", 2), ("2025", 11)],
        )

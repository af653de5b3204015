from odoo import models


class AttritionReportXlsx(models.AbstractModel):
    """The quarterly or yearly attrition report (RET-11) as an xlsx workbook, one
    sheet, the sections one under the other, as in the PDF."""

    _name = "report.training_retention.attrition_report_xlsx"
    _inherit = "report.report_xlsx.abstract"
    _description = "Attrition Report (xlsx)"

    def _write_section(self, sheet, bold, row, heading, columns, lines):
        """Write a section: its heading, the column labels, one row per line;
        return the row after it (a blank row apart)."""
        sheet.write(row, 0, heading, bold)
        row += 1
        for col, (label, __, __) in enumerate(columns):
            sheet.write(row, col, label, bold)
        row += 1
        for line in lines:
            for col, (__, key, fmt) in enumerate(columns):
                if fmt:
                    sheet.write_number(row, col, line[key], fmt)
                else:
                    sheet.write(row, col, line[key])
            row += 1
        return row + 1

    def generate_xlsx_report(self, workbook, data, objs):
        bold = workbook.add_format({"bold": True})
        title = workbook.add_format({"bold": True, "font_size": 14})
        percent = workbook.add_format({"num_format": "0.00"})
        for wizard in objs:
            report = wizard._report_data()
            sheet = workbook.add_worksheet(report["total"]["label"][:31])
            sheet.set_column(0, 0, 32)
            sheet.set_column(1, 8, 14)
            sheet.write(0, 0, report["title"], title)
            row = 2

            figures = [
                (self.env._("Period"), "label", None),
                (self.env._("Enrolled"), "enrolled", None),
                (self.env._("Lost"), "lost", None),
                (self.env._("Attrition Rate (%)"), "rate", percent),
                (self.env._("Active Rate (%)"), "rate_active", percent),
                (self.env._("Passive Rate (%)"), "rate_passive", percent),
            ]
            row = self._write_section(
                sheet, bold, row, self.env._("Totals"), figures, [report["total"]]
            )
            row = self._write_section(
                sheet,
                bold,
                row,
                self.env._("Rates by type"),
                [
                    (self.env._("Type"), "label", None),
                    (self.env._("Kind"), "kind", None),
                    (self.env._("Lost"), "lost", None),
                    (self.env._("Rate (%)"), "rate", percent),
                ],
                report["types"],
            )
            row = self._write_section(
                sheet,
                bold,
                row,
                self.env._("Reasons"),
                [
                    (self.env._("Reason"), "label", None),
                    (self.env._("Lost"), "lost", None),
                    (self.env._("Share (%)"), "share", percent),
                ],
                report["reasons"],
            )
            figures[0] = (self.env._("Course Stage"), "label", None)
            row = self._write_section(
                sheet,
                bold,
                row,
                self.env._("By course stage"),
                figures,
                report["stages"],
            )
            figures[0] = (self.env._("Course"), "label", None)
            row = self._write_section(
                sheet, bold, row, self.env._("By course"), figures, report["courses"]
            )
            figures[0] = (self.env._("Period"), "label", None)
            row = self._write_section(
                sheet, bold, row, self.env._("Trend"), figures, report["trend"]
            )
            self._write_section(
                sheet,
                bold,
                row,
                self.env._("Typical cases"),
                [
                    (self.env._("Case"), "name", None),
                    (self.env._("Student"), "student", None),
                    (self.env._("Type"), "type", None),
                    (self.env._("Reason"), "reason", None),
                    (self.env._("Effective"), "date", None),
                    (self.env._("Details"), "description", None),
                ],
                report["typical"],
            )

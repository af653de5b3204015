from odoo import models


class TrainingFeedbackReviewXlsx(models.AbstractModel):
    """Year-end report and process review as a workbook (FB-07, FB-08)."""

    _name = "report.training_feedback.review_xlsx"
    _description = "Feedback Review (xlsx)"
    _inherit = "report.report_xlsx.abstract"

    def _get_objs_for_report(self, docids, data):
        return self.env["training.feedback.review"].browse(docids)

    def generate_xlsx_report(self, workbook, data, reviews):
        bold = workbook.add_format({"bold": True})
        for review in reviews:
            figures = review._get_figures()
            current, previous = figures["current"], figures["previous"]
            sheet = workbook.add_worksheet(str(review.date_from)[:31])
            sheet.set_column(0, 0, 40)
            sheet.set_column(1, 3, 16)
            sheet.write(0, 0, review.name, bold)
            sheet.write_row(
                2,
                0,
                [
                    self.env._("Figure"),
                    self.env._("This period"),
                    self.env._("Previous period"),
                ],
                bold,
            )
            rows = [
                (self.env._("Tickets"), current["count"], previous["count"]),
                (
                    self.env._("Complaints"),
                    current["complaints"],
                    previous["complaints"],
                ),
                (
                    self.env._("Average rating"),
                    round(current["rating"], 2),
                    round(previous["rating"], 2),
                ),
                (self.env._("Rating change"), round(figures["rating_change"], 2), ""),
                (self.env._("Resolved"), figures["resolved"], ""),
                (self.env._("Follow-up actions done"), figures["actions_done"], ""),
            ]
            for index, row in enumerate(rows, start=3):
                sheet.write_row(index, 0, row)
            line = 3 + len(rows) + 1
            sheet.write_row(
                line,
                0,
                [
                    self.env._("Category"),
                    self.env._("Tickets"),
                    self.env._("Previous period"),
                    self.env._("Complaints"),
                ],
                bold,
            )
            for category in figures["categories"]:
                line += 1
                sheet.write_row(
                    line,
                    0,
                    [
                        category["name"],
                        category["count"],
                        category["previous"],
                        category["complaints"],
                    ],
                )
            line += 2
            sheet.write_row(
                line,
                0,
                [
                    self.env._("Main problems"),
                    self.env._("Reason"),
                    self.env._("Status"),
                ],
                bold,
            )
            for problem in figures["problems"]:
                line += 1
                sheet.write_row(
                    line, 0, [problem["name"], problem["reason"], problem["state"]]
                )

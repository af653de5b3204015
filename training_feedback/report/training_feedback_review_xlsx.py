from odoo import models


class TrainingFeedbackReviewXlsx(models.AbstractModel):
    """Year-end report and process review as a workbook (FB-07, FB-08): the tables of
    the PDF (``training.feedback.review._report_tables``), one under the other."""

    _name = "report.training_feedback.review_xlsx"
    _description = "Feedback Review (xlsx)"
    _inherit = "report.report_xlsx.abstract"

    def _get_objs_for_report(self, docids, data):
        return self.env["training.feedback.review"].browse(docids)

    def generate_xlsx_report(self, workbook, data, reviews):
        bold = workbook.add_format({"bold": True})
        title = workbook.add_format({"bold": True, "font_size": 12})
        for review in reviews:
            sheet = workbook.add_worksheet(str(review.date_from)[:31])
            sheet.set_column(0, 0, 40)
            sheet.set_column(1, 6, 16)
            sheet.write(0, 0, review.name, title)
            line = 2
            for table in review._report_tables():
                sheet.write(line, 0, table["title"], title)
                sheet.write_row(line + 1, 0, table["header"], bold)
                line += 2
                for row in table["rows"]:
                    for column, value in enumerate(row):
                        if value is not None and value is not False:
                            sheet.write(line, column, value)
                    line += 1
                line += 1

"""A refund on a taxed invoice (X-04): the credit note reverses the invoice lines with
their taxes, in proportion, and its total is the statement's credit."""

from odoo.tests import freeze_time, tagged

from .common import RetentionCommon


@tagged("post_install", "-at_install")
@freeze_time("2025-04-15 08:00:00")
class TestTaxedRefund(RetentionCommon):
    def test_taxed_invoice_credit_note(self):
        """X-04, RET-07: 10 lessons for 1,200 + 15 % tax = 1,380 paid; 2 consumed:
        8 x 138 = 1,104 - 5 % fee 55.20 = 1,048.80, credited as 912 + 136.80 tax
        with the invoice's tax, paid back in full."""
        self.product_course.taxes_id = self.tax_sale_a
        self.assertEqual(self.tax_sale_a.amount, 15.0)
        enrollment = self._enrolled(course=self.course_a)
        invoice = self._invoice(enrollment, paid=1380.0)
        self.assertEqual(invoice.amount_total, 1380.0)
        self._consume(enrollment, 2)
        case = self._case(enrollment)
        case.action_submit()
        self._approve_all(case)
        self._pay_refund_as_finance(case)
        self.assertEqual(case.amount_credit, 1048.8)
        self.assertRecordValues(
            case.sudo().refund_move_ids,
            [
                {
                    "amount_untaxed": 912.0,
                    "amount_tax": 136.8,
                    "amount_total": 1048.8,
                    "amount_residual": 0.0,
                }
            ],
        )
        self.assertEqual(
            case.sudo().refund_move_ids.invoice_line_ids.tax_ids, self.tax_sale_a
        )
        self.assertEqual(case.sudo().refund_payment_ids.amount, 1048.8)

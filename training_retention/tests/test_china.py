"""The refund on China's chart of accounts (``l10n_cn``), in CNY (X-04, RET-07).

Skipped by ``AccountTestInvoicingCommon`` when ``l10n_cn`` is not installed in the
test database; the suite's test addon installs it so that this test runs."""

from odoo.tests import freeze_time, tagged

from .common import RetentionCommon


@tagged("post_install", "-at_install")
@freeze_time("2025-04-15 08:00:00")
class TestRefundChina(RetentionCommon):
    country_code = "CN"
    chart_template = "cn"

    def test_withdrawal_in_cny(self):
        """X-04, RET-07: a Chinese company in CNY: 40 lessons for 4,000 CNY paid, 10
        consumed, materials 300: 2,550 CNY credited on an out_refund of the l10n_cn
        journals, paid back and reconciled; the statement is in yuan."""
        self.assertEqual(self.company.currency_id.name, "CNY")
        self.assertEqual(self.company.chart_template, "cn")
        enrollment = self._enrolled()
        self._invoice(enrollment, paid=4000.0)
        self._consume(enrollment, 10)
        case = self._case(enrollment)
        case.material_ids = [(0, 0, {"name": "Textbook set", "amount": 300.0})]
        case.action_submit()
        self.assertIn("¥", case.statement_line_ids[-1].name)
        self._approve_all(case)
        self.assertEqual(case.refund_state, "to_pay")
        self._pay_refund_as_finance(case)
        refund = case.sudo().refund_move_ids
        self.assertRecordValues(
            refund,
            [
                {
                    "move_type": "out_refund",
                    "state": "posted",
                    "currency_id": self.company.currency_id.id,
                    "amount_total": 2550.0,
                    "amount_residual": 0.0,
                }
            ],
        )
        self.assertEqual(refund.journal_id.company_id, self.company)
        self.assertEqual(case.sudo().refund_payment_ids.amount, 2550.0)
        self.assertAlmostEqual(self.student.credit, 0.0)

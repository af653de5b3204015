from odoo import api, fields, models
from odoo.tools.translate import LazyTranslate

_lt = LazyTranslate(__name__)


class TrainingRefundStatementLine(models.Model):
    """One line of the refund statement of an attrition case (RET-07): every step of
    the computation, written in words and amounts so that the student can check it.
    Written by the case only; read by whoever reads the case."""

    _name = "training.refund.statement.line"
    _inherit = ["training.personal.data"]
    # The lines name the student; the case keeps its amounts and credit notes.
    _personal_data_purpose = _lt("Refund statement of an attrition case (RET-07)")
    _personal_data_retention = _lt(
        "Destroyed with the archive; the amounts stay on the case"
    )
    _description = "Refund Statement Line"
    _order = "case_id, sequence, id"

    case_id = fields.Many2one(
        "training.attrition.case", required=True, index=True, ondelete="cascade"
    )
    company_id = fields.Many2one(related="case_id.company_id", store=True)
    currency_id = fields.Many2one(related="case_id.currency_id")
    sequence = fields.Integer(default=10)
    name = fields.Char(string="Description", required=True)
    amount = fields.Monetary(currency_field="currency_id")
    line_type = fields.Selection(
        [
            ("info", "Information"),
            ("base", "Refundable Value"),
            ("deduction", "Deduction"),
            ("subtotal", "Subtotal"),
            ("total", "Total"),
        ],
        required=True,
        default="info",
    )
    show_amount = fields.Boolean(default=True)

    @api.model
    def _personal_data_domain(self, partners):
        return [("case_id.partner_id", "in", partners.ids)]

from odoo import Command, fields, models


class AccountMove(models.Model):
    _inherit = "account.move"

    training_attrition_case_id = fields.Many2one(
        "training.attrition.case",
        string="Attrition Case",
        readonly=True,
        copy=False,
        index="btree_not_null",
        help="The attrition case this credit note refunds.",
    )

    def _training_credit_line_commands(self, credit, label):
        """Lines of an ``out_refund`` crediting ``credit`` on these invoices: each
        product line reversed in proportion (same product, account, taxes and
        analytics) so that the credit note's total is ``credit``. Used by the
        attrition refunds (X-04) and the arrears discounts (RET-04)."""
        base = sum(self.mapped("amount_total_signed"))
        ratio = credit / base if base else 0.0
        return [
            Command.create(
                {
                    "product_id": line.product_id.id,
                    "name": self.env._(
                        "%(label)s - %(line)s", label=label, line=line.name
                    ),
                    "account_id": line.account_id.id,
                    "quantity": line.quantity,
                    "price_unit": line.price_unit * ratio,
                    "discount": line.discount,
                    "tax_ids": [Command.set(line.tax_ids.ids)],
                    "analytic_distribution": line.analytic_distribution,
                }
            )
            for line in self.invoice_line_ids.filtered(
                lambda line: line.display_type == "product"
            )
        ]

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
        """Lines of an ``out_refund`` crediting ``credit`` on these invoices, every
        product line in proportion. Used by the arrears discounts (RET-04)."""
        base = sum(self.mapped("amount_total"))
        ratio = credit / base if base else 0.0
        return [
            command
            for invoice in self
            for command in invoice._training_refund_line_commands(
                {
                    line.id: line.price_total * ratio
                    for line in invoice.invoice_line_ids
                },
                label,
            )
        ]

    def _training_settlement(self):
        """How this posted invoice was settled, in its own currency: ``paid`` by
        payments and bank statement lines (cash), ``credited`` by credit notes (those
        reversing it, and any other reconciled with it; a credit note reversed in
        turn no longer counts), ``residual`` still owed. Write-offs and exchange
        differences are neither cash nor credit."""
        self.ensure_one()
        paid = credited = 0.0
        for partial in self._get_all_reconciled_invoice_partials():
            move = partial["aml"].move_id
            if partial["is_exchange"]:
                continue
            if move.origin_payment_id or move.statement_line_id:
                paid += partial["amount"]
            elif move.move_type == "out_refund" and move.reversed_entry_id != self:
                credited += partial["amount"]
        credited += sum(
            self.reversal_move_ids.filtered(
                lambda m: (
                    m.move_type == "out_refund"
                    and m.state == "posted"
                    and not m._training_is_reversed()
                )
            ).mapped("amount_total")
        )
        return {"paid": paid, "credited": credited, "residual": self.amount_residual}

    def _training_is_reversed(self):
        """A posted entry reverses this one (Odoo marks a reversed credit note as
        paid, not reversed)."""
        self.ensure_one()
        return any(m.state == "posted" for m in self.reversal_move_ids)

    def _training_refund_line_commands(self, credit_by_line, label):
        """Lines of this invoice's credit note: each invoice line (by id) reversed
        for the amount (taxes included) given in ``credit_by_line``, with the same
        product, account, taxes and analytics."""
        self.ensure_one()
        commands = []
        for line in self.invoice_line_ids.filtered(
            lambda line: line.display_type == "product"
        ):
            amount = credit_by_line.get(line.id)
            if not amount or not line.price_total:
                continue
            ratio = amount / line.price_total
            commands.append(
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
            )
        return commands

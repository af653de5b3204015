from odoo import models
from odoo.exceptions import UserError


class AccountPaymentRegister(models.TransientModel):
    _inherit = "account.payment.register"

    def _create_payments(self):
        """X-04, issue 16: the refund of an attrition case is paid once. Two
        payments of the same credit notes at once (two tabs, two clerks) are
        serialised on the case: the second one waits, fails with a serialization
        error and is retried by Odoo; the retry, like a wizard confirmed again
        after the refund was paid, finds nothing left to pay and is refused
        instead of creating a second, unreconciled payment."""
        cases = self.line_ids.move_id.sudo().training_attrition_case_id
        if cases:
            cases._lock_for_refund()
            lines = self.line_ids
            lines.invalidate_recordset(
                ["reconciled", "amount_residual", "amount_residual_currency"]
            )
            paid = lines.filtered(
                lambda line: (
                    line.reconciled
                    or (line.currency_id or line.company_currency_id).is_zero(
                        line.amount_residual_currency
                        if line.currency_id
                        else line.amount_residual
                    )
                )
            )
            if paid:
                raise UserError(
                    self.env._(
                        "The refund of case %(case)s was already paid: nothing is "
                        "left to pay on %(moves)s.",
                        case=", ".join(cases.mapped("name")),
                        moves=", ".join(paid.move_id.mapped("name")),
                    )
                )
        return super()._create_payments()

from odoo import fields, models, tools


class TrainingRefundReconciliation(models.Model):
    """Refund reconciliation (X-04): per approved attrition case, what its statement
    says against what the accounts hold — the credit notes' total, what was paid
    back by payments or bank statement lines, what the credit notes still owe — and
    a mismatch flag. A consistent case has credit notes = credit + forgiven arrears
    and paid back + still to pay = the statement's refund."""

    _name = "training.refund.reconciliation"
    _description = "Refund Reconciliation"
    _auto = False
    _order = "approval_date desc, case_id desc"
    _depends = {
        "account.move": [
            "training_attrition_case_id",
            "move_type",
            "state",
            "amount_total",
            "amount_residual",
            "origin_payment_id",
            "statement_line_id",
        ],
        "account.move.line": ["move_id"],
        "account.partial.reconcile": [
            "credit_move_id",
            "debit_move_id",
            "credit_amount_currency",
        ],
        "training.attrition.case": [
            "company_id",
            "currency_id",
            "partner_id",
            "case_type",
            "approval_date",
            "amount_credit",
            "amount_forgiven",
            "amount_refund",
            "state",
            "suspend",
        ],
    }

    case_id = fields.Many2one("training.attrition.case", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    currency_id = fields.Many2one("res.currency", readonly=True)
    partner_id = fields.Many2one("res.partner", string="Student", readonly=True)
    case_type = fields.Char(readonly=True)
    approval_date = fields.Datetime(readonly=True)
    statement_credit = fields.Monetary(
        string="Statement: Credited",
        readonly=True,
        help="Credit plus arrears forgiven.",
    )
    statement_refund = fields.Monetary(string="Statement: Refund", readonly=True)
    credit_note_total = fields.Monetary(string="Credit Notes", readonly=True)
    paid_back = fields.Monetary(readonly=True)
    credit_note_residual = fields.Monetary(string="Still to Pay", readonly=True)
    difference = fields.Monetary(readonly=True)
    mismatch = fields.Boolean(readonly=True)

    def init(self):
        tools.drop_view_if_exists(self.env.cr, self._table)
        self.env.cr.execute(
            f"""
            CREATE VIEW {self._table} AS (
            WITH notes AS (
                SELECT m.training_attrition_case_id AS case_id,
                       SUM(m.amount_total) AS total,
                       SUM(m.amount_residual) AS residual
                  FROM account_move m
                 WHERE m.training_attrition_case_id IS NOT NULL
                   AND m.move_type = 'out_refund' AND m.state = 'posted'
              GROUP BY m.training_attrition_case_id
            ), paid AS (
                SELECT m.training_attrition_case_id AS case_id,
                       SUM(p.credit_amount_currency) AS amount
                  FROM account_move m
                  JOIN account_move_line l ON l.move_id = m.id
                  JOIN account_partial_reconcile p ON p.credit_move_id = l.id
                  JOIN account_move_line cl ON cl.id = p.debit_move_id
                  JOIN account_move cm ON cm.id = cl.move_id
                 WHERE m.training_attrition_case_id IS NOT NULL
                   AND m.move_type = 'out_refund' AND m.state = 'posted'
                   AND (cm.origin_payment_id IS NOT NULL
                        OR cm.statement_line_id IS NOT NULL)
              GROUP BY m.training_attrition_case_id
            )
            SELECT c.id, c.id AS case_id, c.company_id, c.currency_id, c.partner_id,
                   c.case_type, c.approval_date,
                   COALESCE(c.amount_credit, 0) + COALESCE(c.amount_forgiven, 0)
                       AS statement_credit,
                   COALESCE(c.amount_refund, 0) AS statement_refund,
                   COALESCE(n.total, 0) AS credit_note_total,
                   COALESCE(pd.amount, 0) AS paid_back,
                   COALESCE(n.residual, 0) AS credit_note_residual,
                   COALESCE(n.total, 0) - COALESCE(c.amount_credit, 0)
                       - COALESCE(c.amount_forgiven, 0)
                   + COALESCE(pd.amount, 0) + COALESCE(n.residual, 0)
                       - COALESCE(c.amount_refund, 0) AS difference,
                   (ABS(COALESCE(n.total, 0) - COALESCE(c.amount_credit, 0)
                        - COALESCE(c.amount_forgiven, 0)) >= 0.005
                    OR ABS(COALESCE(pd.amount, 0) + COALESCE(n.residual, 0)
                           - COALESCE(c.amount_refund, 0)) >= 0.005) AS mismatch
              FROM training_attrition_case c
         LEFT JOIN notes n ON n.case_id = c.id
         LEFT JOIN paid pd ON pd.case_id = c.id
             WHERE c.state IN ('approved', 'done') AND c.suspend IS NOT TRUE
            )
            """
        )

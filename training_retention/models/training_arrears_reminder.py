import logging
from datetime import timedelta

from odoo import Command, api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import format_amount

_logger = logging.getLogger(__name__)


class TrainingArrearsReminder(models.Model):
    """The log of the arrears reminders (RET-04): one record per invoice and ladder
    step, written when the reminder goes out, so that the scheduled action never
    sends the same reminder twice. Finance reads it; the chatter of each reminder
    holds the e-mail or SMS sent."""

    _name = "training.arrears.reminder"
    _description = "Arrears Reminder"
    _inherit = ["mail.thread"]
    _order = "date desc, id desc"
    _check_company_auto = True

    invoice_id = fields.Many2one(
        "account.move",
        required=True,
        index=True,
        ondelete="cascade",
        check_company=True,
    )
    enrollment_id = fields.Many2one(
        "training.enrollment", index=True, check_company=True
    )
    partner_id = fields.Many2one("res.partner", string="Student", required=True)
    step_id = fields.Many2one(
        "training.arrears.step", required=True, ondelete="restrict", check_company=True
    )
    channel = fields.Selection(related="step_id.channel", store=True)
    company_id = fields.Many2one("res.company", required=True, index=True)
    currency_id = fields.Many2one(related="company_id.currency_id")
    date = fields.Date(required=True)
    amount_due = fields.Monetary(currency_field="currency_id")
    deadline = fields.Date()
    is_final = fields.Boolean(related="step_id.is_final", store=True)
    case_id = fields.Many2one(
        "training.attrition.case", string="Arrears Case", readonly=True
    )
    # Discount offer (RET-04): a share of the outstanding amount, credited when the
    # student accepts.
    discount_percent = fields.Float(
        string="Offered Discount (%)",
        tracking=True,
        help="Discount finance offers on the outstanding amount of the invoice, at "
        "most the company's maximum arrears discount.",
    )
    discount_amount = fields.Monetary(
        string="Discount",
        readonly=True,
        copy=False,
        currency_field="currency_id",
        help="Offered discount on the outstanding amount when it was offered; once "
        "accepted, the amount of the credit note.",
    )
    discount_move_id = fields.Many2one(
        "account.move",
        string="Discount Credit Note",
        readonly=True,
        copy=False,
        check_company=True,
    )

    _sql_constraints = [
        (
            "invoice_step_uniq",
            "unique(invoice_id, step_id)",
            "A reminder step is sent only once per invoice.",
        ),
        (
            "discount_move_uniq",
            "unique(discount_move_id)",
            "A discount credit note belongs to one reminder only.",
        ),
    ]

    @api.constrains("discount_percent", "discount_amount")
    def _check_discount(self):
        for reminder in self.filtered(lambda r: not r.discount_move_id):
            reminder._check_discount_bounds()

    def _check_discount_bounds(self, percent=None, amount=None):
        """A discount between 0 and the company's maximum, and no more than what is
        still open on the invoice (default: the offer recorded on the reminder)."""
        self.ensure_one()
        percent = self.discount_percent if percent is None else percent
        amount = self.discount_amount if amount is None else amount
        limit = min(self.company_id.training_arrears_max_discount, 100.0)
        if percent < 0 or percent > limit:
            raise ValidationError(
                self.env._(
                    "Reminder %(reminder)s: a discount of %(percent)s %% is outside "
                    "the allowed range of 0 to %(limit)s %%.",
                    reminder=self.display_name,
                    percent=percent,
                    limit=limit,
                )
            )
        invoice = self.invoice_id
        currency = invoice.currency_id
        if currency.compare_amounts(amount, invoice.amount_residual) > 0:
            raise ValidationError(
                self.env._(
                    "Reminder %(reminder)s: the discount of %(discount)s is more than "
                    "the %(open)s still open on %(invoice)s.",
                    reminder=self.display_name,
                    discount=format_amount(self.env, amount, currency),
                    open=format_amount(self.env, invoice.amount_residual, currency),
                    invoice=invoice.name,
                )
            )

    def _discount_amount(self, percent):
        """The offer: a share of what is outstanding when it is made."""
        self.ensure_one()
        invoice = self.invoice_id
        return invoice.currency_id.round(invoice.amount_residual * percent / 100.0)

    def write(self, vals):
        if "discount_percent" not in vals:
            return super().write(vals)
        if self.filtered("discount_move_id"):
            raise UserError(
                self.env._(
                    "The discount of %s was already accepted and credited: it cannot "
                    "change.",
                    self.filtered("discount_move_id")[:1].display_name,
                )
            )
        # Checked before anything is written: a refused offer leaves no trace.
        percent = vals["discount_percent"] or 0.0
        amounts = {}
        for reminder in self:
            amounts[reminder] = reminder._discount_amount(percent)
            reminder._check_discount_bounds(percent, amounts[reminder])
        for reminder, amount in amounts.items():
            super(TrainingArrearsReminder, reminder).write(
                dict(vals, discount_amount=amount)
            )
        return True

    @api.depends("partner_id", "step_id")
    def _compute_display_name(self):
        for reminder in self:
            reminder.display_name = (
                f"{reminder.partner_id.name} - {reminder.step_id.name}"
            )

    def _send(self):
        """Send through the step's channel; the chatter of the reminder and of the
        enrolment keeps the trace."""
        for reminder in self:
            step = reminder.step_id
            if step.channel == "email" and step.mail_template_id:
                reminder.message_post_with_source(
                    step.mail_template_id,
                    subtype_xmlid="mail.mt_comment",
                    partner_ids=reminder.partner_id.ids,
                )
            elif step.channel == "sms":
                reminder._message_sms_with_template(
                    template=step.sms_template_id,
                    template_fallback=self.env._(
                        "%(amount)s of training fees are overdue: please pay by "
                        "%(deadline)s.",
                        amount=reminder.amount_due,
                        deadline=reminder.deadline,
                    ),
                    partner_ids=reminder.partner_id.ids,
                    put_in_queue=True,
                )
            elif step.channel == "call":
                target = reminder.enrollment_id or reminder
                target.activity_schedule(
                    "training_retention.mail_activity_type_arrears_call",
                    date_deadline=reminder.date,
                    user_id=(
                        step.user_id or reminder.enrollment_id.user_id or self.env.user
                    ).id,
                    note=self.env._(
                        "Call %(student)s: %(amount)s overdue on %(invoice)s, to pay "
                        "by %(deadline)s. %(consequence)s",
                        student=reminder.partner_id.name,
                        amount=reminder.amount_due,
                        invoice=reminder.invoice_id.name,
                        deadline=reminder.deadline,
                        consequence=step.consequence or "",
                    ),
                )
            if reminder.enrollment_id:
                reminder.enrollment_id.message_post(
                    body=self.env._(
                        "Arrears reminder sent (%(step)s): %(amount)s due by "
                        "%(deadline)s.",
                        step=step.name,
                        amount=reminder.amount_due,
                        deadline=reminder.deadline,
                    ),
                    subtype_xmlid="mail.mt_note",
                )

    @api.model
    def _overdue_invoices_domain(self, today):
        return [
            ("move_type", "=", "out_invoice"),
            ("state", "=", "posted"),
            ("payment_state", "in", ("not_paid", "partial")),
            ("invoice_date_due", "<", today),
            ("training_enrollment_ids", "!=", False),
        ]

    @api.model
    def _cron_send_reminders(self, batch_size=200):
        """RET-04: find the overdue, unpaid invoices of enrolments, send each the
        next rung of the ladder it reached (once), then open an arrears case for the
        final reminders whose deadline passed. Idempotent; batched."""
        today = fields.Date.context_today(self)
        Move = self.env["account.move"]
        steps_by_company = {}
        for step in self.env["training.arrears.step"].search(
            [("days_overdue", ">=", 0)]
        ):
            steps_by_company.setdefault(step.company_id, []).append(step)
        invoices = Move.search(self._overdue_invoices_domain(today), order="id")
        last_sent = {}
        for reminder in self.search([("invoice_id", "in", invoices.ids)]):
            last_sent[reminder.invoice_id.id] = max(
                last_sent.get(reminder.invoice_id.id, -1), reminder.step_id.days_overdue
            )
        done = 0
        for start in range(0, len(invoices), batch_size):
            batch = invoices[start : start + batch_size]
            vals_list = []
            for invoice in batch:
                overdue = (today - invoice.invoice_date_due).days
                reached = [
                    s
                    for s in steps_by_company.get(invoice.company_id, [])
                    if s.days_overdue <= overdue
                ]
                # Only the highest rung reached, once: lower rungs a late run missed
                # are skipped rather than sent all at once.
                if not reached or reached[-1].days_overdue <= last_sent.get(
                    invoice.id, -1
                ):
                    continue
                step = reached[-1]
                vals_list.append(
                    {
                        "invoice_id": invoice.id,
                        "enrollment_id": invoice.training_enrollment_ids[:1].id,
                        "partner_id": invoice.partner_id.id,
                        "step_id": step.id,
                        "company_id": invoice.company_id.id,
                        "date": today,
                        "amount_due": invoice.amount_residual,
                        "deadline": today + timedelta(days=step.deadline_days),
                    }
                )
            reminders = self.create(vals_list)
            reminders._send()
            done += len(batch)
            self.env["ir.cron"]._notify_progress(
                done=done, remaining=len(invoices) - done
            )
        self._open_arrears_cases(today)

    @api.model
    def _open_arrears_cases(self, today):
        """After the final deadline, an arrears case opens for approval (RET-04)."""
        finals = self.search(
            [
                ("is_final", "=", True),
                ("case_id", "=", False),
                ("deadline", "<", today),
                ("invoice_id.payment_state", "in", ("not_paid", "partial")),
            ]
        )
        Case = self.env["training.attrition.case"]
        reason = self.env.ref(
            "training_retention.reason_arrears_unpaid", raise_if_not_found=False
        )
        for reminder in finals:
            enrollments = reminder.invoice_id.training_enrollment_ids.filtered(
                lambda e: e.state == "active"
            )
            existing = Case.search(
                [
                    ("case_type", "=", "arrears"),
                    ("partner_id", "=", reminder.partner_id.id),
                    ("state", "in", ("draft", "to_approve")),
                ],
                limit=1,
            )
            if existing or not enrollments:
                reminder.case_id = existing
                continue
            case = Case.create(
                {
                    "case_type": "arrears",
                    "origin": "system",
                    "partner_id": reminder.partner_id.id,
                    "company_id": reminder.company_id.id,
                    "enrollment_ids": [Command.set(enrollments.ids)],
                    "reason_id": reason.id if reason else False,
                    "effective_date": today,
                    "application_date": today,
                    "user_id": self.env.user.id,
                    "description": self.env._(
                        "%(amount)s still unpaid on %(invoice)s after the final "
                        "reminder of %(date)s (deadline %(deadline)s).",
                        amount=reminder.invoice_id.amount_residual,
                        invoice=reminder.invoice_id.name,
                        date=reminder.date,
                        deadline=reminder.deadline,
                    ),
                }
            )
            reminder.case_id = case
            try:
                with self.env.cr.savepoint():
                    case.action_submit()
            except UserError as error:
                case.message_post(
                    body=self.env._("Not submitted automatically: %s", error),
                    subtype_xmlid="mail.mt_note",
                )

    def action_apply_instalments(self):
        """Offer accepted: the invoice gets the step's instalment plan as its new
        payment schedule (reset, new payment terms, posted again)."""
        for reminder in self:
            term = reminder.step_id.instalment_term_id
            invoice = reminder.invoice_id
            if not term:
                raise UserError(
                    self.env._(
                        "Step %s offers no instalment plan.", reminder.step_id.name
                    )
                )
            if invoice.payment_state != "not_paid":
                raise UserError(
                    self.env._(
                        "Invoice %s is partly paid: register the payments first, then "
                        "agree on a schedule for the rest.",
                        invoice.name,
                    )
                )
            invoice.button_draft()
            invoice.invoice_payment_term_id = term
            invoice.action_post()
            invoice.message_post(
                body=self.env._(
                    "New payment schedule (%(term)s) agreed after reminder "
                    "%(reminder)s.",
                    term=term.name,
                    reminder=reminder.display_name,
                ),
                subtype_xmlid="mail.mt_note",
            )
        return True

    def action_accept_discount(self):
        """RET-04: the student accepted the offered discount: a customer credit note
        of that amount, proportional to the invoice lines, is posted and reconciled
        with the open invoice. Never twice for the same reminder."""
        for reminder in self:
            reminder._credit_discount()
        return True

    def _credit_discount(self):
        self.ensure_one()
        self.env.cr.execute(
            "SELECT id FROM training_arrears_reminder WHERE id = %s FOR UPDATE",
            (self.id,),
        )
        self.invalidate_recordset(["discount_move_id", "discount_amount"])
        invoice = self.invoice_id
        currency = invoice.currency_id
        if self.discount_move_id:
            raise UserError(
                self.env._(
                    "The discount of %(reminder)s was already credited by %(move)s: "
                    "it is never applied twice.",
                    reminder=self.display_name,
                    move=self.discount_move_id.name,
                )
            )
        if currency.compare_amounts(self.discount_amount, 0.0) <= 0:
            raise UserError(
                self.env._(
                    "Reminder %s offers no discount: set the discount first.",
                    self.display_name,
                )
            )
        if invoice.state != "posted" or invoice.payment_state not in (
            "not_paid",
            "partial",
        ):
            raise UserError(
                self.env._(
                    "Invoice %s is not open any more: there is nothing to discount.",
                    invoice.name,
                )
            )
        self._check_discount_bounds()
        label = self.env._(
            "Arrears discount %(percent)s %% (%(reminder)s)",
            percent=self.discount_percent,
            reminder=self.display_name,
        )
        move = (
            self.env["account.move"]
            .with_company(invoice.company_id)
            .create(
                {
                    "move_type": "out_refund",
                    "partner_id": invoice.partner_id.id,
                    "company_id": invoice.company_id.id,
                    "currency_id": currency.id,
                    "invoice_date": fields.Date.context_today(self),
                    "reversed_entry_id": invoice.id,
                    "invoice_origin": invoice.name,
                    "ref": label,
                    "invoice_line_ids": invoice._training_credit_line_commands(
                        self.discount_amount, label
                    ),
                }
            )
        )
        if currency.compare_amounts(move.amount_total, invoice.amount_residual) > 0:
            raise UserError(
                self.env._(
                    "The discount credit note of %(amount)s would exceed the %(open)s "
                    "still open on %(invoice)s.",
                    amount=format_amount(self.env, move.amount_total, currency),
                    open=format_amount(self.env, invoice.amount_residual, currency),
                    invoice=invoice.name,
                )
            )
        move.action_post()
        (move.line_ids + invoice.line_ids).filtered(
            lambda line: (
                line.account_id.account_type == "asset_receivable"
                and not line.reconciled
            )
        ).reconcile()
        for enrollment in invoice.sudo().training_enrollment_ids:
            enrollment.invoice_ids = [Command.link(move.id)]
        self.write({"discount_move_id": move.id, "discount_amount": move.amount_total})
        body = self.env._(
            "Discount of %(amount)s accepted: credit note %(move)s reconciled with "
            "%(invoice)s.",
            amount=format_amount(self.env, move.amount_total, currency),
            move=move._get_html_link(),
            invoice=invoice._get_html_link(),
        )
        self.message_post(body=body, subtype_xmlid="mail.mt_note")
        invoice.message_post(body=body, subtype_xmlid="mail.mt_note")
        return move

    def action_view_discount_move(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "account.action_move_out_refund_type"
        )
        action.update(
            res_id=self.discount_move_id.id, views=[(False, "form")], view_mode="form"
        )
        return action

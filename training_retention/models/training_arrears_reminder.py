import logging
from datetime import timedelta

from odoo import Command, api, fields, models
from odoo.exceptions import UserError

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

    _sql_constraints = [
        (
            "invoice_step_uniq",
            "unique(invoice_id, step_id)",
            "A reminder step is sent only once per invoice.",
        ),
    ]

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

import logging
from datetime import timedelta

from markupsafe import Markup
from psycopg2.errors import UniqueViolation

from odoo import Command, api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.osv import expression
from odoo.tools import format_amount
from odoo.tools.translate import LazyTranslate

_lt = LazyTranslate(__name__)

_logger = logging.getLogger(__name__)


class TrainingArrearsReminder(models.Model):
    """The log of the arrears reminders (RET-04): one record per invoice and ladder
    step, written when the reminder goes out, so that the scheduled action never
    sends the same reminder twice. Finance reads it; the chatter of each reminder
    holds the e-mail or SMS sent.

    The reminder goes to whoever the invoice is billed to (``partner_id``): the
    student, or the guardian who pays for a minor; it names the student
    (``student_id``, the enrolment's), for whom the arrears case opens."""

    _name = "training.arrears.reminder"
    _description = "Arrears Reminder"
    _inherit = ["mail.thread", "training.personal.data"]
    _order = "date desc, id desc"
    _personal_data_purpose = _lt("Reminders of overdue invoices (RET-04)")
    _personal_data_retention = _lt("Destroyed with the archive")
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
    partner_id = fields.Many2one(
        "res.partner",
        string="Addressee",
        required=True,
        help="Who the invoice is billed to and the reminder goes to: the student, or "
        "the guardian who pays.",
    )
    student_id = fields.Many2one(
        "res.partner",
        string="Student",
        related="enrollment_id.partner_id",
        store=True,
        index=True,
    )
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

    @api.model
    def _personal_data_domain(self, partners):
        return [
            "|",
            ("partner_id", "in", partners.ids),
            ("student_id", "in", partners.ids),
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

    @api.depends("partner_id", "student_id", "step_id")
    def _compute_display_name(self):
        for reminder in self:
            reminder.display_name = (
                f"{reminder._student().name} - {reminder.step_id.name}"
            )

    def _student(self):
        """The student the arrears are for (the addressee of an old reminder without
        enrolment)."""
        self.ensure_one()
        return self.student_id or self.partner_id

    def _addressee_label(self):
        """Who is reminded, as the messages name them: "Mrs Li (student Li Lei)"
        when the invoice is billed to someone else than the student."""
        self.ensure_one()
        student = self._student()
        if student == self.partner_id:
            return self.partner_id.name
        return self.env._(
            "%(partner)s (student %(student)s)",
            partner=self.partner_id.name,
            student=student.name,
        )

    def _send(self):
        """Send through the step's channel; the chatter of the reminder and of the
        enrolment keeps the trace.

        Each e-mail and SMS is one message of its own (rendered for its student); the
        call activities are created at once, without an assignment e-mail each
        (``mail_activity_quick_update``: they show in the caller's activity menu),
        and the enrolments' notes are logged in one batch (issue 7)."""
        activity_type = self.env.ref(
            "training_retention.mail_activity_type_arrears_call"
        )
        calls = []
        notes = {}
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
                        "%(amount)s of training fees of %(student)s are overdue: "
                        "please pay by %(deadline)s.",
                        amount=reminder.amount_due,
                        student=reminder._student().name,
                        deadline=reminder.deadline,
                    ),
                    partner_ids=reminder.partner_id.ids,
                    put_in_queue=True,
                )
            elif step.channel == "call":
                target = reminder.enrollment_id or reminder
                calls.append(
                    {
                        "res_model_id": self.env["ir.model"]._get_id(target._name),
                        "res_id": target.id,
                        "activity_type_id": activity_type.id,
                        "automated": True,
                        "summary": activity_type.summary,
                        "date_deadline": reminder.date,
                        "user_id": (
                            step.user_id
                            or reminder.enrollment_id.user_id
                            or self.env.user
                        ).id,
                        "note": self.env._(
                            "Call %(student)s: %(amount)s overdue on %(invoice)s, to "
                            "pay by %(deadline)s. %(consequence)s",
                            student=reminder._addressee_label(),
                            amount=reminder.amount_due,
                            invoice=reminder.invoice_id.name,
                            deadline=reminder.deadline,
                            consequence=step.consequence or "",
                        ),
                    }
                )
            if reminder.enrollment_id:
                notes.setdefault(reminder.enrollment_id.id, []).append(
                    self.env._(
                        "Arrears reminder sent (%(step)s): %(amount)s due by "
                        "%(deadline)s.",
                        step=step.name,
                        amount=reminder.amount_due,
                        deadline=reminder.deadline,
                    )
                )
        self.env["mail.activity"].with_context(mail_activity_quick_update=True).create(
            calls
        )
        self.enrollment_id._message_log_batch(
            bodies={
                enrollment_id: Markup("<br/>").join(lines)
                for enrollment_id, lines in notes.items()
            }
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
    def _due_invoices_domain(self, today, steps_by_company):
        """Overdue invoices whose highest rung reached was not sent yet: for each
        rung, the invoices overdue at least its days but less than the next rung's,
        with no reminder of that rung or a higher one. A sent invoice leaves the
        domain until it reaches the next rung."""
        parts = []
        for company, steps in steps_by_company.items():
            for step, next_step in zip(steps, [*steps[1:], None], strict=True):
                sent = self._search(
                    [
                        ("step_id.company_id", "=", company.id),
                        ("step_id.days_overdue", ">=", step.days_overdue),
                    ]
                )
                part = [
                    ("company_id", "=", company.id),
                    (
                        "invoice_date_due",
                        "<=",
                        today - timedelta(days=step.days_overdue),
                    ),
                    ("id", "not in", sent.subselect("invoice_id")),
                ]
                if next_step:
                    part.append(
                        (
                            "invoice_date_due",
                            ">",
                            today - timedelta(days=next_step.days_overdue),
                        )
                    )
                parts.append(part)
        return expression.AND(
            [self._overdue_invoices_domain(today), expression.OR(parts)]
        )

    @api.model
    def _cron_send_reminders(self, batch_size=200):
        """RET-04: find the overdue, unpaid invoices of enrolments, send each the
        next rung of the ladder it reached (once), then open an arrears case for the
        final reminders whose deadline passed. Idempotent: an invoice that got its
        rung and a final reminder with its case leave the domains.

        Issue 7: one batch of ``batch_size`` invoices (and of final reminders) per
        call, the rest reported to the cron runner, which commits and calls again:
        an interruption loses no finished batch. The invoices due are selected in
        SQL, the reminders created at once; the messages sent stay one per reminder
        (see ``_send``).

        Issue 12: a reminder (or an arrears case) that fails is logged and skipped,
        rolled back alone, the others of the run are sent and kept (see
        ``_create_and_send``); the skipped invoice is tried again on the next run.
        The reminder goes to the invoice's partner (the guardian who was billed, or
        the student)."""
        today = fields.Date.context_today(self)
        Move = self.env["account.move"]
        steps_by_company = {}
        for step in self.env["training.arrears.step"].search(
            [("days_overdue", ">=", 0)]
        ):
            steps_by_company.setdefault(step.company_id, []).append(step)
        domain = self._due_invoices_domain(today, steps_by_company)
        invoices = Move.search(domain, limit=batch_size, order="id")
        remaining = len(invoices) and Move.search_count(domain) - len(invoices)
        vals_list = []
        for invoice in invoices:
            overdue = (today - invoice.invoice_date_due).days
            # Only the highest rung reached, once: lower rungs a late run missed are
            # skipped rather than sent all at once.
            step = [
                s
                for s in steps_by_company[invoice.company_id]
                if s.days_overdue <= overdue
            ][-1]
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
        sent = self._create_and_send(vals_list)
        finals, finals_left = self._open_arrears_cases(today, batch_size)
        # Only what succeeded counts as done: a batch that failed entirely ends the
        # run (the cron runner stops on nothing done) instead of retrying it again
        # and again; its invoices come back on the next run.
        self.env["ir.cron"]._notify_progress(
            done=len(sent) + len(finals), remaining=remaining + finals_left
        )

    @api.model
    def _create_and_send(self, vals_list):
        """Create and send the reminders of ``vals_list`` (one per invoice); return
        those sent.

        All at once first, in a savepoint (the statements do not grow with the
        batch, issue 7); if anything fails, again one invoice at a time, each in a
        savepoint of its own: the invoice whose reminder fails is logged and
        skipped (its reminder rolled back, so it is tried again on the next run and
        never sent twice), the others are sent. The e-mails are queued, not sent at
        commit, so that a reminder rolled back leaves no e-mail behind."""
        Reminder = self.with_context(mail_notify_force_send=False)
        if not vals_list:
            return self.browse()
        try:
            with self.env.cr.savepoint():
                reminders = Reminder.create(vals_list)
                reminders._send()
            return reminders.with_env(self.env)
        except Exception:  # noqa: BLE001 - retried one by one below, failures logged
            _logger.info(
                "Arrears reminders: the batch of %s failed, sent one by one.",
                len(vals_list),
            )
        sent = self.browse()
        for vals in vals_list:
            try:
                with self.env.cr.savepoint():
                    reminder = Reminder.create(vals)
                    reminder._send()
            except Exception as error:
                if (
                    isinstance(error, UniqueViolation)
                    and error.diag.constraint_name == f"{self._table}_invoice_step_uniq"
                ):
                    # Issue 16: another run (a second worker) sent it meanwhile.
                    _logger.info(
                        "Arrears reminder of invoice id %s (step id %s) already "
                        "sent by another run: skipped.",
                        vals["invoice_id"],
                        vals["step_id"],
                    )
                    continue
                _logger.exception(
                    "Arrears reminder of invoice id %s (step id %s) not sent: "
                    "skipped, tried again on the next run.",
                    vals["invoice_id"],
                    vals["step_id"],
                )
            else:
                sent |= reminder.with_env(self.env)
        return sent

    @api.model
    def _open_arrears_cases(self, today, batch_size=200):
        """After the final deadline, an arrears case opens for approval (RET-04),
        for the student (also when the guardian was billed), with the student's
        enrolments of the invoice.

        Each case in a savepoint of its own: one that fails is logged and skipped
        (tried again on the next run), the others open. Returns the final
        reminders handled and how many are left."""
        domain = [
            ("is_final", "=", True),
            ("case_id", "=", False),
            ("deadline", "<", today),
            ("invoice_id.payment_state", "in", ("not_paid", "partial")),
            # nobody to withdraw: such a reminder would be selected again and again
            ("invoice_id.training_enrollment_ids.state", "=", "active"),
        ]
        finals = self.search(domain, limit=batch_size)
        left = len(finals) and self.search_count(domain) - len(finals)
        Case = self.env["training.attrition.case"]
        reason = self.env.ref(
            "training_retention.reason_arrears_unpaid", raise_if_not_found=False
        )
        students = (finals.student_id | finals.partner_id).ids
        # the newest open case of each student (the last one read wins)
        open_cases = {
            case.partner_id: case
            for case in Case.search(
                [
                    ("case_type", "=", "arrears"),
                    ("partner_id", "in", students),
                    ("state", "in", ("draft", "to_approve")),
                ],
                order="id",
            )
        }
        handled = self.browse()
        for reminder in finals:
            student = reminder._student()
            try:
                with self.env.cr.savepoint():
                    case = reminder._open_arrears_case(
                        today, student, open_cases.get(student, Case), reason
                    )
            except Exception:
                _logger.exception(
                    "Arrears case of reminder %s (id %s) not opened: skipped, tried "
                    "again on the next run.",
                    reminder.display_name,
                    reminder.id,
                )
                continue
            handled |= reminder
            if case:
                open_cases[student] = case
        return handled, left

    def _open_arrears_case(self, today, student, existing, reason):
        """Link the final reminder to the student's open arrears case ``existing``,
        or open one for the student's active enrolments of the invoice."""
        self.ensure_one()
        Case = self.env["training.attrition.case"]
        enrollments = self.invoice_id.training_enrollment_ids.filtered(
            lambda e: e.state == "active" and e.partner_id == student
        )
        if existing or not enrollments:
            self.case_id = existing
            return existing
        case = Case._create_system(
            {
                "case_type": "arrears",
                "origin": "system",
                "partner_id": student.id,
                "company_id": self.company_id.id,
                "enrollment_ids": [Command.set(enrollments.ids)],
                "reason_id": reason.id if reason else False,
                "effective_date": today,
                "application_date": today,
                "user_id": self.env.user.id,
                "description": self.env._(
                    "%(amount)s still unpaid on %(invoice)s after the final "
                    "reminder of %(date)s (deadline %(deadline)s).",
                    amount=self.invoice_id.amount_residual,
                    invoice=self.invoice_id.name,
                    date=self.date,
                    deadline=self.deadline,
                ),
            }
        )
        self.case_id = case
        try:
            with self.env.cr.savepoint():
                case.action_submit()
        except UserError as error:
            case.message_post(
                body=self.env._("Not submitted automatically: %s", error),
                subtype_xmlid="mail.mt_note",
            )
        return case

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

from odoo import Command, api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools.translate import LazyTranslate

from .training_archive_read_log_mixin import read_write
from .training_personal_data import BLANK

_lt = LazyTranslate(__name__)


class TrainingEnrollment(models.Model):
    """A student's enrolment in a course: lessons bought and consumed, stage, state and
    the customer invoices it was billed on.

    Enrolment staff create and confirm it; confirming it (or posting its invoice)
    creates the student's archive in *pending review* (ARC-01). Teachers see the
    enrolments of the courses they teach; finance sees the invoices. Withdrawal and
    transfer are driven by the retention cases; completion by enrolment staff or the
    archivist.
    """

    _name = "training.enrollment"
    _description = "Enrolment"
    _inherit = ["mail.thread", "mail.activity.mixin", "training.personal.data"]
    _order = "start_date desc, id desc"
    # Kept after destruction for the accounts and the statistics, pointing to the
    # anonymised contact.
    _personal_data_erasure = BLANK
    _personal_data_purpose = _lt("Enrolment, price, dates, invoices (ARC-01)")
    _personal_data_retention = _lt("Kept with the accounting entries (law), anonymised")
    _check_company_auto = True

    name = fields.Char(compute="_compute_name", store=True)
    partner_id = fields.Many2one(
        "res.partner",
        string="Student",
        required=True,
        index=True,
        tracking=True,
        check_company=True,
    )
    archive_id = fields.Many2one(
        "training.student.archive",
        index=True,
        readonly=True,
        copy=False,
        check_company=True,
        ondelete="restrict",
    )
    course_id = fields.Many2one(
        "training.course", required=True, index=True, tracking=True, check_company=True
    )
    stage_id = fields.Many2one(
        "training.course.stage",
        string="Current Stage",
        tracking=True,
        index=True,
        compute="_compute_stage_id",
        store=True,
        readonly=False,
    )
    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda self: self.env.company
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    user_id = fields.Many2one(
        "res.users",
        string="Enrolled By",
        default=lambda self: self.env.user,
        tracking=True,
        domain="[('share', '=', False)]",
    )
    source_id = fields.Many2one(
        "utm.source",
        string="Recruitment Channel",
        compute="_compute_source_id",
        store=True,
        readonly=False,
    )
    start_date = fields.Date(
        required=True, default=fields.Date.context_today, tracking=True
    )
    end_date = fields.Date(tracking=True)
    confirm_date = fields.Datetime(readonly=True, copy=False)
    closed_date = fields.Date(
        readonly=True,
        copy=False,
        help="Date the enrolment was completed, withdrawn or transferred.",
    )
    lesson_count = fields.Integer(
        string="Lessons Purchased",
        compute="_compute_lesson_count",
        store=True,
        readonly=False,
    )
    lessons_consumed = fields.Integer(compute="_compute_lessons_consumed", store=True)
    lessons_remaining = fields.Integer(compute="_compute_lessons_consumed", store=True)
    price = fields.Monetary(
        string="Agreed Price",
        currency_field="currency_id",
        compute="_compute_price",
        store=True,
        readonly=False,
    )
    state = fields.Selection(
        [
            ("draft", "Draft"),
            ("active", "Active"),
            ("completed", "Completed"),
            ("withdrawn", "Withdrawn"),
            ("transferred", "Transferred"),
            ("cancel", "Cancelled"),
        ],
        default="draft",
        required=True,
        tracking=True,
        copy=False,
        index=True,
    )
    invoice_ids = fields.Many2many(
        "account.move",
        "training_enrollment_account_move_rel",
        "enrollment_id",
        "move_id",
        string="Invoices",
        copy=False,
        domain="[('move_type', 'in', ('out_invoice', 'out_refund'))]",
    )
    invoice_count = fields.Integer(compute="_compute_invoice_count")
    learning_record_ids = fields.One2many("training.learning.record", "enrollment_id")

    # The dates are checked by _check_dates only: an SQL CHECK would fail first on
    # create and hide its message, which names the student.
    _sql_constraints = [
        (
            "lessons_check",
            "CHECK(lesson_count >= 0)",
            "The number of lessons cannot be negative.",
        ),
    ]

    @api.depends("partner_id.name", "course_id.code")
    def _compute_name(self):
        for enrollment in self:
            enrollment.name = " - ".join(
                filter(None, [enrollment.partner_id.name, enrollment.course_id.code])
            )

    @api.depends("course_id")
    def _compute_lesson_count(self):
        for enrollment in self:
            enrollment.lesson_count = enrollment.course_id.lesson_count

    @api.depends("course_id")
    def _compute_price(self):
        for enrollment in self:
            enrollment.price = enrollment.course_id.list_price

    @api.depends("course_id")
    def _compute_stage_id(self):
        for enrollment in self:
            enrollment.stage_id = enrollment.course_id.stage_id

    @api.depends("partner_id")
    def _compute_source_id(self):
        archives = self._archives_by_partner()
        for enrollment in self:
            archive = archives.get((enrollment.partner_id, enrollment.company_id))
            enrollment.source_id = enrollment.source_id or (
                archive and archive.source_id
            )

    @api.depends("lesson_count", "learning_record_ids.attendance")
    def _compute_lessons_consumed(self):
        data = dict(
            self.env["training.learning.record"]._read_group(
                [
                    ("enrollment_id", "in", self.ids),
                    ("attendance", "in", ("present", "late", "early_leave")),
                ],
                ["enrollment_id"],
                ["__count"],
            )
        )
        for enrollment in self:
            enrollment.lessons_consumed = data.get(enrollment, 0)
            enrollment.lessons_remaining = max(
                enrollment.lesson_count - enrollment.lessons_consumed, 0
            )

    @api.depends("invoice_ids")
    def _compute_invoice_count(self):
        for enrollment in self:
            enrollment.invoice_count = len(enrollment.invoice_ids)

    @api.constrains("start_date", "end_date")
    def _check_dates(self):
        for enrollment in self:
            if enrollment.end_date and enrollment.end_date < enrollment.start_date:
                raise ValidationError(
                    self.env._(
                        "The enrolment of %s cannot end before it starts.",
                        enrollment.partner_id.name,
                    )
                )

    @read_write
    def web_read(self, specification):
        # The form shows the learning records, whose reads are logged (ARC-11): a
        # read/write request (issue 16: never retried on the primary).
        return super().web_read(specification)

    def write(self, vals):
        # The archive, invoices, learning records and refunds of an active enrolment
        # are the student's in that course: moving it to another student or course
        # would carry them along. Withdraw (or cancel) and enrol again instead.
        locked = {"partner_id", "course_id"} & vals.keys()
        if locked:
            moved = self.filtered(
                lambda e: (
                    e.state == "active"
                    and any(e[fname].id != vals[fname] for fname in locked)
                )
            )
            if moved:
                raise UserError(
                    self.env._(
                        "The student and the course of an active enrolment cannot "
                        "change (%s): end it and enrol again.",
                        ", ".join(moved.mapped("display_name")),
                    )
                )
        return super().write(vals)

    def _archives_by_partner(self):
        archives = (
            self.env["training.student.archive"]
            .sudo()
            .with_context(active_test=False)
            .search([("partner_id", "in", self.partner_id.ids)])
        )
        return {(a.partner_id, a.company_id): a.sudo(False) for a in archives}

    def _ensure_archive(self):
        """Link each enrolment to its student's archive, creating it in pending review
        (ARC-01).
        """
        archives = self._archives_by_partner()
        Archive = self.env["training.student.archive"]
        for enrollment in self.filtered(lambda e: not e.archive_id):
            key = (enrollment.partner_id, enrollment.company_id)
            archive = archives.get(key)
            if not archive:
                # Whoever confirms (enrolment staff, or finance posting the invoice) may
                # lack the right to create or write archives: create and log as sudo.
                archive = Archive.sudo().create(
                    {
                        "partner_id": enrollment.partner_id.id,
                        "company_id": enrollment.company_id.id,
                        "source_id": enrollment.source_id.id,
                    }
                )
                archive.message_post(
                    body=self.env._(
                        "Archive created from the enrolment in %s.",
                        enrollment.course_id.display_name,
                    ),
                )
                archive = archives[key] = archive.sudo(False)
            elif archive.state in ("completed", "withdrawn", "transferred"):
                archive.sudo().action_reopen()
            elif archive.state in ("sealed", "destroyed"):
                raise UserError(
                    self.env._(
                        "The archive %(number)s is %(state)s: "
                        "it cannot take a new enrolment.",
                        number=archive.archive_number,
                        state=dict(
                            archive._fields["state"]._description_selection(self.env)
                        )[archive.state],
                    )
                )
            enrollment.archive_id = archive

    def action_confirm(self):
        """Enrolment succeeded: the student's archive exists from now on (ARC-01)."""
        wrong = self.filtered(lambda e: e.state != "draft")
        if wrong:
            raise UserError(self.env._("Only draft enrolments can be confirmed."))
        self._ensure_archive()
        self.write({"state": "active", "confirm_date": fields.Datetime.now()})
        self.env["training.archive.deadline"].sudo()._sync_enrollment_deadlines(self)
        return True

    def _finish(self, state):
        wrong = self.filtered(lambda e: e.state != "active")
        if wrong:
            raise UserError(self.env._("Only active enrolments can be ended."))
        self.write({"state": state, "closed_date": fields.Date.context_today(self)})
        self.archive_id._update_state_from_enrollments()
        self.env["training.archive.deadline"].sudo()._cancel_for_ended(self)

    def action_complete(self):
        self._finish("completed")

    def action_withdraw(self):
        self._finish("withdrawn")

    def action_transfer(self):
        self._finish("transferred")

    def action_cancel(self):
        if self.filtered(lambda e: e.state != "draft"):
            raise UserError(
                self.env._(
                    "Only draft enrolments can be cancelled; end active ones instead."
                )
            )
        self.write({"state": "cancel"})

    def action_draft(self):
        self.filtered(lambda e: e.state == "cancel").write({"state": "draft"})

    def _prepare_invoice_vals(self):
        self.ensure_one()
        product = self.course_id.product_id
        if not product:
            raise UserError(
                self.env._(
                    "Course %s has no product to invoice: set one on the course first.",
                    self.course_id.display_name,
                )
            )
        return {
            "move_type": "out_invoice",
            "partner_id": self.partner_id.id,
            "company_id": self.company_id.id,
            "invoice_origin": self.name,
            "invoice_line_ids": [
                Command.create(
                    {
                        "product_id": product.id,
                        "name": self.env._(
                            "%(course)s (%(lessons)s lessons)",
                            course=self.course_id.display_name,
                            lessons=self.lesson_count,
                        ),
                        "quantity": 1,
                        "price_unit": self.price,
                    }
                )
            ],
        }

    def action_create_invoice(self):
        """Bill the agreed price on a customer invoice, linked to the enrolment."""
        self.ensure_one()
        if self.state not in ("draft", "active"):
            raise UserError(
                self.env._("Only draft or active enrolments can be invoiced.")
            )
        invoice = self.env["account.move"].create(self._prepare_invoice_vals())
        self.invoice_ids = [Command.link(invoice.id)]
        return self.action_view_invoices()

    def action_view_invoices(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "account.action_move_out_invoice_type"
        )
        if len(self.invoice_ids) == 1:
            action.update(
                res_id=self.invoice_ids.id, views=[(False, "form")], view_mode="form"
            )
        else:
            action["domain"] = [("id", "in", self.invoice_ids.ids)]
        return action

    def action_view_archive(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": "training.student.archive",
            "res_id": self.archive_id.id,
            "view_mode": "form",
        }

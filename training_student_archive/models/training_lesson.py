from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError

from .training_archive_read_log_mixin import read_write


class TrainingLesson(models.Model):
    """One class meeting of a course, and its roll (ARC-05, ARC-06).

    The teacher opens the lesson, takes the roll (*Take the Roll* lists every student
    enrolled in the course on that day) and fills one sheet: attendance, class
    performance, homework and a comment per student. Each line is the student's
    learning record of that lesson. The recording deadline of ARC-05 exists from the
    lesson's creation for every student on the roll, so a lesson nobody recorded is
    chased and becomes overdue like any other deadline; a line with its attendance,
    performance and homework (or an absence) meets it. An absence asks customer
    service to follow it up (see ``training.learning.record``).
    """

    _name = "training.lesson"
    _description = "Lesson"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "date desc, id desc"
    _check_company_auto = True

    course_id = fields.Many2one(
        "training.course",
        required=True,
        index=True,
        tracking=True,
        check_company=True,
    )
    company_id = fields.Many2one(related="course_id.company_id", store=True, index=True)
    date = fields.Date(
        required=True, default=fields.Date.context_today, index=True, tracking=True
    )
    lesson_number = fields.Integer(string="Lesson")
    name = fields.Char(string="Topic")
    teacher_id = fields.Many2one(
        "res.users",
        default=lambda self: self.env.user,
        domain="[('share', '=', False)]",
        tracking=True,
    )
    cancelled = fields.Boolean(readonly=True, copy=False, tracking=True)
    state = fields.Selection(
        [("planned", "To Record"), ("recorded", "Recorded"), ("cancel", "Cancelled")],
        compute="_compute_state",
        store=True,
        index=True,
    )
    record_ids = fields.One2many(
        "training.learning.record", "lesson_id", string="Roll", copy=False
    )
    deadline_ids = fields.One2many(
        "training.archive.deadline", "lesson_id", string="Recording Deadlines"
    )
    student_count = fields.Integer(compute="_compute_counts", string="Students")
    absent_count = fields.Integer(compute="_compute_counts", string="Absent")
    is_overdue = fields.Boolean(
        compute="_compute_is_overdue",
        search="_search_is_overdue",
        string="Overdue",
        help="A student's record of this lesson is past its ARC-05 deadline.",
    )

    @api.depends("course_id", "date", "lesson_number")
    def _compute_display_name(self):
        for lesson in self:
            number = (
                self.env._("Lesson %s", lesson.lesson_number)
                if lesson.lesson_number
                else ""
            )
            lesson.display_name = " · ".join(
                filter(None, [lesson.course_id.name, number, str(lesson.date or "")])
            )

    @api.depends(
        "cancelled",
        "record_ids.attendance",
        "record_ids.performance",
        "record_ids.homework",
    )
    def _compute_state(self):
        for lesson in self:
            if lesson.cancelled:
                lesson.state = "cancel"
            elif lesson.record_ids and all(
                record._is_lesson_recorded() for record in lesson.record_ids
            ):
                lesson.state = "recorded"
            else:
                lesson.state = "planned"

    @api.depends("record_ids.attendance")
    def _compute_counts(self):
        for lesson in self:
            lesson.student_count = len(lesson.record_ids)
            lesson.absent_count = len(
                lesson.record_ids.filtered(lambda r: r.attendance == "absent")
            )

    def _compute_is_overdue(self):
        overdue = (
            self.env["training.archive.deadline"]
            .sudo()
            .search([("lesson_id", "in", self._origin.ids), ("state", "=", "overdue")])
            .lesson_id
        )
        for lesson in self:
            lesson.is_overdue = lesson._origin in overdue

    def _search_is_overdue(self, operator, value):
        if operator not in ("=", "!=") or not isinstance(value, bool):
            raise UserError(self.env._("Unsupported search on Overdue."))
        positive = (operator == "=") == value
        return [
            (
                "deadline_ids",
                "any" if positive else "not any",
                [("state", "=", "overdue")],
            )
        ]

    # -- the roll -----------------------------------------------------------------

    def _roll_enrollments(self):
        """The students of the course on the lesson's day."""
        self.ensure_one()
        return (
            self.env["training.enrollment"]
            .sudo()
            .search(
                [
                    ("course_id", "=", self.course_id.id),
                    ("state", "=", "active"),
                    ("start_date", "<=", self.date),
                    "|",
                    ("end_date", "=", False),
                    ("end_date", ">=", self.date),
                ]
            )
        )

    def action_take_roll(self):
        """One line per student on the roll, present until the teacher says
        otherwise; students already on the sheet are kept as they are."""
        # Two devices taking the roll at once (issue 16): a new row version of the
        # lesson makes the second wait for the first, fail and be retried by Odoo,
        # and the retry finds the sheet taken.
        self.env.cr.execute(
            "UPDATE training_lesson SET write_date = write_date WHERE id IN %s",
            [tuple(self.ids)],
        )
        self.invalidate_recordset(["record_ids"])
        for lesson in self:
            if lesson.cancelled:
                raise UserError(
                    self.env._("Lesson %s is cancelled.", lesson.display_name)
                )
            listed = lesson.record_ids.enrollment_id
            missing = lesson._roll_enrollments() - listed
            if not missing and not listed:
                raise UserError(
                    self.env._(
                        "Nobody is enrolled in %(course)s on %(date)s.",
                        course=lesson.course_id.name,
                        date=lesson.date,
                    )
                )
            self.env["training.learning.record"].create(
                [
                    {
                        "lesson_id": lesson.id,
                        "enrollment_id": enrollment.id,
                        "record_type": "lesson",
                        "attendance": "present",
                    }
                    for enrollment in missing
                ]
            )
        return True

    def action_cancel(self):
        for lesson in self:
            if lesson.record_ids:
                raise UserError(
                    self.env._(
                        "The roll of %s was taken: it is part of the students' "
                        "archives and cannot be cancelled.",
                        lesson.display_name,
                    )
                )
        self.write({"cancelled": True})
        self.deadline_ids.sudo()._cancel()
        return True

    @read_write
    def web_read(self, specification):
        # The roll's lines are learning records, whose reads are logged (ARC-11):
        # the form is a read/write request (issue 16: never retried on the primary).
        return super().web_read(specification)

    # -- life cycle ---------------------------------------------------------------

    @api.model_create_multi
    def create(self, vals_list):
        lessons = super().create(vals_list)
        self.env["training.archive.deadline"].sudo()._sync_lesson_deadlines(lessons)
        return lessons

    def write(self, vals):
        if {"course_id", "date"} & set(vals) and self.record_ids:
            raise ValidationError(
                self.env._(
                    "The roll was taken: the course and the date of the lesson "
                    "can no longer change."
                )
            )
        result = super().write(vals)
        if {"course_id", "date", "teacher_id"} & set(vals):
            Deadline = self.env["training.archive.deadline"].sudo()
            for lesson in self:
                deadlines = lesson.sudo().deadline_ids
                if lesson.record_ids:
                    # Another teacher: the deadlines still to meet are theirs.
                    deadlines.filtered(
                        lambda d: d.state in ("open", "overdue")
                    ).user_id = lesson.teacher_id
                    continue
                # Nothing recorded yet: the deadlines start again from the new day.
                deadlines.activity_id.unlink()
                deadlines.unlink()
                Deadline._sync_lesson_deadlines(lesson)
        return result

    @api.ondelete(at_uninstall=False)
    def _unlink_except_recorded(self):
        if self.record_ids:
            raise UserError(
                self.env._(
                    "The roll of the lesson was taken: it is part of the students' "
                    "archives and cannot be deleted."
                )
            )

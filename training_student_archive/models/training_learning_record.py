from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools import float_compare
from odoo.tools.translate import LazyTranslate

from .training_personal_data import BLANK

_lt = LazyTranslate(__name__)


class TrainingLearningRecord(models.Model):
    """One entry of a student's learning history (ARC-06).

    Teachers record, for the students of the courses they teach: each lesson
    (attendance, class performance, homework), stage tests and exams (score out of a
    maximum), the course schedule and the materials handed out, and the individual
    learning plan. Archivists and the administrative supervisor see and correct every
    record; customer service and finance see none (grades are not theirs to read,
    ARC-11).
    """

    _name = "training.learning.record"
    _description = "Learning Record"
    _inherit = [
        "mail.thread",
        "training.archive.read.log.mixin",
        "training.personal.data",
    ]
    _order = "date desc, id desc"
    # Attendance and scores stay for the statistics, the comments go.
    _personal_data_erasure = BLANK
    _personal_data_purpose = _lt(
        "Lessons, attendance, performance, homework, tests (ARC-06)"
    )
    _personal_data_retention = _lt(
        "Destroyed with the archive; attendance kept anonymised"
    )
    _check_company_auto = True
    _training_log_part = "learning"

    enrollment_id = fields.Many2one(
        "training.enrollment",
        string="Enrolment",
        required=True,
        index=True,
        ondelete="cascade",
        check_company=True,
        domain="[('state', '=', 'active')]",
    )
    lesson_id = fields.Many2one(
        "training.lesson",
        string="Class",
        index=True,
        ondelete="restrict",
        check_company=True,
        help="The class meeting whose roll this line is.",
    )
    archive_id = fields.Many2one(
        related="enrollment_id.archive_id", store=True, index=True, string="Archive"
    )
    partner_id = fields.Many2one(
        related="enrollment_id.partner_id", store=True, string="Student"
    )
    course_id = fields.Many2one(
        related="enrollment_id.course_id", store=True, index=True
    )
    company_id = fields.Many2one(
        related="enrollment_id.company_id", store=True, index=True
    )
    record_type = fields.Selection(
        [
            ("lesson", "Lesson"),
            ("test", "Stage Test"),
            ("exam", "Exam"),
            ("schedule", "Course Schedule"),
            ("material", "Materials Received"),
            ("plan", "Individual Plan"),
        ],
        string="Type",
        required=True,
        default="lesson",
        index=True,
        tracking=True,
    )
    date = fields.Date(required=True, default=fields.Date.context_today, tracking=True)
    lesson_number = fields.Integer(string="Lesson")
    teacher_id = fields.Many2one(
        "res.users",
        default=lambda self: self.env.user,
        domain="[('share', '=', False)]",
    )
    # Lesson: attendance, performance, homework
    attendance = fields.Selection(
        [
            ("present", "Present"),
            ("late", "Late"),
            ("early_leave", "Early Leave"),
            ("absent", "Absent"),
        ],
        tracking=True,
    )
    absence_followed_up = fields.Boolean(
        help="Somebody contacted the student about this absence.", tracking=True
    )
    absence_activity_id = fields.Many2one(
        "mail.activity", readonly=True, copy=False, ondelete="set null"
    )
    performance = fields.Selection(
        [
            ("1", "Poor"),
            ("2", "Fair"),
            ("3", "Good"),
            ("4", "Very Good"),
            ("5", "Excellent"),
        ],
        string="Class Performance",
    )
    homework = fields.Selection(
        [("done", "Done"), ("partial", "Partly Done"), ("missing", "Not Done")],
    )
    # Tests and exams
    publication_date = fields.Date(
        help="When the results were published: they must be recorded within "
        "2 working days (ARC-05)."
    )
    score = fields.Float(digits=(6, 2), tracking=True)
    max_score = fields.Float(string="Maximum", digits=(6, 2), default=100.0)
    score_recorded = fields.Boolean(
        compute="_compute_score_recorded",
        store=True,
        readonly=False,
        help="Set once a score has been entered; an exam published without a "
        "score is still due.",
    )
    score_percent = fields.Float(
        compute="_compute_score_percent", store=True, aggregator="avg"
    )
    name = fields.Char(
        string="Subject", help="Lesson topic, test name, material or plan title."
    )
    description = fields.Text(string="Comment")

    _sql_constraints = [
        (
            "lesson_enrollment_uniq",
            "UNIQUE(lesson_id, enrollment_id)",
            "A student is on the roll of a lesson once.",
        ),
        ("score_positive", "CHECK(score >= 0)", "A score cannot be negative."),
        (
            "max_score_positive",
            "CHECK(max_score > 0)",
            "The maximum score must be positive.",
        ),
    ]

    @api.model
    def _personal_data_domain(self, partners):
        return [("archive_id.partner_id", "in", partners.ids)]

    def _personal_data_blank_values(self):
        return {"description": False, "name": False}

    @api.depends("score")
    def _compute_score_recorded(self):
        for record in self:
            record.score_recorded = record.score_recorded or bool(record.score)

    @api.depends("score", "max_score", "record_type", "score_recorded")
    def _compute_score_percent(self):
        for record in self:
            scored = (
                record.record_type in ("test", "exam")
                and record.score_recorded
                and record.max_score
            )
            record.score_percent = (
                record.score / record.max_score * 100 if scored else 0.0
            )

    @api.constrains("score", "max_score")
    def _check_score(self):
        for record in self:
            if float_compare(record.score, record.max_score, precision_digits=2) > 0:
                raise ValidationError(
                    self.env._(
                        "The score %(score)s is above the maximum %(max)s.",
                        score=record.score,
                        max=record.max_score,
                    )
                )

    @api.constrains("record_type", "attendance")
    def _check_attendance(self):
        for record in self:
            if record.record_type == "lesson" and not record.attendance:
                raise ValidationError(
                    self.env._("A lesson record needs the attendance.")
                )

    @api.constrains("lesson_id", "enrollment_id")
    def _check_lesson_course(self):
        for record in self.filtered("lesson_id"):
            if record.enrollment_id.course_id != record.lesson_id.course_id:
                raise ValidationError(
                    self.env._(
                        "%(student)s is not enrolled in %(course)s, the course of "
                        "this lesson.",
                        student=record.partner_id.name,
                        course=record.lesson_id.course_id.name,
                    )
                )

    def _is_lesson_recorded(self):
        """ARC-05 met for a lesson: its attendance, performance and homework; an
        absent student has no performance or homework to record."""
        self.ensure_one()
        return self.attendance == "absent" or bool(
            self.attendance and self.performance and self.homework
        )

    @api.model_create_multi
    def create(self, vals_list):
        lessons = self.env["training.lesson"].browse(
            [vals["lesson_id"] for vals in vals_list if vals.get("lesson_id")]
        )
        for vals in vals_list:
            if "score" in vals:
                vals.setdefault("score_recorded", True)
            if vals.get("lesson_id"):
                # A line of a roll is the lesson's: its day, number, teacher, topic.
                lesson = lessons.browse(vals["lesson_id"])
                for fname, value in (
                    ("record_type", "lesson"),
                    ("date", lesson.date),
                    ("lesson_number", lesson.lesson_number),
                    ("teacher_id", lesson.teacher_id.id),
                    ("name", lesson.name),
                ):
                    vals.setdefault(fname, value)
        records = super().create(vals_list)
        records.archive_id._check_not_sealed()
        self.env["training.archive.deadline"].sudo()._sync_record_deadlines(records)
        records._sync_absence_follow_up()
        return records

    def write(self, vals):
        self.archive_id._check_not_sealed()
        if "score" in vals:
            vals = dict(vals, score_recorded=True)
        result = super().write(vals)
        self.env["training.archive.deadline"].sudo()._sync_record_deadlines(self)
        if {"attendance", "absence_followed_up"} & set(vals):
            self._sync_absence_follow_up()
        return result

    def _sync_absence_follow_up(self):
        """ARC-06: an absence from a lesson is followed up by customer service: an
        activity on the enrolment (which customer service reads; the learning
        record is not theirs to read) for the company's absence contact, else the
        person who enrolled the student. Done when somebody ticks *Followed Up*;
        gone if the absence is corrected."""
        for record in self.sudo():
            absent = (
                record.record_type == "lesson"
                and record.attendance == "absent"
                and not record.absence_followed_up
            )
            activity = record.absence_activity_id
            if absent and not activity:
                enrollment = record.enrollment_id
                user = (
                    record.company_id.training_absence_user_id
                    or enrollment.user_id
                    or record.company_id.training_archivist_id
                )
                record.absence_activity_id = enrollment.activity_schedule(
                    "mail.mail_activity_data_todo",
                    date_deadline=fields.Date.context_today(record),
                    summary=self.env._(
                        "Absent from %(course)s on %(date)s: contact the student",
                        course=record.course_id.name,
                        date=record.date,
                    ),
                    user_id=user.id or self.env.uid,
                )
            elif activity and not absent:
                if record.absence_followed_up:
                    activity.action_feedback(
                        feedback=self.env._("The student was contacted.")
                    )
                else:
                    activity.unlink()

    @api.depends("record_type", "date", "course_id")
    def _compute_display_name(self):
        types = dict(self._fields["record_type"].selection)
        for record in self:
            record.display_name = " - ".join(
                filter(
                    None,
                    [
                        types.get(record.record_type),
                        record.name or str(record.date or ""),
                    ],
                )
            )

    @api.ondelete(at_uninstall=False)
    def _unlink_except_sealed(self):
        self.archive_id._check_not_sealed()

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

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if "score" in vals:
                vals.setdefault("score_recorded", True)
        records = super().create(vals_list)
        records.archive_id._check_not_sealed()
        self.env["training.archive.deadline"].sudo()._sync_record_deadlines(records)
        return records

    def write(self, vals):
        self.archive_id._check_not_sealed()
        if "score" in vals:
            vals = dict(vals, score_recorded=True)
        result = super().write(vals)
        self.env["training.archive.deadline"].sudo()._sync_record_deadlines(self)
        return result

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

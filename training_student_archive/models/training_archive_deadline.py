from collections import defaultdict
from datetime import datetime, time, timedelta

import pytz
from markupsafe import Markup

from odoo import api, fields, models, tools

# ARC-05: what must be recorded, and within how many working days of its start.
# "24 h" and "48 h" in the policy are one and two working days on the working calendar.
DEADLINE_RULES = {
    # enrolment data handed to the archivist within 24 h of the enrolment
    "handover": 1,
    "archive_creation": 2,  # archive reviewed and created within 48 h of receipt
    # course schedule and materials recorded within 1 week of course start
    "schedule": 5,
    # class performance and homework within 3 working days after the lesson
    "lesson_record": 3,
    "exam_result": 2,  # exam results within 2 working days after publication
}
# Rules counted from a date (whole working days after it) rather than from a moment.
DATE_BASED = ("schedule", "lesson_record", "exam_result")
# An activity is scheduled for the responsible person this long before the deadline.
REMINDER_LEAD = timedelta(days=1)
CRON_BATCH = 500


class TrainingArchiveDeadline(models.Model):
    """One recording obligation of ARC-05 and whether it was met in time.

    Rows are created and closed by the records they watch (enrolment confirmed, data
    handed over, lesson or exam recorded); nobody edits them by hand. The deadline is
    computed on the company's working calendar (weekends and public holidays excluded).
    The scheduled action "Training: chase archive deadlines" gives the responsible
    person an activity when a deadline comes near and flags it overdue, with a chatter
    message, once it has passed.
    """

    _name = "training.archive.deadline"
    _description = "Archive Recording Deadline"
    _order = "deadline, id"
    _check_company_auto = True

    name = fields.Char(compute="_compute_name", store=True)
    kind = fields.Selection(
        [
            ("handover", "Enrolment Data Handed Over"),
            ("archive_creation", "Archive Created"),
            ("schedule", "Schedule and Materials Recorded"),
            ("lesson_record", "Performance and Homework Recorded"),
            ("exam_result", "Exam Results Recorded"),
        ],
        required=True,
        readonly=True,
        index=True,
    )
    archive_id = fields.Many2one(
        "training.student.archive",
        required=True,
        readonly=True,
        index=True,
        ondelete="cascade",
    )
    enrollment_id = fields.Many2one(
        "training.enrollment", readonly=True, index=True, ondelete="cascade"
    )
    learning_record_id = fields.Many2one(
        "training.learning.record", readonly=True, index=True, ondelete="cascade"
    )
    lesson_id = fields.Many2one(
        "training.lesson", readonly=True, index=True, ondelete="cascade"
    )
    course_id = fields.Many2one(
        related="enrollment_id.course_id", store=True, string="Course"
    )
    company_id = fields.Many2one(
        related="archive_id.company_id", store=True, index=True
    )
    user_id = fields.Many2one(
        "res.users", string="Responsible", readonly=True, index=True
    )
    start = fields.Datetime(readonly=True, required=True)
    deadline = fields.Datetime(readonly=True, required=True, index=True)
    done_date = fields.Datetime(readonly=True)
    state = fields.Selection(
        [
            ("open", "Open"),
            ("overdue", "Overdue"),
            ("done", "Done"),
            ("cancel", "Not Needed"),
        ],
        default="open",
        required=True,
        readonly=True,
        index=True,
    )
    is_late = fields.Boolean(
        compute="_compute_is_late",
        store=True,
        string="Done Late",
        help="Met, but after the deadline.",
    )
    activity_id = fields.Many2one("mail.activity", readonly=True, ondelete="set null")

    def init(self):
        # The open deadlines are a few thousand among millions met or cancelled:
        # the cron walks them in order through this index, not the whole table.
        tools.create_index(
            self.env.cr,
            "training_archive_deadline_open_idx",
            self._table,
            ["deadline", "id"],
            where="state = 'open'",
        )

    @api.depends("kind", "archive_id.archive_number")
    def _compute_name(self):
        kinds = dict(self._fields["kind"].selection)
        for deadline in self:
            deadline.name = (
                f"{deadline.archive_id.archive_number}: {kinds.get(deadline.kind, '')}"
            )

    @api.depends("done_date", "deadline")
    def _compute_is_late(self):
        for deadline in self:
            deadline.is_late = bool(
                deadline.done_date and deadline.done_date > deadline.deadline
            )

    # -- computation on the working calendar -------------------------------------------

    @api.model
    def _compute_due(self, kind, start, company):
        """Deadline (naive UTC) of a rule started at ``start`` (naive UTC datetime)."""
        days = DEADLINE_RULES[kind]
        calendar = company.resource_calendar_id
        if kind in DATE_BASED:
            # Whole working days after the day of ``start``, until the end of the last
            # one.
            tz = pytz.timezone(calendar.tz or "UTC")
            day = pytz.utc.localize(start).astimezone(tz).date()
            next_day = tz.localize(datetime.combine(day + timedelta(days=1), time.min))
            if not calendar:
                return (
                    (next_day + timedelta(days=days) - timedelta(seconds=1))
                    .astimezone(pytz.utc)
                    .replace(tzinfo=None)
                )
            # plan_days() stops at the end of the first attendance of the last working
            # day (noon, before the lunch break): keep that day and end it at midnight.
            last = calendar.plan_days(days, next_day, compute_leaves=True)
            day_after = last.astimezone(tz).date() + timedelta(days=1)
            midnight = tz.localize(datetime.combine(day_after, time.min))
            due = midnight - timedelta(seconds=1)
        else:
            if not calendar:
                return start + timedelta(days=days)
            due = calendar.plan_hours(
                days * (calendar.hours_per_day or 8), start, compute_leaves=True
            )
        if due.tzinfo:
            due = due.astimezone(pytz.utc).replace(tzinfo=None)
        return due

    def _create_missing(self, specs):
        """Create the deadlines of ``specs`` not created yet.

        :param specs: list of dicts with kind, archive_id, start, user_id and optionally
            enrollment_id, learning_record_id and lesson_id
        """
        if not specs:
            return self.browse()

        def key(
            kind, archive_id, enrollment_id=False, record_id=False, lesson_id=False
        ):
            return (
                kind,
                archive_id,
                enrollment_id or False,
                record_id or False,
                lesson_id or False,
            )

        archives = self.env["training.student.archive"].browse(
            {s["archive_id"] for s in specs}
        )
        company_of = {archive.id: archive.company_id for archive in archives}
        existing = self.search(
            [
                ("kind", "in", list({s["kind"] for s in specs})),
                ("archive_id", "in", archives.ids),
            ]
        )
        seen = {
            key(
                d.kind,
                d.archive_id.id,
                d.enrollment_id.id,
                d.learning_record_id.id,
                d.lesson_id.id,
            )
            for d in existing
        }
        vals_list = []
        for spec in specs:
            spec_key = key(
                spec["kind"],
                spec["archive_id"],
                spec.get("enrollment_id"),
                spec.get("learning_record_id"),
                spec.get("lesson_id"),
            )
            if spec_key in seen:
                continue
            seen.add(spec_key)
            due = self._compute_due(
                spec["kind"], spec["start"], company_of[spec["archive_id"]]
            )
            vals_list.append(dict(spec, deadline=due))
        return self.create(vals_list)

    def _mark_done(self, when=None):
        """Close the deadlines (met at ``when``) and the activities chasing them."""
        todo = self.filtered(lambda d: d.state != "done")
        if not todo:
            return
        todo.write({"state": "done", "done_date": when or fields.Datetime.now()})
        todo.activity_id.action_feedback(feedback=self.env._("Recorded."))

    def _cancel(self):
        """Drop obligations that no longer apply, with the activities chasing them."""
        todo = self.filtered(lambda d: d.state in ("open", "overdue"))
        todo.activity_id.unlink()
        todo.write({"state": "cancel"})

    # -- hooks called by the watched records -------------------------------------------

    @api.model
    def _cancel_for_ended(self, enrollments):
        """An ended enrolment has nothing more to record; a closed archive nothing to
        create.
        """
        closed_archives = enrollments.archive_id.filtered(
            lambda a: a.state not in ("pending", "active")
        )
        self.search(
            [
                ("state", "in", ("open", "overdue")),
                "|",
                ("enrollment_id", "in", enrollments.ids),
                ("archive_id", "in", closed_archives.ids),
            ]
        )._cancel()

    @api.model
    def _sync_enrollment_deadlines(self, enrollments):
        specs = []
        for enrollment in enrollments.filtered(
            lambda e: e.state == "active" and e.archive_id
        ):
            archive = enrollment.archive_id
            if archive.state == "pending" and not archive.handover_date:
                specs.append(
                    {
                        "kind": "handover",
                        "archive_id": archive.id,
                        "enrollment_id": enrollment.id,
                        "start": enrollment.confirm_date or fields.Datetime.now(),
                        "user_id": enrollment.user_id.id,
                    }
                )
            specs.append(
                {
                    "kind": "schedule",
                    "archive_id": archive.id,
                    "enrollment_id": enrollment.id,
                    "start": datetime.combine(enrollment.start_date, time(12)),
                    "user_id": (
                        enrollment.course_id.teacher_ids[:1] or archive.user_id
                    ).id,
                }
            )
        self._create_missing(specs)

    @api.model
    def _sync_archive_deadlines(self, archives):
        deadlines = self.search(
            [
                ("archive_id", "in", archives.ids),
                ("kind", "in", ("handover", "archive_creation")),
            ]
        )
        specs = []
        for archive in archives.filtered("handover_date"):
            deadlines.filtered(
                lambda d, a=archive: d.archive_id == a and d.kind == "handover"
            )._mark_done(archive.handover_date)
            specs.append(
                {
                    "kind": "archive_creation",
                    "archive_id": archive.id,
                    "start": archive.handover_date,
                    "user_id": (
                        archive.user_id or archive.company_id.training_archivist_id
                    ).id,
                }
            )
        created = self._create_missing(specs)
        for archive in archives.filtered("review_date"):
            (deadlines | created).filtered(
                lambda d, a=archive: d.archive_id == a and d.kind == "archive_creation"
            )._mark_done(archive.review_date)

    @api.model
    def _sync_lesson_deadlines(self, lessons):
        """A lesson's recording deadline for every student on its roll, from the
        lesson's day: a lesson nobody records is chased (ARC-05)."""
        specs = []
        for lesson in lessons.filtered(lambda lesson: not lesson.cancelled):
            for enrollment in lesson._roll_enrollments().filtered("archive_id"):
                specs.append(
                    {
                        "kind": "lesson_record",
                        "archive_id": enrollment.archive_id.id,
                        "enrollment_id": enrollment.id,
                        "lesson_id": lesson.id,
                        "start": datetime.combine(lesson.date, time(12)),
                        "user_id": lesson.teacher_id.id,
                    }
                )
        return self._create_missing(specs)

    @api.model
    def _sync_record_deadlines(self, records):
        # The line of a lesson's roll takes over the deadline its lesson opened.
        waiting = self.search(
            [
                ("lesson_id", "in", records.lesson_id.ids),
                ("learning_record_id", "=", False),
            ]
        )
        for record in records.filtered("lesson_id"):
            waiting.filtered(
                lambda d, r=record: (
                    d.lesson_id == r.lesson_id and d.enrollment_id == r.enrollment_id
                )
            )[:1].learning_record_id = record
        specs = []
        for record in records.filtered("archive_id"):
            if record.record_type == "lesson":
                specs.append(
                    {
                        "kind": "lesson_record",
                        "archive_id": record.archive_id.id,
                        "enrollment_id": record.enrollment_id.id,
                        "learning_record_id": record.id,
                        "lesson_id": record.lesson_id.id,
                        "start": datetime.combine(record.date, time(12)),
                        "user_id": record.teacher_id.id,
                    }
                )
            elif record.record_type in ("test", "exam") and record.publication_date:
                specs.append(
                    {
                        "kind": "exam_result",
                        "archive_id": record.archive_id.id,
                        "enrollment_id": record.enrollment_id.id,
                        "learning_record_id": record.id,
                        "start": datetime.combine(record.publication_date, time(12)),
                        "user_id": record.teacher_id.id,
                    }
                )
        self._create_missing(specs)
        open_deadlines = self.search(
            [
                ("state", "!=", "done"),
                "|",
                ("learning_record_id", "in", records.ids),
                "&",
                ("kind", "=", "schedule"),
                ("enrollment_id", "in", records.enrollment_id.ids),
            ]
        )
        for deadline in open_deadlines:
            if deadline._is_met():
                deadline._mark_done()

    def _is_met(self):
        self.ensure_one()
        record = self.learning_record_id
        if self.kind == "lesson_record":
            return bool(record) and record._is_lesson_recorded()
        if self.kind == "exam_result":
            return record.score_recorded
        if self.kind == "schedule":
            types = set(self.enrollment_id.learning_record_ids.mapped("record_type"))
            return {"schedule", "material"} <= types
        return False

    # -- scheduled action -------------------------------------------------------

    @api.model
    def _cron_chase_deadlines(self):
        """Schedule an activity for deadlines coming near; flag and announce overdue
        ones.

        Idempotent: a deadline gets one activity (kept in ``activity_id``) and one
        overdue message (posted when it goes from open to overdue). Works in batches and
        tells the cron how much is left, so an interruption loses no finished batch.
        """
        now = fields.Datetime.now()
        to_remind = self.search(
            [
                ("state", "=", "open"),
                ("activity_id", "=", False),
                ("user_id", "!=", False),
                ("deadline", "<=", now + REMINDER_LEAD),
            ],
            limit=CRON_BATCH,
        )
        activity_type = self.env.ref(
            "training_student_archive.mail_activity_type_archive_deadline"
        )
        archive_model_id = self.env["ir.model"]._get_id("training.student.archive")
        # One create and one chatter log per batch: the queries per deadline stay few
        # and constant whatever the batch size (see `make bench`). No assignment
        # e-mail per activity (``mail_activity_quick_update``): the reminder is in the
        # assignee's activity menu, and one e-mail per deadline would cost queries
        # per deadline.
        # mail.activity computes the name of each activity's record on its own: read
        # them all at once first.
        to_remind.archive_id.mapped("display_name")
        activities = (
            self.env["mail.activity"]
            .with_context(mail_activity_quick_update=True)
            .create(
                [
                    {
                        "res_model_id": archive_model_id,
                        "res_id": deadline.archive_id.id,
                        "activity_type_id": activity_type.id,
                        "date_deadline": fields.Date.context_today(
                            self, deadline.deadline
                        ),
                        "summary": deadline.name,
                        "user_id": deadline.user_id.id,
                    }
                    for deadline in to_remind
                ]
            )
        )
        for deadline, activity in zip(to_remind, activities, strict=True):
            deadline.activity_id = activity
        to_flag = self.search(
            [("state", "=", "open"), ("deadline", "<", now)], limit=CRON_BATCH
        )
        bodies = defaultdict(list)
        for deadline in to_flag:
            bodies[deadline.archive_id.id].append(
                self.env._(
                    "Overdue: %(what)s was due on %(when)s.",
                    what=deadline.name,
                    when=fields.Datetime.to_string(deadline.deadline),
                )
            )
        to_flag.archive_id._message_log_batch(
            bodies={
                archive_id: Markup("<br/>").join(lines)
                for archive_id, lines in bodies.items()
            }
        )
        to_flag.state = "overdue"
        remaining = self.search_count(
            [
                ("state", "=", "open"),
                "|",
                ("deadline", "<", now),
                "&",
                ("activity_id", "=", False),
                "&",
                ("user_id", "!=", False),
                ("deadline", "<=", now + REMINDER_LEAD),
            ]
        )
        self.env["ir.cron"]._notify_progress(
            done=len(to_remind) + len(to_flag), remaining=remaining
        )

from odoo import Command
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import Form, freeze_time, tagged

from .common import TrainingArchiveCommon, local


@tagged("post_install", "-at_install")
@freeze_time("2025-03-12 02:00:00")  # Wednesday 12 March 2025, 10:00 in Shanghai
class TestLesson(TrainingArchiveCommon):
    """Lessons and roll-call (issue 15): one sheet per class meeting.

    Deadlines are worked out by hand on the company's Monday-Friday calendar
    (Shanghai): "3 working days after the lesson" of Wed 12 March 2025 is the end of
    Mon 17 (Thu 13, Fri 14, Mon 17), 23:59:59 local time.
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Lesson = cls.env["training.lesson"]
        cls.Deadline = cls.env["training.archive.deadline"]
        cls.service = cls.user_customer_service
        cls.company.training_absence_user_id = cls.service
        cls.wang = cls._enrol_and_confirm(cls.student, cls.course_a)
        cls.li = cls._enrol_and_confirm(cls.student_b, cls.course_a)
        # not on the roll of course A
        cls.other = cls._enrol_and_confirm(cls.student_no_contact, cls.course_b)

    def _lesson(self, user=None, **vals):
        return self.Lesson.with_user(user or self.user_teacher).create(
            {"course_id": self.course_a.id, "date": "2025-03-12", **vals}
        )

    def _deadlines(self, lesson):
        return self.Deadline.search([("lesson_id", "=", lesson.id)]).sorted(
            lambda d: d.enrollment_id.id
        )

    def test_roll_call_writes_records_and_meets_deadlines(self):
        """ARC-05, ARC-06: a lesson opens one recording deadline per student on the
        roll from its day; taking the roll lists both students of course A (not the
        student of course B), each line is the student's learning record of that
        lesson (its day, number, teacher, topic); a line with attendance,
        performance and homework, or an absence, meets its deadline; the lesson is
        Recorded when every line is."""
        lesson = self._lesson(lesson_number=4, name="Past tense")
        deadlines = self._deadlines(lesson)
        self.assertRecordValues(
            deadlines,
            [
                {
                    "kind": "lesson_record",
                    "enrollment_id": enrollment.id,
                    "learning_record_id": False,
                    "user_id": self.user_teacher.id,
                    "deadline": local(2025, 3, 17, 23, 59, 59),
                    "state": "open",
                }
                for enrollment in (self.wang | self.li).sorted("id")
            ],
        )
        lesson.with_user(self.user_teacher).action_take_roll()
        self.assertEqual(lesson.record_ids.enrollment_id, self.wang | self.li)
        self.assertRecordValues(
            lesson.record_ids.sorted(lambda r: r.enrollment_id.id),
            [
                {
                    "record_type": "lesson",
                    "attendance": "present",
                    "date": lesson.date,
                    "lesson_number": 4,
                    "name": "Past tense",
                    "teacher_id": self.user_teacher.id,
                }
            ]
            * 2,
        )
        # The roll takes over the lesson's deadlines: none created twice.
        self.assertEqual(self._deadlines(lesson), deadlines)
        self.assertEqual(
            set(deadlines.mapped("learning_record_id")), set(lesson.record_ids)
        )
        self.assertEqual(lesson.state, "planned")
        wang_line = lesson.record_ids.filtered(lambda r: r.enrollment_id == self.wang)
        li_line = lesson.record_ids - wang_line
        # The sheet saved as the form does: one write of the lesson.
        lesson.with_user(self.user_teacher).write(
            {
                "record_ids": [
                    Command.update(
                        wang_line.id,
                        {"performance": "4", "homework": "done", "description": "ok"},
                    ),
                    Command.update(li_line.id, {"attendance": "absent"}),
                ]
            }
        )
        self.assertEqual(set(deadlines.mapped("state")), {"done"})
        self.assertEqual(lesson.state, "recorded")
        self.assertEqual(lesson.absent_count, 1)
        # Taking the roll again adds nobody and changes nothing.
        lesson.with_user(self.user_teacher).action_take_roll()
        self.assertEqual(len(lesson.record_ids), 2)

    def test_absence_followed_up_by_customer_service(self):
        """ARC-06: an absence asks customer service (the company's absence contact)
        to contact the student: an activity on the enrolment, which customer service
        reads (the learning record is not theirs to read). Ticking *Followed Up*
        closes it; an absence corrected to present removes it."""
        lesson = self._lesson()
        lesson.with_user(self.user_teacher).action_take_roll()
        wang_line = lesson.record_ids.filtered(lambda r: r.enrollment_id == self.wang)
        wang_line.with_user(self.user_teacher).attendance = "absent"
        activity = wang_line.absence_activity_id
        self.assertRecordValues(
            activity,
            [
                {
                    "res_model": "training.enrollment",
                    "res_id": self.wang.id,
                    "user_id": self.service.id,
                }
            ],
        )
        self.assertIn("Absent from", activity.summary)
        self.assertTrue(
            self.wang.with_user(self.service).activity_ids,
            "customer service sees the follow-up on the enrolment",
        )
        with self.assertRaises(AccessError):
            wang_line.with_user(self.service).read(["attendance"])
        wang_line.with_user(self.user_teacher).absence_followed_up = True
        self.assertFalse(activity.exists())
        self.assertIn(
            "The student was contacted.",
            "".join(self.wang.message_ids.mapped("body")),
        )
        # A second absence, corrected: its activity goes.
        li_line = lesson.record_ids - wang_line
        li_line.with_user(self.user_teacher).attendance = "absent"
        second = li_line.absence_activity_id
        self.assertTrue(second)
        li_line.with_user(self.user_teacher).attendance = "late"
        self.assertFalse(second.exists())

    def test_unrecorded_lesson_becomes_overdue(self):
        """ARC-05: a lesson nobody records is chased: its deadlines pass on Mon 17
        (3 working days after Wed 12) and the daily scheduled action flags them
        overdue on Tue 18; the lesson shows Overdue (and is found by it)."""
        lesson = self._lesson()
        cron = self.env.ref("training_student_archive.ir_cron_chase_archive_deadlines")
        with freeze_time("2025-03-17 08:00:00"):  # Mon 17, 16:00: not yet
            cron.method_direct_trigger()
            self.assertEqual(set(self._deadlines(lesson).mapped("state")), {"open"})
        with freeze_time("2025-03-18 01:00:00"):  # Tue 18, 09:00
            cron.method_direct_trigger()
            self.assertEqual(set(self._deadlines(lesson).mapped("state")), {"overdue"})
            lesson.invalidate_recordset(["is_overdue"])
            self.assertTrue(lesson.is_overdue)
            self.assertEqual(
                self.Lesson.search([("is_overdue", "=", True), ("id", "=", lesson.id)]),
                lesson,
            )

    def test_teacher_sees_only_their_lessons(self):
        """ARC-11: a teacher reads and records only the lessons of the courses they
        teach (or give); another teacher is refused on read, search and write, and
        a student of another course cannot be put on a roll."""
        lesson = self._lesson()
        other_teacher = self.user_teacher2
        self.assertFalse(
            self.Lesson.with_user(other_teacher).search([("id", "=", lesson.id)])
        )
        with self.assertRaises(AccessError):
            lesson.with_user(other_teacher).read(["date"])
        with self.assertRaises(AccessError):
            lesson.with_user(other_teacher).write({"name": "mine now"})
        with self.assertRaises(ValidationError):
            self.env["training.learning.record"].with_user(self.user_archivist).create(
                {
                    "lesson_id": lesson.id,
                    "enrollment_id": self.other.id,
                    "attendance": "present",
                }
            )

    def test_roll_taken_locks_the_lesson(self):
        """ARC-06: once the roll is taken, the lesson's course and day do not change,
        a substitute teacher takes over its open deadlines (the met ones stay), and
        it is neither cancelled nor deleted; a lesson cancelled before its roll
        drops its deadlines, and its day moved before the roll moves them."""
        lesson = self._lesson()
        moved = self._lesson()
        moved.with_user(self.user_teacher).date = "2025-03-13"  # Thu: Fri, Mon, Tue
        self.assertEqual(
            set(self._deadlines(moved).mapped("deadline")),
            {local(2025, 3, 18, 23, 59, 59)},
        )
        lesson.with_user(self.user_teacher).action_take_roll()
        lines = lesson.record_ids
        lines[0].with_user(self.user_teacher).attendance = "absent"
        # A substitute takes over: the deadlines stay, met or not; the open one
        # is the substitute's to meet.
        before = self._deadlines(lesson)
        lesson.with_user(self.user_archivist).teacher_id = self.user_teacher2
        self.assertEqual(self._deadlines(lesson), before)
        self.assertEqual(sorted(before.mapped("state")), ["done", "open"])
        self.assertEqual(
            before.filtered(lambda d: d.state == "open").user_id, self.user_teacher2
        )
        with self.assertRaises(ValidationError):
            lesson.with_user(self.user_teacher).date = "2025-03-13"
        with self.assertRaises(UserError):
            lesson.with_user(self.user_teacher).action_cancel()
        with self.assertRaises(UserError):
            lesson.with_user(self.user_teacher).unlink()
        moved.with_user(self.user_teacher).action_cancel()
        self.assertEqual(moved.state, "cancel")
        self.assertEqual(set(self._deadlines(moved).mapped("state")), {"cancel"})
        with self.assertRaises(UserError):
            moved.with_user(self.user_teacher).action_take_roll()

    def test_plan_lessons_from_the_weekly_pattern(self):
        """ARC-05, ARC-06, issue 15: lessons planned from a weekly pattern. Mondays
        and Wednesdays from Mon 10 to Sun 23 March 2025 are Mon 10, Wed 12, Mon 17
        and Wed 19; Wed 19 is a public holiday and Wed 12 already has the lesson
        given by hand (number 1), so Mon 10 and Mon 17 are added, numbered after it:
        2 and 3. Planned again, nothing is added. Every lesson has its recording
        deadlines, one per student on the roll (2)."""
        self.env["resource.calendar.leaves"].create(
            {
                "name": "Public holiday",
                "calendar_id": self.calendar.id,
                "resource_id": False,
                "date_from": local(2025, 3, 19, 0, 0, 0),
                "date_to": local(2025, 3, 19, 23, 59, 59),
            }
        )
        given = self._lesson(lesson_number=1)  # Wed 12
        plan = (
            self.env["training.lesson.plan"]
            .with_user(self.user_teacher)
            .create(
                {
                    "course_id": self.course_a.id,
                    "date_from": "2025-03-10",
                    "date_to": "2025-03-23",
                    "mon": True,
                    "wed": True,
                }
            )
        )
        self.assertEqual(plan.teacher_id, self.user_teacher)
        plan.action_plan()
        lessons = self.Lesson.search([("course_id", "=", self.course_a.id)])
        self.assertEqual(
            [
                (str(lesson.date), lesson.lesson_number)
                for lesson in lessons.sorted("date")
            ],
            [("2025-03-10", 2), ("2025-03-12", 1), ("2025-03-17", 3)],
        )
        self.assertIn(given, lessons)
        for lesson in lessons:
            self.assertEqual(len(self._deadlines(lesson)), 2, lesson.display_name)
        plan.action_plan()
        self.assertEqual(
            self.Lesson.search_count([("course_id", "=", self.course_a.id)]), 3
        )

    def test_new_lesson_in_the_form(self):
        """ARC-06, X-02: the teacher creates a lesson in its form (onchange of a new
        record included): not overdue, To Record, with its deadlines once saved."""
        with Form(self.Lesson.with_user(self.user_teacher)) as form:
            form.course_id = self.course_a
            form.name = "Numbers"
            self.assertFalse(form.is_overdue)
        lesson = form.record
        self.assertEqual(lesson.state, "planned")
        self.assertEqual(len(self._deadlines(lesson)), 2)

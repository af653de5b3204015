from datetime import date, datetime

from odoo.tests import freeze_time, tagged

from .common import TrainingArchiveCommon, local


@tagged("post_install", "-at_install")
@freeze_time("2025-03-07 07:00:00")  # Friday 7 March 2025, 15:00 in Shanghai
class TestDeadlines(TrainingArchiveCommon):
    """ARC-05 deadlines on the company's 40 h Monday-Friday calendar (Shanghai time).

    Every expected deadline below is worked out by hand from the calendar: working
    hours 8-12 and 13-17 local time; "end of a day" is 23:59:59 local time, i.e.
    15:59:59 UTC. March 2025: Fri 7, (Sat 8, Sun 9), Mon 10, Tue 11, Wed 12, Thu 13,
    Fri 14, (Sat 15, Sun 16), Mon 17, Tue 18.
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Deadline = cls.env["training.archive.deadline"]
        cls.cron = cls.env.ref(
            "training_student_archive.ir_cron_chase_archive_deadlines"
        )
        cls.activity_type = cls.env.ref(
            "training_student_archive.mail_activity_type_archive_deadline"
        )

    @classmethod
    def _public_holiday(cls, day):
        """A public holiday of the company: a calendar leave without resource."""
        return cls.env["resource.calendar.leaves"].create(
            {
                "name": "Public holiday",
                "calendar_id": cls.calendar.id,
                "resource_id": False,
                "date_from": local(*day, 0, 0, 0),
                "date_to": local(*day, 23, 59, 59),
            }
        )

    def _deadlines(self, archive):
        return {
            d.kind: d for d in self.Deadline.search([("archive_id", "=", archive.id)])
        }

    def _run_cron(self):
        self.cron.method_direct_trigger()
        self._end_request()

    def _chase_activities(self, archive):
        return self.env["mail.activity"].search(
            [
                ("res_model", "=", archive._name),
                ("res_id", "=", archive.id),
                ("activity_type_id", "=", self.activity_type.id),
            ]
        )

    def _overdue_messages(self, archive):
        return self.env["mail.message"].search(
            [
                ("model", "=", archive._name),
                ("res_id", "=", archive.id),
                ("body", "ilike", "Overdue:"),
            ]
        )

    def test_due_dates_skip_weekends_and_public_holidays(self):
        """ARC-05: 24 h / 48 h are 1 / 2 working days counted in working hours from the
        moment; the schedule (1 week = 5 working days after the course start), lesson
        records (3) and exam results (2 after publication) end with the last working
        day. Weekends and a public holiday of the company calendar are skipped."""
        friday_15h = local(2025, 3, 7, 15, 0)
        thursday_16h30 = local(2025, 3, 6, 16, 30)
        # How the enrolment and the records give the day a rule starts from.
        friday = datetime(2025, 3, 7, 12, 0)
        thursday = datetime(2025, 3, 6, 12, 0)
        monday_3 = datetime(2025, 3, 3, 12, 0)
        cases = [
            # kind, start, due over the weekend only, due with Monday 10 a holiday
            # 2 h on Friday, 6 h on Monday (Tuesday) -> 15:00
            ("handover", friday_15h, local(2025, 3, 10, 15), local(2025, 3, 11, 15)),
            # 0.5 h Thursday, 8 h Friday, 7.5 h Monday (Tuesday) -> 16:30
            (
                "archive_creation",
                thursday_16h30,
                local(2025, 3, 10, 16, 30),
                local(2025, 3, 11, 16, 30),
            ),
            # Monday, Tuesday, Wednesday (Tuesday, Wednesday, Thursday)
            (
                "lesson_record",
                friday,
                local(2025, 3, 12, 23, 59, 59),
                local(2025, 3, 13, 23, 59, 59),
            ),
            # Friday, Monday (Friday, Tuesday)
            (
                "exam_result",
                thursday,
                local(2025, 3, 10, 23, 59, 59),
                local(2025, 3, 11, 23, 59, 59),
            ),
            # Tuesday 4 to Friday 7, then Monday 10 (Tuesday 11)
            (
                "schedule",
                monday_3,
                local(2025, 3, 10, 23, 59, 59),
                local(2025, 3, 11, 23, 59, 59),
            ),
        ]
        for kind, start, due, _due_holiday in cases:
            with self.subTest(kind=kind, holiday=False):
                self.assertEqual(
                    self.Deadline._compute_due(kind, start, self.company), due
                )

        self._public_holiday((2025, 3, 10))

        for kind, start, _due, due_holiday in cases:
            with self.subTest(kind=kind, holiday=True):
                self.assertEqual(
                    self.Deadline._compute_due(kind, start, self.company), due_holiday
                )
        self.assertEqual(
            local(2025, 3, 13, 23, 59, 59), datetime(2025, 3, 13, 15, 59, 59)
        )

    def test_flows_open_and_close_deadlines(self):
        """ARC-05, ARC-06: confirming an enrolment opens the hand-over and schedule
        deadlines, the hand-over closes the first and opens the archive creation, the
        review closes it (late); lessons, the schedule, materials and exam results
        close their deadlines once complete (an absence needs nothing more)."""
        self._public_holiday((2025, 3, 10))
        enrollment = self._enrol_and_confirm(self.student, self.course_a)
        archive = enrollment.archive_id

        deadlines = self._deadlines(archive)
        self.assertEqual(set(deadlines), {"handover", "schedule"})
        self.assertRecordValues(
            deadlines["handover"] | deadlines["schedule"],
            [
                {
                    "kind": "handover",
                    "enrollment_id": enrollment.id,
                    "user_id": self.user_enrolment.id,
                    "start": datetime(2025, 3, 7, 7, 0),
                    "deadline": local(2025, 3, 11, 15, 0),
                    "state": "open",
                },
                {
                    "kind": "schedule",
                    "enrollment_id": enrollment.id,
                    "user_id": self.user_teacher.id,
                    "start": datetime(2025, 3, 7, 12, 0),
                    # Tue 11, Wed 12, Thu 13, Fri 14, Mon 17
                    "deadline": local(2025, 3, 17, 23, 59, 59),
                    "state": "open",
                },
            ],
        )

        with freeze_time("2025-03-11 01:00:00"):  # Tuesday 09:00
            archive.with_user(self.user_enrolment).action_hand_over()
        deadlines = self._deadlines(archive)
        self.assertRecordValues(
            deadlines["handover"] | deadlines["archive_creation"],
            [
                {
                    "state": "done",
                    "done_date": datetime(2025, 3, 11, 1, 0),
                    "is_late": False,
                    "user_id": self.user_enrolment.id,
                    "start": datetime(2025, 3, 7, 7, 0),
                    "deadline": local(2025, 3, 11, 15, 0),
                },
                {
                    "state": "open",
                    "done_date": False,
                    "is_late": False,
                    "user_id": self.user_archivist.id,
                    "start": datetime(2025, 3, 11, 1, 0),
                    # 3 + 4 h Tuesday, 8 h Wednesday, 1 h Thursday -> 09:00
                    "deadline": local(2025, 3, 13, 9, 0),
                },
            ],
        )

        with freeze_time("2025-03-13 02:00:00"):  # Thursday 10:00, an hour late
            archive.with_user(self.user_archivist).action_review()
        self.assertRecordValues(
            deadlines["archive_creation"],
            [
                {
                    "state": "done",
                    "done_date": datetime(2025, 3, 13, 2, 0),
                    "is_late": True,
                }
            ],
        )

        with freeze_time("2025-03-14 09:00:00"):  # Friday 17:00
            absent = self._lesson(enrollment, date="2025-03-12", attendance="absent")
            present = self._lesson(enrollment, date="2025-03-13", attendance="present")
            exam = (
                self.env["training.learning.record"]
                .with_user(self.user_teacher)
                .create(
                    {
                        "enrollment_id": enrollment.id,
                        "record_type": "exam",
                        "name": "Mid-term",
                        "publication_date": "2025-03-14",
                    }
                )
            )
        records = self.Deadline.search(
            [("learning_record_id", "in", (absent | present | exam).ids)]
        ).sorted(lambda d: d.learning_record_id.id)
        self.assertRecordValues(
            records,
            [
                {
                    "kind": "lesson_record",
                    "learning_record_id": absent.id,
                    "user_id": self.user_teacher.id,
                    # Thu 13, Fri 14, Mon 17
                    "deadline": local(2025, 3, 17, 23, 59, 59),
                    "state": "done",
                },
                {
                    "kind": "lesson_record",
                    "learning_record_id": present.id,
                    "user_id": self.user_teacher.id,
                    # Fri 14, Mon 17, Tue 18
                    "deadline": local(2025, 3, 18, 23, 59, 59),
                    "state": "open",
                },
                {
                    "kind": "exam_result",
                    "learning_record_id": exam.id,
                    "user_id": self.user_teacher.id,
                    # Mon 17, Tue 18
                    "deadline": local(2025, 3, 18, 23, 59, 59),
                    "state": "open",
                },
            ],
        )
        lesson_deadline, exam_deadline = records[1], records[2]

        with freeze_time("2025-03-17 02:00:00"):
            present.with_user(self.user_teacher).performance = "4"
            self.assertEqual(lesson_deadline.state, "open", "Homework is missing.")
            present.with_user(self.user_teacher).homework = "done"
            self.assertRecordValues(
                lesson_deadline,
                [{"state": "done", "done_date": datetime(2025, 3, 17, 2, 0)}],
            )
            Record = self.env["training.learning.record"].with_user(self.user_teacher)
            Record.create({"enrollment_id": enrollment.id, "record_type": "schedule"})
            self.assertEqual(deadlines["schedule"].state, "open", "Materials missing.")
            Record.create({"enrollment_id": enrollment.id, "record_type": "material"})
            self.assertEqual(deadlines["schedule"].state, "done")
            self.assertFalse(deadlines["schedule"].is_late)

        with freeze_time("2025-03-19 02:00:00"):  # the day after the deadline
            exam.with_user(self.user_teacher).score = 71.0
        self.assertRecordValues(
            exam_deadline,
            [
                {
                    "state": "done",
                    "done_date": datetime(2025, 3, 19, 2, 0),
                    "is_late": True,
                }
            ],
        )
        self.assertEqual(
            self.Deadline.search_count(
                [("archive_id", "=", archive.id), ("state", "!=", "done")]
            ),
            0,
        )

    def test_cron_chases_once(self):
        """ARC-05: the scheduled action gives the responsible person one activity when
        a deadline is a day away, and flags an overdue deadline with one chatter
        message; running it again creates nothing twice; meeting the deadline closes
        its activity."""
        self._public_holiday((2025, 3, 10))
        enrollment = self._enrol_and_confirm(self.student, self.course_a)
        archive = enrollment.archive_id
        deadlines = self._deadlines(archive)
        handover, schedule = deadlines["handover"], deadlines["schedule"]
        self.assertEqual(handover.deadline, local(2025, 3, 11, 15, 0))

        with freeze_time(local(2025, 3, 10, 14, 59)):  # more than a day before
            self._run_cron()
        self.assertFalse(self._chase_activities(archive))

        with freeze_time(local(2025, 3, 10, 15, 0)):  # a day before
            self._run_cron()
            self._run_cron()
        activity = self._chase_activities(archive)
        self.assertRecordValues(
            activity,
            [
                {
                    "user_id": self.user_enrolment.id,
                    "date_deadline": date(2025, 3, 11),
                    "summary": handover.name,
                }
            ],
        )
        self.assertEqual(handover.activity_id, activity)
        self.assertEqual(handover.state, "open")
        self.assertFalse(self._overdue_messages(archive))

        with freeze_time(local(2025, 3, 11, 15, 1)):  # overdue
            self._run_cron()
            self._run_cron()
        self.assertEqual(handover.state, "overdue")
        self.assertEqual(self._chase_activities(archive), activity)
        overdue = self._overdue_messages(archive)
        self.assertEqual(len(overdue), 1)
        self.assertIn(handover.name, overdue.body)
        self.assertEqual(archive.overdue_deadline_count, 1)

        with freeze_time(local(2025, 3, 11, 16, 0)):
            archive.with_user(self.user_enrolment).action_hand_over()
        self.assertRecordValues(handover, [{"state": "done", "is_late": True}])
        self.assertFalse(activity.exists())
        self.assertFalse(self._chase_activities(archive))
        self.assertEqual(archive.overdue_deadline_count, 0)
        creation = self._deadlines(archive)["archive_creation"]
        # 1 h Tuesday, 8 h Wednesday, 7 h Thursday -> Thursday 16:00
        self.assertEqual(creation.deadline, local(2025, 3, 13, 16, 0))

        # Sunday evening: the schedule is due Monday night; the archive creation is
        # overdue since Thursday, and nobody was reminded yet.
        with freeze_time(local(2025, 3, 16, 23, 59, 59)):
            self._run_cron()
            self._run_cron()
        activities = self._chase_activities(archive)
        self.assertEqual(len(activities), 2)
        self.assertEqual(
            {(a.user_id, a.summary) for a in activities},
            {
                (self.user_teacher, schedule.name),
                (self.user_archivist, creation.name),
            },
        )
        self.assertRecordValues(
            schedule | creation,
            [{"state": "open"}, {"state": "overdue"}],
        )
        self.assertEqual(len(self._overdue_messages(archive)), 2)

    def test_ended_enrolment_drops_its_deadlines(self):
        """ARC-05, ARC-07: a student who withdraws before the archive was even reviewed
        closes the pending archive as withdrawn; the deadlines of that enrolment and of
        the archive's creation are no longer chased (state "Not Needed", activity
        removed), and the scheduled action leaves them alone."""
        enrollment = self._enrol_and_confirm(self.student, self.course_a)
        archive = enrollment.archive_id
        with freeze_time(local(2025, 3, 10, 15, 0)):  # a day before the hand-over
            self._run_cron()
        activity = self._chase_activities(archive)
        self.assertEqual(len(activity), 1)

        enrollment.with_user(self.user_enrolment).action_withdraw()
        self.assertEqual(archive.state, "withdrawn")
        self.assertEqual(
            set(
                self.Deadline.search([("archive_id", "=", archive.id)]).mapped("state")
            ),
            {"cancel"},
        )
        self.assertFalse(activity.exists())
        with freeze_time(local(2025, 3, 20, 9, 0)):  # long after every deadline
            self._run_cron()
        self.assertFalse(self._chase_activities(archive))
        self.assertFalse(self._overdue_messages(archive))
        self.assertEqual(archive.overdue_deadline_count, 0)

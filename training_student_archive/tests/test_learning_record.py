from odoo.tests import freeze_time, tagged

from .common import TrainingArchiveCommon


@tagged("post_install", "-at_install")
@freeze_time("2025-03-14 09:00:00")  # Friday 17:00 in Shanghai
class TestLearningRecord(TrainingArchiveCommon):
    """A teacher keeps the learning history of a student of their course."""

    def test_teacher_records_lessons_tests_and_exams(self):
        """ARC-06: the course's teacher records lessons (present, late, early leave,
        absent with follow-up, performance, homework), the schedule, the materials, a
        stage test and an exam; lessons consumed and remaining on the enrolment, the
        archive's attendance rate and each score's percentage follow."""
        enrollment = self._enrol_and_confirm(self.student, self.course_a)
        archive = enrollment.archive_id
        self._activate(archive)
        self.assertRecordValues(
            enrollment,
            [{"lesson_count": 10, "lessons_consumed": 0, "lessons_remaining": 10}],
        )

        lessons = self.env["training.learning.record"]
        for day, attendance, performance, homework in (
            ("2025-03-10", "present", "4", "done"),
            ("2025-03-11", "late", "3", "partial"),
            ("2025-03-12", "absent", False, False),
            ("2025-03-13", "early_leave", "2", "missing"),
        ):
            lessons |= self._lesson(
                enrollment,
                date=day,
                attendance=attendance,
                performance=performance,
                homework=homework,
            )
        absent = lessons[2]
        absent.with_user(self.user_teacher).absence_followed_up = True

        Record = self.env["training.learning.record"].with_user(self.user_teacher)
        others = Record.create(
            [
                {
                    "enrollment_id": enrollment.id,
                    "record_type": "schedule",
                    "name": "Mon/Wed 18:30-20:30",
                },
                {
                    "enrollment_id": enrollment.id,
                    "record_type": "material",
                    "name": "Student's book A1",
                },
                {
                    "enrollment_id": enrollment.id,
                    "record_type": "test",
                    "name": "Unit 1",
                    "score": 42.5,
                    "max_score": 50.0,
                },
                {
                    "enrollment_id": enrollment.id,
                    "record_type": "exam",
                    "name": "Mid-term",
                    "publication_date": "2025-03-14",
                },
            ]
        )
        test, exam = others[2], others[3]
        self._end_request()

        self.assertRecordValues(
            lessons,
            [
                {
                    "archive_id": archive.id,
                    "partner_id": self.student.id,
                    "course_id": self.course_a.id,
                    "teacher_id": self.user_teacher.id,
                    "attendance": attendance,
                    "absence_followed_up": attendance == "absent",
                    "score_percent": 0.0,
                }
                for attendance in ("present", "late", "absent", "early_leave")
            ],
        )
        self.assertRecordValues(
            enrollment, [{"lessons_consumed": 3, "lessons_remaining": 7}]
        )
        self.assertAlmostEqual(archive.attendance_rate, 75.0)
        self.assertAlmostEqual(
            archive.with_user(self.user_teacher).attendance_rate, 75.0
        )
        self.assertRecordValues(
            test | exam,
            [
                {"score_recorded": True, "score_percent": 85.0},
                {"score_recorded": False, "score_percent": 0.0},
            ],
        )

        # A score of zero is a score: the exam's result is recorded.
        exam.with_user(self.user_teacher).score = 0.0
        self.assertRecordValues(exam, [{"score_recorded": True, "score_percent": 0.0}])
        exam.with_user(self.user_teacher).write({"score": 61.5, "max_score": 75.0})
        self.assertAlmostEqual(exam.score_percent, 82.0)

        # The student came after all, late: one more lesson consumed.
        absent.with_user(self.user_teacher).attendance = "late"
        self._end_request()
        self.assertRecordValues(
            enrollment, [{"lessons_consumed": 4, "lessons_remaining": 6}]
        )
        self.assertAlmostEqual(archive.attendance_rate, 100.0)
        self.assertEqual(
            archive.with_user(self.user_archivist).learning_record_ids,
            lessons | others,
        )

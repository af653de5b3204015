from psycopg2.errors import UniqueViolation

from odoo.exceptions import UserError, ValidationError
from odoo.tests import freeze_time, tagged
from odoo.tools import mute_logger

from .common import TrainingArchiveCommon


@tagged("post_install", "-at_install")
@freeze_time("2025-03-14 02:00:00")
class TestBadInput(TrainingArchiveCommon):
    """Wrong data is refused with a message the user understands, and nothing of it
    is written."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.enrollment = cls._enrol_and_confirm(cls.student, cls.course_a)
        cls.archive = cls.enrollment.archive_id

    def _count(self, model, domain=()):
        return self.env[model].search_count(list(domain))

    def test_bad_scores_and_lessons(self):
        """ARC-06: a score above the maximum and a lesson without attendance are
        refused with a ValidationError, on create and on write; nothing is written."""
        Record = self.env["training.learning.record"].with_user(self.user_teacher)
        records_before = self._count("training.learning.record")

        with self.assertRaises(ValidationError) as caught:
            Record.create(
                {
                    "enrollment_id": self.enrollment.id,
                    "record_type": "test",
                    "name": "Unit 1",
                    "score": 55.0,
                    "max_score": 50.0,
                }
            )
        self.assertEqual(
            str(caught.exception), "The score 55.0 is above the maximum 50.0."
        )
        with self.assertRaises(ValidationError) as caught:
            Record.create(
                {"enrollment_id": self.enrollment.id, "record_type": "lesson"}
            )
        self.assertIn("needs the attendance", str(caught.exception))
        self.assertEqual(self._count("training.learning.record"), records_before)

        exam = Record.create(
            {
                "enrollment_id": self.enrollment.id,
                "record_type": "exam",
                "score": 48.0,
                "max_score": 50.0,
            }
        )
        with self.assertRaises(ValidationError):
            exam.max_score = 40.0
        with self.assertRaises(ValidationError):
            exam.score = 50.01
        self.assertRecordValues(
            exam, [{"score": 48.0, "max_score": 50.0, "score_percent": 96.0}]
        )

    def test_bad_enrolment_and_archive(self):
        """ARC-01, ARC-02, ARC-07: an enrolment ending before it starts, a birth date in
        the future, a second archive for the same student and confirming an enrolment
        twice are refused with a clear error; nothing is written."""
        Enrollment = self.env["training.enrollment"].with_user(self.user_enrolment)
        enrollments_before = self._count("training.enrollment")

        with self.assertRaises(ValidationError) as caught:
            Enrollment.create(
                {
                    "partner_id": self.student_b.id,
                    "course_id": self.course_a.id,
                    "start_date": "2025-03-10",
                    "end_date": "2025-03-09",
                }
            )
        self.assertEqual(
            str(caught.exception),
            "The enrolment of Han Meimei cannot end before it starts.",
        )
        self.assertEqual(self._count("training.enrollment"), enrollments_before)
        with self.assertRaises(ValidationError):
            self.enrollment.with_user(self.user_enrolment).end_date = "2025-03-06"
        self.assertFalse(self.enrollment.end_date)

        with self.assertRaises(ValidationError) as caught:
            self.archive.with_user(self.user_archivist).birthdate = "2025-03-15"
        self.assertIn("is in the future", str(caught.exception))
        self.assertFalse(self.archive.birthdate)

        archives_before = self._count("training.student.archive")
        with (
            self.assertRaises(UniqueViolation) as caught,
            mute_logger("odoo.sql_db"),
        ):
            self.env["training.student.archive"].with_user(self.user_archivist).create(
                {"partner_id": self.student.id}
            )
        self.assertEqual(
            caught.exception.diag.constraint_name,
            "training_student_archive_partner_company_uniq",
        )
        self.assertEqual(self._count("training.student.archive"), archives_before)

        with self.assertRaises(UserError) as caught:
            self.enrollment.with_user(self.user_enrolment).action_confirm()
        self.assertEqual(
            str(caught.exception), "Only draft enrolments can be confirmed."
        )

from odoo import fields
from odoo.tests import HttpCase, new_test_user, tagged


@tagged("post_install", "-at_install")
class TestLessonRollCallPhone(HttpCase):
    """Issue 15: the teacher takes the roll of today's lesson on a phone."""

    browser_size = "375x667"
    touch_enabled = True

    def setUp(self):
        super().setUp()
        self.teacher = new_test_user(
            self.env,
            login="tour_teacher",
            name="Tour Teacher",
            groups="base.group_user,"
            "training_student_archive.training_student_archive_group_teacher",
        )
        self.service = new_test_user(
            self.env,
            login="tour_service",
            name="Tour Service",
            groups="base.group_user,"
            "training_student_archive.training_student_archive_group_customer_service",
        )
        self.env.company.training_absence_user_id = self.service
        course = self.env["training.course"].create(
            {
                "name": "Tour Roll Course",
                "code": "ROLL",
                "lesson_count": 20,
                "list_price": 800.0,
                "teacher_ids": [fields.Command.set(self.teacher.ids)],
            }
        )
        today = fields.Date.context_today(self.teacher)
        self.enrollments = self.env["training.enrollment"]
        for name in ("Tour Present Student", "Tour Absent Student"):
            student = self.env["res.partner"].create(
                {"name": name, "email": f"{name.split()[1].lower()}@example.com"}
            )
            enrollment = self.env["training.enrollment"].create(
                {"partner_id": student.id, "course_id": course.id, "start_date": today}
            )
            enrollment.action_confirm()
            self.enrollments |= enrollment
        self.lesson = self.env["training.lesson"].create(
            {"course_id": course.id, "date": today, "teacher_id": self.teacher.id}
        )

    def test_roll_call_on_a_phone(self):
        """ARC-05, ARC-06, X-02: on a 375 px screen the teacher opens today's lesson
        from the Lessons kanban, takes the roll, marks one student absent, gives the
        other her performance and homework, and saves: both learning records exist,
        both recording deadlines are met, and customer service has the absence to
        follow up on the enrolment."""
        self.start_tour(
            "/odoo", "training_lesson_roll_call_tour", login=self.teacher.login
        )
        records = self.lesson.record_ids
        by_name = {record.partner_id.name: record for record in records}
        present = by_name["Tour Present Student"]
        absent = by_name["Tour Absent Student"]
        self.assertRecordValues(
            present | absent,
            [
                {"attendance": "present", "performance": "4", "homework": "done"},
                {"attendance": "absent", "performance": False, "homework": False},
            ],
        )
        self.assertEqual(self.lesson.state, "recorded")
        self.assertEqual(set(self.lesson.deadline_ids.mapped("state")), {"done"})
        self.assertEqual(len(self.lesson.deadline_ids), 2)
        self.assertRecordValues(
            absent.absence_activity_id,
            [
                {
                    "res_model": "training.enrollment",
                    "res_id": absent.enrollment_id.id,
                    "user_id": self.service.id,
                }
            ],
        )
        self.assertFalse(present.absence_activity_id)

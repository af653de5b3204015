"""Prevention touch-points (RET-12): students who stop coming are contacted and the
contact is recorded."""

from odoo.tests import freeze_time, tagged

from .common import RetentionCommon


@tagged("post_install", "-at_install")
@freeze_time("2025-04-15 08:00:00")
class TestPrevention(RetentionCommon):
    def test_absences_in_a_row_plan_a_retention_contact(self):
        """RET-12: three absences in a row plan one retention contact for customer
        service (not twice while open); attending again clears the risk; the
        outcome of the call is logged in the chatter."""
        self.company.training_retention_user_id = self.user_customer_service
        enrollment = self._enrolled()
        Enrollment = self.env["training.enrollment"]
        for number, attendance in enumerate(("present", "absent", "absent"), 1):
            self._lesson(
                enrollment,
                lesson_number=number,
                attendance=attendance,
                date=f"2025-03-{10 + number}",
            )
        self.assertFalse(Enrollment._cron_flag_at_risk())
        self._lesson(
            enrollment, lesson_number=4, attendance="absent", date="2025-03-14"
        )
        self.assertEqual(Enrollment._cron_flag_at_risk(), enrollment)
        self.assertFalse(Enrollment._cron_flag_at_risk())
        # Besides one follow-up per absence (ARC-06, issue 15), one retention contact.
        absences = (
            self.env["training.learning.record"]
            .search([("enrollment_id", "=", enrollment.id)])
            .absence_activity_id
        )
        self.assertEqual(len(absences), 3)
        contact = enrollment.activity_ids - absences
        self.assertEqual(len(contact), 1)
        self.assertEqual(contact.user_id, self.user_customer_service)
        self.assertIn("missed the last 3 lessons", contact.note)
        contact.with_user(self.user_customer_service).action_feedback(
            feedback="Was ill; back next week."
        )
        self.assertTrue(
            enrollment.message_ids.filtered(
                lambda m: "back next week" in (m.body or "")
            )
        )
        self._lesson(
            enrollment, lesson_number=5, attendance="present", date="2025-03-17"
        )
        self.assertFalse(Enrollment._cron_flag_at_risk())

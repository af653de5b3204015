from odoo.exceptions import AccessError, UserError
from odoo.tests import freeze_time, tagged
from odoo.tools import html2plaintext

from .common import TrainingArchiveCommon


@tagged("post_install", "-at_install")
@freeze_time("2025-03-14 09:00:00")
class TestSealing(TrainingArchiveCommon):
    """A student who left has their archive sealed and gets a learning certificate."""

    def _completed_archive(self):
        enrollment = self._enrol_and_confirm(self.student, self.course_a)
        archive = enrollment.archive_id
        self._activate(archive)
        for day, attendance in (
            ("2025-03-10", "present"),
            ("2025-03-11", "late"),
            ("2025-03-12", "absent"),
            ("2025-03-13", "present"),
        ):
            self._lesson(enrollment, date=day, attendance=attendance)
        self.env["training.learning.record"].with_user(self.user_teacher).create(
            {
                "enrollment_id": enrollment.id,
                "record_type": "exam",
                "name": "Final exam A1",
                "date": "2025-03-14",
                "score": 87.0,
                "max_score": 100.0,
            }
        )
        enrollment.with_user(self.user_enrolment).action_complete()
        self._end_request()
        self.assertEqual(archive.state, "completed")
        return archive, enrollment

    def test_seal_read_only_but_for_archivist(self):
        """ARC-17, ARC-07: only a completed, withdrawn or transferred archive can be
        sealed, only by the archivist; the seal is tracked; afterwards enrolment staff
        and teachers cannot change the archive, its learning records or documents, the
        archivist still can."""
        archive, enrollment = self._completed_archive()
        active = self._enrol_and_confirm(self.student_b, self.course_a).archive_id
        with self.assertRaises(UserError):
            active.with_user(self.user_archivist).action_seal()
        with self.assertRaises(AccessError):
            archive.with_user(self.user_enrolment).action_seal()

        archive.with_user(self.user_archivist).action_seal()
        self._end_request()
        self.assertEqual(archive.state, "sealed")
        tracked = archive.message_ids.tracking_value_ids.filtered(
            lambda t: t.field_id.name == "state"
        )
        self.assertIn("sealed", tracked.mapped("new_value_char")[0].lower())

        with self.assertRaises(AccessError):
            archive.with_user(self.user_enrolment).write({"paper_location": "X"})
        record = archive.learning_record_ids[:1]
        with self.assertRaises(AccessError):
            record.with_user(self.user_teacher).write({"description": "late entry"})
        with self.assertRaises(AccessError):
            self._lesson(enrollment, date="2025-03-14", attendance="present")
        with self.assertRaises(AccessError):
            self.env["training.archive.document"].with_user(self.user_enrolment).create(
                {"archive_id": archive.id, "name": "Late form"}
            )
        archive.with_user(self.user_archivist).write({"paper_location": "C9-B01"})
        self.assertEqual(archive.paper_location, "C9-B01")
        # the retention cases seal as superuser
        other = self._enrol_and_confirm(self.student_no_contact, self.course_b)
        other.with_user(self.user_enrolment).action_withdraw()
        other.archive_id.sudo().action_seal()
        self.assertEqual(other.archive_id.state, "sealed")

    def test_learning_certificate(self):
        """ARC-17, RET-03: customer service prints the learning certificate of a
        student who completed a course: course, period, status, attendance rate and
        exam results."""
        archive, _enrollment = self._completed_archive()
        html = (
            self.env["ir.actions.report"]
            .with_user(self.user_customer_service)
            ._render_qweb_html(
                "training_student_archive.action_report_learning_certificate",
                archive.ids,
            )[0]
        )
        html = " ".join(html2plaintext(html.decode()).split())
        self.assertIn("Learning Certificate", html)
        self.assertIn("Li Lei", html)
        self.assertIn(archive.archive_number, html)
        self.assertIn("English A1", html)
        self.assertIn("03/07/2025 – 03/14/2025", html)
        self.assertIn("75 %", html)  # 3 of 4 lessons attended
        self.assertIn("Final exam A1", html)
        self.assertIn("87 / 100", html)
        self.assertIn("Completed", html)
        # a teacher of another course may not print it: the report reads the lines
        # through the archive's access rules
        with self.assertRaises(AccessError):
            archive.with_user(self.user_teacher2)._get_certificate_lines()

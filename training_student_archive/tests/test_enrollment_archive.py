from datetime import date, datetime

from odoo.exceptions import UserError
from odoo.tests import freeze_time, tagged

from .common import TrainingArchiveCommon


@tagged("post_install", "-at_install")
@freeze_time("2025-03-07 07:00:00")  # Friday 15:00 in Shanghai
class TestEnrollmentArchive(TrainingArchiveCommon):
    """From the enrolment to the archive and back: creation, review, closing."""

    def _state_trackings(self, archive):
        """(old, new) labels of the archive's state changes, oldest first."""
        self._end_request()
        trackings = self.env["mail.tracking.value"].search(
            [
                ("mail_message_id.model", "=", archive._name),
                ("mail_message_id.res_id", "=", archive.id),
                ("field_id.name", "=", "state"),
            ],
            order="id",
        )
        return [(t.old_value_char, t.new_value_char) for t in trackings]

    def test_confirmation_creates_archive_once(self):
        """ARC-01, ARC-07: confirming an enrolment as enrolment staff creates the
        student's archive in pending review with the next number of the archive
        sequence; a second enrolment of the same student reuses that archive and
        consumes no number."""
        sequence = self.env.ref("training_student_archive.seq_training_student_archive")
        next_number = sequence.number_next_actual
        Archive = self.env["training.student.archive"]

        enrollment = self._enrol(self.student, self.course_a)
        self.assertEqual(enrollment.state, "draft")
        self.assertFalse(Archive.search([("partner_id", "=", self.student.id)]))

        enrollment.action_confirm()

        archive = enrollment.archive_id
        self.assertEqual(enrollment.state, "active")
        self.assertEqual(enrollment.confirm_date, datetime(2025, 3, 7, 7, 0, 0))
        self.assertRecordValues(
            archive.sudo(),
            [
                {
                    "archive_number": f"A2025{next_number:05d}",
                    "partner_id": self.student.id,
                    "company_id": self.company.id,
                    "state": "pending",
                    "user_id": self.user_archivist.id,
                    "handover_date": False,
                    "review_date": False,
                }
            ],
        )
        self.assertIn(
            "Archive created from the enrolment in [ENA1] English A1",
            archive.sudo().message_ids[:1].body,
        )
        self.assertEqual(self._state_trackings(archive), [])

        second = self._enrol(self.student, self.course_b, start_date="2025-04-01")
        second.action_confirm()

        self.assertEqual(second.archive_id, archive)
        self.assertEqual(
            Archive.search_count([("partner_id", "=", self.student.id)]), 1
        )
        self.assertEqual(archive.sudo().enrollment_count, 2)
        self.assertEqual(archive.sudo().course_ids, self.course_a | self.course_b)
        sequence.invalidate_recordset(["number_next_actual"])
        self.assertEqual(
            sequence.number_next_actual,
            next_number + 1,
            "Reusing the archive must not draw a new number.",
        )

    def test_review_refuses_incomplete_registration(self):
        """ARC-03: the archivist's review refuses an archive without any contact
        detail, and a minor's archive without a guardian, with a UserError that
        changes nothing; once completed, the review activates the archive."""
        no_contact = self._enrol_and_confirm(self.student_no_contact, self.course_a)
        minor = self._enrol_and_confirm(self.student_minor, self.course_a)
        archive, minor_archive = no_contact.archive_id, minor.archive_id
        minor_archive.birthdate = "2012-05-01"  # 12 years old on 2025-03-07
        self.assertTrue(minor_archive.is_minor)
        self.assertEqual(minor_archive.age, 12)
        (archive | minor_archive).with_user(self.user_enrolment).action_hand_over()
        self._end_request()
        messages_before = len(archive.message_ids) + len(minor_archive.message_ids)

        for refused, reason in (
            (archive, "no contact details"),
            (minor_archive, "a guardian is required"),
        ):
            with self.assertRaises(UserError) as caught:
                refused.with_user(self.user_archivist).action_review()
            self.assertIn(reason, str(caught.exception))
        self.assertRecordValues(
            archive | minor_archive,
            [
                {"state": "pending", "review_date": False, "reviewed_by_id": False},
                {"state": "pending", "review_date": False, "reviewed_by_id": False},
            ],
        )
        self.assertEqual(
            len(archive.message_ids) + len(minor_archive.message_ids), messages_before
        )

        self.student_no_contact.email = "wang.fang@example.com"
        minor_archive.guardian_id = self.guardian
        (archive | minor_archive).with_user(self.user_archivist).action_review()

        self.assertRecordValues(
            archive | minor_archive,
            [
                {
                    "state": "active",
                    "reviewed_by_id": self.user_archivist.id,
                    "review_date": datetime(2025, 3, 7, 7, 0, 0),
                },
                {
                    "state": "active",
                    "reviewed_by_id": self.user_archivist.id,
                    "review_date": datetime(2025, 3, 7, 7, 0, 0),
                },
            ],
        )
        self.assertEqual(self._state_trackings(archive), [("Pending Review", "Active")])

    def test_last_enrolment_closes_archive(self):
        """ARC-07: the archive stays active while an enrolment runs; once none runs it
        takes the state of the enrolment that ended last (not of the one planned to
        end last); it opens again when the student enrols again; every state change
        is a tracking value in the chatter."""
        english = self._enrol_and_confirm(
            self.student, self.course_a, end_date="2025-06-30"
        )
        french = self._enrol_and_confirm(
            self.student, self.course_b, end_date="2025-09-30"
        )
        archive = english.archive_id
        self._activate(archive)
        self.assertEqual(archive.state, "active")

        with freeze_time("2025-05-12 02:00:00"):
            french.with_user(self.user_enrolment).action_withdraw()
        self.assertRecordValues(
            french, [{"state": "withdrawn", "closed_date": date(2025, 5, 12)}]
        )
        self.assertEqual(archive.state, "active", "English is still running.")
        self.assertEqual(self._state_trackings(archive), [("Pending Review", "Active")])

        with freeze_time("2025-06-30 09:00:00"):
            english.with_user(self.user_archivist).action_complete()
        self.assertEqual(english.state, "completed")
        self.assertRecordValues(
            archive, [{"state": "completed", "closed_date": date(2025, 6, 30)}]
        )
        self._end_request()

        with freeze_time("2025-09-01 02:00:00"):
            again = self._enrol_and_confirm(
                self.student, self.course_a, start_date="2025-09-01"
            )
        self.assertEqual(again.archive_id, archive)
        self.assertRecordValues(archive, [{"state": "active", "closed_date": False}])
        self._end_request()

        with freeze_time("2025-10-08 02:00:00"):
            again.with_user(self.user_enrolment).action_withdraw()
        self.assertRecordValues(
            archive, [{"state": "withdrawn", "closed_date": date(2025, 10, 8)}]
        )
        self.assertEqual(
            self._state_trackings(archive),
            [
                ("Pending Review", "Active"),
                ("Active", "Completed"),
                ("Completed", "Active"),
                ("Active", "Withdrawn"),
            ],
        )
        with self.assertRaises(UserError) as caught:
            again.with_user(self.user_archivist).action_complete()
        self.assertEqual(str(caught.exception), "Only active enrolments can be ended.")

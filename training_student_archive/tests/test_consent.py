from odoo.exceptions import ValidationError
from odoo.tests import freeze_time, tagged

from .common import TrainingArchiveCommon


@tagged("post_install", "-at_install")
@freeze_time("2025-03-14 09:00:00")
class TestSensitiveConsent(TrainingArchiveCommon):
    def test_sensitive_data_needs_consent(self):
        """ARC-02, ARC-11: health notes and an identity number can be stored only
        after the separate consent is recorded; for a student under 14 only the
        guardian's consent counts; nothing is written on refusal."""
        adult = self._enrol_and_confirm(self.student, self.course_a).archive_id
        archive = adult.with_user(self.user_archivist)
        with (
            self.assertRaisesRegex(ValidationError, "recorded consent"),
            self.cr.savepoint(),
        ):
            archive.write({"health_notes": "Asthma"})
        self.env.invalidate_all()
        self.assertFalse(adult.health_notes)
        archive.write(
            {
                "sensitive_consent_date": "2025-03-14",
                "sensitive_consent_partner_id": self.student.id,
                "health_notes": "Asthma",
            }
        )
        self.assertEqual(adult.health_notes, "Asthma")
        enrolment = adult.with_user(self.user_enrolment)
        enrolment.write({"identity_type": "id_card", "identity_number": "110101"})
        self.assertEqual(enrolment.identity_number, "110101")

        child = self._enrol_and_confirm(self.student_minor, self.course_a).archive_id
        child = child.with_user(self.user_archivist)
        child.write({"birthdate": "2015-05-01", "guardian_id": self.guardian.id})
        with self.assertRaisesRegex(ValidationError, "guardian"):
            child.write(
                {
                    "sensitive_consent_date": "2025-03-14",
                    "sensitive_consent_partner_id": self.student_minor.id,
                    "health_notes": "Peanut allergy",
                }
            )
        child.write(
            {
                "sensitive_consent_date": "2025-03-14",
                "sensitive_consent_partner_id": self.guardian.id,
                "health_notes": "Peanut allergy",
            }
        )
        self.assertEqual(child.health_notes, "Peanut allergy")

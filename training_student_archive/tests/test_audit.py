from odoo.tests import freeze_time, tagged

from .common import TrainingArchiveCommon


@tagged("post_install", "-at_install")
@freeze_time("2025-04-01 02:00:00")
class TestQuarterlyAudit(TrainingArchiveCommon):
    def test_quarterly_audit(self):
        """ARC-15: the quarterly scheduled action audits the active archives: a
        complete one passes; one with an invalid e-mail, no birth date, no emergency
        contact and missing documents is listed with its issues, and its archivist
        gets one activity; a second run in the same quarter creates nothing."""
        complete = self._enrol_and_confirm(self.student, self.course_a).archive_id
        incomplete = self._enrol_and_confirm(self.student_b, self.course_a).archive_id
        self._enrol_and_confirm(self.student_no_contact, self.course_b)  # pending
        self._activate(complete)
        self._activate(incomplete)
        complete.with_user(self.user_archivist).write(
            {"birthdate": "2001-01-01", "emergency_contact_id": self.guardian.id}
        )
        self.env["training.archive.document"].with_user(self.user_enrolment).create(
            [
                {"archive_id": complete.id, "name": kind, "document_type": kind}
                for kind in (
                    "registration_form",
                    "identity_proof",
                    "training_agreement",
                )
            ]
            + [
                {
                    "archive_id": incomplete.id,
                    "name": "Form",
                    "document_type": "registration_form",
                }
            ]
        )
        self.student_b.email = "han.meimei-at-example"

        Audit = self.env["training.archive.audit"]
        # one company per call, as the cron runner calls it again while some are left
        for _company in self.env["res.company"].search([]):
            Audit._cron_quarterly_audit()
        # one audit per company and quarter; other companies (demo data) have theirs
        audit = Audit.search(
            [("quarter", "=", "2025-Q2"), ("company_id", "=", self.company.id)]
        )
        self.assertEqual(len(audit), 1)
        # the database may hold other archives (demo data): look at ours
        active = self.env["training.student.archive"].search_count(
            [("state", "=", "active"), ("company_id", "=", self.company.id)]
        )
        self.assertEqual(audit.archive_count, active)
        self.assertAlmostEqual(
            audit.completeness_rate,
            (active - audit.incomplete_count) / active * 100,
        )
        line = audit.line_ids.filtered(
            lambda ln: ln.archive_id in complete | incomplete
        )
        self.assertEqual(line.archive_id, incomplete)
        self.assertEqual(line.user_id, self.user_archivist)
        for issue in (
            "Invalid e-mail: han.meimei-at-example",
            "No birth date",
            "No emergency contact",
            "Missing document: Identity Proof",
            "Missing document: Signed Training Agreement",
        ):
            self.assertIn(issue, line.issues)
        self.assertNotIn("Registration Form", line.issues)
        activities = audit.activity_ids.filtered(
            lambda a: a.user_id == self.user_archivist
        )
        self.assertEqual(len(activities), 1)

        audits = Audit.search_count([("quarter", "=", "2025-Q2")])
        audit_activities = len(audit.activity_ids)
        Audit._cron_quarterly_audit()
        self.assertEqual(Audit.search_count([("quarter", "=", "2025-Q2")]), audits)
        self.assertEqual(len(audit.activity_ids), audit_activities)

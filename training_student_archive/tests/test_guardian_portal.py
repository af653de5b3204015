"""Guardians on the portal (issue 13): a guardian sees a minor's archive; once the
student comes of age, only if the student lets them."""

from odoo.exceptions import AccessError
from odoo.tests import HttpCase, new_test_user, tagged

from .test_portal import PortalArchiveMixin


@tagged("post_install", "-at_install")
class TestGuardianPortal(PortalArchiveMixin, HttpCase):
    """The guardian of the minor is also the guardian of the adult Portal Student
    (born in 2000), whose archive is completed (a destruction may be asked)."""

    def setUp(self):
        super().setUp()
        self.archive.write({"guardian_id": self.guardian.id, "birthdate": "2000-01-01"})
        self.minor_archive = self.archives[self.minor]
        self.change = self.env["training.archive.change.request"].create(
            {
                "archive_id": self.archive.id,
                "reason": "Typo in the phone",
                "line_ids": [
                    (0, 0, {"field_name": "phone", "new_value": "+86 21 5555 1234"})
                ],
            }
        )
        self.enrollment.action_complete()
        self.assertEqual(self.archive.state, "completed")

    def _csrf(self, archive=None):
        response = self.url_open(f"/my/archive/{(archive or self.archive).id}")
        marker = 'name="csrf_token" value="'
        start = response.text.index(marker) + len(marker)
        return response.text[start : response.text.index('"', start)]

    def _adult_urls(self):
        return (
            f"/my/archive/{self.archive.id}",
            f"/my/archive/{self.archive.id}/certificate",
            f"/my/archive/{self.archive.id}/document/{self.document.id}",
            f"/my/archive/change/{self.change.id}",
        )

    def _assert_guardian_refused(self):
        """Every page and request of the adult's archive is a 404 for the guardian
        and writes nothing."""
        self.authenticate("portal_guardian", "portal_guardian")
        response = self.url_open("/my/archive")
        self.assertIn("Minor Student", response.text)
        self.assertNotIn("Portal Student", response.text)
        for url in self._adult_urls():
            with self.subTest(url=url):
                response = self.url_open(url)
                self.assertEqual(response.status_code, 404)
                self.assertNotIn("Portal exam", response.text)
                self.assertNotIn("portal agreement", response.text)
        csrf = self._csrf(self.minor_archive)
        Change = self.env["training.archive.change.request"]
        Destruction = self.env["training.archive.destruction"]
        changes = Change.search_count([("archive_id", "=", self.archive.id)])
        for url, data in (
            (
                f"/my/archive/{self.archive.id}/correction",
                {"field_name": "phone", "new_value": "1", "reason": "mine now"},
            ),
            (f"/my/archive/{self.archive.id}/destruction", {"reason": "Erase it"}),
            (f"/my/archive/{self.archive.id}/guardian", {"allow": "1"}),
            (f"/my/archive/change/{self.change.id}/confirm", {}),
        ):
            with self.subTest(url=url):
                response = self.url_open(url, data={**data, "csrf_token": csrf})
                self.assertEqual(response.status_code, 404)
        self.assertEqual(
            Change.search_count([("archive_id", "=", self.archive.id)]), changes
        )
        self.assertFalse(Destruction.search([("archive_ids", "in", self.archive.ids)]))

    def test_guardian_of_minor_sees_of_adult_not(self):
        """ARC-16, ARC-10: the guardian still sees the minor's archive, its
        certificate and documents; the adult student's archive pages, certificate,
        documents and change requests are a 404, the correction, destruction and
        confirmation requests too, and none writes anything. The student still
        reads their own archive."""
        self.assertFalse(self.archive.guardian_has_access)
        self.assertTrue(self.minor_archive.guardian_has_access)
        self._assert_guardian_refused()
        self.authenticate("portal_guardian", "portal_guardian")
        response = self.url_open(f"/my/archive/{self.minor_archive.id}")
        self.assertEqual(response.status_code, 200)
        self.assertIn("Minor Student", response.text)
        response = self.url_open(f"/my/archive/{self.minor_archive.id}/certificate")
        self.assertEqual(response.status_code, 200)
        self.assertEqual(self.change.state, "draft")

        self.authenticate("portal_student", "portal_student")
        response = self.url_open(f"/my/archive/{self.archive.id}")
        self.assertEqual(response.status_code, 200)
        self.assertIn("Let my guardian see my archive", response.text)

    def test_adult_student_lets_the_guardian_see(self):
        """ARC-16: the adult student lets the guardian see the archive from the
        portal (off by default), the guardian then reads it and its documents; the
        student takes it back and the guardian is refused again."""
        self.authenticate("portal_student", "portal_student")
        self.url_open(
            f"/my/archive/{self.archive.id}/guardian",
            data={"allow": "1", "csrf_token": self._csrf()},
        )
        self.assertTrue(self.archive.guardian_access_granted)
        self.assertTrue(self.archive.guardian_has_access)

        self.authenticate("portal_guardian", "portal_guardian")
        response = self.url_open(f"/my/archive/{self.archive.id}")
        self.assertEqual(response.status_code, 200)
        self.assertIn("Portal exam", response.text)
        self.assertNotIn("Let my guardian see my archive", response.text)
        response = self.url_open(
            f"/my/archive/{self.archive.id}/document/{self.document.id}"
        )
        self.assertEqual(response.content, b"portal agreement")

        self.authenticate("portal_student", "portal_student")
        self.url_open(
            f"/my/archive/{self.archive.id}/guardian",
            data={"allow": "0", "csrf_token": self._csrf()},
        )
        self.assertFalse(self.archive.guardian_access_granted)
        self._assert_guardian_refused()

    def test_age_of_majority_is_a_company_setting(self):
        """ARC-16: with an age of majority of 40 in the settings, the student born
        in 2000 is a minor again and the guardian sees the archive. Staff cannot
        give the guardian access in the student's place (the archivist only, on
        the student's written request): refused, nothing written."""
        service = new_test_user(
            self.env,
            login="portal_cs",
            groups="training_student_archive.training_student_archive_group_customer_service",
        )
        with self.assertRaises(AccessError), self.cr.savepoint():
            self.archive.with_user(service).write({"guardian_access_granted": True})
        self.archive.invalidate_recordset()
        self.assertFalse(self.archive.guardian_access_granted)
        settings = self.env["res.config.settings"].create({})
        self.assertEqual(settings.training_age_of_majority, 18)
        settings.training_age_of_majority = 40
        settings.execute()
        self.assertEqual(self.env.company.training_age_of_majority, 40)
        self.archive.invalidate_recordset(["is_minor", "guardian_has_access"])
        self.assertTrue(self.archive.is_minor)
        self.authenticate("portal_guardian", "portal_guardian")
        response = self.url_open(f"/my/archive/{self.archive.id}")
        self.assertEqual(response.status_code, 200)

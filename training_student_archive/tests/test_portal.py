import io
import json
import zipfile

from odoo.tests import HttpCase, new_test_user, tagged

PORTAL = "base.group_portal"


class PortalArchiveMixin:
    """Two students with a portal login each, a minor whose guardian has one; the
    first student has lessons, a document and a completed second course."""

    def setUp(self):
        super().setUp()
        self.env.company.training_archivist_id = new_test_user(
            self.env,
            login="portal_archivist",
            groups="training_student_archive.training_student_archive_group_archivist",
        )
        course = self.env["training.course"].create(
            {"name": "Portal Course", "code": "PRT", "lesson_count": 10}
        )
        Partner = self.env["res.partner"]
        self.student = Partner.create(
            {"name": "Portal Student", "email": "portal.student@example.com"}
        )
        self.other = Partner.create(
            {"name": "Other Student", "email": "other.student@example.com"}
        )
        self.minor = Partner.create({"name": "Minor Student", "mobile": "+86 1"})
        self.guardian = Partner.create(
            {"name": "Guardian Parent", "email": "guardian@example.com"}
        )
        self.archives = {}
        for partner in (self.student, self.other, self.minor):
            enrollment = self.env["training.enrollment"].create(
                {"partner_id": partner.id, "course_id": course.id}
            )
            enrollment.action_confirm()
            self.archives[partner] = enrollment.archive_id
        self.enrollment = self.archives[self.student].enrollment_ids
        self.archives[self.minor].write(
            {"guardian_id": self.guardian.id, "birthdate": "2015-01-01"}
        )
        self.archive = self.archives[self.student]
        self.archive.action_review()
        self.env["training.learning.record"].create(
            {
                "enrollment_id": self.enrollment.id,
                "record_type": "exam",
                "name": "Portal exam",
                "score": 91,
            }
        )
        self.document = self.env["training.archive.document"].create(
            {
                "archive_id": self.archive.id,
                "name": "Signed agreement",
                "document_type": "training_agreement",
                "file": "cG9ydGFsIGFncmVlbWVudA==",
                "file_name": "agreement.txt",
            }
        )
        self.other_document = self.env["training.archive.document"].create(
            {
                "archive_id": self.archives[self.other].id,
                "name": "Other agreement",
                "file": "b3RoZXIgYWdyZWVtZW50",
                "file_name": "other.txt",
            }
        )
        for login, partner in (
            ("portal_student", self.student),
            ("portal_other", self.other),
            ("portal_guardian", self.guardian),
        ):
            new_test_user(
                self.env,
                login=login,
                groups=PORTAL,
                partner_id=partner.id,
                name=partner.name,
                email=partner.email,
            )


@tagged("post_install", "-at_install")
class TestPortalArchive(PortalArchiveMixin, HttpCase):
    def test_student_sees_only_own_archive(self):
        """ARC-16, X-02: the student sees their archive (enrolments, results,
        documents), downloads their document and the learning certificate; another
        student's archive, document or change request is a 404 whatever the id typed
        in the URL, and its content never shows; the guardian sees the minor's."""
        self.authenticate("portal_student", "portal_student")
        response = self.url_open("/my/archive")
        self.assertEqual(response.status_code, 200)
        self.assertTrue(response.url.endswith(f"/my/archive/{self.archive.id}"))
        for text in (
            "Portal Student",
            "Portal Course",
            "Portal exam",
            "91",
            "Signed agreement",
        ):
            self.assertIn(text, response.text)
        response = self.url_open(
            f"/my/archive/{self.archive.id}/document/{self.document.id}"
        )
        self.assertEqual(response.content, b"portal agreement")
        response = self.url_open(f"/my/archive/{self.archive.id}/certificate")
        self.assertEqual(response.status_code, 200)
        self.assertIn(b"Portal exam", response.content)

        other = self.archives[self.other]
        for url in (
            f"/my/archive/{other.id}",
            f"/my/archive/{other.id}/certificate",
            f"/my/archive/{other.id}/document/{self.other_document.id}",
            f"/my/archive/{self.archive.id}/document/{self.other_document.id}",
        ):
            with self.subTest(url=url):
                response = self.url_open(url)
                self.assertEqual(response.status_code, 404)
                self.assertNotIn("Other Student", response.text)
                self.assertNotIn("other agreement", response.text)
        response = self.url_open(
            f"/my/archive/{other.id}/correction",
            data={
                "field_name": "phone",
                "new_value": "1",
                "reason": "x",
                "csrf_token": self._csrf(),
            },
        )
        self.assertEqual(response.status_code, 404)
        self.assertFalse(
            self.env["training.archive.change.request"].search(
                [("archive_id", "=", other.id)]
            )
        )

        self.authenticate("portal_guardian", "portal_guardian")
        response = self.url_open("/my/archive")
        self.assertIn("Minor Student", response.text)
        self.assertNotIn("Portal Student", response.text)

    def _csrf(self):
        response = self.url_open(f"/my/archive/{self.archive.id}")
        marker = 'name="csrf_token" value="'
        start = response.text.index(marker) + len(marker)
        return response.text[start : response.text.index('"', start)]

    def test_correction_confirmation_and_destruction_requests(self):
        """ARC-08, ARC-14, ARC-16: the student's correction creates a change request
        from the portal, sent to the archivist's tier; once approved the student
        confirms it from the link of the e-mail; after completing the course the
        student asks for the destruction of their data, sent to the institution
        head's tier (an active student cannot); once approved and executed the data
        and the portal login are gone."""
        self.authenticate("portal_student", "portal_student")
        response = self.url_open(
            f"/my/archive/{self.archive.id}/destruction",
            data={"csrf_token": self._csrf()},
        )
        self.assertEqual(response.status_code, 404)
        response = self.url_open(
            f"/my/archive/{self.archive.id}/correction",
            data={
                "field_name": "phone",
                "new_value": "+86 138 0000 7777",
                "reason": "New phone",
                "csrf_token": self._csrf(),
            },
            files={"proof": ("proof.txt", b"new phone contract")},
        )
        self.assertIn("correction_sent", response.url)
        change = self.env["training.archive.change.request"].search(
            [("archive_id", "=", self.archive.id)]
        )
        self.assertRecordValues(change, [{"origin": "portal", "state": "draft"}])
        self.assertEqual(
            change.review_ids.definition_id,
            self.env.ref(
                "training_student_archive.tier_definition_change_request_archivist"
            ),
        )
        self.assertEqual(change.attachment_ids.raw, b"new phone contract")
        change.with_user(self.env.company.training_archivist_id).validate_tier()
        self.assertEqual(self.archive.phone, "+86 138 0000 7777")

        self.authenticate(None, None)
        token = change._portal_ensure_token()
        response = self.url_open(
            f"/my/archive/change/{change.id}/confirm",
            data={
                "access_token": token,
                "csrf_token": self._public_csrf(change, token),
            },
        )
        self.assertEqual(response.status_code, 200)
        self.assertEqual(change.state, "confirmed")

        self.enrollment.action_complete()
        self.authenticate("portal_student", "portal_student")
        self.url_open(
            f"/my/archive/{self.archive.id}/destruction",
            data={"reason": "I moved abroad", "csrf_token": self._csrf()},
        )
        destruction = self.env["training.archive.destruction"].search(
            [("archive_ids", "in", self.archive.ids)]
        )
        self.assertRecordValues(
            destruction,
            [{"origin": "student", "state": "draft", "reason": "I moved abroad"}],
        )
        self.assertEqual(
            destruction.review_ids.definition_id,
            self.env.ref(
                "training_student_archive.tier_definition_destruction_management"
            ),
        )
        # the institution head approves, the archivist destroys: the student's data
        # and portal login are gone, the record of it remains
        head = new_test_user(
            self.env,
            login="portal_head",
            groups="training_student_archive.training_student_archive_group_management",
        )
        destruction.with_user(head).validate_tier()
        destruction.with_user(self.env.company.training_archivist_id).action_execute()
        self.assertEqual(self.archive.state, "destroyed")
        self.assertEqual(destruction.archive_numbers, self.archive.archive_number)
        self.assertFalse(
            self.env["res.users"].search([("login", "=", "portal_student")])
        )
        self.assertNotEqual(self.student.name, "Portal Student")

    def _public_csrf(self, change, token):
        response = self.url_open(f"/my/archive/change/{change.id}?access_token={token}")
        marker = 'name="csrf_token" value="'
        start = response.text.index(marker) + len(marker)
        return response.text[start : response.text.index('"', start)]


@tagged("post_install", "-at_install")
class TestPortalTourDesktop(PortalArchiveMixin, HttpCase):
    def test_portal_correction_tour_desktop(self):
        """ARC-16, ARC-08, X-02: the student walks from /my to their archive and asks
        for a correction in the browser."""
        self.start_tour(
            "/my", "training_student_archive_portal_tour", login="portal_student"
        )
        self.assertTrue(
            self.env["training.archive.change.request"].search(
                [("archive_id", "=", self.archive.id), ("origin", "=", "portal")]
            )
        )


@tagged("post_install", "-at_install")
class TestPortalTourMobile(PortalArchiveMixin, HttpCase):
    browser_size = "375x667"
    touch_enabled = True

    def test_portal_correction_tour_mobile(self):
        """ARC-16, ARC-08, X-02: the same request flow on a phone-sized screen."""
        self.start_tour(
            "/my", "training_student_archive_portal_tour", login="portal_student"
        )
        change = self.env["training.archive.change.request"].search(
            [("archive_id", "=", self.archive.id), ("origin", "=", "portal")]
        )
        self.assertEqual(change.line_ids.new_value, "+86 138 0000 9999")


@tagged("post_install", "-at_install")
class TestPortalMyData(PortalArchiveMixin, HttpCase):
    def test_download_my_data(self):
        """ARC-16 (PIPL Art. 45, GDPR Art. 15/20): the student downloads a zip of
        everything the personal-data map holds about them: the archive, the
        enrolment, the exam, the document and its file; another student's data is a
        404, and so is the data of an adult student for their former guardian;
        the guardian of a minor gets the minor's."""
        self.authenticate("portal_student", "portal_student")
        response = self.url_open(f"/my/archive/{self.archive.id}/data")
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.headers["Content-Type"], "application/zip")
        with zipfile.ZipFile(io.BytesIO(response.content)) as package:
            data = json.loads(package.read("data.json"))
            files = {
                name: package.read(name)
                for name in package.namelist()
                if name.startswith("files/")
            }
        self.assertEqual(
            data["Student Learning Archive"][0]["archive_number"],
            self.archive.archive_number,
        )
        self.assertEqual(data["Learning Record"][0]["score"], 91)
        self.assertEqual(data["Archive Document"][0]["name"], "Signed agreement")
        self.assertIn(b"portal agreement", files.values())
        dumped = json.dumps(data) + repr(files)
        for other in ("Other Student", "other agreement", "Minor Student"):
            self.assertNotIn(other, dumped)

        other = self.archives[self.other]
        response = self.url_open(f"/my/archive/{other.id}/data")
        self.assertEqual(response.status_code, 404)
        self.assertNotIn("Other Student", response.text)

        minor = self.archives[self.minor]
        self.authenticate("portal_guardian", "portal_guardian")
        response = self.url_open(f"/my/archive/{minor.id}/data")
        self.assertEqual(response.status_code, 200)
        # Now an adult: the former guardian is refused.
        minor.birthdate = "2000-01-01"
        response = self.url_open(f"/my/archive/{minor.id}/data")
        self.assertEqual(response.status_code, 404)

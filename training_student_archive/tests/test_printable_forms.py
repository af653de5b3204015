"""Issue 15, part 6: the printed forms of the paper archive.

Registration form (学员登记表), information change request form (信息变更申请表),
archive access request form (学员档案查阅申请表), destruction list (销毁清单) and the
numbered learning certificate (学习证明) with its public verification page. wkhtmltopdf
is not needed: the HTML the PDF is made of is checked.
"""

import re

from odoo.exceptions import AccessError
from odoo.tests import HttpCase, freeze_time, tagged
from odoo.tools import html2plaintext

from .common import MODULE, TrainingArchiveCommon

CERTIFICATE = f"{MODULE}.action_report_learning_certificate"
REGISTRATION = f"{MODULE}.action_report_registration_form"
CHANGE = f"{MODULE}.action_report_change_request_form"
ACCESS = f"{MODULE}.action_report_access_request_form"
DESTRUCTION_LIST = f"{MODULE}.action_report_destruction_list"
DESTRUCTION_CERTIFICATE = f"{MODULE}.action_report_destruction_certificate"


class PrintableFormsMixin:
    @classmethod
    def _load_zh_cn(cls):
        cls.env["res.lang"]._activate_lang("zh_CN")
        cls.env["ir.module.module"]._load_module_terms(
            [MODULE], ["zh_CN"], overwrite=True
        )
        cls.env.invalidate_all()

    def _render(self, report, records, user=None, lang="en_US"):
        """The report's HTML as text, printed by ``user`` in a session in ``lang``."""
        Report = self.env["ir.actions.report"].with_context(lang=lang)
        if user:
            Report = Report.with_user(user)
        html = Report._render_qweb_html(report, records.ids)[0].decode()
        self.env.invalidate_all()
        return html, " ".join(html2plaintext(html).split())


@tagged("post_install", "-at_install")
@freeze_time("2025-03-14 09:00:00")
class TestPrintableForms(PrintableFormsMixin, TrainingArchiveCommon):
    """Issue 15: each form prints its data and blank signature lines, in English
    and in Chinese; who may print it is decided by the existing access rules."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._load_zh_cn()
        cls.enrollment = cls._enrol_and_confirm(cls.student, cls.course_a)
        cls.archive = cls.enrollment.archive_id
        cls.archive.with_user(cls.user_archivist).write(
            {
                "gender": "male",
                "birthdate": "2001-05-04",
                "education": "bachelor",
                "paper_location": "C2-B14",
                "source_id": cls.env["utm.source"].create({"name": "WeChat"}).id,
            }
        )

    def test_registration_form(self):
        """ARC-02, ARC-04, issue 15: enrolment staff print the registration form:
        name, gender, birth date, contacts, education, channel, enrolled courses,
        the paper file's location and signature lines for the student (the guardian
        of a minor) and the enrolment officer; in Chinese for a Chinese student. A
        teacher who cannot read the archive cannot print it."""
        _html, text = self._render(REGISTRATION, self.archive, self.user_enrolment)
        for expected in (
            "Student Registration Form",
            self.archive.archive_number,
            "Li Lei",
            "Male",
            "05/04/2001",
            "+86 21 5555 0101",
            "li.lei@example.com",
            "Bachelor",
            "WeChat",
            "English A1",
            "C2-B14",
            "Signature of the student:",
            "Signature of the enrolment officer:",
        ):
            self.assertIn(expected, text)
        self.assertNotIn("guardian (minor student)", text)

        minor = self._enrol_and_confirm(self.student_minor, self.course_b).archive_id
        minor.with_user(self.user_archivist).write(
            {"birthdate": "2012-01-01", "guardian_id": self.guardian.id}
        )
        _html, text = self._render(REGISTRATION, minor, self.user_archivist)
        self.assertIn("Signature of the guardian (minor student):", text)
        self.assertIn("Zhang Wei", text)
        self.assertIn("French A1", text)

        self.student.lang = "zh_CN"
        _html, text = self._render(REGISTRATION, self.archive, self.user_enrolment)
        for expected in (
            "学员登记表",
            "纸质档案存放位置",
            "C2-B14",
            "学员签名",
            "报名经办人签名",
        ):
            self.assertIn(expected, text)
        self.assertNotIn("Student Registration Form", text)

        with self.assertRaises(AccessError):
            self._render(REGISTRATION, self.archive, self.user_teacher2)

    def test_change_request_form(self):
        """ARC-08, issue 15: the change request form shows the archive number, the
        student, each changed field old → new, the reason, the proof and who
        approved when, with signature lines; in Chinese too."""
        proof = self.env["ir.attachment"].create(
            {"name": "new-phone-proof.pdf", "raw": b"%PDF-1.4 proof"}
        )
        request = (
            self.env["training.archive.change.request"]
            .with_user(self.user_customer_service)
            .create(
                {
                    "archive_id": self.archive.id,
                    "reason": "Student changed phone",
                    "attachment_ids": [(6, 0, proof.ids)],
                    "line_ids": [
                        (0, 0, {"field_name": "phone", "new_value": "+86 21 5555 9999"})
                    ],
                }
            )
        )
        _html, text = self._render(CHANGE, request, self.user_customer_service)
        self.assertIn("+86 21 5555 0101 → +86 21 5555 9999", text)
        self.assertIn("Not submitted for approval yet.", text)

        request.request_validation()
        request.with_user(self.user_archivist).validate_tier()
        self._end_request()
        self.assertEqual(request.state, "applied")
        _html, text = self._render(CHANGE, request, self.user_customer_service)
        for expected in (
            "Information Change Request Form",
            request.name,
            self.archive.archive_number,
            "Li Lei",
            "Phone",
            "+86 21 5555 0101 → +86 21 5555 9999",
            "Student changed phone",
            "new-phone-proof.pdf",
            self.user_archivist.name,
            "03/14/2025",
            "Signature of the applicant:",
            "Signature of the approver:",
        ):
            self.assertIn(expected, text)

        self.student.lang = "zh_CN"
        _html, text = self._render(CHANGE, request, self.user_customer_service)
        for expected in ("信息变更申请表", "原值", "新值", "申请人签名", "审批人签名"):
            self.assertIn(expected, text)

    def test_access_request_form(self):
        """ARC-09, issue 15: the access request form shows the requester, the
        purpose, the parts, the archive numbers (also to a requester who cannot read
        the archives yet), the validity and who approved when, with signature lines
        for the requester, the approver and the archivist serving and taking back
        the archives; in the printing user's language."""
        parts = self.env.ref(f"{MODULE}.training_archive_part_registration")
        request = (
            self.env["training.archive.access.request"]
            .with_user(self.user_teacher2)
            .create(
                {
                    "purpose": "Placement in the advanced class",
                    "archive_ids": [(6, 0, self.archive.ids)],
                    "part_ids": [(6, 0, parts.ids)],
                    "valid_until": "2025-03-20 10:00:00",
                }
            )
        )
        request.request_validation()
        request.with_user(self.user_supervisor).validate_tier()
        self._end_request()
        self.assertEqual(request.state, "approved")
        _html, text = self._render(ACCESS, request, self.user_teacher2)
        for expected in (
            "Archive Access Request Form",
            request.name,
            self.user_teacher2.name,
            "Placement in the advanced class",
            parts.name,
            self.archive.archive_number,
            "03/20/2025",
            self.user_supervisor.name,
            "Signature of the requester:",
            "Signature of the approver:",
            "Archivist, archives served:",
            "Archivist, archives returned:",
        ):
            self.assertIn(expected, text)

        _html, text = self._render(ACCESS, request, self.user_teacher2, lang="zh_CN")
        for expected in (
            "学员档案查阅申请表",
            "查阅目的",
            "申请人签名",
            "档案管理员（调阅交付）",
        ):
            self.assertIn(expected, text)
        self.assertIn(self.archive.archive_number, text)

    def test_destruction_list(self):
        """ARC-13, issue 15: the destruction list gives the archives in the order
        of the paper archive (by archive number) with the paper file to shred and
        signature lines for the witnesses; once executed it still lists the
        numbers and locations (not the names), and the certificate of destruction
        names the shredded paper files."""
        first = self.archive
        second = self._enrol_and_confirm(self.student_b, self.course_b).archive_id
        second.with_user(self.user_archivist).paper_location = "C1-B03"
        for archive in (first, second):
            archive.enrollment_ids.with_user(self.user_enrolment).action_withdraw()
        self._end_request()
        self.assertEqual(set((first | second).mapped("state")), {"withdrawn"})
        with freeze_time("2030-03-15 09:00:00"):
            destruction = (
                self.env["training.archive.destruction"]
                .with_user(self.user_archivist)
                .create(
                    {
                        "archive_ids": [(6, 0, (second | first).ids)],
                        "reason": "Retention over",
                    }
                )
            )
            _html, text = self._render(
                DESTRUCTION_LIST, destruction, self.user_archivist
            )
            for expected in (
                "Destruction List",
                "Li Lei",
                "Han Meimei",
                "Witness:",
                "Archivist (destroyed by):",
            ):
                self.assertIn(expected, text)
            self.assertIn(f"1 {first.archive_number} Li Lei 03/14/2025 C2-B14", text)
            self.assertIn(
                f"2 {second.archive_number} Han Meimei 03/14/2025 C1-B03", text
            )

            _html, text = self._render(
                DESTRUCTION_LIST, destruction, self.user_archivist, lang="zh_CN"
            )
            for expected in ("销毁清单", "纸质档案存放位置", "见证人"):
                self.assertIn(expected, text)

            destruction.request_validation()
            destruction.with_user(self.user_management).validate_tier()
            destruction.with_user(self.user_archivist).action_execute()
            self._end_request()
        self.assertEqual(destruction.state, "done")
        self.assertEqual(first.paper_location, False)
        _html, text = self._render(DESTRUCTION_LIST, destruction, self.user_archivist)
        self.assertIn(f"1 {first.archive_number} C2-B14", text)
        self.assertIn(f"2 {second.archive_number} C1-B03", text)
        self.assertNotIn("Li Lei", text)
        _html, text = self._render(
            DESTRUCTION_CERTIFICATE, destruction, self.user_archivist
        )
        self.assertIn("Paper files shredded", text)
        self.assertIn(f"{first.archive_number} C2-B14", text)
        self.assertIn(f"{second.archive_number} C1-B03", text)

    def test_learning_certificate_number(self):
        """ARC-17, issue 15: the learning certificate gets its number when first
        printed, keeps it on every later print (also of a sealed archive, also in
        Chinese) and two certificates never share one; it carries the QR code of
        its verification address with an unguessable token. A teacher who cannot
        read the archive prints nothing and numbers nothing."""
        other = self._enrol_and_confirm(self.student_b, self.course_b).archive_id
        self.assertFalse(self.archive.certificate_number)
        with self.assertRaises(AccessError):
            self._render(CERTIFICATE, self.archive, self.user_teacher2)
        self.assertFalse(self.archive.certificate_number)

        html, text = self._render(CERTIFICATE, self.archive, self.user_customer_service)
        number = self.archive.certificate_number
        token = self.archive.sudo().certificate_token
        self.assertRegex(number, r"^LC2025\d{5}$")
        self.assertGreaterEqual(len(token), 40)
        self.assertRegex(text, rf"Certificate No\.\W*{number}")
        self.assertIn("/report/barcode/?barcode_type=QR", html)
        self.assertIn(f"/training/certificate/{number}?token={token}", text)
        self.assertIn("Li Lei", text)

        self.student.lang = "zh_CN"
        _html, text = self._render(CERTIFICATE, self.archive, self.user_archivist)
        self.assertIn("学习证明", text)
        self.assertRegex(text, rf"证书编号\W*{number}")
        self.assertEqual(self.archive.certificate_number, number)
        self.assertEqual(self.archive.sudo().certificate_token, token)

        _html, text = self._render(CERTIFICATE, other, self.user_customer_service)
        self.assertTrue(other.certificate_number)
        self.assertNotEqual(other.certificate_number, number)
        self.assertNotEqual(other.sudo().certificate_token, token)
        self.assertIn(other.certificate_number, text)
        # The token is not readable outside the printed certificate.
        with self.assertRaises(AccessError):
            self.archive.with_user(self.user_archivist).read(["certificate_token"])


@tagged("post_install", "-at_install")
class TestCertificateVerification(PrintableFormsMixin, TrainingArchiveCommon, HttpCase):
    """ARC-17, issue 15: the public verification page of a learning certificate."""

    def test_verification_page(self):
        """ARC-17, issue 15: with the number and the token of the QR code anybody
        sees that the certificate is genuine and what it certifies (name, courses,
        dates, results, number), never the student's e-mail, phone or other
        archive data; a wrong token, an unknown number or the number alone get
        "not a genuine certificate" with HTTP 404 and no data."""
        enrollment = self._enrol_and_confirm(self.student, self.course_a)
        archive = enrollment.archive_id
        archive.with_user(self.user_archivist).paper_location = "C2-B14"
        self._lesson(enrollment, date="2025-03-10", attendance="present")
        self._render(CERTIFICATE, archive, self.user_archivist)
        number = archive.certificate_number
        token = archive.sudo().certificate_token
        path = archive._certificate_verification_path()
        self.assertEqual(path, f"/training/certificate/{number}?token={token}")

        response = self.url_open(path)
        self.assertEqual(response.status_code, 200)
        text = " ".join(html2plaintext(response.text).split())
        for expected in (
            "This is a genuine learning certificate.",
            number,
            "Li Lei",
            "English A1",
            "100 %",
        ):
            self.assertIn(expected, text)
        for secret in (
            "li.lei@example.com",
            "5555",
            "C2-B14",
            archive.archive_number,
            self.user_archivist.name,
        ):
            self.assertNotIn(secret, response.text)

        other = self._enrol_and_confirm(self.student_b, self.course_b).archive_id
        self._render(CERTIFICATE, other, self.user_archivist)
        for wrong in (
            f"/training/certificate/{number}",
            f"/training/certificate/{number}?token=",
            f"/training/certificate/{number}?token={token[:-1]}x",
            f"/training/certificate/{number}?token={other.sudo().certificate_token}",
            f"/training/certificate/LC209999999?token={token}",
        ):
            with self.subTest(url=wrong):
                response = self.url_open(wrong)
                self.assertEqual(response.status_code, 404)
                self.assertIn("not a genuine certificate", response.text)
                self.assertNotIn("Li Lei", response.text)
                self.assertNotIn("Han Meimei", response.text)
                self.assertFalse(re.search(r"English A1|French A1", response.text))

"""Need to know (issue 13): the contact of a student is read as far as the archive
is, the server (not the form) holds the consent giver and the enrolment's student and
course, through the ORM and through the web client's JSON-RPC."""

from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import HttpCase, freeze_time, new_test_user, tagged
from odoo.tests.common import JsonRpcException

from .common import TrainingArchiveCommon

CONTACT_FIELDS = ["name", "email", "phone", "mobile"]


class StudentContactsCommon(TrainingArchiveCommon):
    """Li Lei studies English A1 (teacher 1), Han Meimei French A1 (teacher 2);
    Wang Fang's archive is sealed; the guardian is a contact that is no student."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.enrollment = cls._enrol_and_confirm(cls.student, cls.course_a)
        cls.enrollment_b = cls._enrol_and_confirm(cls.student_b, cls.course_b)
        sealed = cls._enrol_and_confirm(cls.student_no_contact, cls.course_a)
        sealed.archive_id.write({"state": "sealed"})
        cls.user_accountant = new_test_user(
            cls.env,
            login="trn_accountant",
            groups="base.group_user,account.group_account_invoice",
            company_id=cls.company.id,
            context={"no_reset_password": True},
        )
        cls.user_plain = new_test_user(
            cls.env,
            login="trn_plain",
            groups="base.group_user,base.group_partner_manager",
            company_id=cls.company.id,
            context={"no_reset_password": True},
        )
        cls.students = cls.student | cls.student_b | cls.student_no_contact
        cls._end_request()


@tagged("post_install", "-at_install")
@freeze_time("2025-03-14 09:00:00")
class TestStudentContacts(StudentContactsCommon):
    def _readable(self, user):
        self.env.invalidate_all()
        Partner = self.env["res.partner"].with_user(user)
        return Partner.search([("id", "in", (self.students | self.guardian).ids)])

    def test_contacts_read_as_far_as_the_archive(self):
        """ARC-11, ARC-16: each role finds the students' contacts exactly as it
        finds their archives: a teacher those of the courses taught, enrolment,
        customer service and finance the unsealed ones, the archivist all; an
        employee without training role none; an accountant every invoice partner.
        Contacts that are not students (the guardian) stay open to all."""
        expected = {
            self.user_teacher: self.student,
            self.user_teacher2: self.student_b,
            self.user_enrolment: self.student | self.student_b,
            self.user_customer_service: self.student | self.student_b,
            self.user_finance: self.student | self.student_b,
            self.user_archivist: self.students,
            self.user_management: self.students,
            self.user_plain: self.env["res.partner"],
            self.user_accountant: self.students,
        }
        Archive = self.env["training.student.archive"]
        for user, students in expected.items():
            with self.subTest(user=user.login):
                self.assertEqual(self._readable(user), students | self.guardian)
                if user not in (self.user_plain, self.user_accountant):
                    archives = Archive.with_user(user).search(
                        [("partner_id", "in", self.students.ids)]
                    )
                    self.assertEqual(archives.partner_id, students)

    def test_teacher2_cannot_read_nor_write_teacher1_student(self):
        """ARC-11, ARC-16: teacher 2 neither reads (read, search_read, search by
        e-mail or phone, name_search) nor writes the contact of teacher 1's
        student; the refusals write nothing."""
        Partner = self.env["res.partner"].with_user(self.user_teacher2)
        student = Partner.browse(self.student.id)
        with self.assertRaises(AccessError):
            student.read(CONTACT_FIELDS)
        self.env.invalidate_all()
        with self.assertRaises(AccessError):
            student.mapped("email")
        self.assertFalse(
            Partner.search_read([("id", "=", self.student.id)], CONTACT_FIELDS)
        )
        self.assertFalse(Partner.search([("email", "=", "li.lei@example.com")]))
        self.assertFalse(Partner.search([("phone", "ilike", "5555 0101")]))
        self.assertFalse(Partner.name_search("Li Lei"))
        self.env.invalidate_all()
        with self.assertRaises(AccessError), self.cr.savepoint():
            student.write({"phone": "+86 1 0000"})
        self.env.invalidate_all()
        self.assertEqual(self.student.phone, "+86 21 5555 0101")
        # the own student, and any contact that is no student, stay readable
        self.assertEqual(
            self.env["res.partner"]
            .with_user(self.user_teacher)
            .browse(self.student.id)
            .read(["email"])[0]["email"],
            "li.lei@example.com",
        )
        self.assertTrue(Partner.browse(self.guardian.id).read(["mobile"]))
        self.assertTrue(Partner.browse(self.user_teacher.partner_id.id).read(["name"]))

    def test_granted_reader_reads_the_granted_student(self):
        """ARC-09, ARC-11: a grant of the registration data of a sealed archive
        opens its student's contact to the grant holder, and only that one; a grant
        of its learning records only does not (the contact is registration data)."""
        sealed = self.student_no_contact.sudo().training_archive_ids
        others = self.student_b | self.guardian
        for code, readable in (
            ("learning", others),
            ("registration", others | self.student_no_contact),
        ):
            part = self.env.ref(
                f"training_student_archive.training_archive_part_{code}"
            )
            request = self.env["training.archive.access.request"].create(
                {
                    "purpose": "Transfer certificate check",
                    "archive_ids": [(6, 0, sealed.ids)],
                    "part_ids": [(6, 0, part.ids)],
                    "valid_until": "2025-03-15 09:00:00",
                    "state": "approved",
                }
            )
            self.env["training.archive.access.grant"].create(
                {
                    "request_id": request.id,
                    "user_id": self.user_teacher2.id,
                    "archive_ids": [(6, 0, sealed.ids)],
                    "part_ids": [(6, 0, part.ids)],
                    "valid_until": request.valid_until,
                    "company_id": self.company.id,
                }
            )
            self.user_teacher2._sync_archive_granted_group()
            self.env.invalidate_all()
            with self.subTest(part=code):
                self.assertEqual(self._readable(self.user_teacher2), readable)

    def test_active_enrolment_keeps_student_and_course(self):
        """ARC-01, ARC-12: the student and the course of an active enrolment do not
        change through write (RPC), whoever writes: UserError and nothing written;
        the same values, or a draft enrolment, may still be written."""
        enrollment = self.enrollment.with_user(self.user_enrolment)
        for vals in (
            {"partner_id": self.student_b.id},
            {"course_id": self.course_b.id},
        ):
            for env_enrollment in (enrollment, self.enrollment):
                with (
                    self.subTest(vals=vals, su=env_enrollment.env.su),
                    self.assertRaisesRegex(UserError, "active enrolment"),
                    self.cr.savepoint(),
                ):
                    env_enrollment.write(vals)
        self.env.invalidate_all()
        self.assertEqual(self.enrollment.partner_id, self.student)
        self.assertEqual(self.enrollment.course_id, self.course_a)
        enrollment.write({"partner_id": self.student.id, "end_date": "2025-06-30"})
        draft = self._enrol(self.student_minor, self.course_a)
        draft.write({"course_id": self.course_b.id})
        self.assertEqual(draft.course_id, self.course_b)

    def test_consent_giver_required_for_minor(self):
        """ARC-02, ARC-11: consent recorded for a minor without who gave it is
        refused by the server (not only by the form) and nothing is written; an
        adult's consent date alone, or the minor's with the guardian, is taken."""
        child = self._enrol_and_confirm(self.student_minor, self.course_a).archive_id
        child.write({"birthdate": "2012-05-01", "guardian_id": self.guardian.id})
        archivist_child = child.with_user(self.user_archivist)
        with (
            self.assertRaisesRegex(ValidationError, "minor at the consent"),
            self.cr.savepoint(),
        ):
            archivist_child.write({"sensitive_consent_date": "2025-03-14"})
        self.env.invalidate_all()
        self.assertFalse(child.sensitive_consent_date)
        archivist_child.write(
            {
                "sensitive_consent_date": "2025-03-14",
                "sensitive_consent_partner_id": self.guardian.id,
            }
        )
        # the giver cannot be taken away afterwards either
        with (
            self.assertRaisesRegex(ValidationError, "minor at the consent"),
            self.cr.savepoint(),
        ):
            archivist_child.write({"sensitive_consent_partner_id": False})
        adult = self.enrollment.archive_id
        adult.write({"birthdate": "2000-01-01"})
        adult.with_user(self.user_archivist).write(
            {"sensitive_consent_date": "2025-03-14"}
        )
        self.assertEqual(str(adult.sensitive_consent_date), "2025-03-14")


@tagged("post_install", "-at_install")
class TestStudentContactsHttp(StudentContactsCommon, HttpCase):
    """The same rules through the web client's JSON-RPC (read-only requests)."""

    def _call(self, login, model, method, *args, **kwargs):
        self.authenticate(login, login)
        return self.make_jsonrpc_request(
            f"/web/dataset/call_kw/{model}/{method}",
            {"model": model, "method": method, "args": list(args), "kwargs": kwargs},
        )

    def test_contacts_over_rpc(self):
        """ARC-11, ARC-16, X-01: over HTTP, teacher 2's search_read, web_search_read
        and name_search of the contacts return only teacher 2's student, a read of
        teacher 1's student is an access error and a write of it changes nothing;
        customer service and finance read both, the accountant reads the partners of
        the invoices, an employee without training role neither."""
        ids = (self.student | self.student_b).ids
        domain = [("id", "in", ids)]
        rows = self._call(
            "trn_teacher2",
            "res.partner",
            "search_read",
            domain=domain,
            fields=CONTACT_FIELDS,
        )
        self.assertEqual([row["id"] for row in rows], self.student_b.ids)
        self.assertNotIn("li.lei@example.com", str(rows))
        result = self._call(
            "trn_teacher2",
            "res.partner",
            "web_search_read",
            domain=[("email", "ilike", "example.com"), ("id", "in", ids)],
            specification={"name": {}, "email": {}, "phone": {}},
        )
        self.assertEqual([row["id"] for row in result["records"]], self.student_b.ids)
        names = self._call("trn_teacher2", "res.partner", "name_search", name="Li Lei")
        self.assertFalse(names)
        for method, args, kwargs in (
            ("read", [self.student.ids], {"fields": CONTACT_FIELDS}),
            ("web_read", [self.student.ids], {"specification": {"email": {}}}),
            ("write", [self.student.ids, {"phone": "+86 1 0000"}], {}),
        ):
            with (
                self.subTest(method=method),
                self.assertRaisesRegex(JsonRpcException, "AccessError"),
            ):
                self._call("trn_teacher2", "res.partner", method, *args, **kwargs)
        self.env.invalidate_all()
        self.assertEqual(self.student.phone, "+86 21 5555 0101")

        for login in ("trn_cs", "trn_finance", "trn_accountant"):
            with self.subTest(login=login):
                rows = self._call(
                    login, "res.partner", "search_read", domain=domain, fields=["email"]
                )
                self.assertEqual({row["id"] for row in rows}, set(ids))
        rows = self._call(
            "trn_plain", "res.partner", "search_read", domain=domain, fields=["email"]
        )
        self.assertFalse(rows)

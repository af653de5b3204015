from odoo.exceptions import AccessError
from odoo.tests import freeze_time, tagged

from .common import TrainingArchiveCommon

SENSITIVE = ("health_notes", "identity_type", "identity_number")
LEARNING = ("learning_record_ids", "attendance_rate")


@tagged("post_install", "-at_install")
@freeze_time("2025-03-14 02:00:00")
class TestAccessRights(TrainingArchiveCommon):
    """ARC-11 seen by each role, always as that role's user, never as admin.

    Two students: Li Lei in English (taught by ``user_teacher``) and Han Meimei in
    French (taught by ``user_teacher2``), each with an active archive, sensitive data,
    a lesson record; Li Lei's archive keeps one document of each type.
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.enrollment_a = cls._enrol_and_confirm(cls.student, cls.course_a)
        cls.enrollment_b = cls._enrol_and_confirm(cls.student_b, cls.course_b)
        cls.archive_a = cls.enrollment_a.archive_id
        cls.archive_b = cls.enrollment_b.archive_id
        cls.archives = cls.archive_a | cls.archive_b
        for archive, health in ((cls.archive_a, "Asthma"), (cls.archive_b, "None")):
            archive.with_user(cls.user_enrolment).action_hand_over()
            archive.with_user(cls.user_archivist).write(
                {
                    # sensitive data needs the student's separate consent
                    "sensitive_consent_date": "2025-03-07",
                    "sensitive_consent_partner_id": archive.partner_id.id,
                    "health_notes": health,
                    "identity_type": "id_card",
                    "identity_number": f"11010120000101{archive.id:04d}",
                }
            )
            archive.with_user(cls.user_archivist).action_review()
        Record = cls.env["training.learning.record"]
        cls.record_a = Record.with_user(cls.user_teacher).create(
            {
                "enrollment_id": cls.enrollment_a.id,
                "date": "2025-03-13",
                "attendance": "present",
            }
        )
        cls.record_b = Record.with_user(cls.user_teacher2).create(
            {
                "enrollment_id": cls.enrollment_b.id,
                "date": "2025-03-13",
                "attendance": "absent",
            }
        )
        cls.documents = (
            cls.env["training.archive.document"]
            .with_user(cls.user_enrolment)
            .create(
                [
                    {
                        "archive_id": cls.archive_a.id,
                        "document_type": document_type,
                        "name": document_type,
                    }
                    for document_type in (
                        "registration_form",
                        "identity_proof",
                        "payment_voucher",
                        "training_agreement",
                    )
                ]
            )
        )

    def setUp(self):
        super().setUp()
        # Each check starts like a new request: nothing read as admin is cached.
        self.env.invalidate_all()

    def _archives_as(self, user):
        return self.env["training.student.archive"].with_user(user)

    def test_teacher_sees_only_own_students(self):
        """ARC-11: a teacher sees the archive, enrolment and learning records of the
        students of the courses they teach, whatever the way of reading (search_read,
        read_group, export, read by id), reads their health notes but not their
        identity numbers, and cannot record for a student of another course."""
        # New users get the export right from the default user template.
        self.user_teacher.groups_id += self.env.ref("base.group_allow_export")
        self.env.invalidate_all()
        Archive = self._archives_as(self.user_teacher)
        domain = [("id", "in", self.archives.ids)]

        rows = Archive.search_read(domain, ["archive_number", "name", "health_notes"])
        self.assertEqual(
            rows,
            [
                {
                    "id": self.archive_a.id,
                    "archive_number": self.archive_a.archive_number,
                    "name": "Li Lei",
                    "health_notes": "Asthma",
                }
            ],
        )
        groups = Archive.read_group(domain, ["partner_id"], ["partner_id"])
        self.assertEqual(
            [(g["partner_id"][0], g["partner_id_count"]) for g in groups],
            [(self.student.id, 1)],
        )
        self.assertEqual(
            Archive.search(domain).export_data(["archive_number", "name"])["datas"],
            [[self.archive_a.archive_number, "Li Lei"]],
        )
        with self.assertRaises(AccessError):
            Archive.browse(self.archive_b.id).read(["archive_number"])
        with self.assertRaises(AccessError):
            Archive.browse(self.archive_a.id).read(["identity_number"])
        self.assertIn("health_notes", Archive.fields_get())
        self.assertNotIn("identity_number", Archive.fields_get())

        Enrollment = self.env["training.enrollment"].with_user(self.user_teacher)
        both = self.enrollment_a | self.enrollment_b
        self.assertEqual(
            Enrollment.search_read([("id", "in", both.ids)], ["name"]),
            [{"id": self.enrollment_a.id, "name": "Li Lei - ENA1"}],
        )
        with self.assertRaises(AccessError):
            Enrollment.browse(self.enrollment_b.id).read(["name"])

        Record = self.env["training.learning.record"].with_user(self.user_teacher)
        records = self.record_a | self.record_b
        self.assertEqual(Record.search([("id", "in", records.ids)]), self.record_a)
        self.assertEqual(
            Record.read_group(
                [("id", "in", records.ids)], ["attendance"], ["attendance"]
            )[0]["attendance"],
            "present",
        )
        self.assertEqual(
            Archive.browse(self.archive_a.id).learning_record_ids, self.record_a
        )
        with self.assertRaises(AccessError):
            Record.browse(self.record_b.id).read(["attendance"])

        count = Record.sudo().search_count([])
        with self.assertRaises(AccessError):
            Record.create(
                {
                    "enrollment_id": self.enrollment_b.id,
                    "date": "2025-03-14",
                    "attendance": "present",
                }
            )
        self.assertEqual(Record.sudo().search_count([]), count)
        with self.assertRaises(AccessError):
            Archive.browse(self.archive_a.id).paper_location = "C2-B14"

    def test_customer_service_reads_contacts_only(self):
        """ARC-11: customer service reads every archive's contact data and enrolments,
        but no learning record, health note or identity number, which fields_get
        does not even show."""
        Archive = self._archives_as(self.user_customer_service)
        rows = Archive.search_read(
            [("id", "in", self.archives.ids)],
            ["name", "email", "phone", "state"],
            order="id",
        )
        self.assertEqual(
            [(r["name"], r["email"], r["phone"], r["state"]) for r in rows],
            [
                ("Li Lei", "li.lei@example.com", "+86 21 5555 0101", "active"),
                ("Han Meimei", "han.meimei@example.com", False, "active"),
            ],
        )
        fields = Archive.fields_get()
        for fname in SENSITIVE + LEARNING:
            with self.subTest(field=fname):
                self.assertNotIn(fname, fields)
                with self.assertRaises(AccessError):
                    Archive.browse(self.archive_a.id).read([fname])
        with self.assertRaises(AccessError):
            self.env["training.learning.record"].with_user(
                self.user_customer_service
            ).search([])
        with self.assertRaises(AccessError):
            self.env["training.archive.document"].with_user(
                self.user_customer_service
            ).search([])
        self.assertEqual(
            self.env["training.enrollment"]
            .with_user(self.user_customer_service)
            .search([("id", "in", (self.enrollment_a | self.enrollment_b).ids)]),
            self.enrollment_a | self.enrollment_b,
        )

    def test_finance_and_enrolment_see_their_part(self):
        """ARC-11, ARC-04: finance sees only the payment vouchers and the training
        agreement among an archive's documents, and nothing sensitive; enrolment staff
        read identity numbers (they register them) but not health notes; the archivist
        reads both."""
        Document = self.env["training.archive.document"].with_user(self.user_finance)
        self.assertEqual(
            Document.search([("archive_id", "=", self.archive_a.id)]).mapped(
                "document_type"
            ),
            ["payment_voucher", "training_agreement"],
        )
        identity_proof = self.documents.filtered(
            lambda d: d.document_type == "identity_proof"
        )
        with self.assertRaises(AccessError):
            Document.browse(identity_proof.id).read(["name"])
        Archive = self._archives_as(self.user_finance)
        for fname in SENSITIVE + LEARNING:
            with self.subTest(field=fname), self.assertRaises(AccessError):
                Archive.browse(self.archive_a.id).read([fname])

        enrolment = self._archives_as(self.user_enrolment).browse(self.archive_a.id)
        self.assertEqual(
            enrolment.identity_number, f"11010120000101{self.archive_a.id:04d}"
        )
        with self.assertRaises(AccessError):
            enrolment.read(["health_notes"])

        self.assertRecordValues(
            self._archives_as(self.user_archivist).browse(self.archive_a.id),
            [
                {
                    "health_notes": "Asthma",
                    "identity_number": f"11010120000101{self.archive_a.id:04d}",
                }
            ],
        )

from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import freeze_time, tagged

from .common import TrainingArchiveCommon


@tagged("post_install", "-at_install")
@freeze_time("2025-03-14 09:00:00")
class TestAccessRequest(TrainingArchiveCommon):
    """Internal and external requests to consult archives, and the grants they give."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.enrollment, cls.archive, cls.lesson = cls._reviewed_with_lesson(
            cls.student, cls.course_a, cls.user_teacher, "2025-03-10"
        )
        cls.document = cls.env["training.archive.document"].create(
            {
                "archive_id": cls.archive.id,
                "name": "Registration form",
                "document_type": "registration_form",
            }
        )
        cls.part = {
            code: cls.env.ref(f"training_student_archive.training_archive_part_{code}")
            for code in ("registration", "learning", "documents")
        }
        for user in (cls.user_teacher2, cls.user_customer_service):
            user.groups_id += cls.env.ref("base.group_allow_export")

    def _request(self, user, parts, **vals):
        return (
            self.env["training.archive.access.request"]
            .with_user(user)
            .create(
                {
                    "purpose": "Placement in the advanced class",
                    "archive_ids": [(6, 0, self.archive.ids)],
                    "part_ids": [(6, 0, [self.part[p].id for p in parts])],
                    "valid_until": "2025-03-20 10:00:00",
                    **vals,
                }
            )
        )

    def _reads(self, user):
        """What ``user`` reads of the archive, its lessons and documents, through
        search_read (RPC and the web client's lists use it)."""
        env = self.env(user=user)
        self.env.invalidate_all()
        result = {}
        for model, record in (
            ("training.student.archive", self.archive),
            ("training.learning.record", self.lesson),
            ("training.archive.document", self.document),
        ):
            try:
                rows = env[model].search_read([("id", "=", record.id)], ["id"])
            except AccessError:
                rows = "denied"
            result[model] = rows if rows == "denied" else len(rows)
        return result

    def test_internal_request_grant_and_expiry(self):
        """ARC-09, ARC-11, X-03: a teacher of another course sees nothing of the
        student; they ask for the registration data and learning records; the
        department head (supervisor tier) approves in the chatter; the teacher then
        reads the archive and the lessons (search_read, export, read) but not the
        documents; at the end of the validity the access stops at once, and the
        scheduled action ends the grant and closes the request, idempotently."""
        teacher2 = self.user_teacher2
        self.assertEqual(
            self._reads(teacher2),
            {
                "training.student.archive": 0,
                "training.learning.record": 0,
                "training.archive.document": "denied",
            },
        )
        with self.assertRaises(AccessError):
            self.archive.with_user(teacher2).read(["name"])

        request = self._request(teacher2, ["registration", "learning"])
        request.request_validation()
        self.assertEqual(
            request.review_ids.reviewer_ids,
            self.env.ref(
                "training_student_archive.training_student_archive_group_supervisor"
            ).users,
        )
        with self.assertRaises(UserError):  # the archivist is not a supervisor
            request.with_user(self.user_archivist).validate_tier()
        self.assertEqual(request.state, "draft")
        request.with_user(self.user_supervisor).validate_tier()
        self.assertEqual(request.state, "approved")
        self.assertEqual(request.review_ids.done_by, self.user_supervisor)
        grant = request.grant_ids
        self.assertRecordValues(
            grant, [{"user_id": teacher2.id, "is_valid": True, "active": True}]
        )
        self.assertEqual(
            self._reads(teacher2),
            {
                "training.student.archive": 1,
                "training.learning.record": 1,
                "training.archive.document": 0,
            },
        )
        archive = self.archive.with_user(teacher2)
        self.assertEqual(
            archive.search([("id", "=", archive.id)]).export_data(["name"])["datas"],
            [["Li Lei"]],
        )
        self.assertEqual(archive.learning_record_ids, self.lesson)
        with self.assertRaises(AccessError):
            self.document.with_user(teacher2).read(["name"])

        with freeze_time("2025-03-20 10:00:01"):
            self.assertEqual(
                self._reads(teacher2)["training.student.archive"], 0, "expired"
            )
            Grant = self.env["training.archive.access.grant"]
            Grant._cron_expire_grants()
            self.assertFalse(grant.active)
            self.assertEqual(request.state, "closed")
            self.assertNotIn(
                self.env.ref(
                    "training_student_archive.training_student_archive_group_granted"
                ),
                teacher2.groups_id,
            )
            messages = len(request.message_ids)
            Grant._cron_expire_grants()
            self.assertEqual(len(request.message_ids), messages)
            self.assertEqual(
                self._reads(teacher2)["training.archive.document"], "denied"
            )

    def test_external_request_needs_authorisation_and_management(self):
        """ARC-10, X-03: customer service records a guardian's request; without the
        written authorisation it cannot be submitted; the supervisor cannot approve
        it, the institution head does; customer service then reads the documents for
        the guardian; the archivist closes the request and the access ends. An end
        in the past is refused."""
        guardian = self.env["res.partner"].create({"name": "Li Gang (father)"})
        request = self._request(
            self.user_customer_service,
            ["registration", "documents"],
            request_type="external",
            external_partner_id=guardian.id,
        )
        with self.assertRaisesRegex(UserError, "written authorisation"):
            request.request_validation()
        with self.assertRaisesRegex(ValidationError, "end in the future"):
            self._request(
                self.user_customer_service,
                ["registration"],
                valid_until="2025-03-14 08:00:00",
            )
        authorisation = self.env["ir.attachment"].create(
            {"name": "authorisation.pdf", "raw": b"%PDF signed by Li Lei"}
        )
        request.authorisation_ids = authorisation
        request.request_validation()
        with self.assertRaises(UserError):  # management's decision, not theirs
            request.with_user(self.user_supervisor).validate_tier()
        self.assertEqual(request.state, "draft")
        request.with_user(self.user_management).validate_tier()
        self.assertEqual(request.state, "approved")
        self.assertEqual(
            self._reads(self.user_customer_service)["training.archive.document"], 1
        )
        with self.assertRaises(UserError):
            request.with_user(self.user_archivist).action_cancel()
        request.with_user(self.user_archivist).action_close()
        self.assertEqual(request.state, "closed")
        self.assertEqual(str(request.closed_date), "2025-03-14 09:00:00")
        self.assertEqual(
            self._reads(self.user_customer_service)["training.archive.document"],
            "denied",
        )

    def test_sealed_archive_needs_grant(self):
        """ARC-17, ARC-11: once sealed, the archive disappears for customer service,
        enrolment staff and its teacher, whatever the way of reading; the archivist
        still reads it; an approved request lets customer service read it again."""
        self.enrollment.with_user(self.user_enrolment).action_complete()
        self.archive.with_user(self.user_archivist).action_seal()
        for user in (
            self.user_customer_service,
            self.user_enrolment,
            self.user_teacher,
        ):
            with self.subTest(user=user.login):
                self.assertEqual(
                    self._reads(user)["training.student.archive"], 0, user.login
                )
                with self.assertRaises(AccessError):
                    self.archive.with_user(user).read(["archive_number"])
        self.assertEqual(
            self._reads(self.user_archivist)["training.student.archive"], 1
        )
        request = self._request(self.user_customer_service, ["registration"])
        request.request_validation()
        request.with_user(self.user_supervisor).validate_tier()
        self.assertEqual(
            self._reads(self.user_customer_service)["training.student.archive"], 1
        )
        with self.assertRaises(AccessError):
            self.archive.with_user(self.user_customer_service).write({"phone": "1"})

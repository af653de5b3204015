from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import freeze_time, tagged

from odoo.addons.mail.tests.common import MockEmail

from .common import TrainingArchiveCommon


@tagged("post_install", "-at_install")
@freeze_time("2025-03-14 09:00:00")
class TestChangeRequest(TrainingArchiveCommon, MockEmail):
    """Customer service asks for a correction; the archivist's tier approves it."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.enrollment = cls._enrol_and_confirm(cls.student, cls.course_a)
        cls.archive = cls.enrollment.archive_id
        cls.archive.with_user(cls.user_enrolment).action_hand_over()
        cls.archive.with_user(cls.user_archivist).action_review()
        cls.Request = cls.env["training.archive.change.request"]

    def _request(self, user, changes, reason="Student moved and changed phone"):
        proof = self.env["ir.attachment"].create(
            {"name": "proof.pdf", "raw": b"%PDF-1.4 proof of new phone"}
        )
        return self.Request.with_user(user).create(
            {
                "archive_id": self.archive.id,
                "reason": reason,
                "attachment_ids": [(6, 0, proof.ids)],
                "line_ids": [
                    (0, 0, {"field_name": name, "new_value": value})
                    for name, value in changes.items()
                ],
            }
        )

    def test_change_request_approved_applied_confirmed(self):
        """ARC-08, X-03: customer service asks to change the phone, gender and birth
        date with a proof; it cannot apply it itself; the archivist's tier approves it
        (in the chatter, with who and when); the values are written to the archive, old
        and new values kept and posted on the archive; the student is e-mailed a link to
        confirm and confirms."""
        request = self._request(
            self.user_customer_service,
            {
                "phone": "+86 21 5555 9999",
                "gender": "Female",
                "birthdate": "2001-05-04",
            },
        )
        self.assertRegex(request.name, r"^CR2025\d{5}$")
        self.assertEqual(request.attachment_ids.res_id, request.id)
        request.request_validation()
        self.assertEqual(request.validation_status, "waiting")
        self.assertEqual(
            request.review_ids.reviewer_ids,
            self.env.ref(
                "training_student_archive.training_student_archive_group_archivist"
            ).users,
        )
        # the requester can neither approve nor apply
        with self.assertRaises(UserError):
            request.validate_tier()
        self.assertEqual(request.state, "draft")
        with self.assertRaises(UserError):
            request.action_apply()
        self.assertEqual(self.archive.phone, "+86 21 5555 0101")

        with self.mock_mail_gateway():
            request.with_user(self.user_archivist).validate_tier()
            self._end_request()
        self.assertEqual(request.state, "applied")
        self.assertRecordValues(
            self.archive,
            [{"phone": "+86 21 5555 9999", "gender": "female"}],
        )
        self.assertEqual(str(self.archive.birthdate), "2001-05-04")
        self.assertEqual(
            request.line_ids.mapped("old_value"), ["+86 21 5555 0101", "", ""]
        )
        review = request.review_ids
        self.assertEqual(review.done_by, self.user_archivist)
        self.assertEqual(str(review.reviewed_date), "2025-03-14 09:00:00")
        self.assertIn(
            "A review was accepted", " ".join(request.message_ids.mapped("preview"))
        )
        tracked = self.archive.message_ids.tracking_value_ids
        self.assertIn(
            ("", "Female"),
            [
                (t.old_value_char or "", t.new_value_char)
                for t in tracked
                if t.field_id.name == "gender"
            ],
        )
        self.assertIn(
            "2001-05-04",
            [
                str(t.new_value_datetime.date())
                for t in tracked
                if t.field_id.name == "birthdate"
            ],
        )
        archive_note = self.archive.message_ids.filtered(
            lambda m: request.name in m.preview
        )
        self.assertEqual(len(archive_note), 1)
        self.assertIn("+86 21 5555 0101", archive_note.preview)
        self.assertIn("+86 21 5555 9999", archive_note.preview)
        mail = [m for m in self._mails if "li.lei@example.com" in m["email_to"][0]]
        self.assertEqual(len(mail), 1)
        self.assertIn(f"/my/archive/change/{request.id}", mail[0]["body"])

        # The confirmation is the student's: the archivist records it only from
        # the student's documented confirmation (issue 13).
        with self.assertRaisesRegex(UserError, "how the student confirmed"):
            request.with_user(self.user_archivist).action_student_confirm()
        request.with_user(
            self.user_archivist
        ).student_confirmation_note = "Signed confirmation form received at the desk"
        request.with_user(self.user_archivist).action_student_confirm()
        self.assertEqual(request.state, "confirmed")
        self.assertEqual(str(request.confirmed_date), "2025-03-14 09:00:00")

    def test_student_confirmation_is_the_students(self):
        """ARC-08, ARC-16 (issue 13): the staff member who asked for the change
        cannot confirm it for the student, neither with the button's method nor by
        writing the state or the date over RPC; each refusal writes nothing."""
        request = self._request(self.user_customer_service, {"phone": "+86 1 2345"})
        request.request_validation()
        request.with_user(self.user_archivist).validate_tier()
        self.assertEqual(request.state, "applied")
        mine = request.with_user(self.user_customer_service)
        mine.student_confirmation_note = "The student said yes on the phone"
        attempts = {
            "action": mine.action_student_confirm,
            "state": lambda: mine.write({"state": "confirmed"}),
            "date": lambda: mine.write({"confirmed_date": "2025-03-14 09:00:00"}),
        }
        for name, attempt in attempts.items():
            with (
                self.subTest(attempt=name),
                self.assertRaises(AccessError),
                self.cr.savepoint(),
            ):
                attempt()
            self.env.invalidate_all()
            self.assertEqual(request.state, "applied")
            self.assertFalse(request.confirmed_date)

    def test_change_request_rejected_or_withdrawn_changes_nothing(self):
        """ARC-08: a request rejected by the archivist or withdrawn by its author
        changes nothing on the archive; a wrong value is refused with a clear error;
        another staff member does not see somebody else's request."""
        rejected = self._request(self.user_customer_service, {"phone": "123"})
        rejected.request_validation()
        rejected.with_user(self.user_archivist).reject_tier()
        self.assertEqual(rejected.state, "rejected")
        self.assertIn(
            "A review was rejected by trn_archivist",
            " ".join(rejected.message_ids.mapped("preview")),
        )

        withdrawn = self._request(
            self.user_customer_service, {"email": "x@example.com"}
        )
        withdrawn.action_withdraw()
        self.assertEqual(withdrawn.state, "withdrawn")
        self._end_request()
        self.assertRecordValues(
            self.archive, [{"phone": "+86 21 5555 0101", "email": "li.lei@example.com"}]
        )

        with self.assertRaisesRegex(ValidationError, "not a date"):
            self._request(self.user_customer_service, {"birthdate": "31/02/2025"})
        with self.assertRaisesRegex(ValidationError, "not a choice"):
            self._request(self.user_customer_service, {"gender": "unknown"})
        with self.assertRaisesRegex(ValidationError, "cannot be changed"):
            self._request(self.user_customer_service, {"state": "destroyed"})

        self.assertFalse(
            self.Request.with_user(self.user_finance).search_read(
                [("id", "=", rejected.id)], ["name"]
            )
        )

    def test_change_request_tiers_editable_without_code(self):
        """ARC-08, X-03: an administrator makes the administrative supervisor the
        approver in the seeded tier definition: the archivist no longer approves, the
        supervisor does."""
        tier = self.env.ref(
            "training_student_archive.tier_definition_change_request_archivist"
        )
        tier.write(
            {
                "reviewer_group_id": self.env.ref(
                    "training_student_archive.training_student_archive_group_management"
                ).id
            }
        )
        request = self._request(self.user_archivist, {"mobile": "+86 139 1111 2222"})
        request.request_validation()
        with self.assertRaises(UserError):  # not a reviewer, and the applicant
            request.validate_tier()
        self.assertEqual(request.state, "draft")
        request.with_user(self.user_management).validate_tier()
        self.assertEqual(request.state, "applied")
        self.assertEqual(self.archive.mobile, "+86 139 1111 2222")

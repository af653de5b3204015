from odoo import Command
from odoo.exceptions import AccessError, UserError
from odoo.tests import HttpCase, new_test_user, tagged
from odoo.tests.common import JsonRpcException

from .common import TrainingArchiveCommon


@tagged("post_install", "-at_install")
class TestApprovalForgery(TrainingArchiveCommon):
    """X-03, ARC-09, ARC-10, ARC-13, ARC-14: access requests, change requests and
    destructions are approved only with their Approve button, tier by tier, by a
    reviewer who is not the applicant. base_tier_validation lets every internal
    user create, write and delete reviews: the applicant who adds themselves to the
    reviewers, marks the review approved, creates an approved review or deletes it
    is refused and nothing is granted, applied or destroyed."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.enrollment = cls._enrol_and_confirm(cls.student, cls.course_a)
        cls.archive = cls.enrollment.archive_id
        cls.archive.with_user(cls.user_archivist).action_review()
        cls.part = cls.env.ref(
            "training_student_archive.training_archive_part_registration"
        )

    def _access_request(self, user):
        request = (
            self.env["training.archive.access.request"]
            .with_user(user)
            .create(
                {
                    "purpose": "Placement in the advanced class",
                    "archive_numbers": self.archive.archive_number,
                    "part_ids": [Command.set(self.part.ids)],
                    "valid_until": "2099-03-20 10:00:00",
                }
            )
        )
        request.request_validation()
        return request

    def _change_request(self, user):
        request = (
            self.env["training.archive.change.request"]
            .with_user(user)
            .create(
                {
                    "archive_id": self.archive.id,
                    "reason": "Student changed phone",
                    "line_ids": [
                        Command.create(
                            {"field_name": "mobile", "new_value": "+86 139 1234 5678"}
                        )
                    ],
                }
            )
        )
        request.request_validation()
        return request

    def _destruction(self):
        self.enrollment.with_user(self.user_enrolment).action_complete()
        destruction = (
            self.env["training.archive.destruction"]
            .with_user(self.user_archivist)
            .create(
                {
                    "origin": "student",
                    "archive_ids": [Command.set(self.archive.ids)],
                    "reason": "The student asked for it in writing.",
                }
            )
        )
        destruction.request_validation()
        return destruction

    def _forge(self, record, user):
        """Every way base_tier_validation's access rights leave to fake an
        approval, tried by ``user``: each refused."""
        review = record.sudo().review_ids[:1]
        Review = self.env["tier.review"].with_user(user)
        attempts = {
            "become reviewer": lambda: review.with_user(user).write(
                {"reviewer_ids": [Command.link(user.id)]}
            ),
            "mark approved": lambda: review.with_user(user).write(
                {"status": "approved", "done_by": user.id}
            ),
            "create approved": lambda: Review.create(
                {
                    "model": record._name,
                    "res_id": record.id,
                    "definition_id": review.definition_id.id,
                    "sequence": 99,
                    "status": "approved",
                    "done_by": user.id,
                }
            ),
            "delete": lambda: review.with_user(user).unlink(),
        }
        for label, attempt in attempts.items():
            with (
                self.subTest(model=record._name, forge=label),
                self.assertRaises(AccessError),
            ):
                attempt()
        with self.assertRaises(UserError):
            record.with_user(user).validate_tier()
        self.assertEqual(set(record.sudo().review_ids.mapped("status")), {"pending"})
        self.assertFalse(record.sudo().review_ids.done_by)

    def test_access_request_not_forged_nor_self_approved(self):
        teacher = self.user_teacher2
        request = self._access_request(teacher)
        self._forge(request, teacher)
        self.assertEqual(request.state, "draft")
        self.assertFalse(request.sudo().grant_ids)
        # A supervisor asking for themselves does not approve their own request;
        # another supervisor does.
        own = self._access_request(self.user_supervisor)
        with self.assertRaisesRegex(UserError, "applicant"):
            own.with_user(self.user_supervisor).validate_tier()
        self.assertFalse(own.sudo().grant_ids)
        other = new_test_user(
            self.env,
            login="trn_supervisor2",
            groups="training_student_archive.training_student_archive_group_supervisor",
        )
        own.with_user(other).validate_tier()
        self.assertEqual(own.state, "approved")
        self.assertEqual(own.sudo().grant_ids.user_id, self.user_supervisor)

    def test_change_request_not_forged_nor_self_approved(self):
        request = self._change_request(self.user_customer_service)
        self._forge(request, self.user_customer_service)
        self.assertEqual(request.state, "draft")
        self.assertFalse(self.archive.sudo().mobile)
        own = self._change_request(self.user_archivist)
        with self.assertRaisesRegex(UserError, "applicant"):
            own.with_user(self.user_archivist).validate_tier()
        self.assertEqual(own.state, "draft")
        self.assertFalse(self.archive.sudo().mobile)

    def test_reviews_read_only_with_their_record(self):
        """X-03, ARC-11: a review (and its reviewer's comment) is read by who reads
        its record: the teacher reads the review of their own access request, not
        the review of customer service's change request, on search_read,
        read_group and read; its reviewer (the archivist) reads it."""
        own = self._access_request(self.user_teacher2)
        change = self._change_request(self.user_customer_service)
        Review = self.env["tier.review"].with_user(self.user_teacher2)
        seen = Review.search_read([], ["model", "res_id", "comment"])
        self.assertEqual(
            {(r["model"], r["res_id"]) for r in seen}, {(own._name, own.id)}
        )
        groups = Review.read_group([], ["res_id:count"], ["model"])
        self.assertEqual([g["model"] for g in groups], [own._name])
        with self.assertRaises(AccessError):
            change.sudo().review_ids.with_user(self.user_teacher2).read(["comment"])
        self.assertTrue(
            change.sudo()
            .review_ids.with_user(self.user_archivist)
            .read(["comment", "status"])
        )
        # the reviewer's list of requests to approve still finds it
        self.assertIn(
            change,
            self.env["training.archive.change.request"]
            .with_user(self.user_archivist)
            .search([("can_review", "=", True)]),
        )

    def test_destruction_not_forged(self):
        destruction = self._destruction()
        self._forge(destruction, self.user_archivist)
        with self.assertRaises(UserError):
            destruction.with_user(self.user_archivist).action_execute()
        self.assertEqual(destruction.state, "draft")
        self.assertEqual(self.archive.state, "completed")


@tagged("post_install", "-at_install")
class TestApprovalForgeryRpc(HttpCase):
    def test_review_forged_through_json_rpc(self):
        """X-03, ARC-09: the teacher's web client (JSON-RPC call_kw) adding the
        teacher to the reviewers of their own access request's review, then
        approving: both refused, no grant."""
        teacher = new_test_user(
            self.env,
            login="rpc_teacher",
            groups="training_student_archive.training_student_archive_group_teacher",
        )
        course = self.env["training.course"].create({"name": "Rpc", "code": "RPC"})
        student = self.env["res.partner"].create({"name": "Rpc Student Zhou"})
        enrollment = self.env["training.enrollment"].create(
            {"partner_id": student.id, "course_id": course.id}
        )
        enrollment.action_confirm()
        request = (
            self.env["training.archive.access.request"]
            .with_user(teacher)
            .create(
                {
                    "purpose": "Curious",
                    "archive_numbers": enrollment.archive_id.archive_number,
                    "part_ids": [
                        Command.set(
                            self.env.ref(
                                "training_student_archive.training_archive_part_registration"
                            ).ids
                        )
                    ],
                    "valid_until": "2099-03-20 10:00:00",
                }
            )
        )
        request.request_validation()
        review = request.sudo().review_ids
        self.authenticate("rpc_teacher", "rpc_teacher")

        def call(model, method, args):
            with self.assertRaises(JsonRpcException) as error:
                self.make_jsonrpc_request(
                    f"/web/dataset/call_kw/{model}/{method}",
                    {"model": model, "method": method, "args": args, "kwargs": {}},
                )
            return str(error.exception)

        forged = call(
            "tier.review", "write", [review.ids, {"reviewer_ids": [[4, teacher.id]]}]
        )
        self.assertEqual(forged, "odoo.exceptions.AccessError")
        approved = call(request._name, "validate_tier", [request.ids])
        self.assertEqual(approved, "odoo.exceptions.UserError")
        self.env.invalidate_all()
        self.assertNotIn(teacher, review.reviewer_ids)
        self.assertEqual(request.state, "draft")
        self.assertFalse(request.sudo().grant_ids)

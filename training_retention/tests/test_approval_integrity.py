"""Approval integrity of the attrition cases, fail closed (RET-02, X-03, X-04).

Adversarial: each role tries to forge, skip or self-give an approval, or to write
the state and the money of a case directly; every attempt is refused and nothing is
written. The chain is verified again before anything is carried out.
"""

import contextlib

from odoo import Command, fields
from odoo.exceptions import AccessError, UserError
from odoo.tests import HttpCase, tagged
from odoo.tests.common import JsonRpcException

from odoo.addons.training_retention.models.training_attrition_case import (
    SYSTEM_FIELDS,
)

from .common import RetentionCommon


class ApprovalIntegrityMixin:
    @contextlib.contextmanager
    def _refused(self, exception, pattern):
        """assertRaises (rolled back to a savepoint) with the message matched."""
        with self.assertRaises(exception) as catcher:
            yield catcher
        self.assertRegex(str(catcher.exception), pattern)

    def _submitted(self, user=None, student=None):
        """A withdrawal of a paid enrolment, opened and submitted by customer
        service (the applicant), waiting for its three approvals."""
        if student:
            enrollment = self._enrol(student, self.course_40, "2025-03-07")
            enrollment.action_confirm()
            enrollment.confirm_date = "2025-03-01 09:00:00"
        else:
            enrollment = self._enrolled()
        self._invoice(enrollment, paid=4000.0)
        today = fields.Date.context_today(self.env.user)
        case = self._case(
            enrollment, user=user, effective_date=today, application_date=today
        )
        case.action_submit()
        self.assertEqual(case.state, "to_approve")
        self.assertEqual(len(case.review_ids), 3)
        return case

    def _student(self, name):
        return self.env["res.partner"].create(
            {"name": name, "email": f"{name.lower().replace(' ', '.')}@example.com"}
        )

    def _snapshot(self, case):
        case.invalidate_recordset()
        case.review_ids.invalidate_recordset()
        reviews = case.sudo().review_ids.sorted("sequence")
        return {
            "state": case.sudo().state,
            "validation_status": case.sudo().validation_status,
            "approval_date": case.sudo().approval_date,
            "reviews": [
                (r.id, r.status, r.done_by.id, r.reviewed_date, r.sequence)
                for r in reviews
            ],
            "enrollments": case.sudo().enrollment_ids.mapped("state"),
            "refund_moves": case.sudo().refund_move_ids.ids,
            "payments": case.sudo().refund_payment_ids.ids,
        }


class TestApprovalIntegrity(ApprovalIntegrityMixin, RetentionCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.admin = cls.env.ref("base.user_admin")
        cls.admin.write(
            {
                "company_ids": [Command.link(cls.company.id)],
                "company_id": cls.company.id,
                "groups_id": [
                    Command.link(cls.env.ref("account.group_account_invoice").id)
                ],
            }
        )

    # -- 1. reviews change only through approve/reject --------------------------------

    def test_review_rows_cannot_be_forged(self):
        """X-03, RET-02: customer service, finance, teacher, management and the
        administrator writing the status, approver, date or order of a review, or
        creating or deleting one, are refused, even with guessed context keys and
        as superuser; nothing changes and the case is not validated."""
        case = self._submitted()
        before = self._snapshot(case)
        reviews = case.sudo().review_ids
        forged = (
            {"status": "approved"},
            {"done_by": self.user_finance.id},
            {"reviewed_date": fields.Datetime.now()},
            {"sequence": 99},
            {"res_id": case.id + 1000},
            {"status": "approved", "done_by": self.user_management.id},
        )
        contexts = (
            {},
            {"training_approval_flow": True, "skip_validation_check": True},
        )
        users = (
            self.user_customer_service,
            self.user_customer_service_2,
            self.user_finance,
            self.user_teacher,
            self.user_management,
            self.admin,
        )
        for user in users:
            for context in contexts:
                as_user = reviews.with_user(user).with_context(**context)
                for vals in forged:
                    with (
                        self.subTest(user=user.login, vals=vals, context=context),
                        self.assertRaises(AccessError),
                    ):
                        as_user.write(vals)
                with (
                    self.subTest(user=user.login, op="unlink"),
                    self.assertRaises(AccessError),
                ):
                    as_user.unlink()
                with (
                    self.subTest(user=user.login, op="create"),
                    self.assertRaises(AccessError),
                ):
                    self.env["tier.review"].with_user(user).with_context(
                        **context
                    ).create(
                        {
                            "model": case._name,
                            "res_id": case.id,
                            "definition_id": reviews[0].definition_id.id,
                            "status": "approved",
                            "done_by": user.id,
                        }
                    )
        # Server code is no exception: sudo() is not the approval flow.
        with self.assertRaises(AccessError):
            reviews.sudo().write({"status": "approved"})
        with self.assertRaises(AccessError):
            reviews.sudo().unlink()
        # A default model from the context does not hide the document either.
        with self.assertRaises(AccessError):
            self.env["tier.review"].with_context(
                default_model=case._name
            ).sudo().create({"res_id": case.id, "status": "approved"})
        self.assertEqual(self._snapshot(case), before)
        self.assertNotEqual(case.validation_status, "validated")

    def test_public_flow_methods_refused(self):
        """X-03: asking for new approvals or restarting them is the case's flow
        (submit, cancel and reset), not a call of its own."""
        case = self._submitted()
        before = self._snapshot(case)
        for user in (self.user_customer_service, self.user_management, self.admin):
            with self.assertRaises(UserError):
                case.with_user(user).restart_validation()
            with self.assertRaises(UserError):
                case.with_user(user).request_validation()
        self.assertEqual(self._snapshot(case), before)

    # -- 2. segregation of duties and the chain ----------------------------------------

    def test_one_approval_per_person(self):
        """X-03: management (also customer service and finance) approves the
        customer-service tier, then its finance approval is refused: one approval
        per person and case, and the case leaves their "to approve" list
        (``can_review``, issue 16) while finance's has it. The administrator
        likewise."""
        for approver in (self.user_management, self.admin):
            with self.subTest(approver=approver.login):
                case = self._submitted(student=self._student(approver.login))
                case.with_user(approver).validate_tier()
                reviews = case.review_ids.sorted("sequence")
                self.assertEqual(reviews.mapped("status")[0], "approved")
                self.assertEqual(reviews[0].done_by, approver)
                # Nor is it on their "to approve" list any more (issue 16: the
                # load test's managers kept picking it); finance's list has it.
                Case = self.env["training.attrition.case"]
                for user, listed in ((approver, False), (self.user_finance, True)):
                    self.assertEqual(
                        case
                        in Case.with_user(user).search([("can_review", "=", True)]),
                        listed,
                        user.login,
                    )
                    case.invalidate_recordset(["can_review"])
                    self.assertEqual(case.with_user(user).can_review, listed)
                before = self._snapshot(case)
                with self._refused(UserError, "already approved"):
                    case.with_user(approver).validate_tier()
                self.assertEqual(self._snapshot(case), before)
                self.assertEqual(reviews[1].status, "pending")
                # The comment wizard is no way around it either.
                wizard = (
                    self.env["comment.wizard"]
                    .with_user(approver)
                    .create(
                        {
                            "res_model": case._name,
                            "res_id": case.id,
                            "review_ids": [Command.set(case.review_ids.ids)],
                            "validate_reject": "validate",
                            "comment": "all at once",
                        }
                    )
                )
                with self._refused(UserError, "already approved"):
                    wizard.add_comment()
                self.assertEqual(self._snapshot(case), before)

    def test_one_click_approves_one_tier(self):
        """X-03: a manager reviewing every tier approves only the next one with one
        click, the comment wizard given every review included."""
        case = self._submitted()
        wizard = (
            self.env["comment.wizard"]
            .with_user(self.user_management)
            .create(
                {
                    "res_model": case._name,
                    "res_id": case.id,
                    "review_ids": [Command.set(case.review_ids.ids)],
                    "validate_reject": "validate",
                    "comment": "all at once",
                }
            )
        )
        wizard.add_comment()
        self.assertEqual(
            case.review_ids.sorted("sequence").mapped("status"),
            ["approved", "pending", "waiting"],
        )
        self.assertEqual(case.state, "to_approve")

    def test_applicant_cannot_approve(self):
        """X-03, RET-02: the customer service agent who opened and submitted the
        case cannot approve its customer-service tier nor finds it on their "to
        approve" list; a second agent can."""
        case = self._submitted()
        self.assertEqual(case.submitted_by_id, self.user_customer_service)
        before = self._snapshot(case)
        with self._refused(UserError, "applicant"):
            case.with_user(self.user_customer_service).validate_tier()
        self.assertEqual(self._snapshot(case), before)
        # Not on the applicant's "to approve" list (issue 16), on a colleague's.
        Case = self.env["training.attrition.case"]
        for user, listed in (
            (self.user_customer_service, False),
            (self.user_customer_service_2, True),
        ):
            self.assertEqual(
                case in Case.with_user(user).search([("can_review", "=", True)]),
                listed,
                user.login,
            )
        # Opened by one agent, submitted by another: neither approves.
        enrollment = self._enrolled(course=self.course_a)
        today = fields.Date.context_today(self.env.user)
        other = self._case(
            enrollment,
            user=self.user_customer_service_2,
            effective_date=today,
            application_date=today,
        )
        other.with_user(self.user_customer_service).action_submit()
        for user in (self.user_customer_service, self.user_customer_service_2):
            with self._refused(UserError, "applicant"):
                other.with_user(user).validate_tier()
        self.assertEqual(other.review_ids.mapped("status").count("approved"), 0)
        # The second agent approves the first case.
        case.with_user(self.user_customer_service_2).validate_tier()
        self.assertEqual(
            case.review_ids.sorted("sequence")[0].done_by,
            self.user_customer_service_2,
        )

    def test_out_of_order_refused(self):
        """RET-02: finance and management cannot approve before customer service."""
        case = self._submitted()
        before = self._snapshot(case)
        with self._refused(UserError, "You cannot approve case"):
            case.with_user(self.user_finance).validate_tier()
        with self.assertRaises(AccessError):
            case.with_user(self.user_teacher).validate_tier()
        self.assertEqual(self._snapshot(case), before)

    def _forge(self, review, user):
        """An approval written behind the flow's back (SQL)."""
        self.env.flush_all()
        self.env.cr.execute(
            "UPDATE tier_review SET status = 'approved', done_by = %s, "
            "reviewed_date = now() at time zone 'utc' WHERE id = %s",
            (user.id if user else None, review.id),
        )
        self.env.invalidate_all()

    def test_forged_chain_carries_nothing_out(self):
        """X-03, X-04: approvals forged in the database (a skipped tier, an
        approver approving twice, the applicant, nobody) are refused by the last
        approval and by _action_approved: the enrolment stays active, no credit note,
        no payment."""
        scenarios = {
            "approved twice": lambda reviews: self._forge(
                reviews[1], self.user_customer_service_2
            ),
            "applicant": lambda reviews: self._forge(
                reviews[1], self.user_customer_service
            ),
            "nobody": lambda reviews: self._forge(reviews[1], None),
            "not a reviewer": lambda reviews: self._forge(
                reviews[1], self.user_teacher
            ),
        }
        for name, forge in scenarios.items():
            with self.subTest(scenario=name):
                case = self._submitted(student=self._student(name))
                reviews = case.review_ids.sorted("sequence")
                case.with_user(self.user_customer_service_2).validate_tier()
                forge(reviews)
                before = self._snapshot(case)
                with self._refused(UserError, "cannot be carried out"):
                    case.with_user(self.user_management).validate_tier()
                self.assertEqual(self._snapshot(case), before)
                self.assertEqual(case.enrollment_ids.state, "active")
                self.assertFalse(case.sudo().refund_move_ids)
                self.assertFalse(case.sudo().refund_payment_ids)
                with self._refused(UserError, "cannot be carried out"):
                    case.sudo()._action_approved()
                self.assertEqual(self._snapshot(case), before)

    def test_forged_validated_status_carries_nothing_out(self):
        """X-03: every review marked approved in the database, the case reads
        validated: _action_approved still refuses, nothing is carried out."""
        case = self._submitted()
        for review in case.review_ids:
            self._forge(review, self.user_finance)
        case.invalidate_recordset()
        before = self._snapshot(case)
        with self._refused(UserError, "cannot be carried out"):
            case.with_user(self.user_management)._action_approved()
        self.assertEqual(self._snapshot(case), before)
        self.assertEqual(case.state, "to_approve")
        self.assertFalse(case.sudo().refund_move_ids)

    def test_honest_chain_is_carried_out(self):
        """RET-02, X-03: customer service (not the applicant), finance and
        management, one approval each and in order: the case is approved and its
        refund credited."""
        case = self._submitted()
        for user in (
            self.user_customer_service_2,
            self.user_finance,
            self.user_management,
        ):
            case.with_user(user).validate_tier()
        self.assertEqual(case.state, "approved")
        self.assertEqual(
            case.review_ids.sorted("sequence").done_by,
            self.user_customer_service_2 + self.user_finance + self.user_management,
        )
        self.assertEqual(case.enrollment_ids.state, "withdrawn")
        self.assertTrue(case.sudo().refund_move_ids)

    # -- 3. no applicable tier ---------------------------------------------------------

    def test_submit_without_tier_refused(self):
        """X-03: without any tier for its type, a case is not approved on submit:
        a clear error names what to configure, the case stays an application."""
        self.env["tier.definition"].search(
            [("model", "=", "training.attrition.case")]
        ).active = False
        enrollment = self._enrolled()
        today = fields.Date.context_today(self.env.user)
        case = self._case(enrollment, effective_date=today, application_date=today)
        with self._refused(UserError, 'Tier Validations.*|"Attrition Case"'):
            case.action_submit()
        self.assertEqual(case.state, "draft")
        self.assertFalse(case.sudo().review_ids)
        self.assertEqual(enrollment.state, "active")

    # -- 4. state, approval and money fields ---------------------------------------

    def _system_values(self, Case):
        """A value for every field of SYSTEM_FIELDS."""
        values = {}
        for name in SYSTEM_FIELDS:
            field = Case._fields.get(name)
            if not field:
                continue
            if field.type == "selection":
                values[name] = "approved" if name == "state" else "portal"
            elif field.type in ("monetary", "float"):
                values[name] = 1234.0
            elif field.type in ("date", "datetime"):
                values[name] = "2025-04-20"
            elif field.type == "many2one":
                values[name] = False
            else:
                values[name] = [Command.clear()]
        return values

    def test_system_fields_not_writable(self):
        """X-04, RET-02: management and the administrator cannot create a case
        approved or with amounts, nor write the state, dates, amounts, credit note,
        payments, coupon or origin of a case, not even as superuser: nothing is
        written."""
        enrollment = self._enrolled()
        today = fields.Date.context_today(self.env.user)
        case = self._case(enrollment, effective_date=today, application_date=today)
        base = {
            "partner_id": enrollment.partner_id.id,
            "enrollment_ids": [Command.set(enrollment.ids)],
            "effective_date": today,
            "application_date": today,
        }
        Case = self.env["training.attrition.case"]
        count = Case.search_count([])
        system = self._system_values(Case)
        self.assertIn("state", system)
        self.assertIn("amount_refund", system)
        for user in (self.user_management, self.admin):
            for name, value in system.items():
                with self.subTest(user=user.login, field=name):
                    with self.assertRaises(UserError):
                        Case.with_user(user).create(dict(base, **{name: value}))
                    with self.assertRaises(UserError):
                        case.with_user(user).write({name: value})
        for name, value in system.items():
            with (
                self.subTest(superuser=True, field=name),
                self.assertRaises(UserError),
            ):
                case.sudo().write({name: value})
        self.assertEqual(Case.search_count([]), count)
        # Defaults of the context (an action's, a caller's) are dropped.
        other = self._enrolled(course=self.course_a)
        defaulted = (
            Case.with_user(self.admin)
            .with_context(
                default_state="approved",
                default_amount_refund=999.0,
                default_origin="portal",
            )
            .create(dict(base, enrollment_ids=[Command.set(other.ids)]))
        )
        self.assertRecordValues(
            defaulted, [{"state": "draft", "amount_refund": 0.0, "origin": "staff"}]
        )
        case.invalidate_recordset()
        self.assertRecordValues(
            case,
            [
                {
                    "state": "draft",
                    "origin": "staff",
                    "approval_date": False,
                    "amount_refund": 0.0,
                    "submitted_by_id": False,
                }
            ],
        )

    # -- 5. approved and closed cases are locked ------------------------------------

    def test_approved_case_locked(self):
        """RET-02, X-04: once approved, the details, dates and enrolments of a case
        no longer change (management and administrator included); management still
        marks it as typical for the reports."""
        case = self._submitted()
        self._approve_all(case)
        self.assertEqual(case.state, "approved")
        other = self._enrolled(course=self.course_a)
        before = self._snapshot(case)
        locked = (
            {"description": "rewritten"},
            {"effective_date": "2025-03-10"},
            {"enrollment_ids": [Command.link(other.id)]},
            {"use_refund_override": True, "refund_override": 10.0},
        )
        for user in (self.user_customer_service, self.user_management, self.admin):
            for vals in locked:
                with (
                    self.subTest(user=user.login, vals=vals),
                    self._refused(UserError, "can no longer change"),
                ):
                    case.with_user(user).write(vals)
        self.assertEqual(self._snapshot(case), before)
        case.with_user(self.user_management).write({"is_typical": True})
        self.assertTrue(case.is_typical)


@tagged("post_install", "-at_install")
class TestApprovalIntegrityRpc(ApprovalIntegrityMixin, RetentionCommon, HttpCase):
    """The same forgeries through real JSON-RPC calls (call_kw), with the context
    keys an attacker would guess."""

    def _call(self, login, model, method, args, context=None):
        self.authenticate(login, login + "x" * (8 - len(login)))
        return self.make_jsonrpc_request(
            f"/web/dataset/call_kw/{model}/{method}",
            {
                "model": model,
                "method": method,
                "args": args,
                "kwargs": {"context": context or {}},
            },
        )

    def test_rpc_forgery_refused(self):
        """X-03, RET-02, X-04: customer service, finance and the teacher writing a
        review approved, creating or deleting one, management writing the state of
        the case or asking for new approvals, by JSON-RPC with guessed context keys:
        errors, nothing changed."""
        case = self._submitted()
        before = self._snapshot(case)
        reviews = case.sudo().review_ids
        guessed = {
            "training_approval_flow": True,
            "skip_validation_check": True,
            "active_test": False,
        }
        for user in (self.user_customer_service, self.user_finance, self.user_teacher):
            for context in ({}, guessed):
                with self.subTest(user=user.login, context=context):
                    with self.assertRaises(JsonRpcException):
                        self._call(
                            user.login,
                            "tier.review",
                            "write",
                            [reviews.ids, {"status": "approved", "done_by": user.id}],
                            context,
                        )
                    with self.assertRaises(JsonRpcException):
                        self._call(
                            user.login, "tier.review", "unlink", [reviews.ids], context
                        )
                    with self.assertRaises(JsonRpcException):
                        self._call(
                            user.login,
                            "tier.review",
                            "create",
                            [
                                {
                                    "model": case._name,
                                    "res_id": case.id,
                                    "definition_id": reviews[0].definition_id.id,
                                    "status": "approved",
                                }
                            ],
                            context,
                        )
        for context in ({}, guessed):
            with self.assertRaises(JsonRpcException):
                self._call(
                    self.user_management.login,
                    case._name,
                    "write",
                    [case.ids, {"state": "approved", "amount_refund": 9999.0}],
                    context,
                )
            with self.assertRaises(JsonRpcException):
                self._call(
                    self.user_management.login,
                    case._name,
                    "restart_validation",
                    [case.ids],
                    context,
                )
        self.assertEqual(self._snapshot(case), before)
        # The real button works for the second agent.
        self._call(
            self.user_customer_service_2.login, case._name, "validate_tier", [case.ids]
        )
        case.invalidate_recordset()
        self.assertEqual(
            case.review_ids.sorted("sequence")[0].done_by,
            self.user_customer_service_2,
        )

"""Issue 13, part 4: complaint integrity and anonymity.

Integrity: the teacher a ticket is about and the staff it is only shared with read and
comment on it, but change none of its facts nor its state, whether through the ORM or
through JSON-RPC; the owner and the service team keep handling it.

Anonymity: what the anonymous student writes after submitting (an e-mail reply to a
notification, a portal post, a rating) reaches the ticket without telling its staff
who wrote: no author, no sender address, no follower, no readable rating.
"""

import json

from odoo import Command
from odoo.exceptions import AccessError
from odoo.tests import HttpCase, freeze_time, tagged
from odoo.tests.common import JsonRpcException

from odoo.addons.mail.tests.common import MockEmail

from .common import TrainingFeedbackCommon

# What a change must leave as it was.
FACTS = [
    "name",
    "kind",
    "category_id",
    "description",
    "course_id",
    "teacher_id",
    "priority",
    "received_date",
    "contact_by",
    "sla_id",
    "ack_deadline",
    "resolve_deadline",
    "sla_state",
    "waiting",
    "state",
    "plan",
    "result",
    "result_date",
    "closed_date",
    "user_id",
    "shared_user_ids",
]

REPLY = """Return-Path: <li.lei@example.com>
To: {to}
From: Li Lei <li.lei@example.com>
Subject: Re: {subject}
Message-ID: <reply-anonymous-1@example.com>
In-Reply-To: {parent}
References: {parent}
Date: Tue, 10 Mar 2026 10:00:00 +0800
MIME-Version: 1.0
Content-Type: text/plain; charset="utf-8"
Content-Transfer-Encoding: 7bit

Room 3 is still cold in the evening lessons.

Sent from my phone
"""


class IntegrityCommon(TrainingFeedbackCommon):
    """A planned complaint about ``user_teacher`` (English A1), owned by finance staff
    outside the service team, shared with the teacher concerned and with another
    teacher."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.ticket = cls._phone_ticket(
            description="<p>The teacher is late every week.</p>"
        )
        cls.ticket.with_user(cls.user_customer_service).action_share_with_teacher()
        cls.ticket.with_user(
            cls.user_customer_service
        ).shared_user_ids |= cls.user_teacher2
        cls._end_request()

    @classmethod
    def _planned(cls, ticket, owner):
        ticket = ticket.with_user(cls.user_customer_service)
        ticket.action_review()
        ticket.write(
            {"plan": "<p>We talk to the teacher this week.</p>", "user_id": owner.id}
        )
        ticket.action_plan()
        cls._end_request()
        return ticket.with_env(cls.env)

    def _snapshot(self, ticket):
        ticket.invalidate_recordset()
        return ticket.sudo().read(FACTS)[0]


@tagged("post_install", "-at_install")
@freeze_time("2026-03-09 02:00:00")
class TestTicketIntegrity(IntegrityCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.ticket = cls._planned(cls.ticket, cls.user_finance)

    def test_facts_unchanged_by_teacher_concerned_and_shared_staff(self):
        """FB-03, FB-04, FB-07, [003] 六.2: the teacher the complaint is about and a
        teacher it is only shared with cannot rewrite it (kind, category, details,
        subject, teacher, course, dates, service level, plan, result): a clear
        error naming the fields, nothing written."""
        before = self._snapshot(self.ticket)
        forgeries = [
            {"kind": "praise"},
            {"description": "<p>Excellent teacher.</p>"},
            {"kind": "praise", "description": "<p>Excellent teacher.</p>"},
            {"category_id": self.cat_facilities.id},
            {"name": "Thanks"},
            {"teacher_id": self.user_teacher2.id},
            {"course_id": self.course_b.id},
            {"priority": "1"},
            {"received_date": "2025-01-01 00:00:00"},
            {"sla_id": False},
            {"plan": "<p>Nothing to do.</p>"},
            {"result": "<p>Resolved.</p>"},
            {"state": "closed"},
            {"action_ids": [Command.create({"name": "x", "user_id": 1})]},
        ]
        for user in (self.user_teacher, self.user_teacher2):
            for vals in forgeries:
                with (
                    self.subTest(user=user.login, vals=list(vals)),
                    self.assertRaises(AccessError) as caught,
                ):
                    self.ticket.with_user(user).write(vals)
                if "kind" in vals:
                    self.assertIn("Kind", str(caught.exception))
                    self.assertIn(self.ticket.reference, str(caught.exception))
        self.assertEqual(self._snapshot(self.ticket), before)

    def test_no_workflow_step_by_teacher_concerned_and_shared_staff(self):
        """FB-04, FB-05, FB-06: neither the teacher concerned nor a teacher it is
        shared with starts, pauses, resolves, closes, reopens, rates or reviews the
        ticket, nor adds or cancels its follow-up actions; they comment on it. The
        owner of a follow-up action still reports it done."""
        follow_up = (
            self.env["training.feedback.action"]
            .with_user(self.user_finance)
            .create(
                {
                    "feedback_id": self.ticket.id,
                    "name": "Talk to the teacher",
                    "user_id": self.user_teacher2.id,
                    "date_deadline": "2026-03-12",
                }
            )
        )
        self._end_request()
        self.ticket.result = "<p>The lessons now start on time.</p>"
        before = self._snapshot(self.ticket)
        for user in (self.user_teacher, self.user_teacher2):
            as_user = self.ticket.with_user(user)
            for method in (
                "action_start",
                "action_wait",
                "action_resume",
                "action_resolve",
                "action_close",
                "action_reopen",
                "action_review",
                "action_plan",
                "action_set_invalid",
                "action_share_with_teacher",
            ):
                with (
                    self.subTest(user=user.login, method=method),
                    self.assertRaises(AccessError),
                ):
                    getattr(as_user, method)()
            with self.assertRaises(AccessError):
                as_user.rating_apply(1, rating=self.env["rating.rating"])
            with self.assertRaises(AccessError):
                self.env["training.feedback.action"].with_user(user).create(
                    {
                        "feedback_id": self.ticket.id,
                        "name": "Nothing",
                        "user_id": user.id,
                        "date_deadline": "2026-03-12",
                    }
                )
            with self.assertRaises(AccessError):
                follow_up.with_user(user).action_cancel()
            with self.assertRaises(AccessError):
                follow_up.with_user(user).write({"date_deadline": "2026-12-31"})
            message = as_user.message_post(
                body=f"Comment of {user.name}.",
                message_type="comment",
                subtype_xmlid="mail.mt_comment",
            )
            self.assertEqual(message.author_id, user.partner_id)
        self._end_request()
        self.assertEqual(self._snapshot(self.ticket), before)
        self.assertEqual(follow_up.state, "open")
        self.assertFalse(self.ticket.with_user(self.user_teacher).can_handle)
        self.assertFalse(self.ticket.with_user(self.user_teacher2).can_handle)
        # The owner of the action reports it done and writes the outcome.
        as_doer = follow_up.with_user(self.user_teacher2)
        as_doer.note = "Talked to the teacher on Tuesday."
        as_doer.action_done()
        self.assertEqual(follow_up.state, "done")

    def test_handlers_keep_working(self):
        """FB-03 … FB-06: the owner (outside the service team) and the service team
        handle the ticket as before: they correct the facts, start and resolve it,
        the service team closes it."""
        as_owner = self.ticket.with_user(self.user_finance)
        self.assertTrue(as_owner.can_handle)
        as_owner.write(
            {
                "description": "<p>Late three times in March.</p>",
                "result": "<p>The lessons now start on time.</p>",
            }
        )
        as_owner.action_start()
        self.ticket.with_user(self.user_customer_service).write(
            {"kind": "complaint", "category_id": self.cat_teaching.id}
        )
        self.assertTrue(self.ticket.with_user(self.user_customer_service).can_handle)
        as_owner.action_resolve()
        self.assertEqual(self.ticket.state, "resolved")
        self.ticket.with_user(self.user_customer_service).action_close()
        self.assertEqual(self.ticket.state, "closed")

    def test_teacher_concerned_never_handles_even_as_owner(self):
        """FB-04, [003] 六.2: a complaint about a teacher made their own by mistake:
        they still change nothing on it and cannot resolve it; the service team
        names another owner."""
        ticket = self._planned(
            self._phone_ticket(name="Too much homework"), self.user_teacher
        )
        ticket.result = "<p>Done.</p>"
        before = self._snapshot(ticket)
        as_teacher = ticket.with_user(self.user_teacher)
        self.assertFalse(as_teacher.can_handle)
        with self.assertRaises(AccessError):
            as_teacher.write({"kind": "suggestion"})
        for method in ("action_start", "action_wait", "action_resolve"):
            with self.subTest(method=method), self.assertRaises(AccessError):
                getattr(as_teacher, method)()
        self.assertEqual(self._snapshot(ticket), before)
        ticket.with_user(self.user_customer_service).user_id = self.user_finance
        ticket.with_user(self.user_finance).action_resolve()
        self.assertEqual(ticket.state, "resolved")

    def test_form_is_read_only_for_shared_staff(self):
        """FB-04, X-02: the form tells the teacher the ticket is read-only for them
        (the server refuses anyway)."""
        arch = self.ticket.with_user(self.user_teacher).get_views([(False, "form")])[
            "views"
        ]["form"]["arch"]
        self.assertIn('name="can_handle"', arch)
        self.assertIn('readonly="not can_handle"', arch)


@tagged("post_install", "-at_install")
class TestTicketIntegrityRpc(IntegrityCommon, HttpCase):
    """The same attempts through real JSON-RPC calls of the web client."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.ticket = cls._planned(cls.ticket, cls.user_finance)
        cls.ticket.result = "<p>The lessons now start on time.</p>"
        cls._end_request()

    def _call(self, login, method, args, kwargs=None):
        self.authenticate(login, login)
        return self.make_jsonrpc_request(
            f"/web/dataset/call_kw/training.feedback/{method}",
            {
                "model": "training.feedback",
                "method": method,
                "args": args,
                "kwargs": kwargs or {},
            },
        )

    def test_rpc_rewrite_and_resolve_refused_comment_allowed(self):
        """FB-03, FB-06, [003] 六.2: by JSON-RPC, the teacher concerned and a
        teacher the ticket is shared with cannot write kind='praise' and a new
        description (write, web_save), nor resolve or close it; both comment."""
        before = self._snapshot(self.ticket)
        forged = {"kind": "praise", "description": "<p>Excellent teacher.</p>"}
        for login in ("trn_teacher", "trn_teacher2"):
            for method, args, kwargs in (
                ("write", [[self.ticket.id], forged], {}),
                ("web_save", [[self.ticket.id], forged], {"specification": {}}),
                ("action_resolve", [[self.ticket.id]], {}),
                ("action_start", [[self.ticket.id]], {}),
                ("action_close", [[self.ticket.id]], {}),
                ("action_wait", [[self.ticket.id]], {}),
            ):
                with (
                    self.subTest(login=login, method=method),
                    self.assertRaises(JsonRpcException) as caught,
                ):
                    self._call(login, method, args, kwargs)
                self.assertIn("AccessError", str(caught.exception))
            message_id = self._call(
                login,
                "message_post",
                [[self.ticket.id]],
                {
                    "body": f"Comment by {login}",
                    "message_type": "comment",
                    "subtype_xmlid": "mail.mt_comment",
                },
            )
            self.assertTrue(message_id)
        self.assertEqual(self._snapshot(self.ticket), before)
        bodies = self.ticket.message_ids.mapped("body")
        self.assertTrue(any("Comment by trn_teacher2" in b for b in bodies))
        # The owner still resolves it by RPC.
        self._call("trn_finance", "action_resolve", [[self.ticket.id]])
        self.ticket.invalidate_recordset()
        self.assertEqual(self.ticket.state, "resolved")


class AnonymityCommon(IntegrityCommon):
    """An anonymous complaint of Li Lei about ``user_teacher``: planned with finance
    staff as owner (outside the service team), shared with the teacher; the plan
    went to Li Lei in a private notification."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.ticket = cls._phone_ticket(
            name="The teacher shouts at us", is_anonymous=True
        )
        cls.ticket.with_user(cls.user_customer_service).action_share_with_teacher()
        cls.ticket = cls._planned(cls.ticket, cls.user_finance)
        cls.notification = cls.env["mail.message"].search(
            [
                ("model", "=", "training.feedback"),
                ("res_id", "=", cls.ticket.id),
                ("partner_ids", "in", cls.student.ids),
            ]
        )

    def _assert_hidden_from(self, users):
        """What search_read gives these staff on the ticket's messages, followers
        and ratings never names Li Lei; return what each of them read."""
        seen_by = {}
        for user in users:
            seen = {
                "messages": self.env["mail.message"]
                .with_user(user)
                .search_read(
                    [
                        ("model", "=", "training.feedback"),
                        ("res_id", "=", self.ticket.id),
                    ],
                    [
                        "author_id",
                        "email_from",
                        "partner_ids",
                        "reply_to",
                        "parent_id",
                        "body",
                        "subject",
                        "record_name",
                    ],
                ),
                "followers": self.env["mail.followers"]
                .with_user(user)
                .search_read(
                    [
                        ("res_model", "=", "training.feedback"),
                        ("res_id", "=", self.ticket.id),
                    ],
                    ["partner_id", "name", "email"],
                ),
                "ratings": self.env["rating.rating"]
                .with_user(user)
                .search_read(
                    [
                        ("res_model", "=", "training.feedback"),
                        ("res_id", "=", self.ticket.id),
                    ],
                    ["partner_id", "rated_partner_id", "feedback"],
                ),
                "ticket": self.ticket.with_user(user).read(
                    ["partner_id", "email_cc", "message_partner_ids"]
                ),
            }
            dump = json.dumps(seen, default=str)
            with self.subTest(user=user.login):
                self.assertNotIn("Li Lei", dump)
                self.assertNotIn("li.lei@example.com", dump)
                self.assertNotIn(
                    self.student.id,
                    [m["author_id"] and m["author_id"][0] for m in seen["messages"]],
                )
                self.assertNotIn(
                    self.student.id,
                    [f["partner_id"][0] for f in seen["followers"]],
                )
                self.assertFalse(seen["ratings"])
            seen_by[user] = seen
        return seen_by


@tagged("post_install", "-at_install")
@freeze_time("2026-03-10 02:00:00")
class TestAnonymousReplies(AnonymityCommon, MockEmail):
    def test_email_reply_to_notification_is_anonymous(self):
        """FB-04, FB-06, [003] 六.2: the anonymous student answers the plan's
        notification by e-mail; the mail gateway routes the answer to the ticket
        without author nor sender address, the student does not become a follower,
        the waiting clock restarts; the owner and the teacher read the content but
        never who wrote, the service team still reads it."""
        self.assertEqual(len(self.notification), 1)
        self.ticket.with_user(self.user_finance).action_wait()
        self._end_request()
        raw = REPLY.format(
            to=self.notification.reply_to or "catchall@example.com",
            subject=self.ticket.name,
            parent=self.notification.message_id,
        )
        with self.mock_mail_gateway():
            thread_id = self.env["mail.thread"].sudo().message_process(None, raw)
        self.assertEqual(thread_id, self.ticket.id)
        self._end_request()
        reply = self.env["mail.message"].search(
            [("message_id", "=", "<reply-anonymous-1@example.com>")]
        )
        self.assertEqual(reply.res_id, self.ticket.id)
        self.assertFalse(reply.author_id)
        self.assertNotIn("li.lei", reply.email_from)
        self.assertIn("Anonymous student", reply.email_from)
        self.assertNotEqual(reply.parent_id, self.notification)
        self.assertNotIn(self.student, self.ticket.message_partner_ids)
        self.assertFalse(self.ticket.waiting)
        seen_by = self._assert_hidden_from([self.user_finance, self.user_teacher])
        for seen in seen_by.values():
            self.assertIn("still cold", " ".join(m["body"] for m in seen["messages"]))
        # The service team reads the answer and is notified of it.
        as_service = (
            self.env["mail.message"]
            .with_user(self.user_customer_service)
            .search([("id", "=", reply.id)])
        )
        self.assertIn("still cold", as_service.body)
        # An answer to a private notification is an internal note, sent to who
        # wrote the notification: here the service team member who sent the plan.
        self.assertIn(self.user_customer_service.partner_id, reply.notified_partner_ids)
        self.assertNotIn(self.student, reply.notified_partner_ids)

    def test_portal_post_and_rating_are_anonymous(self):
        """FB-04, FB-06, [003] 六.2: the anonymous student's post on the ticket (as
        their portal user) and a rating they give are shown without author; the
        rating itself is read by the service team only; the student never follows
        the ticket, even when someone tries to subscribe them."""
        self.ticket.with_user(self.student_portal_user).message_post(
            body="Still shouting this week.",
            message_type="comment",
            subtype_xmlid="mail.mt_comment",
        )
        self.ticket.with_user(self.user_customer_service).message_subscribe(
            partner_ids=self.student.ids
        )
        rating = self.env["rating.rating"].create(
            {
                "res_model_id": self.env["ir.model"]._get_id("training.feedback"),
                "res_id": self.ticket.id,
                "partner_id": self.student.id,
                "rated_partner_id": self.user_finance.partner_id.id,
            }
        )
        self.ticket.rating_apply(2, rating=rating, feedback="Bad.")
        self._end_request()
        messages = self.ticket.message_ids
        self.assertNotIn(self.student, messages.author_id)
        self.assertNotIn(self.student, self.ticket.message_partner_ids)
        self.assertTrue(
            any("Still shouting" in (m.body or "") for m in messages),
        )
        self._assert_hidden_from([self.user_finance, self.user_teacher])
        self.assertTrue(
            self.env["rating.rating"]
            .with_user(self.user_customer_service)
            .search([("id", "=", rating.id)])
        )

    def test_ticket_made_anonymous_later(self):
        """FB-03, [003] 六.2: when the service team makes a named ticket anonymous,
        the student stops following it and their earlier messages lose their
        author."""
        ticket = self._phone_ticket(name="Noisy classroom")
        ticket.with_user(self.user_customer_service).action_share_with_teacher()
        ticket.message_post(
            author_id=self.student.id,
            body="Please keep my name out of it.",
            message_type="email",
            subtype_xmlid="mail.mt_comment",
        )
        self.assertIn(self.student, ticket.message_partner_ids)
        ticket.with_user(self.user_customer_service).is_anonymous = True
        self._end_request()
        self.assertNotIn(self.student, ticket.message_partner_ids)
        self.assertNotIn(self.student, ticket.message_ids.author_id)
        self.assertFalse(ticket.partner_id)


@tagged("post_install", "-at_install")
class TestAnonymousRepliesHttp(AnonymityCommon, HttpCase):
    def test_portal_chatter_post_is_anonymous_in_web_client(self):
        """FB-04, [003] 六.2, X-02: the anonymous student posts through the
        portal chatter route; the teacher concerned and the owner load the ticket's
        messages and followers in the web client (JSON-RPC) and find no trace of
        who wrote; the service team reads the post."""
        self.authenticate("fb_student", "fb_student")
        self.make_jsonrpc_request(
            "/mail/message/post",
            {
                "thread_model": "training.feedback",
                "thread_id": self.ticket.id,
                "post_data": {
                    "body": "Please make it stop.",
                    "message_type": "comment",
                    "subtype_xmlid": "mail.mt_comment",
                },
            },
        )
        self.ticket.invalidate_recordset()
        post = self.ticket.message_ids.filtered(
            lambda m: "make it stop" in (m.body or "")
        )
        self.assertEqual(len(post), 1)
        self.assertFalse(post.author_id)
        self.assertNotIn(self.student, self.ticket.message_partner_ids)
        for login in ("trn_teacher", "trn_finance"):
            self.authenticate(login, login)
            loaded = self.make_jsonrpc_request(
                "/mail/thread/messages",
                {"thread_model": "training.feedback", "thread_id": self.ticket.id},
            )
            thread = self.make_jsonrpc_request(
                "/mail/thread/data",
                {
                    "thread_model": "training.feedback",
                    "thread_id": self.ticket.id,
                    "request_list": ["followers", "suggestedRecipients"],
                },
            )
            dump = json.dumps([loaded, thread], default=str)
            with self.subTest(login=login):
                self.assertIn("make it stop", dump)
                self.assertNotIn("Li Lei", dump)
                self.assertNotIn("li.lei@example.com", dump)
            rows = json.dumps(self._call_search_read(login), default=str)
            self.assertNotIn("Li Lei", rows)
            self.assertNotIn("li.lei@example.com", rows)
        as_service = self.env["mail.message"].with_user(self.user_customer_service)
        self.assertTrue(as_service.search([("id", "=", post.id)]))

    def _call_search_read(self, login):
        self.authenticate(login, login)
        return {
            model: self.make_jsonrpc_request(
                f"/web/dataset/call_kw/{model}/search_read",
                {
                    "model": model,
                    "method": "search_read",
                    "args": [domain, names],
                    "kwargs": {},
                },
            )
            for model, domain, names in (
                (
                    "mail.message",
                    [
                        ("model", "=", "training.feedback"),
                        ("res_id", "=", self.ticket.id),
                    ],
                    ["author_id", "email_from", "partner_ids", "body"],
                ),
                (
                    "mail.followers",
                    [
                        ("res_model", "=", "training.feedback"),
                        ("res_id", "=", self.ticket.id),
                    ],
                    ["partner_id", "name", "email"],
                ),
                (
                    "rating.rating",
                    [
                        ("res_model", "=", "training.feedback"),
                        ("res_id", "=", self.ticket.id),
                    ],
                    ["partner_id"],
                ),
            )
        }

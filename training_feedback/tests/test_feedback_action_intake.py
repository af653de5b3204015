"""Issue 14, bullets 3 and 5: follow-up actions that can be finished, and intake.

Actions: the owner of an action finishes it (outcome and Done) without any other
access to the ticket; reassigning an action moves its activity; overdue actions are
chased once a day.

Intake: staff record anonymous paper forms and phone calls; teachers enter the paper
forms of their own courses; the portal form takes attachments, answers bad values
with the form and a message, and creates the ticket in the student's company.
"""

import base64
import re
from unittest.mock import patch

from odoo import Command
from odoo.exceptions import AccessError
from odoo.tests import Form, HttpCase, freeze_time, tagged

from odoo.addons.mail.tests.common import MockEmail

from .common import TrainingFeedbackCommon

SCAN = base64.b64encode(b"%PDF-1.4 scanned paper form")


class TestFeedbackActionIntake(TrainingFeedbackCommon, MockEmail):
    def _ticket_in_progress(self):
        """A phone ticket planned and started by the service team (its owner)."""
        ticket = self._plan(self._phone_ticket())
        ticket.with_user(self.user_customer_service).action_start()
        return ticket

    def _action(self, ticket, user, deadline="2026-03-12", name="Refund the lesson"):
        return (
            self.env["training.feedback.action"]
            .with_user(self.user_customer_service)
            .create(
                {
                    "feedback_id": ticket.id,
                    "name": name,
                    "user_id": user.id,
                    "date_deadline": deadline,
                }
            )
            .with_env(self.env)
        )

    # -- actions (FB-05) -----------------------------------------------------------

    def test_action_finished_by_owner_without_ticket_access(self):
        """FB-05: finance owns the refund of a complaint it cannot read; it writes
        the outcome and marks the action done, which closes its activity and logs it
        on the ticket; the ticket can then be resolved. Finance touches nothing else:
        not the action's other fields, not the action of someone else, not the
        ticket, and it does not cancel its own action."""
        ticket = self._ticket_in_progress()
        refund = self._action(ticket, self.user_finance)
        other = self._action(ticket, self.user_teacher2, name="Talk to the teacher")
        self._end_request()
        Action = self.env["training.feedback.action"].with_user(self.user_finance)
        with self.assertRaises(AccessError):
            ticket.with_user(self.user_finance).check_access("read")
        # Finance lists its own actions only.
        self.assertEqual(Action.search([("feedback_id", "=", ticket.id)]), refund)

        as_finance = refund.with_user(self.user_finance)
        for vals in (
            {"name": "Nothing to refund"},
            {"date_deadline": "2026-12-31"},
            {"user_id": self.user_teacher.id},
            {"state": "done"},  # Done goes through action_done, with its activity
        ):
            with self.subTest(vals=vals), self.assertRaises(AccessError):
                as_finance.write(vals)
        with self.assertRaises(AccessError):
            as_finance.action_cancel()
        for method in ("action_done", "action_cancel"):
            with self.subTest(method=method), self.assertRaises(AccessError):
                getattr(other.with_user(self.user_finance), method)()
        with self.assertRaises(AccessError):
            other.with_user(self.user_finance).write({"note": "Not mine."})
        with self.assertRaises(AccessError):
            ticket.with_user(self.user_finance).write({"result": "<p>Refunded</p>"})
        with self.assertRaises(AccessError):
            ticket.with_user(self.user_finance).action_resolve()

        activity = refund.activity_id
        self.assertEqual(activity.user_id, self.user_finance)
        as_finance.note = "Refunded 120.00 on 12 March."
        as_finance.action_done()
        self._end_request()
        self.assertEqual(refund.state, "done")
        self.assertTrue(refund.done_date)
        self.assertEqual(refund.note, "Refunded 120.00 on 12 March.")
        self.assertFalse(activity.exists())
        log = ticket.message_ids.filtered(
            lambda m: "Follow-up action done: Refund the lesson" in (m.body or "")
        )
        self.assertEqual(log.author_id, self.user_finance.partner_id)
        # Logging did not make finance a follower of a ticket it cannot read.
        self.assertNotIn(self.user_finance.partner_id, ticket.message_partner_ids)
        self.assertEqual(other.state, "open")
        with self.assertRaises(AccessError):
            as_finance.write({"note": "Changed afterwards"})  # done: nothing more

        # The service team cancels the other action; 2 actions, 0 open: resolvable.
        other.with_user(self.user_customer_service).action_cancel()
        agent = ticket.with_user(self.user_customer_service)
        agent.result = "<p>The lesson was refunded.</p>"
        with self.mock_mail_gateway():
            agent.action_resolve()
        self.assertEqual(ticket.state, "resolved")

    def test_reassign_moves_activity(self):
        """FB-05: reassigning an open action moves its to-do to the new owner, with
        the new due date and name; the former owner keeps no activity for it."""
        ticket = self._ticket_in_progress()
        action = self._action(ticket, self.user_teacher2)
        activity = action.activity_id
        self.assertEqual(activity.user_id, self.user_teacher2)
        action.with_user(self.user_customer_service).write(
            {
                "user_id": self.user_finance.id,
                "date_deadline": "2026-03-20",
                "name": "Refund the lesson (finance)",
            }
        )
        self._end_request()
        self.assertEqual(action.activity_id.user_id, self.user_finance)
        self.assertEqual(str(action.activity_id.date_deadline), "2026-03-20")
        self.assertEqual(action.activity_id.summary, "Refund the lesson (finance)")
        todo = self.env["mail.activity"].search(
            [("res_model", "=", "training.feedback"), ("res_id", "=", ticket.id)]
        )
        self.assertNotIn(self.user_teacher2, todo.user_id)
        self.assertEqual(
            len(todo.filtered(lambda a: a.summary.startswith("Refund"))), 1
        )
        # The new owner finishes it.
        action.with_user(self.user_finance).action_done()
        self.assertEqual(action.state, "done")

    def test_chase_overdue_actions_once_a_day(self):
        """FB-05: the daily chase e-mails the owner of each open action past its due
        date once per overdue day; running it again the same day sends nothing;
        done, cancelled and not yet due actions are not chased; an action whose
        reminder fails is rolled back alone and chased on the next run."""
        ticket = self._ticket_in_progress()
        late = self._action(ticket, self.user_finance, deadline="2026-03-12")
        late2 = self._action(ticket, self.user_teacher2, "2026-03-11", "Meet teacher")
        due_today = self._action(ticket, self.user_teacher2, "2026-03-13", "Due")
        done = self._action(ticket, self.user_finance, "2026-03-10", "Done one")
        done.action_done()
        Action = self.env["training.feedback.action"]

        def reminders():
            return self.env["mail.mail"].search(
                [("model", "=", "training.feedback.action")]
            )

        with freeze_time("2026-03-13 02:00:00"), self.mock_mail_gateway():
            # late2 fails once: rolled back alone; late is chased.
            real = type(Action)._chase_one

            def failing(action):
                if action == late2:
                    raise ValueError("mail server down")
                return real(action)

            with patch.object(type(Action), "_chase_one", failing):
                Action._cron_chase_overdue()
            self.assertEqual(reminders().mapped("res_id"), late.ids)
            self.assertEqual(late.chase_date.isoformat(), "2026-03-13")
            self.assertFalse(late2.chase_date)
            # Next run the same day: late2 now, late not again; 2 reminders in all.
            Action._cron_chase_overdue()
            Action._cron_chase_overdue()
        mails = reminders()
        self.assertEqual(sorted(mails.mapped("res_id")), sorted((late | late2).ids))
        self.assertEqual(
            mails.filtered(lambda m: m.res_id == late.id).recipient_ids,
            self.user_finance.partner_id,
        )
        self.assertIn("Refund the lesson", mails[0].body_html + mails[1].body_html)
        self.assertNotIn(due_today.id, mails.mapped("res_id"))
        self.assertNotIn(done.id, mails.mapped("res_id"))
        # The activities are not duplicated: one per open action.
        todo = self.env["mail.activity"].search(
            [("res_model", "=", "training.feedback"), ("res_id", "=", ticket.id)]
        )
        self.assertEqual(len(todo.filtered(lambda a: a.summary == "Meet teacher")), 1)

        # The next day: 3 open actions overdue now (late, late2, due_today) = 3 more.
        with freeze_time("2026-03-14 02:00:00"):
            Action._cron_chase_overdue()
            Action._cron_chase_overdue()
        self.assertEqual(len(reminders()), 2 + 3)

    # -- intake (FB-01) ------------------------------------------------------------

    def test_staff_enters_anonymous_phone_call(self):
        """FB-01, privacy: the service team records an anonymous phone call on the
        entry form: the caller is kept for the service team only; the ticket shows
        no student, is in no archive, the caller follows nothing; a teacher it is
        shared with cannot learn who called."""
        entry = "training_feedback.training_feedback_view_form_entry"
        form = Form(self.Feedback.with_user(self.user_customer_service), view=entry)
        form.channel = "phone"
        form.name = "Rude answer at the front desk"
        form.submitter_id = self.student
        form.category_id = self.cat_facilities
        form.is_anonymous = True
        ticket = form.save().with_env(self.env)
        self.assertTrue(ticket.is_anonymous)
        self.assertEqual(ticket.sudo().submitter_id, self.student)
        self.assertFalse(ticket.partner_id)
        self.assertFalse(ticket.archive_ids)
        self.assertNotIn(self.student, ticket.message_partner_ids)
        ticket.with_user(self.user_customer_service).shared_user_ids = self.user_teacher
        self._end_request()
        as_teacher = ticket.with_user(self.user_teacher)
        self.assertFalse(as_teacher.partner_id)
        with self.assertRaises(AccessError):
            as_teacher.read(["submitter_id"])

    def test_teacher_enters_paper_form_of_own_course(self):
        """FB-01: a teacher enters the paper form collected in their own course (on
        the teacher's entry form); they follow nothing, read it until the service
        team takes it up, and change nothing. Refused: a form of another teacher's
        course, a form without course, another channel, and any handling field."""
        entry = "training_feedback.training_feedback_view_form_teacher_entry"
        form = Form(self.Feedback.with_user(self.user_teacher), view=entry)
        form.name = "Paper form: too fast"
        form.course_id = self.course_a
        form.category_id = self.cat_teaching
        form.scan = SCAN
        form.description = "The lessons go too fast."
        ticket = form.save().with_env(self.env)
        self.assertEqual(ticket.channel, "paper")
        self.assertEqual(ticket.company_id, self.company)
        self.assertEqual(ticket.create_uid, self.user_teacher)
        self.assertFalse(ticket.sudo().submitter_id)
        self.assertFalse(ticket.user_id)
        self.assertTrue(ticket.ack_deadline, "its service level started")
        self.assertNotIn(self.user_teacher.partner_id, ticket.message_partner_ids)
        as_teacher = ticket.with_user(self.user_teacher)
        self.assertEqual(as_teacher.name, "Paper form: too fast")
        self.assertFalse(as_teacher.can_handle)
        with self.assertRaises(AccessError):
            as_teacher.write({"name": "Changed"})
        ticket.with_user(self.user_customer_service).action_review()
        self._end_request()
        with self.assertRaises(AccessError):
            ticket.with_user(self.user_teacher).check_access("read")

        base = {
            "name": "Paper form",
            "channel": "paper",
            "scan": SCAN,
            "category_id": self.cat_teaching.id,
            "course_id": self.course_a.id,
        }
        Teacher = self.Feedback.with_user(self.user_teacher)
        count = self.Feedback.search_count([])
        for user, vals in (
            (self.user_teacher, {"course_id": self.course_b.id}),
            (self.user_teacher2, {}),  # course_a is not theirs
            (self.user_teacher, {"course_id": False}),
            (self.user_teacher, {"channel": "phone", "scan": False}),
            (self.user_teacher, {"user_id": self.user_teacher.id}),
            (self.user_teacher, {"submitter_id": self.student.id}),
            (
                self.user_teacher,
                {"shared_user_ids": [Command.set(self.user_teacher.ids)]},
            ),
            (self.user_teacher, {"state": "planned"}),
            (self.user_finance, {}),  # not a teacher
        ):
            with (
                self.subTest(user=user.login, vals=vals),
                self.assertRaises(AccessError),
            ):
                self.Feedback.with_user(user).create(dict(base, **vals))
        self.assertEqual(self.Feedback.search_count([]), count)
        # Its own course again, directly: accepted.
        self.assertTrue(Teacher.create(base))


@tagged("post_install", "-at_install")
class TestFeedbackPortalIntake(TrainingFeedbackCommon, HttpCase):
    def _csrf(self, url="/my/feedback/new"):
        page = self.url_open(url)
        self.assertEqual(page.status_code, 200)
        return re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)

    def _post(self, data, files=None):
        return self.url_open(
            "/my/feedback/new",
            data={"csrf_token": self._csrf(), **data},
            files=files,
        )

    def test_portal_attachments(self):
        """FB-01: the student attaches several files to the portal form; they are
        stored as attachments of the ticket, not created by the student (anonymity);
        a file over the size limit is refused with a message and nothing is
        created."""
        self.authenticate("fb_student", "fb_student")
        self.env["ir.config_parameter"].sudo().set_param(
            "training_feedback.portal_attachment_max_size", "1000"
        )
        data = {
            "name": "Broken projector",
            "category_id": str(self.cat_facilities.id),
            "description": "See the photos.",
            "anonymous": "on",
        }
        count = self.Feedback.search_count([])
        response = self._post(
            data,
            files=[
                ("attachments", ("room.pdf", b"%PDF-1.4 a" * 220, "application/pdf")),
                ("attachments", ("note.txt", b"hello", "text/plain")),
            ],
        )
        # 10 * 220 = 2200 bytes > 1000: refused, the form comes back.
        self.assertEqual(response.status_code, 200)
        self.assertIn("room.pdf", response.text)
        self.assertIn("o_feedback_form", response.text)
        self.assertEqual(self.Feedback.search_count([]), count)

        response = self._post(
            data,
            files=[
                ("attachments", ("room.pdf", b"%PDF-1.4 room", "application/pdf")),
                ("attachments", ("note.txt", b"hello", "text/plain")),
                ("attachments", ("page.html", b"<script>x</script>", "text/html")),
            ],
        )
        self.assertEqual(response.status_code, 200)
        ticket = self.Feedback.search([("name", "=", "Broken projector")])
        self.assertEqual(len(ticket), 1)
        attachments = self.env["ir.attachment"].search(
            [("res_model", "=", "training.feedback"), ("res_id", "=", ticket.id)]
        )
        self.assertEqual(
            sorted(attachments.mapped("name")), ["note.txt", "page.html", "room.pdf"]
        )
        self.assertEqual(
            attachments.filtered(lambda a: a.name == "note.txt").raw, b"hello"
        )
        # Uploaded HTML is never served as HTML.
        self.assertNotIn(
            "html", attachments.filtered(lambda a: a.name == "page.html").mimetype
        )
        self.assertNotIn(self.student_portal_user, attachments.create_uid)

    def test_portal_bad_input(self):
        """FB-01: values no form of ours sends (unknown or foreign category or
        course, non-numeric ids, an unknown type or result channel, no subject) get
        the form back with a message (HTTP 200), never a server error, and create
        nothing."""
        self.authenticate("fb_student", "fb_student")
        other_company = self.env["res.company"].create({"name": "Branch School"})
        foreign_category = self.env["training.feedback.category"].create(
            {"name": "Branch only", "code": "BRANCH", "company_id": other_company.id}
        )
        good = {
            "name": "Cold room",
            "category_id": str(self.cat_facilities.id),
            "course_id": str(self.course_a.id),
            "kind": "complaint",
            "contact_by": "email",
        }
        count = self.Feedback.search_count([])
        for bad, message in (
            ({"category_id": "abc"}, "Choose a category."),
            ({"category_id": "999999999"}, "Choose a category."),
            ({"category_id": str(foreign_category.id)}, "Choose a category."),
            ({"course_id": "abc"}, "Choose one of your courses."),
            ({"course_id": "999999999"}, "Choose one of your courses."),
            ({"course_id": str(self.course_b.id)}, "Choose one of your courses."),
            ({"kind": "threat"}, "Choose the type of your feedback."),
            ({"contact_by": "pigeon"}, "Choose how to receive the result."),
            ({"name": ""}, "Give your feedback a subject."),
            ({"name": "  \n "}, "Give your feedback a subject."),
        ):
            with self.subTest(bad=bad):
                response = self._post(dict(good, **bad))
                self.assertEqual(response.status_code, 200)
                self.assertIn("o_feedback_form", response.text)
                self.assertIn(message, response.text)
        self.assertEqual(self.Feedback.search_count([]), count)
        # The same form with good values is accepted.
        self.assertEqual(self._post(good).status_code, 200)
        self.assertEqual(self.Feedback.search_count([]), count + 1)

    def test_portal_ticket_in_students_company(self):
        """FB-01, FB-09: a student of a second company (their archive, their portal
        login) submits on the portal: the ticket is created in that company and
        recorded in that archive, not in the company of the server's default user;
        the student then finds it on /my/feedback."""
        company_b = self.env["res.company"].create({"name": "Training Institute B"})
        course_b = self.env["training.course"].create(
            {"name": "English A1 (B)", "code": "ENA1", "company_id": company_b.id}
        )
        student = self.env["res.partner"].create(
            {"name": "Zhao Lei", "email": "zhao.lei@example.com"}
        )
        enrollment = (
            self.env["training.enrollment"]
            .with_company(company_b)
            .create({"partner_id": student.id, "course_id": course_b.id})
        )
        enrollment.action_confirm()
        archive_b = enrollment.archive_id
        self.assertEqual(archive_b.company_id, company_b)
        self.env["res.users"].create(
            {
                "name": "Zhao Lei",
                "login": "fb_student_b",
                "password": "fb_student_b",
                "partner_id": student.id,
                "company_id": company_b.id,
                "company_ids": [Command.set(company_b.ids)],
                "groups_id": [Command.set(self.env.ref("base.group_portal").ids)],
            }
        )
        self.authenticate("fb_student_b", "fb_student_b")
        response = self._post(
            {
                "name": "No heating in Branch B",
                "category_id": str(self.cat_facilities.id),
                "course_id": str(course_b.id),
            }
        )
        self.assertEqual(response.status_code, 200)
        ticket = self.Feedback.search([("name", "=", "No heating in Branch B")])
        self.assertEqual(len(ticket), 1)
        self.assertEqual(ticket.company_id, company_b)
        self.assertEqual(ticket.archive_ids, archive_b)
        self.assertIn(f"/my/feedback/{ticket.id}", response.url)
        self.assertIn("No heating in Branch B", self.url_open("/my/feedback").text)

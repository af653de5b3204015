import base64
from datetime import datetime, timedelta

from odoo.exceptions import UserError, ValidationError
from odoo.tests import freeze_time, tagged

from odoo.addons.mail.tests.common import MockEmail

from .common import TrainingFeedbackCommon

SCAN = base64.b64encode(b"%PDF-1.4 scanned feedback form")


@tagged("post_install", "-at_install")
@freeze_time("2026-03-09 02:00:00")  # Monday 10:00 in Shanghai
class TestFeedbackFlow(TrainingFeedbackCommon, MockEmail):
    def test_channels_and_archive_record(self):
        """FB-01, FB-09, ARC-05: a phone call, a paper form with its scan and a
        representative meeting for several students, entered by the service team, are
        recorded in each student's archive at once: the 24-hour deadline is created
        and met when the ticket arrives."""
        phone = self._phone_ticket()
        self.assertRegex(phone.reference, r"^FB/2026/\d{5}$")
        self.assertEqual(phone.partner_id, self.student)
        self.assertEqual(phone.archive_ids, self.archive)
        self.assertEqual(phone.teacher_id, self.user_teacher)
        self.assertIn(self.student, phone.message_partner_ids)
        deadline = self.env["training.archive.deadline"].search(
            [("feedback_id", "=", phone.id)]
        )
        self.assertEqual(deadline.kind, "feedback")
        self.assertEqual(deadline.archive_id, self.archive)
        self.assertEqual(deadline.state, "done")
        self.assertFalse(deadline.is_late)
        # One working day on the Monday-Friday calendar: Tuesday 10:00 Shanghai.
        self.assertEqual(deadline.deadline, datetime(2026, 3, 10, 2, 0))
        self.assertIn(phone, self.archive.feedback_ids)
        self.assertEqual(
            self.archive.with_user(self.user_customer_service).feedback_count, 1
        )

        Feedback = self.Feedback.with_user(self.user_customer_service)
        with self.assertRaises(ValidationError):
            Feedback.create(
                {
                    "name": "Paper form",
                    "channel": "paper",
                    "submitter_id": self.student_b.id,
                }
            )
        paper = Feedback.create(
            {
                "name": "Paper form",
                "channel": "paper",
                "submitter_id": self.student_b.id,
                "scan": SCAN,
                "scan_filename": "form.pdf",
            }
        )
        self.assertEqual(paper.archive_ids, self.archive_b)

        with self.assertRaises(ValidationError):
            Feedback.create({"name": "Class meeting", "channel": "meeting"})
        meeting = Feedback.create(
            {
                "name": "Class meeting: room too cold",
                "channel": "meeting",
                "category_id": self.cat_facilities.id,
                "student_ids": [(6, 0, (self.student | self.student_b).ids)],
                "course_ids": [(6, 0, (self.course_a | self.course_b).ids)],
            }
        )
        self.assertEqual(meeting.archive_ids, self.archive | self.archive_b)
        deadlines = self.env["training.archive.deadline"].search(
            [("feedback_id", "=", meeting.id)]
        )
        self.assertEqual(deadlines.archive_id, self.archive | self.archive_b)
        self.assertEqual(set(deadlines.mapped("state")), {"done"})
        # A second ticket of the same student gets its own deadline.
        self.assertEqual(
            self.env["training.archive.deadline"].search_count(
                [("kind", "=", "feedback"), ("archive_id", "=", self.archive.id)]
            ),
            2,
        )

    def test_student_linked_late(self):
        """FB-09, ARC-05: a call from an unknown number is linked to the student two
        working days later: the archive deadline is met, but late."""
        ticket = self.Feedback.with_user(self.user_customer_service).create(
            {"name": "Call from an unknown number", "channel": "phone"}
        )
        self.assertFalse(ticket.archive_ids)
        with freeze_time("2026-03-11 03:00:00"):
            ticket.with_user(self.user_customer_service).submitter_id = self.student
            deadline = self.env["training.archive.deadline"].search(
                [("feedback_id", "=", ticket.id)]
            )
            self.assertEqual(deadline.state, "done")
            self.assertTrue(deadline.is_late)

    def test_review_invalid_and_duplicates(self):
        """FB-03: an invalid ticket needs its reason; a duplicate is merged into the
        first ticket, which then speaks for both students."""
        first = self._phone_ticket()
        second = self._phone_ticket(partner=self.student_b)
        spam = self._phone_ticket(name="Advertising")
        agent = self.user_customer_service
        spam.with_user(agent).action_review()
        with self.assertRaises(UserError):
            spam.with_user(agent).action_set_invalid()
        self.assertEqual(spam.state, "review")
        spam.with_user(agent).invalid_reason = "Advertising, not feedback."
        spam.with_user(agent).action_set_invalid()
        self.assertEqual(spam.state, "invalid")

        second.with_user(agent).duplicate_of_id = first
        second.with_user(agent).action_merge()
        self.assertEqual(second.state, "invalid")
        self.assertEqual(second.duplicate_of_id, first)
        self.assertIn(self.student_b, first.student_ids)
        self.assertEqual(first.archive_ids, self.archive | self.archive_b)
        with self.assertRaises(UserError):
            first.with_user(agent).action_merge_into(spam)

    def test_plan_actions_result_and_rating(self):
        """FB-04, FB-05, FB-06: the plan needs an owner and goes to the student by
        e-mail; the owner's follow-up actions must be done before the result is sent
        by e-mail with a rating request; a low rating reopens the ticket for review,
        a good one closes it."""
        ticket = self._phone_ticket()
        agent = ticket.with_user(self.user_customer_service)
        agent.action_review()
        with self.assertRaises(UserError):
            agent.action_plan()  # no plan, no owner
        agent.plan = "<p>We talk to the teacher this week.</p>"
        with self.assertRaises(UserError):
            agent.action_plan()  # no owner
        agent.user_id = self.user_teacher2
        with self.mock_mail_gateway():
            agent.action_plan()
        self.assertEqual(ticket.state, "planned")
        self.assertEqual(ticket.sla_state, "ok")
        self.assertTrue(ticket.ack_date)
        self.assertTrue(
            self._new_mails.filtered(lambda m: self.student in m.recipient_ids),
            "the plan is e-mailed to the student",
        )

        owner = ticket.with_user(self.user_teacher2)
        owner.action_start()
        action = (
            self.env["training.feedback.action"]
            .with_user(self.user_teacher2)
            .create(
                {
                    "feedback_id": ticket.id,
                    "name": "Meet the teacher",
                    "user_id": self.user_teacher2.id,
                    "date_deadline": "2026-03-12",
                }
            )
        )
        self.assertEqual(action.activity_id.user_id, self.user_teacher2)
        owner.result = "<p>The teacher apologised; lessons start on time.</p>"
        with self.assertRaises(UserError):
            owner.action_resolve()
        action.note = "Met on Tuesday."
        action.action_done()
        self.assertFalse(action.activity_id.exists())
        with self.mock_mail_gateway():
            owner.action_resolve()
        self.assertEqual(ticket.state, "resolved")
        mails = self._new_mails.filtered(lambda m: self.student in m.recipient_ids)
        self.assertTrue(mails.filtered(lambda m: "/rate/" in m.body_html))
        self.assertTrue(mails.filtered(lambda m: "apologised" in (m.body_html or "")))

        # The student rates through the e-mail's link (public controller: sudo).
        token = ticket.sudo()._rating_get_access_token()
        ticket.sudo().rating_apply(1, token=token, feedback="Still late.")
        self.assertEqual(ticket.state, "review")
        self.assertEqual(ticket.rating_score, 1)

        ticket.with_user(self.user_customer_service).action_plan()
        ticket.with_user(self.user_teacher2).action_resolve()
        token = ticket.sudo()._rating_get_access_token()
        ticket.sudo().rating_apply(5, token=token)
        self.assertEqual(ticket.state, "closed")
        self.assertEqual(ticket.rating_score, 5)

    def test_result_by_sms_and_timeout(self):
        """FB-06: the student who chose SMS gets the result by SMS; a resolved ticket
        nobody rated is closed by the scheduled action after the delay, once."""
        self.student.mobile = "+86 139 0000 0101"
        ticket = self._plan(self._phone_ticket(contact_by="sms"))
        ticket.result = "<p>Fixed.</p>"
        ticket.with_user(self.user_customer_service).action_resolve()
        sms = self.env["sms.sms"].search([("partner_id", "=", self.student.id)])
        self.assertTrue(sms.filtered(lambda s: "Fixed." in s.body))
        self.assertEqual(sms[-1].number, "+86 139 0000 0101")
        self.Feedback._cron_close_resolved()
        self.assertEqual(ticket.state, "resolved")
        with freeze_time(datetime(2026, 3, 9, 2, 0) + timedelta(days=7)):
            self.Feedback._cron_close_resolved()
            self.assertEqual(ticket.state, "closed")

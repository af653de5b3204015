"""Issue 14, bullets 2 and 6: everyone a ticket concerns is answered, announcements
can be made again, staff taken off a ticket stop following it.

The outside world is mocked: the mail gateway (``MockEmail``: the e-mails created
are in ``self._new_mails``) and the SMS gateway (``MockSMS``: the SMS created are in
``self._new_sms``, those sent through IAP in ``self._sms``).
"""

from odoo.tests import freeze_time, tagged

from odoo.addons.mail.tests.common import MockEmail
from odoo.addons.sms.tests.common import MockSMS

from .common import TrainingFeedbackCommon

RAW_UNKNOWN = """Return-Path: <wang.wu@example.org>
To: complaints@school.example.com
From: Wang Wu <wang.wu@example.org>
Subject: Nobody answers the phone at the front desk
Message-ID: <feedback-unknown-1@example.org>
Date: Mon, 09 Mar 2026 10:00:00 +0800
MIME-Version: 1.0
Content-Type: text/plain; charset="utf-8"
Content-Transfer-Encoding: 7bit

I called five times yesterday.
"""

RESULT_SUBJECT = "Result of your feedback"


@tagged("post_install", "-at_install")
@freeze_time("2026-03-09 02:00:00")  # Monday 10:00 in Shanghai
class TestFeedbackAnswers(TrainingFeedbackCommon, MockEmail, MockSMS):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.agent = cls.user_customer_service

    # -- helpers ----------------------------------------------------------------------

    def _resolve(self, ticket, result="<p>The heating works again.</p>"):
        ticket = ticket.with_user(self.agent)
        ticket.result = result
        ticket.action_resolve()

    def _mails_to(self, partner, subject):
        """The e-mails created for ``partner`` whose subject contains ``subject``."""
        return self._new_mails.filtered(
            lambda m: partner in m.recipient_ids and subject in (m.subject or "")
        )

    def _rating_mails_to(self, partner):
        return self._new_mails.filtered(
            lambda m: partner in m.recipient_ids and "/rate/" in (m.body_html or "")
        )

    # -- who is answered (FB-06, FB-03) -------------------------------------------

    def test_collective_ticket_answers_every_student(self):
        """FB-01, FB-06: the result of a representative-meeting ticket (no submitter,
        two students named) reaches each of the two students, and each gets a rating
        request with a token of their own; today nobody was answered."""
        meeting = self.Feedback.with_user(self.agent).create(
            {
                "name": "Class meeting: room too cold",
                "channel": "meeting",
                "category_id": self.cat_facilities.id,
                "student_ids": [(6, 0, (self.student | self.student_b).ids)],
                "course_id": self.course_a.id,
            }
        )
        with self.mock_mail_gateway():
            self._plan(meeting)
            self._resolve(meeting)
        for student in self.student | self.student_b:
            # One result e-mail and one rating request each, never two.
            self.assertEqual(len(self._mails_to(student, RESULT_SUBJECT)), 1)
            self.assertEqual(len(self._rating_mails_to(student)), 1)
            self.assertIn(
                "heating works again",
                self._mails_to(student, RESULT_SUBJECT).body_html,
            )
        ratings = self.env["rating.rating"].search(
            [("res_model", "=", "training.feedback"), ("res_id", "=", meeting.id)]
        )
        # Two ratings, one per student, each token in that student's e-mail only.
        self.assertEqual(ratings.partner_id, self.student | self.student_b)
        for rating in ratings:
            self.assertIn(
                rating.access_token, self._rating_mails_to(rating.partner_id).body_html
            )
            other = (self.student | self.student_b) - rating.partner_id
            self.assertNotIn(
                rating.access_token, self._rating_mails_to(other).body_html
            )

    def test_merged_duplicates_answered_once_anonymous_privately(self):
        """FB-03, FB-06: the students of duplicates merged into a ticket are told of
        the merge and get its result: Han Meimei (a named duplicate), Wang Fang
        (an anonymous duplicate, answered privately: no chatter message, no follower,
        a rating naming nobody), and Li Lei, who submitted the master and a duplicate,
        gets the result once."""
        self.student_no_contact.email = "wang.fang@example.com"
        master = self._phone_ticket()
        same_student = self._phone_ticket()
        named = self._phone_ticket(partner=self.student_b)
        anonymous = self._phone_ticket(
            partner=self.student_no_contact, is_anonymous=True
        )
        with self.mock_mail_gateway():
            (same_student | named | anonymous).with_user(self.agent).action_merge_into(
                master
            )
        # Each duplicate's student is told the merge, once: Li Lei (same_student),
        # Han Meimei (named), Wang Fang (anonymous) = 3 e-mails.
        merge = "Your feedback"
        self.assertEqual(len(self._mails_to(self.student, merge)), 1)
        self.assertEqual(len(self._mails_to(self.student_b, merge)), 1)
        self.assertEqual(len(self._mails_to(self.student_no_contact, merge)), 1)
        self.assertIn(master.reference, self._mails_to(self.student_b, merge).body_html)

        with self.mock_mail_gateway():
            self._plan(master)
            self._resolve(master)
        for student in self.student | self.student_b | self.student_no_contact:
            self.assertEqual(len(self._mails_to(student, RESULT_SUBJECT)), 1)
            self.assertEqual(len(self._rating_mails_to(student)), 1)

        # Wang Fang stays hidden: in no message others read, following nothing, and
        # her rating (if any) names nobody.
        public = self.env["mail.message"].search(
            [
                ("model", "=", "training.feedback"),
                ("res_id", "in", (master | anonymous).ids),
                ("message_type", "!=", "user_notification"),
            ]
        )
        self.assertNotIn(self.student_no_contact, public.partner_ids)
        self.assertNotIn(self.student_no_contact, public.author_id)
        self.assertNotIn(self.student_no_contact, master.message_partner_ids)
        ratings = self.env["rating.rating"].search(
            [("res_model", "=", "training.feedback"), ("res_id", "=", master.id)]
        )
        # Li Lei and Han Meimei named, Wang Fang's rating anonymous: 3 ratings.
        self.assertEqual(len(ratings), 3)
        self.assertEqual(ratings.partner_id, self.student | self.student_b)

    def test_unknown_sender_answered_at_their_address(self):
        """FB-01, FB-06: an e-mail from an address that matches no contact keeps the
        address on the ticket; the plan, the result and the rating request are sent
        to it."""
        domain = self.env["mail.alias.domain"].create({"name": "school.example.com"})
        self.company.alias_domain_id = domain
        self.cat_facilities.with_user(self.user_management).write(
            {"alias_name": "complaints", "alias_domain_id": domain.id}
        )
        with self.mock_mail_gateway():
            thread_id = (
                self.env["mail.thread"].sudo().message_process(None, RAW_UNKNOWN)
            )
        ticket = self.Feedback.browse(thread_id)
        self.assertFalse(ticket.submitter_id)
        self.assertEqual(ticket.submitter_email, "wang.wu@example.org")
        with self.mock_mail_gateway():
            self._plan(ticket)
            self._resolve(ticket)
        to_sender = self._new_mails.filtered(
            lambda m: m.email_to == "wang.wu@example.org"
        )
        # The plan, the result and the rating request: 3 e-mails.
        self.assertEqual(len(to_sender), 3)
        result = to_sender.filtered(lambda m: RESULT_SUBJECT in m.subject)
        self.assertIn("heating works again", result.body_html)
        rating_mail = to_sender.filtered(lambda m: "/rate/" in m.body_html)
        rating = self.env["rating.rating"].search(
            [("res_model", "=", "training.feedback"), ("res_id", "=", ticket.id)]
        )
        self.assertEqual(len(rating), 1)
        self.assertIn(rating.access_token, rating_mail.body_html)
        # Replies come back to the ticket: the e-mails carry its message ids.
        self.assertEqual(result.mail_message_id.res_id, ticket.id)

    def test_phone_caller_without_email_gets_sms(self):
        """FB-01, FB-06: a caller without e-mail (Zhang Xiaoming, mobile only, the
        ticket left on "E-mail") gets the result and a rating link by SMS, and so
        does a caller known by number only."""
        known = self._phone_ticket(partner=self.student_minor)
        unknown = self.Feedback.with_user(self.agent).create(
            {
                "name": "Call from an unknown number",
                "channel": "phone",
                "submitter_phone": "+86 139 0000 0404",
            }
        )
        with self.mockSMSGateway():
            for ticket in known | unknown:
                self._plan(ticket)
                self._resolve(ticket)
        for number in ("+86 139 0000 0202", "+86 139 0000 0404"):
            sms = self._new_sms.filtered(lambda s, n=number: s.number == n)
            self.assertTrue(
                sms.filtered(lambda s: "heating works again" in s.body),
                f"the result reaches {number}",
            )
            self.assertTrue(
                sms.filtered(lambda s: "/rate/" in s.body),
                f"a rating link reaches {number}",
            )
        # Zhang Xiaoming's rating is his, the unknown caller's names nobody.
        ratings = self.env["rating.rating"].search(
            [("res_model", "=", "training.feedback"), ("res_id", "=", unknown.id)]
        )
        self.assertEqual(len(ratings), 1)
        self.assertFalse(ratings.partner_id)

    def test_invalid_ticket_tells_the_reason(self):
        """FB-03: the student of a ticket declared invalid is told why."""
        spam = self._phone_ticket(name="Advertising")
        spam.with_user(self.agent).action_review()
        spam.with_user(self.agent).invalid_reason = "Not about our courses."
        with self.mock_mail_gateway():
            spam.with_user(self.agent).action_set_invalid()
        mail = self._mails_to(self.student, spam.reference)
        self.assertEqual(len(mail), 1)
        self.assertIn("Not about our courses.", mail.body_html)

    # -- announcements (FB-05) ----------------------------------------------------

    def test_second_announcement_reaches_the_students(self):
        """FB-05: a second change announced on the same ticket is its own
        announcement: both students get it and answer it apart from the first;
        announcing the same text again sends nothing."""
        ticket = self._plan(self._phone_ticket()).with_user(self.agent)
        ticket.announcement = "<p>English A1 moves to room 5.</p>"
        with self.mock_mail_gateway():
            ticket.action_announce()
        ticket.announcement = "<p>English A1 is taught by a new teacher.</p>"
        with self.mock_mail_gateway():
            ticket.action_announce()
        self.assertEqual(len(self._new_mails), 2)
        self.assertEqual(self._new_mails.recipient_ids, self.student | self.student_b)
        self.assertTrue(
            all("new teacher" in mail.body_html for mail in self._new_mails)
        )
        first, second = ticket.announcement_ids.sorted("id")
        self.assertIn("room 5", first.body)
        self.assertIn("new teacher", second.body)
        # 2 announcements x 2 students = 4 opinions, one per student and announcement.
        self.assertEqual(len(ticket.opinion_ids), 4)
        self.assertEqual(second.opinion_ids.partner_id, self.student | self.student_b)
        second.opinion_ids[0].sudo()._record_answer("disagree", "Keep the teacher.")
        self.assertFalse(first.opinion_ids.filtered("answer"))
        with self.mock_mail_gateway():
            ticket.action_announce()
        self.assertFalse(self._new_mails)
        self.assertEqual(len(ticket.announcement_ids), 2)

    # -- followers ------------------------------------------------------------------

    def test_removed_staff_stop_following(self):
        """FB-04: the owner replaced and the teacher no longer shared stop following
        the ticket; the student and the new owner follow it."""
        ticket = self._plan(self._phone_ticket(), owner=self.user_teacher2)
        ticket.with_user(self.agent).action_share_with_teacher()
        followers = ticket.message_partner_ids
        self.assertIn(self.user_teacher2.partner_id, followers)
        self.assertIn(self.user_teacher.partner_id, followers)
        ticket.with_user(self.agent).write(
            {"user_id": self.agent.id, "shared_user_ids": [(5,)]}
        )
        followers = ticket.message_partner_ids
        self.assertNotIn(self.user_teacher2.partner_id, followers)
        self.assertNotIn(self.user_teacher.partner_id, followers)
        self.assertIn(self.agent.partner_id, followers)
        self.assertIn(self.student, followers)

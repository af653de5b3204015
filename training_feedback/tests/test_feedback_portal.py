import re

from odoo.tests import HttpCase, tagged

from .common import TrainingFeedbackCommon


@tagged("post_install", "-at_install")
class TestFeedbackPortalHttp(TrainingFeedbackCommon, HttpCase):
    def _csrf(self, url):
        page = self.url_open(url)
        self.assertEqual(page.status_code, 200)
        return re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)

    def test_portal_submission_anonymous(self):
        """FB-01, privacy: a logged-in student submits anonymous feedback on the
        portal; the ticket knows the student for the service team only: no student,
        no archive link, neither its creator nor a message names them; the student
        follows it on /my/feedback, another student cannot open it."""
        self.authenticate("fb_student", "fb_student")
        token = self._csrf("/my/feedback/new")
        response = self.url_open(
            "/my/feedback/new",
            data={
                "csrf_token": token,
                "name": "Unfair marking",
                "category_id": self.cat_teaching.id,
                "course_id": self.course_a.id,
                "description": "The last test was marked unfairly.",
                "anonymous": "on",
                "urgent": "on",
            },
        )
        self.assertEqual(response.status_code, 200)
        ticket = self.Feedback.search([("name", "=", "Unfair marking")])
        self.assertEqual(len(ticket), 1)
        self.assertTrue(ticket.is_anonymous)
        self.assertEqual(ticket.channel, "portal")
        self.assertEqual(ticket.priority, "1")
        self.assertEqual(ticket.submitter_id, self.student)
        self.assertFalse(ticket.partner_id)
        self.assertFalse(ticket.archive_ids)
        self.assertNotEqual(ticket.create_uid, self.student_portal_user)
        self.assertNotIn(self.student, ticket.message_ids.author_id)
        self.assertNotIn(self.student, ticket.message_partner_ids)
        self.assertIn(f"/my/feedback/{ticket.id}", response.url)
        listing = self.url_open("/my/feedback")
        self.assertIn("Unfair marking", listing.text)

        self.authenticate("fb_other_student", "fb_other_student")
        detail = self.url_open(f"/my/feedback/{ticket.id}")
        self.assertNotIn("Unfair marking", detail.text)
        self.assertNotIn("Unfair marking", self.url_open("/my/feedback").text)

    def test_portal_submission_errors(self):
        """FB-01: a submission without subject or category is refused with a clear
        message and creates nothing."""
        self.authenticate("fb_student", "fb_student")
        token = self._csrf("/my/feedback/new")
        count = self.Feedback.search_count([])
        response = self.url_open(
            "/my/feedback/new", data={"csrf_token": token, "name": " "}
        )
        self.assertIn("Give your feedback a subject.", response.text)
        self.assertIn("Choose a category.", response.text)
        self.assertEqual(self.Feedback.search_count([]), count)

    def test_announcement_and_opinions(self):
        """FB-05: a major change is announced to every student of the course by
        e-mail with a link; a student's opinion given through the link is kept on the
        ticket; announcing again asks nobody twice."""
        ticket = self._plan(self._phone_ticket())
        ticket.with_user(
            self.user_customer_service
        ).announcement = "<p>From next week English A1 is taught by a new teacher.</p>"
        ticket.with_user(self.user_customer_service).action_announce()
        self.assertEqual(ticket.opinion_ids.partner_id, self.student | self.student_b)
        mails = self.env["mail.mail"].search(
            [("model", "=", "training.feedback.opinion")]
        )
        self.assertEqual(mails.recipient_ids, self.student | self.student_b)
        opinion = ticket.opinion_ids.filtered(lambda o: o.partner_id == self.student_b)
        url = f"/feedback/opinion/{opinion.access_token}"
        token = self._csrf(url)
        response = self.url_open(
            url, data={"csrf_token": token, "answer": "agree", "comment": "Fine."}
        )
        self.assertIn("your opinion was recorded", response.text)
        opinion.invalidate_recordset()
        self.assertEqual(opinion.answer, "agree")
        self.assertEqual(opinion.comment, "Fine.")
        ticket.with_user(self.user_customer_service).action_announce()
        self.assertEqual(len(ticket.opinion_ids), 2)
        self.assertEqual(
            self.url_open("/feedback/opinion/wrong-token").status_code, 404
        )

    def test_result_and_rating_on_portal(self):
        """FB-06: the student reads the result on the portal and rates the handling
        there; the rating closes the ticket."""
        ticket = self._plan(self._phone_ticket())
        ticket.result = "<p>The teacher now starts on time.</p>"
        ticket.with_user(self.user_customer_service).action_resolve()
        self.authenticate("fb_student", "fb_student")
        page = self.url_open(f"/my/feedback/{ticket.id}")
        self.assertIn("The teacher now starts on time.", page.text)
        link = re.search(r'href="(/rate/([^"/]+)/5)"', page.text)
        # The link opens rating's confirmation page, whose form applies the rating.
        csrf = self._csrf(link.group(1))
        self.url_open(
            f"/rate/{link.group(2)}/submit_feedback",
            data={"csrf_token": csrf, "rate": 5, "feedback": "Thank you."},
        )
        ticket.invalidate_recordset()
        self.assertEqual(ticket.state, "closed")
        self.assertEqual(ticket.rating_score, 5)

from odoo.tests import tagged

from odoo.addons.mail.tests.common import MockEmail

from .common import TrainingFeedbackCommon

RAW = """Return-Path: <li.lei@example.com>
To: complaints@school.example.com
From: Li Lei <li.lei@example.com>
Subject: The heating of room 3 is broken
Message-ID: <feedback-1@example.com>
Date: Mon, 09 Mar 2026 10:00:00 +0800
MIME-Version: 1.0
Content-Type: text/plain; charset="utf-8"
Content-Transfer-Encoding: 7bit

Room 3 has been cold for a week.
"""


@tagged("post_install", "-at_install")
class TestFeedbackMailGateway(TrainingFeedbackCommon, MockEmail):
    def test_email_alias_creates_ticket(self):
        """FB-01, FB-02, FB-09: an e-mail to a category's alias becomes a ticket of
        that category, from the e-mail channel, submitted by the known student and
        recorded in their archive."""
        domain = self.env["mail.alias.domain"].create({"name": "school.example.com"})
        self.company.alias_domain_id = domain
        self.cat_facilities.with_user(self.user_management).write(
            {"alias_name": "complaints", "alias_domain_id": domain.id}
        )
        self.assertEqual(
            self.cat_facilities.alias_email, "complaints@school.example.com"
        )
        with self.mock_mail_gateway():
            thread_id = self.env["mail.thread"].sudo().message_process(None, RAW)
        ticket = self.Feedback.browse(thread_id)
        self.assertEqual(ticket.name, "The heating of room 3 is broken")
        self.assertEqual(ticket.channel, "email")
        self.assertEqual(ticket.category_id, self.cat_facilities)
        self.assertEqual(ticket.submitter_id, self.student)
        self.assertEqual(ticket.archive_ids, self.archive)
        self.assertIn("cold for a week", ticket.description)
        self.assertIn(self.student, ticket.message_partner_ids)

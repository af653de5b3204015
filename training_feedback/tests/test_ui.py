"""Browser tests: a student gives feedback on the portal (desktop and phone size) and
a service agent takes a ticket to resolution in the web client (tours in
``static/tests/tours/training_feedback_tour.js``). The data is created here."""

from odoo.tests import HttpCase, new_test_user, tagged

SERVICE_GROUPS = (
    "base.group_user,"
    "training_student_archive.training_student_archive_group_customer_service"
)


class FeedbackPortalTourMixin:
    def setUp(self):
        super().setUp()
        self.student = self.env["res.partner"].create(
            {"name": "Tour Student", "email": "tour.student@example.com"}
        )
        self.portal_user = new_test_user(
            self.env,
            login="tour_fb_student",
            groups="base.group_portal",
            partner_id=self.student.id,
            name="Tour Student",
            email="tour.student@example.com",
        )

    def _submit_on_portal(self):
        self.start_tour(
            "/my/feedback", "training_feedback_portal_tour", login="tour_fb_student"
        )
        ticket = self.env["training.feedback"].search(
            [("name", "=", "Broken projector in room 2")]
        )
        self.assertEqual(len(ticket), 1)
        self.assertEqual(ticket.channel, "portal")
        self.assertTrue(ticket.is_anonymous)
        self.assertEqual(ticket.submitter_id, self.student)
        self.assertFalse(ticket.partner_id)
        self.assertEqual(
            ticket.category_id,
            self.env.ref("training_feedback.training_feedback_category_facilities"),
        )


@tagged("post_install", "-at_install")
class TestFeedbackPortalTourDesktop(FeedbackPortalTourMixin, HttpCase):
    def test_portal_feedback_desktop(self):
        """FB-01, FB-04: a student gives anonymous feedback on the portal and finds
        it in the list of their feedback."""
        self._submit_on_portal()


@tagged("post_install", "-at_install")
class TestFeedbackPortalTourMobile(FeedbackPortalTourMixin, HttpCase):
    browser_size = "375x667"
    touch_enabled = True

    def test_portal_feedback_mobile(self):
        """FB-01, FB-04, X-02: the same submission on a phone-sized screen."""
        self._submit_on_portal()


@tagged("post_install", "-at_install")
class TestFeedbackAgentTour(HttpCase):
    def test_agent_resolves_ticket(self):
        """FB-03, FB-04, FB-06: a service agent reviews a ticket, sends the plan,
        handles it and sends the result in the web client: it is resolved and the
        student got the plan and the result."""
        agent = new_test_user(
            self.env, login="tour_fb_agent", name="Tour Agent", groups=SERVICE_GROUPS
        )
        student = self.env["res.partner"].create(
            {"name": "Tour Student", "email": "tour.student@example.com"}
        )
        ticket = self.env["training.feedback"].create(
            {
                "name": "Tour: noisy corridor",
                "channel": "phone",
                "submitter_id": student.id,
                "user_id": agent.id,
            }
        )
        self.start_tour(
            "/odoo/action-training_feedback.training_feedback_action",
            "training_feedback_agent_tour",
            login="tour_fb_agent",
        )
        self.assertEqual(ticket.state, "resolved")
        self.assertIn("corridor doors", ticket.plan)
        self.assertIn("quiet", ticket.result)
        sent = ticket.message_ids.filtered(
            lambda m: student in m.partner_ids and m.message_type == "comment"
        )
        self.assertEqual(len(sent), 2)

"""The student's side (RET-02, RET-07) in the browser: the withdrawal application
from the portal to the posted credit note, on a desktop and on a phone screen
(tour ``training_retention_portal_withdrawal_tour``).

The clock is not frozen here: a frozen clock stalls the browser's timers. The dates
of the data are fixed (enrolled 2025-03-01, started 2025-03-07), so the refund is the
same whatever the day the test runs."""

from odoo import Command
from odoo.tests import HttpCase, tagged

from .common import RetentionCommon


class PortalWithdrawalMixin:
    def _walk_withdrawal(self):
        enrollment = self._enrolled()
        self._invoice(enrollment, paid=4000.0)
        self._consume(enrollment, 10)
        self.policy.terms = "<p>Test standard policy terms.</p>"
        self.env.flush_all()

        self.start_tour(
            "/my",
            "training_retention_portal_withdrawal_tour",
            login="trn_portal_student",
        )

        case = self.env["training.attrition.case"].search(
            [("partner_id", "=", self.student.id)]
        )
        self.assertRecordValues(
            case,
            [
                {
                    "origin": "portal",
                    "case_type": "withdrawal",
                    "state": "to_approve",
                    "description": "New job with evening shifts.",
                    "amount_refund": 2850.0,
                }
            ],
        )
        self.assertEqual(case.enrollment_ids, enrollment)
        self.assertEqual(case.reason_id.name, "Financial difficulties")
        self._approve_all(case)
        self.assertEqual(case.sudo().refund_move_ids.state, "posted")
        self.assertEqual(enrollment.state, "withdrawn")

        # The student sees the credit note on the application's page.
        self.authenticate("trn_portal_student", "trn_portal_student")
        page = self.url_open(f"/my/attrition/{case.id}").text
        self.assertIn(case.sudo().refund_move_ids.name, page)
        self.assertIn("2,850.00", page)
        # The refund policy page, before any enrolment.
        policy_page = self.url_open("/training/refund-policy").text
        self.assertIn("Test standard policy terms.", policy_page)
        # Not somebody else's application.
        other = case.copy(
            {"partner_id": self.student_b.id, "enrollment_ids": [Command.clear()]}
        )
        response = self.url_open(f"/my/attrition/{other.id}", allow_redirects=False)
        self.assertEqual(response.status_code, 303)


@tagged("post_install", "-at_install")
class TestPortalWithdrawalDesktop(PortalWithdrawalMixin, RetentionCommon, HttpCase):
    def test_portal_withdrawal_desktop(self):
        """RET-02, RET-07, X-04: the student applies on the portal (refund policy
        shown), the application goes to the tiers; approved, the credit note is
        posted and shown to the student on the portal; another student's case is not."""
        self._walk_withdrawal()


@tagged("post_install", "-at_install")
class TestPortalWithdrawalMobile(PortalWithdrawalMixin, RetentionCommon, HttpCase):
    browser_size = "375x667"
    touch_enabled = True

    def test_portal_withdrawal_mobile(self):
        """RET-02, RET-07, X-04: the same application on a phone-sized screen."""
        self._walk_withdrawal()

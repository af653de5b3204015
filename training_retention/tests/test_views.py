"""The retention screens open for every role that has the menu, on the real views."""

from odoo.tests import freeze_time, tagged

from .common import RetentionCommon

VIEW_TYPES = ("list", "form", "kanban", "search", "pivot", "graph")


@tagged("post_install", "-at_install")
@freeze_time("2025-04-15 08:00:00")
class TestRetentionViews(RetentionCommon):
    def test_views_per_role(self):
        """RET-01, RET-07, X-03: customer service, finance, management and teachers
        load the case views (list, form with the approvals, kanban, search, pivot,
        graph); finance the policy views; teachers the violation views."""
        Case = self.env["training.attrition.case"]
        for user in (
            self.user_customer_service,
            self.user_finance,
            self.user_management,
            self.user_teacher,
        ):
            views = Case.with_user(user).get_views([(False, v) for v in VIEW_TYPES])
            form = views["views"]["form"]["arch"]
            self.assertIn("review_ids", form)
            self.assertIn("statement_line_ids", form)
        self.env["training.refund.policy"].with_user(self.user_finance).get_views(
            [(False, "list"), (False, "form")]
        )
        self.env["training.violation"].with_user(self.user_teacher).get_views(
            [(False, "list"), (False, "form"), (False, "kanban")]
        )

    def test_closed_case_still_opens(self):
        """RET-02: once the archive is sealed, customer service still opens the
        closed case (the form reads the archive's name)."""
        enrollment = self._enrolled()
        self._invoice(enrollment, paid=4000.0)
        case = self._case(enrollment)
        case.action_submit()
        self._approve_all(case)
        case.with_user(self.user_customer_service).action_close()
        self._end_request()
        self.assertEqual(enrollment.archive_id.state, "sealed")
        data = case.with_user(self.user_customer_service).web_read(
            {
                "archive_id": {"fields": {"display_name": {}}},
                "state": {},
                "has_refund": {},
                "refund_state": {},
                "statement_line_ids": {"fields": {"name": {}, "amount": {}}},
            }
        )
        self.assertEqual(data[0]["state"], "done")

    def test_printed_statement_and_policy(self):
        """RET-07, X-06: the refund statement and the refund policy print with every
        line of the computation and the policy's terms."""
        enrollment = self._enrolled()
        self._invoice(enrollment, paid=4000.0)
        self._consume(enrollment, 10)
        case = self._case(enrollment)
        case.action_compute_refund()
        Report = self.env["ir.actions.report"]
        html = Report._render_qweb_html(
            "training_retention.action_report_refund_statement", case.ids
        )[0].decode()
        for line in case.statement_line_ids:
            self.assertIn(line.name.split(":")[0], html)
        self.assertIn("2,850.00", html)
        self.policy.terms = "<p>Refunds are paid within a week.</p>"
        html = Report._render_qweb_html(
            "training_retention.action_report_refund_policy", self.policy.ids
        )[0].decode()
        self.assertIn("Refunds are paid within a week.", html)
        self.assertIn("Administrative fee", html)

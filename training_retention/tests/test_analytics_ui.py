"""Browser tests of the attrition analytics (tours of
``static/tests/tours/training_retention_analytics_tour.js``), desktop and phone."""

from datetime import date

from dateutil.relativedelta import relativedelta

from odoo.tests import HttpCase, new_test_user, tagged

CS_GROUPS = (
    "base.group_user,"
    "training_student_archive.training_student_archive_group_customer_service"
)


class AnalyticsTourMixin:
    """One enrolment of "Tour Course" (foundation stage) enrolled and withdrawn in
    January 2025: 1 enrolled, 1 lost, 100 % that month; an alert of "Tour rule".
    Another enrolled and withdrawn last month: the dashboard shows the last 12
    months of the browser's clock, which no test freezes."""

    def setUp(self):
        super().setUp()
        self.user = new_test_user(
            self.env, login="tour_service", name="Tour Service", groups=CS_GROUPS
        )
        # A company of its own: the demo data's figures stay out of it.
        self.company = self.env["res.company"].create({"name": "Tour School"})
        course = self.env["training.course"].create(
            {
                "name": "Tour Course",
                "code": "TOURA",
                "stage_id": self.env.ref(
                    "training_student_archive.course_stage_foundation"
                ).id,
                "company_id": self.company.id,
            }
        )
        self.user.write(
            {"company_ids": [(4, self.company.id)], "company_id": self.company.id}
        )
        self.env["training.enrollment"].create(
            {
                "partner_id": self.env["res.partner"].create({"name": "Tour S"}).id,
                "course_id": course.id,
                "company_id": self.company.id,
                "start_date": "2025-01-06",
                "confirm_date": "2025-01-06 09:00:00",
                "state": "withdrawn",
                "closed_date": "2025-01-20",
            }
        )
        last_month = date.today().replace(day=1) - relativedelta(months=1)
        self.env["training.enrollment"].create(
            {
                "partner_id": self.env["res.partner"].create({"name": "Tour T"}).id,
                "course_id": course.id,
                "company_id": self.company.id,
                "start_date": last_month,
                "confirm_date": f"{last_month} 09:00:00",
                "state": "withdrawn",
                "closed_date": last_month + relativedelta(days=10),
            }
        )
        self.env["training.attrition.report.rate"]._refresh()
        rule = self.env["training.attrition.alert.rule"].create(
            {
                "name": "Tour rule",
                "company_id": self.company.id,
                "period_type": "month",
                "rule_type": "threshold",
                "threshold": 50.0,
                "consecutive_periods": 1,
                "min_enrolled": 1,
                "user_ids": [(6, 0, self.user.ids)],
            }
        )
        self.alert = rule._evaluate(today=date(2025, 2, 3))

    def _walk(self):
        self.assertEqual(len(self.alert), 1)
        self.start_tour(
            "/odoo/action-training_retention.training_attrition_report_rate_action",
            "training_retention_rates_tour",
            login=self.user.login,
        )
        self.start_tour(
            "/odoo/action-training_retention.training_attrition_alert_action",
            "training_retention_alert_tour",
            login=self.user.login,
        )
        self.assertEqual(self.alert.state, "investigating")
        self.start_tour(
            "/odoo/action-training_retention.training_attrition_report_type_action",
            "training_retention_dashboard_tour",
            login=self.user.login,
        )


@tagged("post_install", "-at_install")
class TestAnalyticsTourDesktop(AnalyticsTourMixin, HttpCase):
    def test_rates_and_alert_desktop(self):
        """RET-08, RET-09, RET-11: customer service opens the attrition rates
        pivot (the rate of the foundation stage per month), takes up an alert and
        reads the dashboard: last month's rate stacked by type, then its pivot
        (withdrawal: 100 %)."""
        self._walk()


@tagged("post_install", "-at_install")
class TestAnalyticsTourMobile(AnalyticsTourMixin, HttpCase):
    browser_size = "375x667"
    touch_enabled = True

    def test_rates_and_alert_mobile(self):
        """RET-08, RET-09, RET-11: the same on a phone-sized screen (alert
        kanban, views switched from the control panel's menu)."""
        self._walk()

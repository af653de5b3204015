"""Attrition analytics (RET-08): rates per period, course, stage and channel, and
retention cohorts, on the fixed data set of :mod:`.common_analytics` whose figures
are computed by hand in each test."""

from odoo import Command
from odoo.exceptions import AccessError
from odoo.tests import freeze_time, new_test_user, tagged

from odoo.addons.training_student_archive.tests.common import group

from .common_analytics import AttritionDataCommon


@tagged("post_install", "-at_install")
@freeze_time("2025-07-01 08:00:00")
class TestAttritionAnalytics(AttritionDataCommon):
    def _rates(self, period_type, groupby, domain=(), user=None):
        """Figures of the rate report grouped by ``groupby``, as the pivot reads them,
        by customer service."""
        Report = self.env["training.attrition.report.rate"].with_user(
            user or self.user_customer_service
        )
        groups = Report.read_group(
            [
                ("period_type", "=", period_type),
                ("company_id", "=", self.company.id),
                *domain,
            ],
            [
                "enrolled:sum",
                "enrolled_start:sum",
                "enrolled_new:sum",
                "lost:sum",
                "lost_active:sum",
                "lost_passive:sum",
                "lost_withdrawal:sum",
                "lost_transfer:sum",
                "lost_arrears:sum",
                "lost_disciplinary:sum",
                "lost_force_majeure:sum",
                "completed:sum",
                "rate",
                "rate_active",
                "rate_passive",
            ],
            [groupby],
            lazy=False,
        )
        result = {}
        for row in groups:
            value = row[groupby]
            result[value[1] if isinstance(value, tuple) else value] = row
        return result

    def assertFigures(self, row, enrolled, lost, rate, **more):
        self.assertEqual(row["enrolled"], enrolled)
        self.assertEqual(row["lost"], lost)
        self.assertAlmostEqual(row["rate"], rate, places=2)
        for fname, value in more.items():
            if isinstance(value, float):
                self.assertAlmostEqual(row[fname], value, places=2, msg=fname)
            else:
                self.assertEqual(row[fname], value, fname)

    def test_monthly_rates(self):
        """RET-08: monthly rates = lost / (active at start + enrolled) x 100, split
        active/passive and per type; a loss is dated by its approved case (E4 in
        March though closed in April), else by the enrolment; completions (E2),
        drafts, cancellations and suspensions (E9) never count as losses."""
        months = self._rates("month", "date_start:month")
        # January: E1 E2 active at start; E3 E6 E7 enrolled; nobody lost: 0 %.
        self.assertFigures(
            months["January 2025"], 5, 0, 0.0, enrolled_start=2, enrolled_new=3
        )
        # February: E1 E2 E3 E6 E7 at start, E4 E9 new = 7; E6 transferred: 1/7.
        self.assertFigures(
            months["February 2025"],
            7,
            1,
            100 / 7,
            enrolled_start=5,
            enrolled_new=2,
            lost_transfer=1,
            lost_active=1,
            lost_passive=0,
        )
        # March: E1 E2 E3 E4 E7 E9 at start, E5 E8 E12 E13 new = 10; lost E3 and E12
        # (withdrawals, active), E4 (arrears) and E8 (force majeure), passive:
        # 4/10 = 40 %, 20 % active, 20 % passive; E2 completed, not lost.
        self.assertFigures(
            months["March 2025"],
            10,
            4,
            40.0,
            enrolled_start=6,
            enrolled_new=4,
            lost_active=2,
            lost_passive=2,
            lost_withdrawal=2,
            lost_transfer=0,
            lost_arrears=1,
            lost_force_majeure=1,
            lost_disciplinary=0,
            completed=1,
            rate_active=20.0,
            rate_passive=20.0,
        )
        # April: E1 E5 E7 E9 E13 (E4 left in March, its case says); E7 disciplinary:
        # 1/5 = 20 %, all passive.
        self.assertFigures(
            months["April 2025"],
            5,
            1,
            20.0,
            lost_disciplinary=1,
            lost_passive=1,
            rate_passive=20.0,
            rate_active=0.0,
        )
        # May: E1 E5 E9 E13, no loss; E9's suspension is no loss either.
        self.assertFigures(months["May 2025"], 4, 0, 0.0)
        # The row of E2's course in March shows the completion, not a loss.
        rows = self.env["training.attrition.report.rate"].search(
            [
                ("period_type", "=", "month"),
                ("date_start", "=", "2025-03-01"),
                ("course_id", "=", self.course_a.id),
                ("source_id", "=", self.web.id),
            ]
        )
        self.assertEqual(rows.completed, 1)
        # E1 E2 E3 E4 E5 E13; lost E3 E4.
        self.assertEqual((rows.enrolled, rows.lost), (6, 2))

    def test_quarter_year_week_rates(self):
        """RET-08: the same definition per quarter, year and week: the denominator
        counts each enrolment once per period, whatever its length."""
        quarters = self._rates("quarter", "date_start:quarter")
        # Q1: E1 E2 E3 E4 E5 E6 E7 E8 E9 E12 E13 = 11; lost E3 E6 E12 (active) and
        # E4 E8 (passive): 5/11.
        self.assertFigures(
            quarters["Q1 2025"],
            11,
            5,
            500 / 11,
            lost_active=3,
            lost_passive=2,
            rate_active=300 / 11,
            rate_passive=200 / 11,
        )
        # Q2: E1 E5 E7 E9 E13; E7 lost: 1/5 = 20 %.
        self.assertFigures(quarters["Q2 2025"], 5, 1, 20.0)
        years = self._rates("year", "date_start:year")
        # 2024: E1 E2, no loss. 2025: the 11 enrolments, 6 lost.
        self.assertFigures(years["2024"], 2, 0, 0.0)
        self.assertFigures(years["2025"], 11, 6, 600 / 11)
        weeks = self._rates(
            "week", "date_start:day", [("date_start", "=", "2025-03-17")]
        )
        # Week of Monday 17 March: E1 E2 E4 E5 E7 E8 E9 E12 E13 (E3 left on the
        # 5th); lost E4 (18th) and E12 (20th): 2/9; E2 completed on the 20th.
        self.assertFigures(
            weeks["17 Mar 2025"], 9, 2, 200 / 9, lost_arrears=1, completed=1
        )

    def test_rates_per_stage_and_channel(self):
        """RET-08: rates per course stage (foundation, advanced) and per recruitment
        channel add up to the total, each with its own rate."""
        march = [("date_start", "=", "2025-03-01")]
        stages = self._rates("month", "stage_id", march)
        # Foundation (course A): E1 E2 E3 E4 E5 E12 E13 = 7; lost E3 E4 E12: 3/7.
        self.assertFigures(
            stages[self.stage_foundation.name], 7, 3, 300 / 7, lost_active=2
        )
        # Advanced (course B): E7 E8 E9 = 3; lost E8: 1/3.
        self.assertFigures(
            stages[self.stage_advanced.name], 3, 1, 100 / 3, lost_force_majeure=1
        )
        channels = self._rates("month", "source_id", march)
        # Web: E1 E2 E3 E4 E5 E13 = 6; lost E3 E4: 2/6.
        self.assertFigures(channels[self.web.name], 6, 2, 100 / 3)
        # Referral: E7 E8 E9 E12 = 4; lost E8 E12: 2/4 = 50 %.
        self.assertFigures(channels[self.referral.name], 4, 2, 50.0, lost_withdrawal=1)
        courses = self._rates(
            "quarter", "course_id", [("date_start", "=", "2025-01-01")]
        )
        # Q1, course B: E6 E7 E8 E9 = 4; lost E6 E8: 50 %.
        self.assertFigures(courses[self.course_b.display_name], 4, 2, 50.0)

    def test_cohorts(self):
        """RET-08: retention by enrolment-month cohort: the share of each month's
        enrolments not lost 1 and 3 months after they enrolled (completions are
        retained); enrolments younger than the horizon stay out of the share."""
        Cohort = self.env["training.attrition.report.cohort"].with_user(
            self.user_customer_service
        )
        groups = Cohort.read_group(
            [("company_id", "=", self.company.id), ("cohort_date", "<", "2025-04-01")],
            ["enrolled:sum", "retention_1", "retention_3", "retention_12"],
            ["cohort_date:month"],
            lazy=False,
        )
        by_month = {
            row["cohort_date:month"]: (
                row["enrolled"],
                round(row["retention_1"], 2),
                round(row["retention_3"], 2),
                round(row["retention_12"], 2),
            )
            for row in groups
        }
        self.assertEqual(
            by_month,
            {
                # E1 active, E2 completed: both retained.
                "December 2024": (2, 100.0, 100.0, 100.0),
                # E3 (lost 5 Mar), E6 (14 Feb), E7 (10 Apr) all still there a month
                # after enrolling, none after 3 months.
                "January 2025": (3, 100.0, 0.0, 0.0),
                # E4 lost 18 Mar, 6 weeks after enrolling; E9 suspended, retained.
                "February 2025": (2, 100.0, 50.0, 50.0),
                # E5 E13 retained; E8 (10 -> 31 Mar) and E12 (15 -> 20 Mar) lost in
                # their first month.
                "March 2025": (4, 50.0, 50.0, 50.0),
            },
        )
        overall = Cohort.read_group(
            [("company_id", "=", self.company.id), ("cohort_date", "<", "2025-04-01")],
            ["retention_1"],
            [],
        )
        # 9 of the 11 enrolments retained after one month.
        self.assertAlmostEqual(overall[0]["retention_1"], 900 / 11, places=2)
        # An enrolment of today (the database's day) is not known after a month yet.
        self.env.cr.execute("SELECT CURRENT_DATE")
        today = self.env.cr.fetchone()[0]
        young = self.env["training.enrollment"].create(
            {
                "partner_id": self.student.id,
                "course_id": self.course_a.id,
                "start_date": today,
                "state": "active",
                "confirm_date": f"{today} 09:00:00",
            }
        )
        self.env["training.attrition.report.rate"]._refresh()
        row = Cohort.search([("enrollment_id", "=", young.id)])
        self.assertEqual(len(row), 1)
        self.assertEqual((row.mature_1, row.retained_1), (0, 0))
        self.assertFalse(row.retention_1)

    def test_dashboard_rates_by_type(self):
        """RET-08, RET-11: the dashboard splits each month's rate by type of loss,
        the types adding up to the month's rate. March: 10 enrolled, lost E3 and
        E12 (withdrawal: 20 %), E4 (arrears: 10 %), E8 (force majeure: 10 %) =
        40 %; active 20 %, passive 20 %. February: E6 (transfer) 1 of 7 = 14.29 %.
        The foundation stage's passive losses in March: E4, 1 of 7 = 14.29 %. It
        opens on the chart for customer service and finance, first in Retention ›
        Reporting, and stays closed to teachers."""
        Report = self.env["training.attrition.report.type"].with_user(
            self.user_customer_service
        )
        month = [("period_type", "=", "month"), ("company_id", "=", self.company.id)]

        def figures(domain, groupby):
            rows = Report.read_group(
                month + domain,
                ["enrolled:sum", "lost:sum", "rate"],
                groupby,
                lazy=False,
            )
            return {
                tuple(row[g] for g in groupby): (
                    row["enrolled"],
                    row["lost"],
                    round(row["rate"], 2),
                )
                for row in rows
            }

        march = [("date_start", "=", "2025-03-01")]
        self.assertEqual(
            figures(march, ["loss_type"]),
            {
                ("withdrawal",): (10, 2, 20.0),
                ("transfer",): (10, 0, 0.0),
                ("arrears",): (10, 1, 10.0),
                ("disciplinary",): (10, 0, 0.0),
                ("force_majeure",): (10, 1, 10.0),
            },
        )
        self.assertEqual(figures(march, []), {(): (10, 4, 40.0)})
        self.assertEqual(
            figures(march, ["loss_class"]),
            {("active",): (10, 2, 20.0), ("passive",): (10, 2, 20.0)},
        )
        self.assertEqual(
            figures(
                march
                + [
                    ("loss_class", "=", "passive"),
                    ("stage_id", "=", self.stage_foundation.id),
                ],
                [],
            ),
            {(): (7, 1, 14.29)},
        )
        self.assertEqual(
            figures([("date_start", "in", ("2025-02-01", "2025-03-01"))], [])[()][:2],
            (17, 5),
        )
        self.assertEqual(
            figures([("date_start", "=", "2025-02-01")], ["loss_type"])[("transfer",)],
            (7, 1, 14.29),
        )
        action = self.env.ref(
            "training_retention.training_attrition_report_type_action"
        )
        self.assertEqual(action.view_mode.split(",")[0], "graph")
        menu = self.env.ref("training_retention.training_attrition_report_type_menu")
        self.assertEqual(
            menu, menu.parent_id.child_id.sorted(lambda m: (m.sequence, m.id))[:1]
        )
        for user in (self.user_customer_service, self.user_finance):
            views = Report.with_user(user).get_views(
                [(False, v) for v in ("graph", "pivot", "list", "search")]
            )
            self.assertIn("loss_type", views["views"]["graph"]["arch"])
            self.assertIn(
                menu.id, self.env["ir.ui.menu"].with_user(user)._visible_menu_ids()
            )
        with self.assertRaises(AccessError):
            Report.with_user(self.user_teacher).read_group([], ["lost:sum"], [])

    def test_report_access(self):
        """RET-08: customer service and finance read the reports of their company
        only (another company's enrolments stay out of every figure); teaching and
        enrolment staff get no access."""
        other = self.env["res.company"].create({"name": "Other School"})
        course = self.env["training.course"].create(
            {"name": "Other", "code": "OTH", "company_id": other.id}
        )
        self.env["training.enrollment"].create(
            {
                "partner_id": self.env["res.partner"].create({"name": "Other"}).id,
                "course_id": course.id,
                "company_id": other.id,
                "start_date": "2025-03-02",
                "state": "withdrawn",
                "confirm_date": "2025-03-02 09:00:00",
                "closed_date": "2025-03-09",
            }
        )
        self.env["training.attrition.report.rate"]._refresh()
        for user in (self.user_customer_service, self.user_finance):
            user.groups_id += self.env.ref("base.group_allow_export")
            Report = self.env["training.attrition.report.rate"].with_user(user)
            total = Report.read_group(
                [("period_type", "=", "month"), ("date_start", "=", "2025-03-01")],
                ["enrolled:sum", "lost:sum", "rate"],
                [],
            )[0]
            self.assertEqual((total["enrolled"], total["lost"]), (10, 4))
            self.assertFalse(Report.search([("company_id", "=", other.id)]))
            data = Report.search([("date_start", "=", "2025-03-01")]).export_data(
                ["course_id", "rate"]
            )["datas"]
            self.assertTrue(data)
            Cohort = self.env["training.attrition.report.cohort"].with_user(user)
            self.assertEqual(
                Cohort.search_count([("cohort_date", "=", "2025-03-01")]), 4
            )
        # A manager working in both companies sees both.
        manager = new_test_user(
            self.env,
            login="trn_analytics_manager",
            groups=group("management"),
            company_id=self.company.id,
            company_ids=[Command.set((self.company | other).ids)],
        )
        total = (
            self.env["training.attrition.report.rate"]
            .with_user(manager)
            .with_context(allowed_company_ids=(self.company | other).ids)
            .read_group(
                [("period_type", "=", "month"), ("date_start", "=", "2025-03-01")],
                ["enrolled:sum", "lost:sum", "rate"],
                [],
            )[0]
        )
        self.assertEqual((total["enrolled"], total["lost"]), (11, 5))
        self.assertAlmostEqual(total["rate"], 500 / 11, places=2)
        for user in (self.user_teacher, self.user_enrolment):
            for model in (
                "training.attrition.report.rate",
                "training.attrition.report.cohort",
            ):
                with self.assertRaises(AccessError):
                    self.env[model].with_user(user).read_group([], ["enrolled:sum"], [])

    def test_report_views(self):
        """RET-08: the rate and cohort reports open in pivot, graph, list and search
        for customer service and finance, from the Retention › Reporting menu."""
        for user in (self.user_customer_service, self.user_finance):
            for model in (
                "training.attrition.report.rate",
                "training.attrition.report.cohort",
            ):
                views = (
                    self.env[model]
                    .with_user(user)
                    .get_views(
                        [(False, v) for v in ("pivot", "graph", "list", "search")]
                    )
                )
                self.assertIn("rate" if "rate" in model else "retention_3", str(views))
            visible = self.env["ir.ui.menu"].with_user(user)._visible_menu_ids()
            for xmlid in (
                "training_retention.training_attrition_report_rate_menu",
                "training_retention.training_attrition_report_cohort_menu",
            ):
                self.assertIn(self.env.ref(xmlid).id, visible)
        visible = (
            self.env["ir.ui.menu"].with_user(self.user_teacher)._visible_menu_ids()
        )
        self.assertNotIn(
            self.env.ref("training_retention.training_attrition_report_rate_menu").id,
            visible,
        )

    def test_figures_refreshed_after_changes(self):
        """RET-08, issue 7: the rate report is counted ahead (materialised). A new
        enrolment withdrawn in March asks the cron runner for a refresh and is not
        counted until it ran; then March has 11 enrolled and 5 lost (was 10, 4)."""
        cron = self.env.ref("training_retention.ir_cron_refresh_attrition_rates")
        triggers = self.env["ir.cron.trigger"].search_count([("cron_id", "=", cron.id)])

        def march():
            row = self._rates("month", "date_start:month")["March 2025"]
            return row["enrolled"], row["lost"]

        self.assertEqual(march(), (10, 4))
        self.env["training.enrollment"].create(
            {
                "partner_id": self.env["res.partner"].create({"name": "Late"}).id,
                "course_id": self.course_a.id,
                "start_date": "2025-03-02",
                "state": "withdrawn",
                "confirm_date": "2025-03-02 09:00:00",
                "closed_date": "2025-03-09",
            }
        )
        self.assertGreater(
            self.env["ir.cron.trigger"].search_count([("cron_id", "=", cron.id)]),
            triggers,
        )
        self.assertEqual(march(), (10, 4))
        cron.method_direct_trigger()
        self.assertEqual(march(), (11, 5))

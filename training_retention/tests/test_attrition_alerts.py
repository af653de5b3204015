"""Early warning (RET-09): alert rules on the attrition rates of the fixed data set of
:mod:`.common_analytics`.

Monthly figures of the whole institution (see ``test_attrition_analytics``):
January 5 enrolled / 0 lost = 0 %; February 7 / 1 = 14.29 %; March 10 / 4 = 40 %;
April 5 / 1 = 20 %. Per stage: foundation February 4 / 0 = 0 %, March 7 / 3 =
42.86 %; advanced February 3 / 1 = 33.33 %, March 3 / 1 = 33.33 %, April 2 / 1 = 50 %.
"""

from datetime import date
from unittest.mock import patch

from odoo import Command
from odoo.exceptions import AccessError, ValidationError
from odoo.tests import freeze_time, tagged

from odoo.addons.training_student_archive.tests.common import group

from .common_analytics import AttritionDataCommon

RULE_LOGGER = "odoo.addons.training_retention.models.training_attrition_alert_rule"


@tagged("post_install", "-at_install")
class TestAttritionAlerts(AttritionDataCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.group_management = cls.env.ref(group("management"))
        cls.Rule = cls.env["training.attrition.alert.rule"].with_user(
            cls.user_management
        )

    def _rule(self, **vals):
        return self.Rule.create(
            {
                "name": "Test rule",
                "period_type": "month",
                "user_ids": [Command.set(self.user_customer_service.ids)],
                **vals,
            }
        )

    def _run(self, day):
        """The scheduled action, as it runs on ``day``."""
        with freeze_time(f"{day} 06:00:00"):
            self.env["training.attrition.alert.rule"]._cron_evaluate()
        self._end_request()
        return self.env["training.attrition.alert"].search(
            [("rule_id.name", "like", "Test rule")]
        )

    def test_threshold_consecutive_periods(self):
        """RET-09: "rate above 10 % two months in a row" fires for March (February
        14.29 %, March 40 %) with the figures behind it, not for February (January
        was 0 %); again for April (40 %, 20 %); one activity per responsible person
        (users and departments); running the action again duplicates nothing."""
        rule = self._rule(
            rule_type="threshold",
            threshold=10.0,
            consecutive_periods=2,
            min_enrolled=5,
            group_ids=[Command.set(self.group_management.ids)],
        )
        self.assertFalse(self._run("2025-03-05"))
        alerts = self._run("2025-04-05")
        self.assertEqual(len(alerts), 1)
        self.assertRecordValues(
            alerts,
            [
                {
                    "rule_id": rule.id,
                    "date_start": date(2025, 3, 1),
                    "date_end": date(2025, 3, 31),
                    "enrolled": 10,
                    "lost": 4,
                    "rate": 40.0,
                    "previous_rate": 14.29,
                    "state": "new",
                    "breakdown_key": "total",
                }
            ],
        )
        self.assertIn("2025-02-01: 7 enrolled, 1 lost, 14.29 %", alerts.details)
        responsible = alerts.activity_ids.user_id
        self.assertIn(self.user_customer_service, responsible)
        self.assertIn(self.user_management, responsible)
        activities = len(alerts.activity_ids)
        self.assertEqual(activities, len(rule._responsible_users()))
        # Run again the same day, and the next: nothing new.
        self.assertEqual(self._run("2025-04-05"), alerts)
        self.assertEqual(self._run("2025-04-20"), alerts)
        self.assertEqual(len(alerts.activity_ids), activities)
        # May: March 40 %, April 20 %: a second alert, for April.
        alerts = self._run("2025-05-02")
        self.assertEqual(
            sorted(str(d) for d in alerts.mapped("date_start")),
            ["2025-03-01", "2025-04-01"],
        )
        # June: April 20 %, May 0 %: no alert.
        self.assertEqual(len(self._run("2025-06-03")), 2)

    def test_minimum_sample(self):
        """RET-09: a rule fires only when each period it looks at counts at least
        the minimum number of enrolled students: April (5 enrolled) is below a
        minimum of 6, March (10) and February (7) are not."""
        self._rule(
            rule_type="threshold",
            threshold=10.0,
            consecutive_periods=2,
            min_enrolled=6,
        )
        self.assertFalse(self._run("2025-05-02"))
        self.assertEqual(len(self._run("2025-04-02")), 1)
        # A single period above 30 % (March) with a minimum of 11: nothing.
        self.env["training.attrition.alert"].search([]).unlink()
        self._rule(
            rule_type="threshold",
            threshold=30.0,
            consecutive_periods=1,
            min_enrolled=11,
        )
        self.assertFalse(
            self._run("2025-04-02").filtered(lambda a: a.rule_id.min_enrolled == 11)
        )

    def test_rise_and_stage_jump(self):
        """RET-09: "rise of more than 20 points" fires for March (14.29 % -> 40 %)
        but not for April (a fall); "a stage's rate rising by more than 30 points"
        fires for the foundation stage in March (0 % -> 42.86 %) only, the advanced
        stage staying at 33.33 %."""
        rise = self._rule(rule_type="rise", threshold=20.0, min_enrolled=5)
        jump = self._rule(
            name="Test rule stage",
            rule_type="rise",
            breakdown="stage",
            threshold=30.0,
            min_enrolled=3,
        )
        alerts = self._run("2025-04-10")
        self.assertEqual(len(alerts), 2)
        total = alerts.filtered(lambda a: a.rule_id == rise)
        self.assertRecordValues(
            total, [{"rate": 40.0, "previous_rate": 14.29, "enrolled": 10}]
        )
        stage = alerts.filtered(lambda a: a.rule_id == jump)
        self.assertRecordValues(
            stage,
            [
                {
                    "stage_id": self.stage_foundation.id,
                    "enrolled": 7,
                    "lost": 3,
                    "rate": 42.86,
                    "previous_rate": 0.0,
                }
            ],
        )
        self.assertEqual(self._run("2025-04-10"), alerts)
        # April: the whole rate falls; advanced rises 33.33 -> 50 % on 2 students.
        self.assertEqual(self._run("2025-05-10"), alerts)

    def _created_on(self, rule, day):
        """The rule was set up on ``day`` (the test's clock is frozen, not the
        database's, which stamps the creation)."""
        self.env.cr.execute(
            "UPDATE training_attrition_alert_rule SET create_date = %s WHERE id = %s",
            (f"{day} 09:00:00", rule.id),
        )
        rule.invalidate_recordset(["create_date"])

    def test_catch_up_missed_periods(self):
        """RET-09: the scheduled action catches up the complete periods it missed
        since the rule's last evaluation. "Above 10 % in one month" (February
        14.29 %, March 40 %, April 20 %), set up on 10 January:

        * run on 3 February: January (0 %) raises nothing;
        * the runs of March are missed; run on 5 April: February and March each
          get their alert; run again, and on 20 April: nothing twice;
        * run on 2 May: April.

        A rule set up on 15 March and run first on 2 May looks back to March,
        never to February; a rule set up on 10 January 2024 and run first on
        5 March 2026 looks back 12 months only: March and April 2025, not
        February."""
        rule = self._rule(rule_type="threshold", threshold=10.0, consecutive_periods=1)
        rule.min_enrolled = 5
        self._created_on(rule, "2025-01-10")
        self.assertFalse(self._run("2025-02-03"))
        self.assertEqual(str(rule.evaluated_until), "2025-01-31")
        alerts = self._run("2025-04-05")
        self.assertRecordValues(
            alerts.sorted("date_start"),
            [
                {"date_start": date(2025, 2, 1), "enrolled": 7, "lost": 1},
                {"date_start": date(2025, 3, 1), "enrolled": 10, "lost": 4},
            ],
        )
        self.assertEqual(len(alerts.activity_ids), 2)
        self.assertEqual(self._run("2025-04-05"), alerts)
        self.assertEqual(self._run("2025-04-20"), alerts)
        self.assertEqual(len(alerts.activity_ids), 2)
        self.assertEqual(
            (self._run("2025-05-02") - alerts).mapped("date_start"), [date(2025, 4, 1)]
        )
        self.assertEqual(str(rule.evaluated_until), "2025-04-30")

        late = self._rule(
            name="Test rule late",
            rule_type="threshold",
            threshold=10.0,
            consecutive_periods=1,
            min_enrolled=5,
        )
        self._created_on(late, "2025-03-15")
        self._run("2025-05-02")
        old = self._rule(
            name="Test rule old",
            rule_type="threshold",
            threshold=10.0,
            consecutive_periods=1,
            min_enrolled=5,
        )
        self._created_on(old, "2024-01-10")
        self._run("2026-03-05")
        self.assertEqual(
            sorted(str(d) for d in (late | old).alert_ids.mapped("date_start")),
            ["2025-03-01", "2025-03-01", "2025-04-01", "2025-04-01"],
        )
        self.assertEqual(str(old.evaluated_until), "2026-02-28")

    def test_alert_workflow_and_access(self):
        """RET-09: customer service takes the alert up and closes it (its activity
        is marked done); only management sets up rules; rules and alerts are bad
        input proof."""
        self._rule(rule_type="threshold", threshold=10.0, min_enrolled=5)
        alert = self._run("2025-04-05").with_user(self.user_customer_service)
        alert.action_investigate()
        alert.action_done()
        self.assertEqual(alert.state, "done")
        self.assertFalse(alert.activity_ids)
        with self.assertRaises(AccessError):
            self.env["training.attrition.alert.rule"].with_user(
                self.user_customer_service
            ).create({"name": "Mine", "threshold": 1.0})
        with self.assertRaises(AccessError):
            self.env["training.attrition.alert"].with_user(self.user_teacher).search([])
        with self.assertRaises(ValidationError):
            self._rule(rule_type="threshold", threshold=-1.0)
        with self.assertRaises(ValidationError):
            self._rule(rule_type="threshold", threshold=5.0, consecutive_periods=0)

    def _enrolments_without_stage_or_channel(self):
        """Course C has no stage; its enrolments N1 .. N3 have no recruitment
        channel: N1 enrolled 2025-02-05, still active; N2 enrolled 2025-02-10,
        withdrawn 2025-03-12 and N3 enrolled 2025-02-12, withdrawn 2025-03-25, both
        without a case (withdrawals). March: 3 enrolled, 2 lost = 66.67 %."""
        course_c = self.env["training.course"].create(
            {
                "name": "German A1",
                "code": "DEA1",
                "lesson_count": 10,
                "list_price": 1000.0,
                "product_id": self.product_course.id,
                "stage_id": False,
            }
        )
        rows = [
            ("N1", "2025-02-05", "active", None),
            ("N2", "2025-02-10", "withdrawn", "2025-03-12"),
            ("N3", "2025-02-12", "withdrawn", "2025-03-25"),
        ]
        for key, enrolled, state, closed in rows:
            enrollment = self.env["training.enrollment"].create(
                {
                    "partner_id": self.env["res.partner"]
                    .create({"name": f"Student {key}"})
                    .id,
                    "course_id": course_c.id,
                    "start_date": enrolled,
                    "state": state,
                    "confirm_date": f"{enrolled} 09:00:00",
                    "closed_date": closed,
                }
            )
            self.assertFalse(enrollment.stage_id or enrollment.source_id)
        self.env["training.attrition.report.rate"]._refresh()
        return course_c

    def test_groups_without_stage_course_or_channel(self):
        """RET-09, issue 12: enrolments without a stage or a recruitment channel
        form a group of their own ("no stage", "no channel"), evaluated like the
        others, instead of crashing the daily run. "Above 50 % in one month, at
        least 3 enrolled", run on 5 April for March:

        * by stage: foundation 7 / 3 = 42.86 %, advanced 3 / 1 = 33.33 %, no stage
          (course C) 3 / 2 = 66.67 %: one alert, for "no stage";
        * by course: A 42.86 %, B 33.33 %, C 66.67 %: one alert, for course C;
        * by channel: web 6 / 2 = 33.33 % (E1 - E5, E13; E3, E4 lost), referral
          4 / 2 = 50 % (E7, E8, E9, E12; E8, E12 lost), not above 50 %; no channel
          3 / 2 = 66.67 %: one alert, for "no channel".

        Running again adds nothing."""
        course_c = self._enrolments_without_stage_or_channel()
        rules = {
            breakdown: self._rule(
                name=f"Test rule {breakdown}",
                rule_type="threshold",
                breakdown=breakdown,
                threshold=50.0,
                consecutive_periods=1,
                min_enrolled=3,
            )
            for breakdown in ("stage", "course", "source")
        }
        alerts = self._run("2025-04-05")
        self.assertEqual(len(alerts), 3)
        march = {
            "date_start": date(2025, 3, 1),
            "enrolled": 3,
            "lost": 2,
            "rate": 66.67,
            "stage_id": False,
            "course_id": False,
            "source_id": False,
        }
        self.assertRecordValues(
            alerts.sorted(lambda a: a.rule_id.id),
            [
                {**march, "rule_id": rules["stage"].id, "breakdown_key": "stage_id,0"},
                {
                    **march,
                    "rule_id": rules["course"].id,
                    "breakdown_key": f"course_id,{course_c.id}",
                    "course_id": course_c.id,
                },
                {
                    **march,
                    "rule_id": rules["source"].id,
                    "breakdown_key": "source_id,0",
                },
            ],
        )
        by_rule = {alert.rule_id: alert for alert in alerts}
        self.assertEqual(
            by_rule[rules["stage"]].name,
            "Test rule stage - No Course Stage - 2025-03-01",
        )
        self.assertEqual(
            by_rule[rules["source"]].name,
            "Test rule source - No Recruitment Channel - 2025-03-01",
        )
        self.assertIn("German A1", by_rule[rules["course"]].name)
        # The rates behind the "no stage" alert: the enrolments without a stage.
        action = by_rule[rules["stage"]].action_view_rates()
        self.assertIn(("stage_id", "=", False), action["domain"])
        self.assertEqual(self._run("2025-04-05"), alerts)

    def test_failing_rule_does_not_stop_the_others(self):
        """RET-09, issue 12: each rule is evaluated in a savepoint of its own. A
        rule that fails (here its figures cannot be read) is logged and rolled
        back; "above 10 % in one month" after it still raises its alert for March
        (10 enrolled, 4 lost = 40 %). Once the failure is gone, the next run
        catches the failed rule up (its March alert: 40 % too), the other rule's
        alert is not raised twice."""
        broken = self._rule(
            name="Test rule broken",
            sequence=1,
            rule_type="threshold",
            threshold=10.0,
            consecutive_periods=1,
            min_enrolled=5,
        )
        working = self._rule(
            sequence=2,
            rule_type="threshold",
            threshold=10.0,
            consecutive_periods=1,
            min_enrolled=5,
        )
        Rule = type(self.env["training.attrition.alert.rule"])
        figures = Rule._figures

        def failing_figures(rule, starts):
            if rule == broken:
                raise ValueError("figures unavailable")
            return figures(rule, starts)

        with (
            patch.object(Rule, "_figures", autospec=True, side_effect=failing_figures),
            self.assertLogs(RULE_LOGGER, "ERROR") as logs,
        ):
            alerts = self._run("2025-04-05")
        self.assertIn("Test rule broken", logs.output[0])
        self.assertRecordValues(
            alerts,
            [{"rule_id": working.id, "date_start": date(2025, 3, 1), "rate": 40.0}],
        )
        self.assertFalse(broken.evaluated_until)
        self.assertEqual(str(working.evaluated_until), "2025-03-31")

        alerts = self._run("2025-04-05")
        self.assertEqual(len(alerts), 2)
        self.assertRecordValues(
            alerts.filtered(lambda a: a.rule_id == broken),
            [{"date_start": date(2025, 3, 1), "rate": 40.0}],
        )
        self.assertEqual(len(working.alert_ids), 1)

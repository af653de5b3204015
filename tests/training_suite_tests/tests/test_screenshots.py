import base64
import json
import os
import unittest
from pathlib import Path
from unittest.mock import patch

from odoo.tests import HttpCase, tagged
from odoo.tests.common import ChromeBrowser

# The screens shown in the README (docs/screenshots/), taken from the demo data by
# the browser, at desktop and phone sizes. Outside `make test`; `make screenshots`
# runs this with TRAINING_SCREENSHOTS=1 and rewrites the images.
TAKE = os.environ.get("TRAINING_SCREENSHOTS") == "1"
SHOTS = Path(__file__).resolve().parents[3] / "docs" / "screenshots"
DESKTOP = "1366x768"
PHONE = "375x812"


@tagged("post_install", "-at_install")
@unittest.skipUnless(TAKE, "set TRAINING_SCREENSHOTS=1 to take the README's screens")
class TestScreenshots(HttpCase):
    """X-02, issue 15: the main screens of each role, as the demo school shows them,
    each screen opened in the browser until it shows its content (else the test
    fails) and saved as a PNG for the README."""

    def _shoot(self, name, url, shown, login, size=DESKTOP):
        self.browser_size = size
        taken = {}
        wait = ChromeBrowser._wait_code_ok

        def wait_then_shoot(browser, code, timeout, error_checker=None):
            wait(browser, code, timeout, error_checker)
            data = browser._websocket_request("Page.captureScreenshot")["data"]
            taken["png"] = base64.b64decode(data)

        code = f"""(async () => {{
            const until = Date.now() + 30000;
            while (!document.querySelector({json.dumps(shown)})) {{
                if (Date.now() > until) {{
                    throw new Error("not shown: " + {json.dumps(shown)});
                }}
                await new Promise((resolve) => setTimeout(resolve, 200));
            }}
            await new Promise((resolve) => setTimeout(resolve, 1000));
            console.log("test successful");
        }})()"""
        with patch.object(ChromeBrowser, "_wait_code_ok", wait_then_shoot):
            self.browser_js(url, code, login=login, timeout=90)
        SHOTS.mkdir(parents=True, exist_ok=True)
        (SHOTS / f"{name}.png").write_bytes(taken["png"])

    def _record_url(self, action, xmlid):
        return f"/odoo/action-{action}/{self.env.ref(xmlid).id}"

    def test_take_the_screens(self):
        lesson = self.env.ref("training_student_archive.demo_lesson_eng_a1_today")
        lesson.action_take_roll()
        lesson.record_ids[:1].attendance = "absent"
        screens = [
            (
                "archive-form",
                self._record_url(
                    "training_student_archive.training_student_archive_action",
                    "training_student_archive.demo_archive_li_wei",
                ),
                ".o_form_view .o_form_sheet",
                "archivist",
                DESKTOP,
            ),
            (
                "roll-call-phone",
                self._record_url(
                    "training_student_archive.training_lesson_action",
                    "training_student_archive.demo_lesson_eng_a1_today",
                ),
                ".o_field_widget[name='record_ids'] .o_data_row",
                "teacher",
                PHONE,
            ),
            (
                "feedback-ticket",
                self._record_url(
                    "training_feedback.training_feedback_action",
                    "training_feedback.demo_feedback_phone",
                ),
                ".o_form_view .o_form_sheet",
                "service",
                DESKTOP,
            ),
            (
                "attrition-case",
                self._record_url(
                    "training_retention.training_attrition_case_action",
                    "training_retention.demo_case_li_wei_withdrawal",
                ),
                ".o_form_view .o_form_sheet",
                "finance",
                DESKTOP,
            ),
            (
                "attrition-dashboard",
                "/odoo/action-training_retention.training_attrition_report_type_action",
                ".o_graph_view canvas, .o_pivot, .o_list_view",
                "manager",
                DESKTOP,
            ),
            (
                "retention-cohorts",
                "/odoo/action-training_retention.training_attrition_report_cohort_action",
                ".o_pivot table",
                "manager",
                DESKTOP,
            ),
            (
                "students-at-risk",
                "/odoo/action-training_retention.training_enrollment_action_at_risk",
                ".o_list_view .o_data_row",
                "service",
                DESKTOP,
            ),
            ("portal-home-phone", "/my", ".o_portal_docs a", "student", PHONE),
            (
                "portal-archive-phone",
                "/my/archive",
                "#wrap table, #wrap .card",
                "student",
                PHONE,
            ),
        ]
        for name, url, shown, login, size in screens:
            with self.subTest(screen=name):
                self._shoot(name, url, shown, login, size)

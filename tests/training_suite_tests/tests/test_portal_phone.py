"""The student's portal on a phone (X-02, issue 15): every page of the training
modules fits a 375 px wide screen in headless Chrome."""

import json
import re

from odoo import fields
from odoo.tests import HttpCase, tagged

from odoo.addons.training_retention.tests.common import RetentionCommon

# Run in the page once it is loaded: throws an Error listing the checks that fail,
# logs browser_js's success signal otherwise.
PHONE_CHECK = """
(async (expectedPath, homeUrls) => {
    const problems = [];
    const fail = (message) => problems.push(message);
    const report = () => {
        if (problems.length) {
            throw new Error(`${location.pathname}: ${problems.join("; ")}`);
        }
    };
    const px = (value) => `${Math.round(value)} px`;
    if (location.pathname !== expectedPath) {
        fail(`expected to land on ${expectedPath}`);
    }
    const main = document.querySelector("#wrap") || document.querySelector("main");
    if (!main) {
        fail("no portal content");
        report();
    }
    await Promise.all([...document.images].map((img) => img.decode().catch(() => {})));
    const width = window.innerWidth;
    const scrollWidth = document.documentElement.scrollWidth;
    if (scrollWidth > width) {
        const wide = [...main.querySelectorAll("*")]
            .filter((el) => el.getBoundingClientRect().right > width + 0.5)
            .slice(0, 5)
            .map((el) => [el.tagName, ...el.classList].join("."));
        fail(
            `the page scrolls sideways: ${px(scrollWidth)} wide in a ${px(width)} ` +
                `window (${wide.join(", ")})`
        );
    }
    // Portal home: our cards are shown, with icons as small as Odoo's own.
    for (const url of homeUrls) {
        const card = document.querySelector(`.o_portal_index_card a[href="${url}"]`);
        if (!card || !card.offsetParent) {
            fail(`no visible portal home card for ${url}`);
        } else if (!card.querySelector(".o_portal_icon img")) {
            fail(`the card of ${url} has no icon`);
        }
    }
    for (const img of document.querySelectorAll(".o_portal_index_card img")) {
        const imgWidth = img.getBoundingClientRect().width;
        if (imgWidth > 64) {
            const src = img.getAttribute("src");
            fail(`the portal home icon ${src} is ${px(imgWidth)} wide (at most 64)`);
        }
    }
    // Tables: in the window or scrolling in their own box; the status stays in view.
    for (const table of main.querySelectorAll("table")) {
        const label = table.className || "table";
        const box = table.closest(".table-responsive");
        const tableRight = table.getBoundingClientRect().right;
        if (!box && tableRight > width + 0.5) {
            fail(`the table ${label} ends at ${px(tableRight)}, not in a scroll box`);
        }
        // The key cell of a row: its status, else its last cell (a result, an amount).
        const headers = [...table.querySelectorAll("thead th")];
        const statusIndex = headers.findIndex((th) => /status/i.test(th.textContent));
        if (statusIndex >= 0 && !headers[statusIndex].offsetParent) {
            fail(`the Status column of the table ${label} is hidden`);
            continue;
        }
        // In view: in the window, and not scrolled out of its .table-responsive box.
        const right = Math.min(width, box ? box.getBoundingClientRect().right : width);
        for (const row of table.querySelectorAll("tbody tr")) {
            const index = statusIndex >= 0 ? statusIndex : row.cells.length - 1;
            const rect = row.cells[index]?.getBoundingClientRect();
            if (!rect || !rect.width || rect.left < 0 || rect.right > right + 0.5) {
                const text = row.textContent.trim().replace(/\\s+/g, " ");
                fail(
                    `the status of the row "${text}" is out of sight ` +
                        `(right ${px(rect?.right || 0)} of ${px(right)})`
                );
                break;
            }
        }
    }
    report();
    console.log("test successful");
})(%s, %s);
"""

READY = (
    "document.readyState === 'complete'"
    " && !document.querySelector('.o_portal_doc_spinner')"
)


@tagged("post_install", "-at_install")
class TestPortalPhone(RetentionCommon, HttpCase):
    browser_size = "375x812"
    touch_enabled = True

    def _check_phone(self, url, expected_path=None, home_urls=()):
        """The problems of the page at ``url``, as the check in the browser tells
        them (none: an empty string)."""
        code = PHONE_CHECK % (
            json.dumps(expected_path or url),
            json.dumps(list(home_urls)),
        )
        try:
            self.browser_js(url, code, ready=READY, login="trn_portal_student")
        except AssertionError as error:
            found = re.search(r"Error: (.*?)(?:\\n|\n)", str(error))
            return found.group(1) if found else str(error)
        return ""

    def test_portal_pages_fit_a_phone(self):
        """X-02, issue 15: Li Lei, with an enrolment, lessons and an exam, a ticket
        and a withdrawal application, opens every portal page of the training
        modules at 375 x 812: no page scrolls sideways, the portal home icons are
        Odoo-sized (at most 64 px), and the status (else the last cell) of every
        table row is on the screen, not scrolled out of its table's box."""
        self.course_40.name = "Business English for International Trade (B1)"
        enrollment = self._enrolled()
        self._invoice(enrollment, paid=4000.0)
        self._consume(enrollment, 3)
        self.env["training.learning.record"].with_user(self.user_teacher).create(
            {
                "enrollment_id": enrollment.id,
                "record_type": "exam",
                "name": "Mid-term written examination",
                "attendance": "present",
                "date": "2025-03-20",
                "score": 88,
            }
        )
        ticket = (
            self.env["training.feedback"]
            .with_user(self.user_customer_service)
            .create(
                {
                    "name": "The classroom projector often fails during lessons",
                    "channel": "phone",
                    "submitter_id": self.student.id,
                    "course_id": self.course_40.id,
                    "category_id": self.env.ref(
                        "training_feedback.training_feedback_category_course"
                    ).id,
                }
            )
        )
        today = fields.Date.context_today(self.student)
        case = self._case(enrollment, effective_date=today, application_date=today)
        case.action_submit()
        archive = enrollment.archive_id
        self.env.flush_all()

        pages = [
            ("/my", "/my", ["/my/archive", "/my/feedback", "/my/attrition"]),
            ("/my/archive", f"/my/archive/{archive.id}", []),
            (f"/my/archive/{archive.id}", None, []),
            ("/my/feedback", None, []),
            (f"/my/feedback/{ticket.id}", None, []),
            ("/my/feedback/new", None, []),
            ("/my/attrition", None, []),
            (f"/my/attrition/{case.id}", None, []),
            ("/my/attrition/new", None, []),
        ]
        problems = [
            self._check_phone(url, expected_path, home_urls)
            for url, expected_path, home_urls in pages
        ]
        problems = [problem for problem in problems if problem]
        self.assertFalse(problems, "\n".join(["Not phone-sized:", *problems]))

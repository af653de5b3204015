import logging
import os
import unittest

from odoo.tests import HttpCase, tagged

# The crawler opens every menu, view, filter and record of the Training app: minutes
# per role. Outside `make test` unless asked for (README: "Crawler").
CRAWL = os.environ.get("TRAINING_CLICKBOT") == "1"
ROLES = (
    "admin",
    "manager",
    "supervisor",
    "archivist",
    "teacher",
    "enrolment",
    "service",
    "finance",
)
APP = "training_student_archive.training_student_archive_menu_root"


@tagged("click_all", "post_install", "-at_install")
@unittest.skipUnless(CRAWL, "set TRAINING_CLICKBOT=1 to crawl the Training app")
class TestClickEverywhere(HttpCase):
    """Odoo's own click-everywhere crawler (web clickbot) through the Training app as
    every demo role (X-02, issue 15, issue 16). The HTTP test mode serves read-only
    requests in a read-only transaction, as a read replica would: a read that writes
    fails there, and any error logged by the server or the browser fails the test."""

    allow_end_on_form = True

    def test_click_everywhere_as_every_role(self):
        """X-02, issue 15, issue 16: no error in the browser, none in the server's
        log, and no read retried on the primary ("retrying with a read/write
        cursor": a read that wrote)."""
        logged = []
        handler = logging.Handler(logging.WARNING)
        handler.emit = lambda record: logged.append(
            f"{record.name}: {record.getMessage()[:300]}"
        )
        odoo_logger = logging.getLogger("odoo")
        odoo_logger.addHandler(handler)
        self.addCleanup(odoo_logger.removeHandler, handler)
        for login in ROLES:
            with self.subTest(login=login):
                del logged[:]
                self.browser_js(
                    "/odoo",
                    "odoo.loader.modules.get('@web/webclient/clickbot/clickbot_loader')"
                    f".startClickEverywhere('{APP}');",
                    "odoo.isReady === true",
                    login=login,
                    timeout=1800,
                    success_signal="clickbot test succeeded",
                )
                self.assertEqual(logged, [])

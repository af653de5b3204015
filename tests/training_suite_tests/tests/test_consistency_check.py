import importlib.util
from datetime import timedelta
from pathlib import Path

from odoo import fields
from odoo.tests import tagged

from odoo.addons.training_student_archive.tests.common import TrainingArchiveCommon

SCRIPT = Path(__file__).resolve().parents[3] / "scripts" / "consistency.py"


def _load_checks():
    spec = importlib.util.spec_from_file_location("training_consistency", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@tagged("post_install", "-at_install")
class TestConsistencyCheck(TrainingArchiveCommon):
    """The check `make loadtest` runs after a run (scripts/consistency.py, issue 16)
    passes on a consistent database and fails on each defect it must find."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.checks = _load_checks()

    def _problems(self, **kwargs):
        return {
            name: problems
            for name, problems in self.checks.run_checks(self.env, **kwargs)
            if problems
        }

    def test_whole_database_consistent(self):
        """ARC-01, ARC-13, RET-04, X-04, issue 16: the test database (demo data and
        every test before this one) has no number twice, no invoice credited twice,
        no refund paid twice, no reminder twice, an intact destruction chain, no
        failed scheduled action of the suite and no activity of a deleted record."""
        self.assertEqual(self._problems(), {})

    def test_orphan_activity_found(self):
        """Issue 16: an activity whose record was deleted behind the ORM's back."""
        partner = self.env["res.partner"].create({"name": "Deleted Soon"})
        partner.activity_schedule("mail.mail_activity_data_todo", summary="Call")
        self.env.flush_all()
        self.env.cr.execute("DELETE FROM res_partner WHERE id = %s", [partner.id])
        self.assertIn("activities", self._problems())

    def test_read_log_counted(self):
        """ARC-11, issue 16: one read-log row per archive per logged read, by user
        and channel: the counts of the load test's users are compared with the rows,
        a missing or an extra row is reported."""
        since = fields.Datetime.to_string(fields.Datetime.now() - timedelta(seconds=1))
        archive = self._enrol_and_confirm(self.student, self.course_a).archive_id
        login = self.user_archivist.login
        archive.with_user(self.user_archivist).web_read({"name": {}})
        for count, problems in ((1, set()), (2, {"read log"}), (0, {"read log"})):
            expected = {"read_log": [[login, "form", count]], "created": {}}
            with self.subTest(count=count):
                found = self._problems(since=since, expected=expected)
                self.assertEqual(set(found) & {"read log"}, problems)

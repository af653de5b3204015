"""Query budgets of the hot paths: a regression in the number of SQL queries fails
the suite deterministically, whatever the machine's speed (see `make bench`)."""

import contextlib

from odoo.tests import freeze_time, tagged

from .common import TrainingArchiveCommon, local


class RolledBack(Exception):
    """Raised to roll a warm-up run back."""


ARCHIVE_FORM = {
    "archive_number": {},
    "name": {},
    "state": {},
    "phone": {},
    "email": {},
    "source_id": {"fields": {"display_name": {}}},
    "user_id": {"fields": {"display_name": {}}},
    "enrollment_ids": {
        "fields": {"course_id": {"fields": {"display_name": {}}}, "state": {}}
    },
    "enrollment_count": {},
    "document_count": {},
    "overdue_deadline_count": {},
}
ARCHIVE_LIST = {
    "archive_number": {},
    "name": {},
    "phone": {},
    "course_ids": {"fields": {"display_name": {}}},
    "user_id": {"fields": {"display_name": {}}},
    "state": {},
}


@tagged("post_install", "-at_install", "is_query_count")
@freeze_time("2025-03-07 07:00:00")
class TestQueryBudget(TrainingArchiveCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.enrollments = cls.env["training.enrollment"]
        for partner in (cls.student, cls.student_b):
            cls.enrollments |= cls._enrol_and_confirm(partner, cls.course_a)
        cls.archives = cls.enrollments.archive_id
        for archive in cls.archives:
            archive.phone = archive.phone or "+86 138 0000 0000"

    def _budget(self, queries, function):
        """Run ``function`` once and roll it back, to warm the registry's caches
        (rules, views, translations) whatever ran before, then count the queries of
        a real run on an empty record cache."""
        with contextlib.suppress(RolledBack), self.env.cr.savepoint():
            function()
            raise RolledBack
        self.env.invalidate_all()
        with self.assertQueryCount(queries):
            function()

    def test_archive_form_and_list_as_teacher(self):
        """ARC-11, ARC-01: opening an archive form and the first page of the archive
        list as a teacher (record rules, field groups and the read log on) costs a
        fixed number of queries, the same for one archive as for two."""
        Archive = self.env["training.student.archive"].with_user(self.user_teacher)
        self._budget(
            19, lambda: Archive.browse(self.archives[0].id).web_read(ARCHIVE_FORM)
        )
        self._budget(
            19, lambda: Archive.browse(self.archives.ids).web_read(ARCHIVE_FORM)
        )
        self._budget(15, lambda: Archive.web_search_read([], ARCHIVE_LIST, limit=80))

    def test_deadline_cron_batch(self):
        """ARC-05: one batch of the deadline chaser, reminding two archives' hand-overs,
        costs a fixed number of queries (activities created in one batch)."""
        with freeze_time(local(2025, 3, 10, 15, 0)):  # hand-overs due in a day
            self._budget(
                54, self.env["training.archive.deadline"]._cron_chase_deadlines
            )

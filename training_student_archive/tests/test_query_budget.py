"""Query budgets of the hot paths: a regression in the number of SQL queries fails
the suite deterministically, whatever the machine's speed (see `make bench`)."""

import collections
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

    def _statements(self, function):
        """The SQL statements of ``function`` run on an empty record cache, after a
        first run that warms the registry's caches (rules, views, translations)
        whatever ran before; both runs are rolled back."""
        statements = []
        for warm in (False, True):
            with contextlib.suppress(RolledBack), self.env.cr.savepoint():
                self.env.invalidate_all()
                if not warm:
                    function()
                else:
                    patch = contextlib.contextmanager(self._patchExecute)
                    with patch(statements):
                        function()
                raise RolledBack
        return collections.Counter(statements)

    def _budget(self, queries, function):
        """Exactly ``queries`` statements: fewer means the budget must be lowered."""
        count = sum(self._statements(function).values())
        self.assertEqual(count, queries)

    def test_archive_form_and_list_as_teacher(self):
        """ARC-11, ARC-01: opening an archive form and the first page of the archive
        list as a teacher (record rules, field groups and the read log on) costs a
        fixed number of queries, the same for one archive as for two."""
        Archive = self.env["training.student.archive"].with_user(self.user_teacher)
        self._budget(
            12, lambda: Archive.browse(self.archives[0].id).web_read(ARCHIVE_FORM)
        )
        self._budget(
            12, lambda: Archive.browse(self.archives.ids).web_read(ARCHIVE_FORM)
        )
        self._budget(11, lambda: Archive.web_search_read([], ARCHIVE_LIST, limit=80))

    def test_deadline_cron_batch(self):
        """ARC-05: one batch of the deadline chaser, reminding two archives' hand-overs,
        costs a fixed number of queries (activities created in one batch)."""
        with freeze_time(local(2025, 3, 10, 15, 0)):  # hand-overs due in a day
            self._budget(
                55, self.env["training.archive.deadline"]._cron_chase_deadlines
            )

    def test_read_log_is_one_insert(self):
        """ARC-11: logging a teacher's read of one or two archives costs exactly one
        more statement than the same read unlogged, an INSERT into the read log that
        writes one row per archive with the number, company and the reader's role."""
        Archive = self.env["training.student.archive"].with_user(self.user_teacher)
        Log = self.env["training.archive.access.log"]
        for archives in (self.archives[0], self.archives):
            teacher_archives = Archive.browse(archives.ids)

            def read(records=teacher_archives):
                records.web_read(ARCHIVE_FORM)

            def unlogged_read(records=teacher_archives):
                records.with_context(training_access_logged=True).web_read(ARCHIVE_FORM)

            logged = self._statements(read)
            unlogged = self._statements(unlogged_read)
            extra = list((logged - unlogged).elements())
            self.assertEqual(len(extra), 1, extra)
            self.assertIn("INSERT INTO training_archive_access_log", extra[0])
            self.assertFalse(unlogged - logged)

            before = Log.search([]).ids
            read()
            rows = Log.search([("id", "not in", before)])
            self.assertEqual(rows.archive_id, archives)
            self.assertEqual(
                set(rows.mapped("archive_number")),
                set(archives.mapped("archive_number")),
            )
            self.assertEqual(set(rows.mapped("user_id")), {self.user_teacher})
            self.assertEqual(set(rows.mapped("role")), {"Teaching Staff"})
            self.assertEqual(set(rows.mapped("channel")), {"form"})

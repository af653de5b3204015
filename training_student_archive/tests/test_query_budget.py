"""Query budgets of the hot paths: a regression in the number of SQL queries fails
the suite deterministically, whatever the machine's speed (see `make bench`)."""

from unittest.mock import patch

from odoo.tests import freeze_time, tagged

from odoo.addons.training_student_archive.models import training_archive_deadline

from .common import QueryCountMixin, TrainingArchiveCommon, local

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
class TestQueryBudget(QueryCountMixin, TrainingArchiveCommon):
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

    def test_search_archive_as_teacher(self):
        """ARC-01, ARC-11, issue 7: the search box finds an archive by part of its
        number, of its student's name, phone or e-mail, in two statements (the
        contacts whose phone or e-mail match, then the archives through the
        teacher's rules); the student of another teacher's course is not found,
        even by their phone."""
        other = self._enrol_and_confirm(self.student_no_contact, self.course_b)
        other.archive_id.phone = "+86 21 5555 0199"
        li = self.archives.filtered(lambda a: a.partner_id == self.student)
        Archive = self.env["training.student.archive"].with_user(self.user_teacher)
        for text in (li.archive_number[-5:], "Lei", "5555 0101", "li.lei@exa"):
            with self.subTest(text=text):
                self.assertEqual(
                    [archive_id for archive_id, __ in Archive.name_search(text)],
                    li.ids,
                )
                self._budget(2, lambda text=text: Archive.name_search(text))
        self.assertFalse(Archive.name_search("5555 0199"))
        self.assertEqual(
            self.env["training.student.archive"].name_search("5555 0199")[0][0],
            other.archive_id.id,
        )

    def test_deadline_cron_batch(self):
        """ARC-05, issue 7: one batch of the deadline chaser, reminding two archives'
        hand-overs, costs a fixed number of queries (activities created in one batch,
        without an assignment e-mail each; 55 before issue 7)."""
        with freeze_time(local(2025, 3, 10, 15, 0)):  # hand-overs due in a day
            self._budget(
                20, self.env["training.archive.deadline"]._cron_chase_deadlines
            )

    def _students(self, size):
        Partner = self.env["res.partner"]
        return Partner.create(
            [{"name": f"Student {n}", "email": f"s{n}@ex.com"} for n in range(size)]
        )

    def _enrol_students(self, size):
        """``size`` more students enrolled in English A1, confirmed on Friday 7 March
        15:00: each hand-over is due on Monday 10 March 15:00 (8 working hours)."""
        enrollments = self.env["training.enrollment"]
        for partner in self._students(size):
            enrollments |= self._enrol_and_confirm(partner, self.course_a)
        return enrollments

    def test_deadline_cron_no_n_plus_one(self):
        """ARC-05, issue 7: one call of the deadline chaser costs the same number of
        statements for 2, 4 or 6 more archives whose hand-over is overdue on Tuesday
        11 March and has no reminder yet (each gets its activity and its overdue
        message in the same call): no query per deadline. The reminder activities are
        created without the assignment e-mail (they show in the assignee's activity
        menu); the overdue messages are logged in one batch."""
        with freeze_time(local(2025, 3, 11, 15, 1)):
            self.assertStatementsPerRecord(
                self._enrol_students,
                self.env["training.archive.deadline"]._cron_chase_deadlines,
                (2, 4, 6),
            )

    def test_deadline_cron_resumes(self):
        """ARC-05, issue 7: with batches of 2, the scheduled action run on three
        archives whose hand-over is overdue reminds and flags two deadlines and tells
        the cron runner one is left; the next call finishes it; a third call finds
        nothing and creates nothing."""
        archives = self.archives | self._enrol_students(1).archive_id
        cron = self.env.ref("training_student_archive.ir_cron_chase_archive_deadlines")
        Deadline = self.env["training.archive.deadline"]
        Progress = self.env["ir.cron.progress"]
        handovers = Deadline.search(
            [("kind", "=", "handover"), ("archive_id", "in", archives.ids)]
        )
        self.assertEqual(len(handovers), 3)
        self.assertEqual(set(handovers.mapped("deadline")), {local(2025, 3, 10, 15, 0)})

        def run():
            cron.method_direct_trigger()
            progress = Progress.search([("cron_id", "=", cron.id)], order="id desc")
            return progress[:1].done, progress[:1].remaining

        with (
            freeze_time(local(2025, 3, 11, 15, 1)),
            patch.object(training_archive_deadline, "CRON_BATCH", 2),
        ):
            # other open deadlines (schedules) are not due yet
            self.assertEqual(run(), (4, 1))  # 2 reminded + 2 flagged, 1 left
            self.assertEqual(len(handovers.filtered("activity_id")), 2)
            self.assertEqual(handovers.mapped("state").count("overdue"), 2)
            self.assertEqual(run(), (2, 0))
            self.assertTrue(all(handovers.mapped("activity_id")))
            self.assertEqual(set(handovers.mapped("state")), {"overdue"})
            activities = handovers.activity_id
            messages = self.env["mail.message"].search_count(
                [("model", "=", "training.student.archive")]
            )
            self.assertEqual(run(), (0, 0))
            self.assertEqual(handovers.activity_id, activities)
            self.assertEqual(
                self.env["mail.message"].search_count(
                    [("model", "=", "training.student.archive")]
                ),
                messages,
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

    def _closed_archives(self, size):
        """``size`` archives of students who completed their course on 1 March 2019:
        their 5-year retention period ended on 1 March 2024."""
        archives = self._enrol_students(size).archive_id
        archives.write({"state": "completed", "closed_date": "2019-03-01"})
        return archives

    def test_destruction_listing_no_n_plus_one(self):
        """ARC-13, issue 7: listing 2, 4 or 6 archives whose retention period is over
        costs the same number of statements: one write marks them all, one create
        gives their archivists the activities (without an assignment e-mail each)."""
        self.assertStatementsPerRecord(
            self._closed_archives,
            self.env["training.student.archive"]._cron_list_destruction_eligible,
            (2, 4, 6),
        )

    def _expired_grants(self, size):
        """``size`` approved access requests whose grant expired on 6 March."""
        part = self.env.ref("training_student_archive.training_archive_part_learning")
        requests = self.env["training.archive.access.request"].create(
            [
                {
                    "purpose": "Placement",
                    "archive_ids": [(6, 0, self.archives[:1].ids)],
                    "part_ids": [(6, 0, part.ids)],
                    "valid_until": "2025-03-06 10:00:00",
                    "state": "approved",
                }
                for _n in range(size)
            ]
        )
        return self.env["training.archive.access.grant"].create(
            [
                {
                    "request_id": request.id,
                    "user_id": self.user_teacher2.id,
                    "archive_ids": [(6, 0, self.archives[:1].ids)],
                    "part_ids": [(6, 0, part.ids)],
                    "valid_until": request.valid_until,
                    "company_id": self.company.id,
                }
                for request in requests
            ]
        )

    def test_grant_expiry_no_n_plus_one(self):
        """ARC-09, ARC-10, ARC-12, issue 7: ending 2, 4 or 6 expired grants and closing
        their requests costs a fixed number of statements plus exactly 3 per request:
        the grants and the requests are written at once and the expiry notes logged
        in one batch, but each closed request keeps its own trace of the change
        (ARC-12): one tracking message and one insert of its tracking values; and
        OCA base_tier_validation looks up its write-after-validation exceptions once
        per record written (one SELECT each)."""
        self.assertStatementsPerRecord(
            self._expired_grants,
            self.env["training.archive.access.grant"]._cron_expire_grants,
            (2, 4, 6),
            per_record=3,
        )

    def _active_archives(self, size):
        archives = self._enrol_students(size).archive_id
        archives.write({"state": "active"})
        return archives

    def test_quarterly_audit_no_n_plus_one(self):
        """ARC-15, issue 7: auditing a company with 2, 4 or 6 more active archives
        (all incomplete: no birth date, no documents) costs the same number of
        statements: the issues come from grouped queries, the lines are created in
        one batch and each archivist gets one activity."""
        with freeze_time("2025-04-01 02:00:00"):
            self.assertStatementsPerRecord(
                self._active_archives,
                self.env["training.archive.audit"]._cron_quarterly_audit,
                (2, 4, 6),
            )
        # the call measured audits this company (the first one), with all archives
        archives = self._active_archives(2)
        with freeze_time("2025-04-01 02:00:00"):
            self.env["training.archive.audit"]._cron_quarterly_audit()
        audit = self.env["training.archive.audit"].search([("quarter", "=", "2025-Q2")])
        self.assertEqual(audit.company_id, self.company)
        lines = audit.line_ids.filtered(lambda line: line.archive_id in archives)
        self.assertEqual(lines.archive_id, archives)

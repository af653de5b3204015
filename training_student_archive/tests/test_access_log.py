from odoo.exceptions import AccessError
from odoo.tests import HttpCase, freeze_time, new_test_user, tagged

from .common import TrainingArchiveCommon


@tagged("post_install", "-at_install")
@freeze_time("2025-03-14 09:00:00")
class TestAccessLog(TrainingArchiveCommon):
    """Every read of archive data by staff outside the archive group leaves one row."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.enrollment = cls._enrol_and_confirm(cls.student, cls.course_a)
        cls.enrollment_b = cls._enrol_and_confirm(cls.student_b, cls.course_a)
        cls.enrollment_c = cls._enrol_and_confirm(cls.student_minor, cls.course_a)
        cls.archive = cls.enrollment.archive_id
        cls.archives = (cls.enrollment | cls.enrollment_b | cls.enrollment_c).archive_id
        cls.lesson = (
            cls.env["training.learning.record"]
            .with_user(cls.user_teacher)
            .create(
                {
                    "enrollment_id": cls.enrollment.id,
                    "record_type": "lesson",
                    "attendance": "present",
                }
            )
        )
        cls.document = cls.env["training.archive.document"].create(
            {
                "archive_id": cls.archive.id,
                "name": "Signed agreement",
                "document_type": "training_agreement",
                "file": "JVBERi0xLjQgYWdyZWVtZW50",
                "file_name": "agreement.pdf",
            }
        )
        cls.user_customer_service.groups_id += cls.env.ref("base.group_allow_export")
        cls.Log = cls.env["training.archive.access.log"]

    def _new_rows(self, since):
        return self.Log.search([("id", ">", since)], order="id")

    def _last_id(self):
        return self.Log.search([], limit=1).id or 0

    def test_one_row_per_read_every_channel(self):
        """ARC-11: customer service opens the form (web_read), a list
        (web_search_read), reads by RPC (read, search_read), exports and prints the
        certificate; the teacher opens the lessons; enrolment staff download the
        agreement: each call leaves exactly one row per archive read with who, when,
        which parts, the channel and the role; the archivist's reads are logged
        too, one row per archive read (issue 13)."""
        cs = self.user_customer_service
        Archive = self.env["training.student.archive"].with_user(cs)
        archive = Archive.browse(self.archive.id)
        calls = [
            ("form", 1, lambda: archive.web_read({"name": {}, "phone": {}})),
            (
                "list",
                3,
                lambda: Archive.web_search_read(
                    [("id", "in", self.archives.ids)], {"name": {}}
                ),
            ),
            ("read", 1, lambda: archive.read(["email"])),
            (
                "search_read",
                3,
                lambda: Archive.search_read(
                    [("id", "in", self.archives.ids)], ["name"]
                ),
            ),
            ("export", 1, lambda: archive.export_data(["name", "phone"])),
            (
                "report",
                1,
                lambda: (
                    self.env["ir.actions.report"]
                    .with_user(cs)
                    ._render_qweb_html(
                        "training_student_archive.action_report_learning_certificate",
                        archive.ids,
                    )
                ),
            ),
        ]
        for channel, count, call in calls:
            with self.subTest(channel=channel):
                since = self._last_id()
                call()
                rows = self._new_rows(since)
                self.assertEqual(len(rows), count)
                self.assertEqual(set(rows.mapped("channel")), {channel})
                self.assertEqual(rows.user_id, cs)
                self.assertEqual(str(rows[0].date), "2025-03-14 09:00:00")
                self.assertEqual(rows[0].role, "Customer Service")
                self.assertFalse(rows.grant_id)
        self.assertEqual(rows.parts, "learning,registration")

        since = self._last_id()
        self.env["training.learning.record"].with_user(self.user_teacher).browse(
            self.lesson.id
        ).web_read({"attendance": {}, "archive_id": {"fields": {"display_name": {}}}})
        self.assertRecordValues(
            self._new_rows(since),
            [{"archive_id": self.archive.id, "parts": "learning", "channel": "form"}],
        )
        # the form of the archive with its lessons: one row naming both parts
        since = self._last_id()
        self.env["training.student.archive"].with_user(self.user_teacher).browse(
            self.archive.id
        ).web_read({"name": {}, "learning_record_ids": {"fields": {"attendance": {}}}})
        self.assertRecordValues(
            self._new_rows(since),
            [{"parts": "learning,registration", "channel": "form"}],
        )

        since = self._last_id()
        Archive.with_user(self.user_archivist).search_read(
            [("id", "in", self.archives.ids)], ["name", "health_notes"]
        )
        self.archive.with_user(self.user_archivist).read(["name"])
        rows = self._new_rows(since)
        self.assertEqual(len(rows), 4)
        self.assertEqual(rows.user_id, self.user_archivist)
        self.assertEqual(rows.archive_id, self.archives)
        self.assertEqual(
            rows.mapped("channel"), ["search_read"] * 3 + ["read"], rows.read()
        )
        self.assertEqual(set(rows.mapped("role")), {"Archivist"})

    def test_archive_group_reads_logged(self):
        """ARC-11 (issue 13): the policy records every staff read: the archivist,
        the administrative supervisor and management leave one row per archive
        read, through every channel, like the other roles, and it costs the one
        INSERT of the other roles (see test_query_budget)."""
        for user in (
            self.user_archivist,
            self.user_supervisor,
            self.user_management,
        ):
            Archive = self.env["training.student.archive"].with_user(user)
            calls = [
                (
                    "form",
                    1,
                    lambda A=Archive: A.browse(self.archive.id).web_read(
                        {"name": {}, "health_notes": {}}
                    ),
                ),
                (
                    "list",
                    3,
                    lambda A=Archive: A.web_search_read(
                        [("id", "in", self.archives.ids)], {"name": {}}
                    ),
                ),
                ("read", 1, lambda A=Archive: A.browse(self.archive.id).read(["name"])),
                (
                    "search_read",
                    3,
                    lambda A=Archive: A.search_read(
                        [("id", "in", self.archives.ids)], ["name"]
                    ),
                ),
            ]
            for channel, count, call in calls:
                with self.subTest(user=user.login, channel=channel):
                    since = self._last_id()
                    self.env.invalidate_all()
                    call()
                    rows = self._new_rows(since)
                    self.assertEqual(len(rows), count)
                    self.assertEqual(set(rows.mapped("channel")), {channel})
                    self.assertEqual(rows.user_id, user)
            self.assertIn("Archivist", rows[0].role)
        since = self._last_id()
        self.env["training.learning.record"].with_user(self.user_supervisor).browse(
            self.lesson.id
        ).read(["attendance"])
        self.assertRecordValues(
            self._new_rows(since),
            [{"archive_id": self.archive.id, "parts": "learning", "channel": "read"}],
        )

    def test_log_is_cheap_and_append_only(self):
        """ARC-11: reading three archives costs the same number of queries as reading
        one (one INSERT per call, no query per record); nobody can change or delete a
        row, neither the administrator nor the superuser."""
        Archive = self.env["training.student.archive"].with_user(
            self.user_customer_service
        )
        Archive.search_read([("id", "in", self.archive.ids)], ["name"])  # warm caches
        self.env.invalidate_all()
        before = self.cr.sql_log_count
        Archive.search_read([("id", "in", self.archive.ids)], ["name"])
        one = self.cr.sql_log_count - before
        self.env.invalidate_all()
        before = self.cr.sql_log_count
        Archive.search_read([("id", "in", self.archives.ids)], ["name"])
        three = self.cr.sql_log_count - before
        self.assertEqual(one, three)

        row = self.Log.search([], limit=1)
        admin = self.env.ref("base.user_admin")
        for env in (self.env(user=admin), self.env(su=True)):
            with self.assertRaises(AccessError):
                row.with_env(env).write({"channel": "form"})
            with self.assertRaises(AccessError):
                row.with_env(env).unlink()
        self.assertTrue(row.exists())
        # staff outside the archive group do not even read the log
        with self.assertRaises(AccessError):
            self.Log.with_user(self.user_customer_service).search_read([], ["user_id"])

    def test_grant_recorded_and_no_access_without_it(self):
        """ARC-11, ARC-09: finance has no role for learning records: search_read and
        export raise an access error; with an approved grant the reads are logged with
        the grant that allowed them."""
        finance = self.user_finance
        finance.groups_id += self.env.ref("base.group_allow_export")
        Record = self.env["training.learning.record"].with_user(finance)
        with self.assertRaises(AccessError):
            Record.search_read([("id", "=", self.lesson.id)], ["attendance"])
        with self.assertRaises(AccessError):
            Record.browse(self.lesson.id).export_data(["attendance"])
        request = (
            self.env["training.archive.access.request"]
            .with_user(finance)
            .create(
                {
                    "purpose": "Check lessons consumed before the refund",
                    "archive_ids": [(6, 0, self.archive.ids)],
                    "part_ids": [
                        (
                            6,
                            0,
                            self.env.ref(
                                "training_student_archive.training_archive_part_learning"
                            ).ids,
                        )
                    ],
                    "valid_until": "2025-03-15 09:00:00",
                }
            )
        )
        request.request_validation()
        request.with_user(self.user_supervisor).validate_tier()
        since = self._last_id()
        self.env.invalidate_all()
        rows = Record.search_read([("id", "=", self.lesson.id)], ["attendance"])
        self.assertEqual(rows[0]["attendance"], "present")
        self.assertRecordValues(
            self._new_rows(since),
            [
                {
                    "archive_id": self.archive.id,
                    "parts": "learning",
                    "channel": "search_read",
                    "grant_id": request.grant_ids.id,
                }
            ],
        )


@tagged("post_install", "-at_install")
class TestAccessLogDownload(HttpCase):
    def test_download_logged_once(self):
        """ARC-11: enrolment staff download a document's file through the web client
        (/web/content): one row, channel download, part documents; customer service,
        without a role for documents, gets an error and no file."""
        enrolment = new_test_user(
            self.env,
            login="dl_enrolment",
            groups="training_student_archive.training_student_archive_group_enrolment",
        )
        service = new_test_user(
            self.env,
            login="dl_service",
            groups="training_student_archive.training_student_archive_group_customer_service",
        )
        course = self.env["training.course"].create({"name": "Download", "code": "DL"})
        student = self.env["res.partner"].create(
            {"name": "Download Student", "email": "dl@example.com"}
        )
        enrollment = self.env["training.enrollment"].create(
            {"partner_id": student.id, "course_id": course.id}
        )
        enrollment.action_confirm()
        document = self.env["training.archive.document"].create(
            {
                "archive_id": enrollment.archive_id.id,
                "name": "Agreement",
                "document_type": "training_agreement",
                "file": "JVBERi0xLjQgYWdyZWVtZW50",
                "file_name": "agreement.pdf",
            }
        )
        Log = self.env["training.archive.access.log"]
        since = Log.search([], limit=1).id or 0
        url = f"/web/content/training.archive.document/{document.id}/file"
        self.authenticate("dl_enrolment", "dl_enrolment")
        response = self.url_open(url)
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.content, b"%PDF-1.4 agreement")
        rows = Log.search([("id", ">", since)])
        self.assertRecordValues(
            rows,
            [
                {
                    "user_id": enrolment.id,
                    "archive_id": enrollment.archive_id.id,
                    "parts": "documents",
                    "channel": "download",
                }
            ],
        )
        self.authenticate("dl_service", "dl_service")
        response = self.url_open(url)
        self.assertNotEqual(response.status_code, 200)
        self.assertEqual(Log.search_count([("user_id", "=", service.id)]), 0)


@tagged("post_install", "-at_install")
class TestAccessLogReadOnlyRequests(HttpCase):
    def test_logged_reads_never_retried(self):
        """ARC-11 (issue 16): Odoo 18 serves reads as read-only requests (on the
        replica when there is one; HttpCase simulates it). Every way the web client
        reads archive data (form, list, RPC read and search_read, a document's
        download, a report page) writes its log row without failing and being
        retried: no "retrying with a read/write cursor" warning, no SQL error, and
        exactly one row per read."""
        teacher = new_test_user(
            self.env,
            login="ro_teacher",
            groups="training_student_archive.training_student_archive_group_teacher",
        )
        new_test_user(
            self.env,
            login="ro_archivist",
            groups="training_student_archive.training_student_archive_group_archivist",
        )
        course = self.env["training.course"].create(
            {"name": "Replica", "code": "RPL", "teacher_ids": [(6, 0, teacher.ids)]}
        )
        student = self.env["res.partner"].create({"name": "Replica Student"})
        enrollment = self.env["training.enrollment"].create(
            {"partner_id": student.id, "course_id": course.id}
        )
        enrollment.action_confirm()
        archive = enrollment.archive_id
        document = self.env["training.archive.document"].create(
            {
                "archive_id": archive.id,
                "name": "Agreement",
                "document_type": "training_agreement",
                "file": "JVBERi0xLjQgYWdyZWVtZW50",
                "file_name": "agreement.pdf",
            }
        )
        Log = self.env["training.archive.access.log"]
        calls = [
            ("web_read", [[archive.id]], {"specification": {"archive_number": {}}}),
            (
                "web_search_read",
                [],
                {
                    "domain": [("id", "=", archive.id)],
                    "specification": {"archive_number": {}},
                },
            ),
            ("read", [[archive.id], ["archive_number"]], {}),
            (
                "search_read",
                [],
                {"domain": [("id", "=", archive.id)], "fields": ["archive_number"]},
            ),
        ]
        # Another form showing the archive as a link reads its name only: nothing
        # logged, and still no retry.
        link = {"archive_id": {"fields": {"display_name": {}}}}
        self.authenticate("ro_teacher", "ro_teacher")
        since = Log.search([], limit=1).id or 0
        with (
            self.assertNoLogs("odoo.http", level="WARNING"),
            self.assertNoLogs("odoo.sql_db", level="ERROR"),
        ):
            self.make_jsonrpc_request(
                "/web/dataset/call_kw/training.enrollment/web_read",
                {
                    "model": "training.enrollment",
                    "method": "web_read",
                    "args": [[enrollment.id]],
                    "kwargs": {"specification": link},
                },
            )
        self.assertEqual(Log.search_count([("id", ">", since)]), 0)
        self.authenticate("ro_teacher", "ro_teacher")
        for method, args, kwargs in calls:
            since = Log.search([], limit=1).id or 0
            with (
                self.subTest(method=method),
                self.assertNoLogs("odoo.http", level="WARNING"),
                self.assertNoLogs("odoo.sql_db", level="ERROR"),
            ):
                self.make_jsonrpc_request(
                    f"/web/dataset/call_kw/training.student.archive/{method}",
                    {
                        "model": "training.student.archive",
                        "method": method,
                        "args": args,
                        "kwargs": kwargs,
                    },
                )
                self.assertEqual(Log.search_count([("id", ">", since)]), 1)
        self.authenticate("ro_archivist", "ro_archivist")
        report = "training_student_archive.report_learning_certificate"
        for url in (
            f"/web/content/training.archive.document/{document.id}/file",
            f"/report/html/{report}/{archive.id}",
        ):
            since = Log.search([], limit=1).id or 0
            with (
                self.subTest(url=url),
                self.assertNoLogs("odoo.http", level="WARNING"),
                self.assertNoLogs("odoo.sql_db", level="ERROR"),
            ):
                response = self.url_open(url)
                self.assertEqual(response.status_code, 200)
                self.assertEqual(Log.search_count([("id", ">", since)]), 1)

    def test_forms_with_logged_lines_never_retried(self):
        """ARC-11, ARC-06 (issue 16): the forms that show learning records as lines
        (an enrolment, a lesson's roll) log those reads without failing in the
        read-only transaction and being retried on the primary: one row, no
        warning, no SQL error."""
        teacher = new_test_user(
            self.env,
            login="ro_lines_teacher",
            groups="training_student_archive.training_student_archive_group_teacher",
        )
        course = self.env["training.course"].create(
            {"name": "Lines", "code": "LNS", "teacher_ids": [(6, 0, teacher.ids)]}
        )
        student = self.env["res.partner"].create({"name": "Lines Student"})
        enrollment = self.env["training.enrollment"].create(
            {"partner_id": student.id, "course_id": course.id}
        )
        enrollment.action_confirm()
        lesson = self.env["training.lesson"].create(
            {"course_id": course.id, "teacher_id": teacher.id}
        )
        lesson.action_take_roll()
        lines = {"fields": {"attendance": {}, "partner_id": {"fields": {}}}}
        Log = self.env["training.archive.access.log"]
        self.authenticate("ro_lines_teacher", "ro_lines_teacher")
        for model, record, field in (
            ("training.enrollment", enrollment, "learning_record_ids"),
            ("training.lesson", lesson, "record_ids"),
        ):
            since = Log.search([], limit=1).id or 0
            with (
                self.subTest(model=model),
                self.assertNoLogs("odoo.http", level="WARNING"),
                self.assertNoLogs("odoo.sql_db", level="ERROR"),
            ):
                self.make_jsonrpc_request(
                    f"/web/dataset/call_kw/{model}/web_read",
                    {
                        "model": model,
                        "method": "web_read",
                        "args": [[record.id]],
                        "kwargs": {"specification": {field: lines}},
                    },
                )
                self.assertEqual(Log.search_count([("id", ">", since)]), 1)

"""Access requests usable from the web client (issue 15, part 3).

A requester names the archives by number, without reading them (ARC-09, ARC-10);
once the request is approved, the grant's buttons open exactly what was granted,
through the grant's record rules, and the reads are logged with the grant (ARC-11).
"""

from datetime import timedelta

from lxml import etree

from odoo import fields
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import HttpCase, freeze_time, new_test_user, tagged

from .common import TrainingArchiveCommon

PARTS = {
    "registration": "training.student.archive",
    "learning": "training.learning.record",
    "documents": "training.archive.document",
}


@tagged("post_install", "-at_install")
@freeze_time("2025-03-14 09:00:00")
class TestAccessRequestWeb(TrainingArchiveCommon):
    """ARC-09, ARC-10, ARC-11, issue 15: requests by archive number and the granted
    reader's buttons."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # An archive of a course the second teacher does not teach...
        cls.enrollment, cls.archive, cls.lesson = cls._reviewed_with_lesson(
            cls.student, cls.course_a, cls.user_teacher, "2025-03-10"
        )
        # ... and a sealed archive of a former student of their own course.
        cls.enrollment_sealed, cls.sealed, cls.lesson_sealed = (
            cls._reviewed_with_lesson(
                cls.student_b, cls.course_b, cls.user_teacher2, "2025-03-11"
            )
        )
        cls.enrollment_sealed.with_user(cls.user_enrolment).action_complete()
        cls.sealed.with_user(cls.user_archivist).action_seal()
        # A third archive nobody asks for.
        cls.other = cls._enrol_and_confirm(
            cls.student_no_contact, cls.course_a
        ).archive_id
        Document = cls.env["training.archive.document"]
        cls.documents = Document.browse()
        for archive in (cls.archive, cls.sealed, cls.other):
            cls.documents |= Document.create(
                {
                    "archive_id": archive.id,
                    "name": "Registration form",
                    "document_type": "registration_form",
                }
            )
        cls.part = {
            code: cls.env.ref(f"training_student_archive.training_archive_part_{code}")
            for code in PARTS
        }
        cls._end_request()

    def _request(self, user, numbers, parts, **vals):
        return (
            self.env["training.archive.access.request"]
            .with_user(user)
            .create(
                {
                    "purpose": "Placement in the advanced class",
                    "archive_numbers": numbers,
                    "part_ids": [(6, 0, [self.part[p].id for p in parts])],
                    "valid_until": "2025-03-20 10:00:00",
                    **vals,
                }
            )
        )

    def _approve(self, request, approver=None):
        request.request_validation()
        request.with_user(approver or self.user_supervisor).validate_tier()
        self.assertEqual(request.state, "approved")
        self._end_request()
        return request.grant_ids

    def _open(self, record, code, user):
        """Search, as ``user``, the records the ``code`` button of ``record``
        (grant or request) opens; the action is asked as ``user``."""
        action = getattr(record.with_user(user), f"action_open_{code}")()
        self.assertEqual(action["res_model"], PARTS[code])
        self.env.invalidate_all()
        return self.env[PARTS[code]].with_user(user).search(action["domain"]), action

    def _form_spec(self, model, user):
        """The fields of ``user``'s form of ``model``, as the web client reads them
        (relational fields with their display names)."""
        Model = self.env[model].with_user(user)
        arch = Model.get_views([(False, "form")])["views"]["form"]["arch"]
        spec = {}
        for node in etree.fromstring(arch).xpath("//field[not(ancestor::field)]"):
            field = Model._fields[node.get("name")]
            relational = field.type in ("many2one", "one2many", "many2many")
            spec[field.name] = {"fields": {"display_name": {}}} if relational else {}
        return spec

    def _numbers(self, archives):
        return ", ".join(archives.sorted("archive_number").mapped("archive_number"))

    def test_request_by_number(self):
        """ARC-09, ARC-17, issue 15: a teacher names by number a sealed archive and
        an archive of another teacher's course, which they cannot read: the request
        is created with these archives (separators: commas, spaces, new lines, the
        Chinese comma). An unknown number, a partial number or a student's name is
        refused by a clear error and nothing is created; the requester can change
        the numbers while the request is a draft, not after."""
        teacher2 = self.user_teacher2
        for archive in (self.archive, self.sealed):
            with self.assertRaises(AccessError):
                archive.with_user(teacher2).read(["name"])
        Request = self.env["training.archive.access.request"]
        text = f"{self.archive.archive_number}\n {self.sealed.archive_number}，"
        request = self._request(teacher2, text, ["registration"])
        self.assertEqual(request.sudo().archive_ids, self.archive | self.sealed)
        self.assertEqual(
            request.with_user(teacher2).archive_numbers,
            self._numbers(self.archive | self.sealed),
        )
        count = Request.search_count([])
        number = self.archive.archive_number
        for text, unknown in (
            (f"{number}, A1999999", "A1999999"),
            (number[:-1], number[:-1]),
            (number[2:], number[2:]),
            ("Li Lei", "Li, Lei"),
            ("Han%", "Han%"),
        ):
            with (
                self.subTest(text=text),
                self.assertRaisesRegex(ValidationError, f"number {unknown}\\."),
            ):
                self._request(teacher2, text, ["registration"])
        with self.assertRaisesRegex(ValidationError, "at least one archive"):
            self._request(teacher2, " , ", ["registration"])
        self.assertEqual(Request.search_count([]), count, "nothing created")

        # The numbers replace the archives, also those the requester cannot read.
        request.with_user(teacher2).write(
            {"archive_numbers": self.other.archive_number}
        )
        self.assertEqual(request.sudo().archive_ids, self.other)
        with self.assertRaisesRegex(ValidationError, "A1999999"):
            request.with_user(teacher2).write({"archive_numbers": "A1999999"})
        self.assertEqual(request.sudo().archive_ids, self.other)
        request.with_user(teacher2).write(
            {"archive_numbers": self._numbers(self.archive | self.sealed)}
        )
        self.assertEqual(request.sudo().archive_ids, self.archive | self.sealed)
        self._approve(request)
        with self.assertRaisesRegex(UserError, "only be changed while it is a draft"):
            request.with_user(teacher2).write(
                {"archive_numbers": self.other.archive_number}
            )

    def test_requester_reads_request_without_archive_names(self):
        """ARC-11, issue 15: the requester's form and list do not hold the archive
        names (the archive field is for the archive group), the numbers they gave
        are shown; reading the request as the form does raises no access error, and
        the archives they cannot read are left out of the Many2many, never named."""
        teacher2 = self.user_teacher2
        request = self._request(
            teacher2, self._numbers(self.archive | self.sealed), ["registration"]
        )
        self._end_request()
        Request = self.env["training.archive.access.request"]
        for user, shown in ((teacher2, False), (self.user_archivist, True)):
            for view_type in ("form", "list", "kanban"):
                with self.subTest(user=user.login, view=view_type):
                    arch = Request.with_user(user).get_views([(False, view_type)])[
                        "views"
                    ][view_type]["arch"]
                    names = etree.fromstring(arch).xpath("//field/@name")
                    self.assertIn("archive_numbers", names)
                    if view_type != "kanban":
                        self.assertEqual("archive_ids" in names, shown)
        values = request.with_user(teacher2).web_read(
            {
                "name": {},
                "archive_numbers": {},
                "archive_ids": {"fields": {"display_name": {}}},
                "can_open_registration": {},
            }
        )[0]
        self.assertEqual(values["archive_ids"], [])
        self.assertEqual(
            values["archive_numbers"], self._numbers(self.archive | self.sealed)
        )
        self.assertFalse(values["can_open_registration"])
        self.assertNotIn(self.student.name, str(values))
        self.assertNotIn(self.student_b.name, str(values))
        # Staff without any role (no right to read archives at all) too.
        staff = new_test_user(
            self.env,
            login="trn_staff_only",
            groups="training_student_archive.training_student_archive_group_user",
            context={"no_reset_password": True},
        )
        own = self._request(staff, self.archive.archive_number, ["registration"])
        self._end_request()
        spec = self._form_spec("training.archive.access.request", staff)
        self.assertNotIn("archive_ids", spec)
        values = own.with_user(staff).web_read(spec)[0]
        self.assertEqual(values["archive_numbers"], self.archive.archive_number)
        self.assertNotIn(self.student.name, str(values))
        self.env.invalidate_all()
        values = request.with_user(teacher2).web_read(
            self._form_spec("training.archive.access.request", teacher2)
        )[0]
        self.assertNotIn(self.student.name, str(values))
        rows = Request.with_user(teacher2).web_search_read(
            [("id", "=", request.id)], {"archive_numbers": {}, "name": {}}
        )["records"]
        self.assertEqual(rows[0]["archive_numbers"], values["archive_numbers"])
        with self.assertRaises(UserError):
            request.with_user(teacher2).action_open_registration()

    def test_learning_grant_opens_no_registration_data(self):
        """ARC-09, ARC-11, issue 15: a grant of learning records only opens the
        learning records, which the teacher's web client lists and opens with the
        archive's number and the student's name; the archive record and the
        student's contact (registration data) stay unreadable on every path."""
        teacher2 = self.user_teacher2
        grant = self._approve(
            self._request(teacher2, self.archive.archive_number, ["learning"])
        )
        self.assertRecordValues(
            grant.with_user(teacher2),
            [{"can_open_learning": True, "can_open_registration": False}],
        )
        found, action = self._open(grant, "learning", teacher2)
        self.assertEqual(found, self.lesson)
        self.env.invalidate_all()
        Record = self.env["training.learning.record"].with_user(teacher2)
        rows = Record.web_search_read(
            action["domain"],
            {
                "attendance": {},
                "archive_id": {"fields": {"display_name": {}}},
                "partner_id": {"fields": {"display_name": {}}},
            },
        )["records"]
        self.assertEqual(
            [(r["archive_id"]["display_name"], r["partner_id"]["id"]) for r in rows],
            [(self.archive.display_name, self.archive.partner_id.id)],
        )
        self.lesson.with_user(teacher2).web_read(
            self._form_spec("training.learning.record", teacher2)
        )
        self.env.invalidate_all()
        Archive = self.env["training.student.archive"].with_user(teacher2)
        Partner = self.env["res.partner"].with_user(teacher2)
        mine = [("id", "=", self.archive.id)]
        self.assertFalse(Archive.search(mine))
        self.assertFalse(Archive.search_read(mine, ["birthdate"]))
        [group] = Archive.read_group(mine, ["birthdate:max"], [])
        self.assertEqual((group["__count"], group["birthdate"]), (0, False))
        self.assertFalse(Partner.search([("id", "=", self.archive.partner_id.id)]))
        for record, fname in (
            (self.archive, "birthdate"),
            (self.archive.partner_id, "phone"),
        ):
            with self.subTest(model=record._name), self.assertRaises(AccessError):
                record.with_user(teacher2).read([fname])
        with self.assertRaises(UserError):
            grant.with_user(teacher2).action_open_registration()

    def test_granted_reader_opens_the_granted_parts(self):
        """ARC-09, ARC-11, ARC-17, issue 15: before the approval the teacher reads
        neither archive; once the supervisor approves registration data and learning
        records, the grant's (and the request's) Registration and Learning Records
        buttons open exactly the records of the granted archives, which the teacher
        reads, each read logged with the grant; the Documents button is hidden and
        refused, the documents stay unreadable. The My Access Grants action lists the
        teacher's grant. When the grant expires the buttons are gone and what they
        opened is no longer readable."""
        teacher2 = self.user_teacher2
        granted = self.archive | self.sealed
        for archive in granted:
            with self.assertRaises(AccessError):
                archive.with_user(teacher2).read(["archive_number"])
        request = self._request(
            teacher2, self._numbers(granted), ["registration", "learning"]
        )
        self.assertFalse(request.with_user(teacher2).can_open_registration)
        grant = self._approve(request)
        self.assertEqual(grant.user_id, teacher2)
        self.assertRecordValues(
            grant.with_user(teacher2),
            [
                {
                    "can_open_registration": True,
                    "can_open_learning": True,
                    "can_open_documents": False,
                    "archive_numbers": self._numbers(granted.sorted("archive_number")),
                }
            ],
        )
        # Only the grantee gets the buttons, not the archivist.
        self.assertFalse(grant.with_user(self.user_archivist).can_open_registration)
        self.assertRecordValues(
            request.with_user(teacher2),
            [{"can_open_registration": True, "can_open_documents": False}],
        )

        # The grant's and the request's forms, and the archive's form the
        # Registration button opens, read as the teacher's web client does.
        self.env.invalidate_all()
        for model, record in (
            ("training.archive.access.grant", grant),
            ("training.archive.access.request", request),
            ("training.student.archive", self.archive),
        ):
            with self.subTest(form=model):
                record.with_user(teacher2).web_read(self._form_spec(model, teacher2))
        Log = self.env["training.archive.access.log"]
        expected = {
            "registration": granted,
            "learning": self.lesson | self.lesson_sealed,
        }
        for record in (grant, request):
            for code, records in expected.items():
                with self.subTest(record=record._name, code=code):
                    found, action = self._open(record, code, teacher2)
                    self.assertEqual(found, records)
                    since = Log.search([], limit=1).id or 0
                    # the list the action opens, then a record of it
                    fname = "archive_number" if code == "registration" else "attendance"
                    rows = (
                        self.env[PARTS[code]]
                        .with_user(teacher2)
                        .web_search_read(action["domain"], {fname: {}})
                    )
                    self.assertEqual(rows["length"], len(records))
                    found[:1].read([fname])
                    log = Log.search([("id", ">", since)])
                    self.assertEqual(len(log), len(granted) + 1)
                    self.assertEqual(log.archive_id, granted)
                    self.assertEqual(log.grant_id, grant)
                    self.assertFalse(log.filtered(lambda row: not row.grant_id))
                    self.assertEqual(log.user_id, teacher2)
        # The documents were not granted: no button, no records.
        for record in (grant, request):
            with self.assertRaises(UserError):
                record.with_user(teacher2).action_open_documents()
        self.env.invalidate_all()
        Document = self.env["training.archive.document"].with_user(teacher2)
        self.assertFalse(Document.search([("archive_id", "in", granted.ids)]))
        with self.assertRaises(AccessError):
            self.documents[0].with_user(teacher2).read(["name"])
        # Nor the archive not asked for.
        with self.assertRaises(AccessError):
            self.other.with_user(teacher2).read(["name"])

        mine = self.env["ir.actions.actions"]._for_xml_id(
            "training_student_archive.training_archive_access_grant_action_mine"
        )
        self.assertIn("search_default_valid", mine["context"])
        domain = [("user_id", "=", teacher2.id), ("is_valid", "=", True)]
        Grant = self.env["training.archive.access.grant"]
        self.assertEqual(Grant.with_user(teacher2).search(domain), grant)
        self.assertFalse(Grant.with_user(self.user_teacher).search(domain))

        _found, action = self._open(grant, "registration", teacher2)
        with freeze_time("2025-03-20 10:00:01"):
            self.env.invalidate_all()
            self.assertRecordValues(
                grant.with_user(teacher2),
                [{"can_open_registration": False, "can_open_learning": False}],
            )
            self.assertFalse(Grant.with_user(teacher2).search(domain))
            values = grant.with_user(teacher2).web_read(
                self._form_spec("training.archive.access.grant", teacher2)
            )[0]
            self.assertFalse(values["is_valid"])
            with self.assertRaises(UserError):
                grant.with_user(teacher2).action_open_registration()
            self.assertFalse(
                self.env[PARTS["registration"]]
                .with_user(teacher2)
                .search(action["domain"])
            )
            self.assertFalse(
                self.env[PARTS["learning"]]
                .with_user(teacher2)
                .search([("archive_id", "in", granted.ids)])
            )

    def test_documents_grant_and_close(self):
        """ARC-10, ARC-11, issue 15: customer service, asked by a guardian, gets the
        documents of one archive approved by management: the Documents button opens
        the documents of that archive only (not of the other archives), read and
        logged with the grant; the Registration button is not there. Once the
        archivist closes the request, the buttons are gone and the documents are no
        longer readable."""
        service = self.user_customer_service
        guardian = self.env["res.partner"].create({"name": "Li Gang (father)"})
        authorisation = self.env["ir.attachment"].create(
            {"name": "authorisation.pdf", "raw": b"%PDF signed by Li Lei"}
        )
        request = self._request(
            service,
            self.archive.archive_number,
            ["documents"],
            request_type="external",
            external_partner_id=guardian.id,
            authorisation_ids=[(6, 0, authorisation.ids)],
        )
        grant = self._approve(request, self.user_management)
        self.assertRecordValues(
            grant.with_user(service),
            [
                {
                    "can_open_registration": False,
                    "can_open_learning": False,
                    "can_open_documents": True,
                }
            ],
        )
        Log = self.env["training.archive.access.log"]
        since = Log.search([], limit=1).id or 0
        found, action = self._open(grant, "documents", service)
        expected = self.documents.filtered(lambda d: d.archive_id == self.archive)
        self.assertEqual(found, expected)
        self.assertEqual(found.read(["name"])[0]["name"], "Registration form")
        self.assertRecordValues(
            Log.search([("id", ">", since)]),
            [
                {
                    "user_id": service.id,
                    "archive_id": self.archive.id,
                    "parts": "documents",
                    "grant_id": grant.id,
                }
            ],
        )
        with self.assertRaises(UserError):
            grant.with_user(service).action_open_registration()

        request.with_user(self.user_archivist).action_close()
        self.env.invalidate_all()
        self.assertFalse(grant.with_user(service).can_open_documents)
        self.assertFalse(request.with_user(service).can_open_documents)
        with self.assertRaises(UserError):
            request.with_user(service).action_open_documents()
        with self.assertRaises(AccessError):
            self.env["training.archive.document"].with_user(service).search(
                action["domain"]
            )


@tagged("post_install", "-at_install")
class TestAccessRequestWebRpc(HttpCase):
    def test_request_by_number_through_json_rpc(self):
        """ARC-09, ARC-11, issue 15: a teacher, through the web client's JSON-RPC,
        creates a request naming by number the archive of a student of another
        course (web_save) and reads it back with the fields of their form
        (web_read): no access error, the numbers shown, no archive name."""
        teacher = new_test_user(
            self.env,
            login="web_teacher",
            groups="training_student_archive.training_student_archive_group_teacher",
        )
        course = self.env["training.course"].create({"name": "Web", "code": "WEB"})
        student = self.env["res.partner"].create({"name": "Web Student Zhou"})
        enrollment = self.env["training.enrollment"].create(
            {"partner_id": student.id, "course_id": course.id}
        )
        enrollment.action_confirm()
        archive = enrollment.archive_id
        part = self.env.ref("training_student_archive.training_archive_part_learning")
        Request = self.env["training.archive.access.request"]

        self.authenticate("web_teacher", "web_teacher")

        def call(method, args, kwargs):
            return self.make_jsonrpc_request(
                f"/web/dataset/call_kw/{Request._name}/{method}",
                {
                    "model": Request._name,
                    "method": method,
                    "args": args,
                    "kwargs": kwargs,
                },
            )

        # The fields of the teacher's form, as the web client asks for them.
        arch = call("get_views", [], {"views": [[False, "form"]]})["views"]["form"][
            "arch"
        ]
        form = etree.fromstring(arch)
        specification = {}
        for node in form.xpath("//field[not(ancestor::field)]"):
            field = Request._fields[node.get("name")]
            if field.type in ("many2one", "one2many", "many2many"):
                specification[field.name] = {"fields": {"display_name": {}}}
            else:
                specification[field.name] = {}
        self.assertIn("archive_numbers", specification)
        self.assertNotIn("archive_ids", specification)

        valid_until = fields.Datetime.to_string(
            fields.Datetime.now() + timedelta(days=7)
        )
        saved = call(
            "web_save",
            [[]],
            {
                "vals": {
                    "request_type": "internal",
                    "purpose": "Placement test",
                    "archive_numbers": archive.archive_number,
                    "part_ids": [[4, part.id]],
                    "valid_until": valid_until,
                },
                "specification": {"archive_numbers": {}},
            },
        )
        request = Request.browse(saved[0]["id"])
        self.assertEqual(request.archive_ids, archive)
        self.assertEqual(request.requested_by_id, teacher)

        values = call("web_read", [[request.id]], {"specification": specification})[0]
        self.assertEqual(values["archive_numbers"], archive.archive_number)
        self.assertEqual(values["state"], "draft")
        self.assertNotIn(student.name, str(values))
        # The archive itself stays unreadable before the approval.
        with self.assertRaises(AccessError):
            archive.with_user(teacher).read(["name"])

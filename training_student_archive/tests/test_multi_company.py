from odoo import Command
from odoo.exceptions import AccessError
from odoo.tests import freeze_time, new_test_user, tagged

from .common import TrainingArchiveCommon, group


@tagged("post_install", "-at_install")
@freeze_time("2025-03-14 02:00:00")
class TestMultiCompany(TrainingArchiveCommon):
    """ARC-11 across companies: each institution sees its own archives only."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company_b = cls.env["res.company"].create({"name": "Training Institute B"})
        cls.user_enrolment_b = new_test_user(
            cls.env,
            login="trn_enrolment_b",
            groups=group("enrolment"),
            company_id=cls.company_b.id,
            context={"no_reset_password": True},
        )
        cls.user_archivist_b = new_test_user(
            cls.env,
            login="trn_archivist_b",
            groups=group("archivist"),
            company_id=cls.company_b.id,
            context={"no_reset_password": True},
        )
        cls.user_archivist.company_ids = [Command.link(cls.company_b.id)]
        cls.course_b_company = cls.env["training.course"].create(
            {
                "name": "English A1 (B)",
                "code": "ENA1",
                "company_id": cls.company_b.id,
            }
        )

    def test_company_b_does_not_see_company_a(self):
        """ARC-01, ARC-11: the same student enrolling in two companies gets one archive
        in each; a user of company B sees, reads and searches only the archive,
        enrolment and deadlines of company B; a user of both sees the companies
        selected in the company switcher."""
        enrollment_a = self._enrol_and_confirm(self.student, self.course_a)
        enrollment_b = (
            self.env["training.enrollment"]
            .with_user(self.user_enrolment_b)
            .create(
                {"partner_id": self.student.id, "course_id": self.course_b_company.id}
            )
        )
        self.assertEqual(enrollment_b.company_id, self.company_b)
        enrollment_b.action_confirm()
        self._end_request()
        archive_a, archive_b = enrollment_a.archive_id, enrollment_b.archive_id
        self.assertNotEqual(archive_a, archive_b)
        self.assertEqual(archive_b.company_id, self.company_b)
        both = archive_a | archive_b

        for model, records in (
            ("training.student.archive", both),
            ("training.enrollment", enrollment_a | enrollment_b),
            (
                "training.archive.deadline",
                self.env["training.archive.deadline"].search(
                    [("archive_id", "in", both.ids)]
                ),
            ),
        ):
            with self.subTest(model=model):
                Model = self.env[model].with_user(self.user_archivist_b)
                visible = Model.search([("id", "in", records.ids)])
                self.assertTrue(visible)
                self.assertEqual(visible.company_id, self.company_b)
                hidden = records - visible
                self.assertEqual(hidden.company_id, self.company)
                with self.assertRaises(AccessError):
                    Model.browse(hidden.ids).read(["company_id"])

        self.assertEqual(
            self.env["training.student.archive"]
            .with_user(self.user_archivist_b)
            .name_search("Li Lei"),
            [(archive_b.id, archive_b.archive_number)],
        )

        Archive = self.env["training.student.archive"].with_user(self.user_archivist)
        for allowed, expected in (
            ([self.company.id], archive_a),
            ([self.company_b.id], archive_b),
            ([self.company.id, self.company_b.id], both),
        ):
            self.assertEqual(
                Archive.with_context(allowed_company_ids=allowed).search(
                    [("id", "in", both.ids)]
                ),
                expected,
            )

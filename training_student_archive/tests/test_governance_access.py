from odoo.exceptions import AccessError
from odoo.tests import freeze_time, new_test_user, tagged

from .common import TrainingArchiveCommon, group


@tagged("post_install", "-at_install")
@freeze_time("2025-03-14 09:00:00")
class TestGovernanceAccess(TrainingArchiveCommon):
    """Who sees the governance records: requests, grants, the read log, destructions,
    audits; per role and per company."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.archive = cls._enrol_and_confirm(cls.student, cls.course_a).archive_id
        cls.archive.with_user(cls.user_enrolment).action_hand_over()
        cls.archive.with_user(cls.user_archivist).action_review()
        for user in (
            cls.user_customer_service,
            cls.user_teacher,
            cls.user_teacher2,
            cls.user_finance,
        ):
            user.groups_id += cls.env.ref("base.group_allow_export")
        cls.change = (
            cls.env["training.archive.change.request"]
            .with_user(cls.user_customer_service)
            .create(
                {
                    "archive_id": cls.archive.id,
                    "reason": "Typo in the e-mail",
                    "line_ids": [
                        (0, 0, {"field_name": "email", "new_value": "li@example.com"})
                    ],
                }
            )
        )
        cls.access = (
            cls.env["training.archive.access.request"]
            .with_user(cls.user_teacher2)
            .create(
                {
                    "purpose": "Class placement",
                    "archive_ids": [(6, 0, cls.archive.ids)],
                    "part_ids": [
                        (
                            6,
                            0,
                            cls.env.ref(
                                "training_student_archive.training_archive_part_registration"
                            ).ids,
                        )
                    ],
                    "valid_until": "2025-03-21 09:00:00",
                }
            )
        )
        # a read by customer service leaves a log row
        cls.archive.with_user(cls.user_customer_service).read(["name"])

    def test_staff_see_their_own_requests_only(self):
        """ARC-08, ARC-09, ARC-11: staff see the change and access requests they made,
        not the others', whether through search_read, read_group or export; the
        archivist sees them all."""
        cases = [
            (
                "training.archive.change.request",
                self.change,
                self.user_customer_service,
            ),
            ("training.archive.access.request", self.access, self.user_teacher2),
        ]
        for model, record, author in cases:
            for user in (self.user_customer_service, self.user_teacher2):
                with self.subTest(model=model, user=user.login):
                    Model = self.env[model].with_user(user)
                    expected = 1 if user == author else 0
                    self.assertEqual(
                        len(Model.search_read([("id", "=", record.id)], ["name"])),
                        expected,
                    )
                    groups = Model.read_group(
                        [("id", "=", record.id)], ["state"], ["state"]
                    )
                    self.assertEqual(sum(g["state_count"] for g in groups), expected)
                    self.assertEqual(
                        len(
                            Model.search([("id", "=", record.id)]).export_data(
                                ["name"]
                            )["datas"]
                        ),
                        expected,
                    )
            Model = self.env[model].with_user(self.user_archivist)
            self.assertEqual(Model.search([("id", "=", record.id)]), record)

    def test_archive_group_only_governance(self):
        """ARC-11, ARC-13, ARC-15: the read log, destructions and audits are for the
        archive group: teachers, customer service and finance get an access error,
        through search_read and read_group alike."""
        for model in (
            "training.archive.access.log",
            "training.archive.destruction",
            "training.archive.audit",
        ):
            for user in (
                self.user_teacher,
                self.user_customer_service,
                self.user_finance,
            ):
                with self.subTest(model=model, user=user.login):
                    Model = self.env[model].with_user(user)
                    with self.assertRaises(AccessError):
                        Model.search_read([], ["id"])
                    with self.assertRaises(AccessError):
                        Model.read_group([], ["create_date:max"], [])
            self.assertIsInstance(
                self.env[model].with_user(self.user_archivist).search_read([], ["id"]),
                list,
            )

    def test_other_company_sees_nothing(self):
        """ARC-11 across companies: an archivist of another institution sees none of
        the change requests, access requests or read log rows of this one."""
        company_b = self.env["res.company"].create({"name": "Training Institute B"})
        archivist_b = new_test_user(
            self.env,
            login="gov_archivist_b",
            groups=group("archivist"),
            company_id=company_b.id,
            context={"no_reset_password": True},
        )
        for model, record in (
            ("training.archive.change.request", self.change),
            ("training.archive.access.request", self.access),
            (
                "training.archive.access.log",
                self.env["training.archive.access.log"].search(
                    [("archive_id", "=", self.archive.id)]
                ),
            ),
        ):
            with self.subTest(model=model):
                self.assertTrue(record)
                self.assertFalse(
                    self.env[model]
                    .with_user(archivist_b)
                    .search_read([("id", "in", record.ids)], ["id"])
                )

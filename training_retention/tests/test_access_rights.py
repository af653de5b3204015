"""Who sees and changes attrition cases, violations and refund policies, as the
restricted users themselves (search_read, read_group, export_data)."""

from odoo import Command
from odoo.exceptions import AccessError
from odoo.tests import freeze_time, new_test_user, tagged

from .common import RetentionCommon


@tagged("post_install", "-at_install")
@freeze_time("2025-04-15 08:00:00")
class TestRetentionAccessRights(RetentionCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.enrollment = cls._enrol(cls.student, cls.course_40, "2025-03-07")
        cls.enrollment.action_confirm()
        cls.enrollment = cls.enrollment.with_env(cls.env)
        cls.enrollment.confirm_date = "2025-03-01 09:00:00"
        # One case per enrolment: the two disciplinary cases are about other
        # courses of the same student.
        others = []
        for code in ("ENB2", "ENB3"):
            course = cls.course_40.copy({"code": code, "name": f"English {code}"})
            other = cls._enrol(cls.student, course, "2025-03-07")
            other.action_confirm()
            others.append(other)
        Case = cls.env["training.attrition.case"]
        cls.case_withdrawal = Case.with_user(cls.user_customer_service).create(
            {
                "partner_id": cls.student.id,
                "enrollment_ids": [Command.set(cls.enrollment.ids)],
                "effective_date": "2025-04-15",
            }
        )
        cls.case_disciplinary = Case.with_user(cls.user_teacher).create(
            {
                "partner_id": cls.student.id,
                "case_type": "disciplinary",
                "enrollment_ids": [Command.set(others[0].ids)],
                "effective_date": "2025-04-15",
            }
        )
        cls.case_disciplinary_other = Case.with_user(cls.user_management).create(
            {
                "partner_id": cls.student.id,
                "case_type": "disciplinary",
                "enrollment_ids": [Command.set(others[1].ids)],
                "effective_date": "2025-04-15",
            }
        )
        cls._end_request()

    def _visible(self, user, model="training.attrition.case"):
        # New users get the export right from the default user template.
        user.groups_id += self.env.ref("base.group_allow_export")
        Model = self.env[model].with_user(user)
        found = {r["id"] for r in Model.search_read([], ["id"])}
        counted = sum(
            count for __, count in Model._read_group([], ["company_id"], ["__count"])
        )
        self.assertEqual(counted, len(found))
        exported = Model.search([]).export_data(["id"])["datas"]
        self.assertEqual(len(exported), len(found))
        return found

    def test_teacher_sees_own_disciplinary_proposals(self):
        """RET-05: teaching staff propose disciplinary cases and see only those they
        proposed (or whose violations they reported), never withdrawals or refunds."""
        ours = self._visible(self.user_teacher) & {
            self.case_withdrawal.id,
            self.case_disciplinary.id,
            self.case_disciplinary_other.id,
        }
        self.assertEqual(ours, {self.case_disciplinary.id})
        with self.assertRaises(AccessError):
            self.case_withdrawal.with_user(self.user_teacher).read(["name"])
        with self.assertRaises(AccessError):
            self.case_disciplinary.with_user(self.user_teacher).unlink()
        with self.assertRaises(AccessError):
            self.env["training.refund.policy"].with_user(self.user_teacher).create(
                {"name": "Teacher's policy"}
            )

    def test_violations_by_role(self):
        """RET-05: a teacher sees the violations of the students of the courses they
        teach (and those they reported), not those of other courses; customer
        service reads them all and cannot write; enrolment staff cannot read them."""
        violation = (
            self.env["training.violation"]
            .with_user(self.user_teacher)
            .create(
                {
                    "archive_id": self.enrollment.archive_id.id,
                    "place": "Room 101",
                    "conduct": "Cheated in the test.",
                }
            )
        )
        self._end_request()
        model = "training.violation"
        self.assertIn(violation.id, self._visible(self.user_teacher, model))
        self.assertNotIn(violation.id, self._visible(self.user_teacher2, model))
        self.assertIn(violation.id, self._visible(self.user_customer_service, model))
        with self.assertRaises(AccessError):
            violation.with_user(self.user_customer_service).write({"place": "X"})
        with self.assertRaises(AccessError):
            self.env[model].with_user(self.user_enrolment).search([])

    def test_customer_service_and_finance(self):
        """RET-02, RET-07: customer service and finance see every case of their
        company; only finance configures refund policies; nobody but management
        deletes a case; the enrolment staff do not see cases at all."""
        cases = {
            self.case_withdrawal.id,
            self.case_disciplinary.id,
            self.case_disciplinary_other.id,
        }
        for user in (self.user_customer_service, self.user_finance):
            self.assertLessEqual(cases, self._visible(user))
            with self.assertRaises(AccessError):
                self.case_withdrawal.with_user(user).unlink()
        with self.assertRaises(AccessError):
            self.env["training.refund.policy"].with_user(
                self.user_customer_service
            ).create({"name": "CS policy"})
        policy = (
            self.env["training.refund.policy"]
            .with_user(self.user_finance)
            .create({"name": "Finance policy", "admin_fee_percent": 3.0})
        )
        self.assertEqual(policy.company_id, self.company)
        with self.assertRaises(AccessError):
            self.env["training.attrition.case"].with_user(self.user_enrolment).search(
                []
            )
        self.case_disciplinary_other.with_user(self.user_management).unlink()

    def test_multi_company(self):
        """RET-01: a case of another company is invisible, even to management of
        this company."""
        other = self.env["res.company"].create({"name": "Other School"})
        student = self.env["res.partner"].create(
            {"name": "Other Student", "company_id": other.id}
        )
        case = (
            self.env["training.attrition.case"]
            .with_company(other)
            .create({"partner_id": student.id, "company_id": other.id})
        )
        outsider = new_test_user(
            self.env,
            login="trn_other_cs",
            groups="training_student_archive.training_student_archive_group_customer_service",
            company_id=other.id,
            company_ids=[Command.set(other.ids)],
        )
        for user in (self.user_customer_service, self.user_management):
            self.assertNotIn(case.id, self._visible(user))
        self.assertIn(case.id, self._visible(outsider))
        self.assertNotIn(self.case_withdrawal.id, self._visible(outsider))

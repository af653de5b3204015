"""Need to know on the at-risk list and guardians (issue 13): teachers read the
teaching factors of the score only; the guardian of an adult student is not told."""

from odoo.exceptions import AccessError
from odoo.tests import HttpCase, freeze_time, tagged
from odoo.tests.common import JsonRpcException

from .common import RetentionCommon


class RiskPrivacyCommon(RetentionCommon):
    """Li Lei in English B1 (teacher 1): 4 lessons attended then one missed (80 %
    attendance), an invoice overdue since 1 March and a violation reported."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.enrollment = cls._enrol(cls.student, cls.course_40, "2025-03-07")
        cls.enrollment.action_confirm()
        cls.enrollment = cls.enrollment.with_env(cls.env)
        Record = cls.env["training.learning.record"].with_user(cls.user_teacher)
        for number, attendance in enumerate(["present"] * 4 + ["absent"], 1):
            Record.create(
                {
                    "enrollment_id": cls.enrollment.id,
                    "record_type": "lesson",
                    "lesson_number": number,
                    "attendance": attendance,
                    "date": f"2025-03-{number + 9:02d}",
                }
            )
        cls.enrollment.with_user(cls.user_finance).action_create_invoice()
        cls.invoice = cls.enrollment.invoice_ids
        cls.invoice.write(
            {"invoice_date": "2025-03-01", "invoice_payment_term_id": False}
        )
        cls.invoice.with_user(cls.user_finance).action_post()
        cls.invoice.invoice_date_due = "2025-03-01"
        cls.env["training.violation"].with_user(cls.user_teacher).create(
            {
                "archive_id": cls.enrollment.archive_id.id,
                "violation_datetime": "2025-04-10 02:00:00",
                "place": "Room 201",
                "conduct": "Disrupted the lesson.",
            }
        )
        with freeze_time("2025-04-15 02:00:00"):
            cls.enrollment._compute_risk_scores()
        cls._end_request()


@tagged("post_install", "-at_install")
@freeze_time("2025-04-15 08:00:00")
class TestRiskPrivacy(RiskPrivacyCommon):
    def test_teacher_reads_teaching_factors_only(self):
        """RET-10, ARC-11: the teacher reads the score's teaching factors
        (attendance) but neither the whole explanation nor, through it, the overdue
        invoice or the violation: read and search_read of ``risk_factors`` are
        refused; customer service, finance and management read every factor; the
        at-risk views show each role its own field."""
        self.assertEqual(self.enrollment.risk_score, 70)
        teaching = self.enrollment.risk_factors_teaching.splitlines()
        self.assertEqual(len(teaching), 1)
        self.assertIn("+30: Attendance 80.0 % in the last 5 lessons", teaching[0])
        teacher = self.enrollment.with_user(self.user_teacher)
        self.assertEqual(
            teacher.read(["risk_score", "risk_factors_teaching"])[0][
                "risk_factors_teaching"
            ],
            self.enrollment.risk_factors_teaching,
        )
        for attempt in (
            lambda: teacher.read(["risk_factors"]),
            lambda: teacher.search_read(
                [("id", "=", self.enrollment.id)], ["risk_factors"]
            ),
            lambda: teacher.search([("risk_factors", "ilike", "Overdue")]),
        ):
            self.env.invalidate_all()
            with self.assertRaises(AccessError):
                attempt()
        self.assertNotIn("risk_factors", teacher.fields_get())
        for user in (
            self.user_customer_service,
            self.user_finance,
            self.user_management,
        ):
            with self.subTest(user=user.login):
                self.env.invalidate_all()
                factors = self.enrollment.with_user(user).read(["risk_factors"])[0][
                    "risk_factors"
                ]
                self.assertIn("Attendance 80.0 %", factors)
                self.assertIn(self.invoice.name, factors)
                self.assertIn("Uncorrected violations", factors)
        action = self.env.ref("training_retention.training_enrollment_action_at_risk")
        views = [(view.id, view.type) for view in action.view_ids.view_id]
        Enrollment = self.env["training.enrollment"]
        for user, shown, hidden in (
            (self.user_teacher, "risk_factors_teaching", '"risk_factors"'),
            (self.user_customer_service, '"risk_factors"', "risk_factors_teaching"),
        ):
            arch = Enrollment.with_user(user).get_views(views)["views"]
            for view_type in ("list", "kanban"):
                with self.subTest(user=user.login, view=view_type):
                    self.assertIn(shown, arch[view_type]["arch"])
                    self.assertNotIn(hidden, arch[view_type]["arch"])

    def test_guardian_of_adult_not_told(self):
        """RET-05, ARC-16: a violation of an adult student is told to the student,
        not to the guardian, unless the student let the guardian see the archive;
        a minor's guardian is told."""
        archive = self.enrollment.archive_id
        guardian = self.env["res.partner"].create(
            {"name": "Li Guardian", "email": "guardian@example.com"}
        )
        archive.write({"birthdate": "2000-01-01", "guardian_id": guardian.id})
        violation = archive.env["training.violation"].search(
            [("archive_id", "=", archive.id)]
        )

        Mail = self.env["mail.mail"].sudo()

        def informed():
            self.env.invalidate_all()
            before = Mail.search([], order="id desc", limit=1).id or 0
            violation.with_user(self.user_teacher).action_inform_guardian()
            mails = Mail.search(
                [
                    ("id", ">", before),
                    ("model", "=", "training.violation"),
                    ("res_id", "=", violation.id),
                ]
            )
            return mails.recipient_ids

        self.assertEqual(informed(), self.student)
        archive.guardian_access_granted = True
        self.assertEqual(informed(), guardian)
        archive.write({"guardian_access_granted": False, "birthdate": "2012-01-01"})
        self.assertEqual(informed(), guardian)


@tagged("post_install", "-at_install")
class TestRiskPrivacyHttp(RiskPrivacyCommon, HttpCase):
    def _call(self, login, method, **kwargs):
        self.authenticate(login, login)
        return self.make_jsonrpc_request(
            f"/web/dataset/call_kw/training.enrollment/{method}",
            {
                "model": "training.enrollment",
                "method": method,
                "args": [],
                "kwargs": kwargs,
            },
        )

    def test_risk_factors_over_rpc(self):
        """RET-10, ARC-11: over HTTP the teacher's search_read of the risk factors
        is an access error and the teaching factors come through; customer service
        reads the overdue invoice in the factors."""
        domain = [("id", "=", self.enrollment.id)]
        with self.assertRaisesRegex(JsonRpcException, "AccessError"):
            self._call(
                "trn_teacher", "search_read", domain=domain, fields=["risk_factors"]
            )
        rows = self._call(
            "trn_teacher",
            "search_read",
            domain=domain,
            fields=["risk_score", "risk_factors_teaching"],
        )
        self.assertIn("Attendance", rows[0]["risk_factors_teaching"])
        self.assertNotIn(self.invoice.name, str(rows))
        rows = self._call(
            "trn_cs", "search_read", domain=domain, fields=["risk_factors"]
        )
        self.assertIn(self.invoice.name, rows[0]["risk_factors"])

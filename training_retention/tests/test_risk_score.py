"""At-risk students (RET-09, RET-10, RET-12): a risk score per active enrolment from
attendance, absences in a row, test results and overdue invoices, with configurable
weights; customer service calls the students and logs the outcome."""

from odoo.tests import Form, freeze_time, tagged
from odoo.tools.safe_eval import safe_eval

from .common import RetentionCommon


@tagged("post_install", "-at_install")
@freeze_time("2025-04-15 08:00:00")
class TestRiskScore(RetentionCommon):
    def _lessons(self, enrollment, attendances):
        """Lessons on consecutive days of March, oldest first."""
        for number, attendance in enumerate(attendances, 1):
            self._lesson(
                enrollment,
                lesson_number=number,
                attendance=attendance,
                date=f"2025-03-{number:02d}",
            )

    def _test(self, enrollment, score, day):
        self._lesson(
            enrollment,
            record_type="test",
            name=f"Test {day}",
            score=score,
            max_score=100.0,
            date=f"2025-03-{day:02d}",
        )

    def test_score_factors_weights_and_contact(self):
        """RET-09, RET-10, RET-12: default weights 30/30/20/20, 90 % over the last
        10 lessons, 3 absences in a row:

        * A: 7 present then 3 absent (70 %: +30; 3 in a row: +30), tests 80 % then
          60 % (+20), an invoice due on 1 March unpaid (+20) = 100;
        * B: 9 of 10 present (90 % is not below 90 %), one absence not the last,
          tests rising 60 -> 80 %, nothing overdue = 0;
        * C: 4 present then 1 absent (80 %: +30) = 30; with an attendance weight of
          50 it becomes 50.

        Customer service sees them sorted by risk, calls A and logs the outcome on
        the archive; the open retention contact is done. Ended enrolments drop out.
        """
        enr_a = self._enrolled(self.course_a)
        enr_b = self._enrolled(self.course_b)
        enr_c = self._enrolled(self.course_40)
        self._lessons(enr_a, ["present"] * 7 + ["absent"] * 3)
        self._lessons(enr_b, ["present"] * 4 + ["absent"] + ["present"] * 5)
        self._lessons(enr_c, ["present"] * 4 + ["absent"])
        self._test(enr_a, 80.0, 20)
        self._test(enr_a, 60.0, 25)
        self._test(enr_b, 60.0, 20)
        self._test(enr_b, 80.0, 25)
        enr_a.with_user(self.user_finance).action_create_invoice()
        invoice = enr_a.invoice_ids
        invoice.write({"invoice_date": "2025-03-01", "invoice_payment_term_id": False})
        invoice.with_user(self.user_finance).action_post()
        # Due on the invoice date: 1 March, overdue on 15 April.
        invoice.invoice_date_due = "2025-03-01"
        self.assertEqual(str(invoice.invoice_date_due), "2025-03-01")
        paid = self._invoice(enr_b, paid=900.0)
        self.assertIn(paid.payment_state, ("paid", "in_payment"))

        Enrollment = self.env["training.enrollment"]
        # An invoice falling overdue changes no record: the nightly job sees it.
        with freeze_time("2025-04-16 02:00:00"):
            Enrollment._cron_compute_risk()
        self.assertEqual(
            [enr_a.risk_score, enr_b.risk_score, enr_c.risk_score], [100, 0, 30]
        )
        factors = enr_a.risk_factors.splitlines()
        self.assertEqual(len(factors), 4)
        self.assertIn("+30: Attendance 70.0 % in the last 10 lessons", factors[0])
        self.assertIn("+30: 3 absences in a row", factors[1])
        self.assertIn("+20: Test results falling: 80.0 % then 60.0 %", factors[2])
        self.assertIn(invoice.name, factors[3])
        self.assertFalse(enr_b.risk_factors)
        # Weights are settings of the company.
        settings = Form(self.env["res.config.settings"])
        settings.training_risk_weight_attendance = 50
        settings.save().execute()
        Enrollment._cron_compute_risk()
        self.assertEqual(enr_c.risk_score, 50)
        self.assertEqual(enr_a.risk_score, 100)  # capped
        # The list customer service works from: active, at risk, riskiest first.
        action = self.env.ref("training_retention.training_enrollment_action_at_risk")
        at_risk = Enrollment.with_user(self.user_customer_service).search(
            safe_eval(action.domain), order="risk_score desc, id"
        )
        self.assertEqual(at_risk.ids, (enr_a | enr_c).ids)
        views = Enrollment.with_user(self.user_customer_service).get_views(
            [(view.id, view.type) for view in action.view_ids.view_id]
        )
        self.assertIn("action_risk_contacted", views["views"]["list"]["arch"])
        self.assertIn("action_risk_contacted", views["views"]["kanban"]["arch"])
        # The call is logged on the archive; the retention contact is done.
        self.company.training_retention_user_id = self.user_customer_service
        Enrollment._cron_flag_at_risk()
        # Besides one follow-up per absence (ARC-06, issue 15), one retention contact.
        absences = (
            self.env["training.learning.record"]
            .search([("enrollment_id", "=", enr_a.id)])
            .absence_activity_id
        )
        self.assertEqual(len(absences), 3)
        self.assertEqual(len(enr_a.activity_ids - absences), 1)
        wizard_action = enr_a.with_user(
            self.user_customer_service
        ).action_risk_contacted()
        wizard = Form(
            self.env[wizard_action["res_model"]]
            .with_user(self.user_customer_service)
            .with_context(**wizard_action["context"])
        )
        wizard.outcome = "thinking"
        wizard.note = "Struggles with the evening slot; offered the Saturday class."
        wizard.save().action_confirm()
        self.assertEqual(str(enr_a.risk_contact_date), "2025-04-15")
        # The call followed up the absences too: nothing left to do.
        self.assertFalse(enr_a.activity_ids)
        self.assertFalse(absences.exists())
        log = enr_a.archive_id.message_ids.filtered(
            lambda m: "Saturday class" in (m.body or "")
        )
        self.assertEqual(len(log), 1)
        self.assertIn("Considering Leaving", log.body)
        self.assertEqual(log.author_id, self.user_customer_service.partner_id)
        # An enrolment that ends is no longer at risk.
        enr_c.action_complete()
        Enrollment._cron_compute_risk()
        self.assertEqual(enr_c.risk_score, 0)

    def test_violations_contacts_and_immediate_recompute(self):
        """RET-09, RET-10, RET-12: the score follows the records at once, without
        the nightly job. Default weights: low attendance +30, recent uncorrected
        violation +20 (last 90 days), retention contact -10 (never below 0).

        * A: 5 lessons present = 0; the teacher turns the last into an absence
          (80 %) = 30; a violation on 1 April = 50, one of December (older than
          90 days) and one corrected do not count; corrected = 30, reopened = 50;
          customer service calls (wizard) = 40.
        * B (another student): 4 present then 1 absent = 30, A's violations do
          not count; its retention-contact activity marked
          done = 20.
        * Settings: period 10 days, contact weight 50: A = 30 + 0 - 50 -> 0,
          B = 0; on 1 May both contacts are older than 10 days: 30 each.
        """
        enr_a = self._enrolled(self.course_a)
        enr_b = self._enrol(self.student_b, self.course_b)  # another student
        enr_b.action_confirm()
        # read as the administrator: enrolment staff do not read the risk factors
        enr_b = enr_b.with_env(self.env)
        self._lessons(enr_a, ["present"] * 5)
        self._lessons(enr_b, ["present"] * 4 + ["absent"])
        self.assertEqual([enr_a.risk_score, enr_b.risk_score], [0, 30])
        last_lesson = enr_a.learning_record_ids.filtered(lambda r: r.lesson_number == 5)
        last_lesson.with_user(last_lesson.create_uid).attendance = "absent"
        self.assertEqual(enr_a.risk_score, 30)
        self.assertIn(
            "+30: Attendance 80.0 % in the last 5 lessons", enr_a.risk_factors
        )

        Violation = self.env["training.violation"].with_user(self.user_teacher)

        def violate(when):
            return Violation.create(
                {
                    "archive_id": enr_a.archive_id.id,
                    "violation_datetime": when,
                    "place": "Room 201",
                    "conduct": "Disrupted the lesson.",
                }
            )

        recent = violate("2025-04-01 02:00:00")
        self.assertEqual(enr_a.risk_score, 50)
        violate("2024-12-01 02:00:00")
        violate("2025-04-05 02:00:00").action_mark_corrected()
        self.assertEqual(enr_a.risk_score, 50)
        self.assertIn(
            "+20: Uncorrected violations in the last 90 days: 1", enr_a.risk_factors
        )
        recent.action_mark_corrected()
        self.assertEqual(enr_a.risk_score, 30)
        recent.action_reopen()
        self.assertEqual(enr_a.risk_score, 50)
        self.assertEqual(enr_b.risk_score, 30)  # not A's student

        # Customer service calls A (no open activity): -10 at once.
        wizard_action = enr_a.with_user(
            self.user_customer_service
        ).action_risk_contacted()
        wizard = Form(
            self.env[wizard_action["res_model"]]
            .with_user(self.user_customer_service)
            .with_context(**wizard_action["context"])
        )
        wizard.note = "Will come to the Saturday class."
        wizard.save().action_confirm()
        self.assertEqual(enr_a.risk_score, 40)
        self.assertIn("-10: Contacted on 04/15/2025", enr_a.risk_factors)
        # B's planned retention contact is marked done: -10 at once.
        activity = enr_b.activity_schedule(
            "training_retention.mail_activity_type_retention_contact",
            user_id=self.user_customer_service.id,
        )
        activity.with_user(self.user_customer_service).action_feedback(
            feedback="Called: staying."
        )
        self.assertFalse(enr_b.risk_contact_date)
        self.assertEqual(enr_b.risk_score, 20)
        self.assertIn("-10: Contacted on 04/15/2025", enr_b.risk_factors)

        settings = Form(self.env["res.config.settings"])
        settings.training_risk_recent_days = 10
        settings.training_risk_weight_contact = 50
        settings.save().execute()
        Enrollment = self.env["training.enrollment"]
        Enrollment._cron_compute_risk()
        self.assertEqual([enr_a.risk_score, enr_b.risk_score], [0, 0])
        self.assertNotIn("violations", enr_a.risk_factors)
        with freeze_time("2025-05-01 08:00:00"):
            Enrollment._cron_compute_risk()
        self.assertEqual([enr_a.risk_score, enr_b.risk_score], [30, 30])
        self.assertNotIn("Contacted", enr_a.risk_factors)

    def test_nightly_recomputation_resumes(self):
        """RET-09, issue 7: the nightly recomputation scores one batch per call and
        tells the cron runner how many enrolments are left; with batches of 2, three
        enrolments scored yesterday take two calls and a third call finds nothing.
        New weights make every score stale at once; an ended enrolment is cleared."""
        enrollments = (
            self._enrolled(self.course_a)
            | self._enrolled(self.course_b)
            | self._enrolled(self.course_40)
        )
        self._lessons(enrollments[0], ["present", "absent"])
        cron = self.env.ref("training_retention.ir_cron_compute_risk")
        Enrollment = self.env["training.enrollment"]

        def run():
            progress = self.env["ir.cron.progress"].create({"cron_id": cron.id})
            Enrollment.with_context(ir_cron_progress_id=progress.id)._cron_compute_risk(
                batch_size=2
            )
            return progress.done, progress.remaining

        with freeze_time("2025-04-16 02:00:00"):
            # the other enrolments of the database were scored tonight already
            Enrollment.search(
                [("id", "not in", enrollments.ids), ("state", "=", "active")]
            ).risk_date = "2025-04-16"
            Enrollment.search([("state", "!=", "active")]).risk_score = 0
            self.assertEqual(run(), (2, 1))
            self.assertEqual(run(), (1, 0))
            self.assertEqual(run(), (0, 0))
            self.assertEqual(
                set(enrollments.mapped("risk_date")), {enrollments[0].risk_date}
            )
            self.assertEqual(str(enrollments[0].risk_date), "2025-04-16")
            self.assertEqual(enrollments[0].risk_score, 30)  # 50 % attendance

            self.company.training_risk_weight_attendance = 40
            self.assertFalse(any(enrollments.mapped("risk_date")))
            self.assertEqual(run(), (2, 1))
            self.assertEqual(run(), (1, 0))
            self.assertEqual(enrollments[0].risk_score, 40)

            enrollments[0].action_complete()
            self.assertEqual(run(), (1, 0))
            self.assertEqual(enrollments[0].risk_score, 0)
            self.assertEqual(run(), (0, 0))

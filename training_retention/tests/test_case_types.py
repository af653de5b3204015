"""The type-specific steps of the attrition cases: transfer (RET-03), force majeure
(RET-06) and disciplinary (RET-05)."""

import base64
from datetime import date

from odoo import Command
from odoo.exceptions import UserError
from odoo.tests import Form, freeze_time, tagged

from .common import RetentionCommon


@tagged("post_install", "-at_install")
@freeze_time("2025-04-15 08:00:00")
class TestCaseTypes(RetentionCommon):
    def _proof(self):
        return self.env["ir.attachment"].create(
            {
                "name": "medical-certificate.pdf",
                "datas": base64.b64encode(b"%PDF-1.4 certificate"),
            }
        )

    def test_enrolment_buttons_open_a_case(self):
        """RET-02, RET-03: with this module, Withdraw and Transfer on the enrolment
        open a new attrition case for it instead of ending it at once: the enrolment
        stays active until the case is approved."""
        enrollment = self._enrolled()
        action = (
            enrollment.with_user(self.user_customer_service)
            .with_context(case_type="transfer")
            .action_new_attrition_case()
        )
        Case = self.env["training.attrition.case"].with_user(self.user_customer_service)
        with Form(Case.with_context(**action["context"])) as form:
            self.assertEqual(form.case_type, "transfer")
            self.assertEqual(form.partner_id, self.student)
            form.reason_id = self.env["training.attrition.reason"].search(
                [("case_type", "=", "transfer")], limit=1
            )
        case = form.record
        self.assertEqual(case.enrollment_ids, enrollment)
        self.assertEqual(case.state, "draft")
        self.assertEqual(enrollment.state, "active")

    def test_transfer(self):
        """RET-03: the transfer names the receiving institution; management cannot
        approve before the institution confirms; the approval ends the enrolment as
        transferred, refunds the unconsumed lessons, attaches the learning
        certificate (when the archive module offers it) and plans three monthly
        follow-ups for customer service."""
        enrollment = self._enrolled()
        self._invoice(enrollment, paid=4000.0)
        self._consume(enrollment, 30)
        school = self.env["res.partner"].create(
            {"name": "Shanghai Language Centre", "is_company": True}
        )
        case = self._case(
            enrollment,
            case_type="transfer",
            receiving_institution_id=school.id,
        )
        case.action_submit()
        self.assertEqual(len(case.review_ids), 3)
        case.with_user(self.user_customer_service_2).validate_tier()
        case.with_user(self.user_finance).validate_tier()
        with self.assertRaisesRegex(UserError, "has not confirmed"):
            case.with_user(self.user_management).validate_tier()
        case.with_user(self.user_customer_service).action_confirm_transfer()
        self.assertEqual(case.transfer_confirmation_date, date(2025, 4, 15))
        case.with_user(self.user_management).validate_tier()

        self.assertEqual(case.state, "approved")
        self.assertEqual(enrollment.state, "transferred")
        # 10 x 100 - 5 % = 950
        self.assertEqual(case.sudo().refund_move_ids.amount_total, 950.0)
        report = self.env.ref(
            "training_student_archive.action_report_learning_certificate",
            raise_if_not_found=False,
        )
        certificates = case.attachment_ids.filtered(
            lambda a: a.name.startswith("Learning certificate")
        )
        self.assertEqual(len(certificates), 1 if report else 0)
        followups = case.activity_ids.filtered(
            lambda a: (
                a.activity_type_id
                == self.env.ref(
                    "training_retention.mail_activity_type_transfer_followup"
                )
            )
        )
        self.assertEqual(
            followups.sorted("date_deadline").mapped("date_deadline"),
            [date(2025, 5, 15), date(2025, 6, 14), date(2025, 7, 14)],
        )
        self.assertEqual(followups.user_id, self.user_customer_service)
        case.with_user(self.user_customer_service).action_close()
        self.assertEqual(enrollment.archive_id.state, "sealed")

    def test_force_majeure_withdrawal(self):
        """RET-06: no submission without proof, no approval before customer service
        verified it; the student keeps the materials, the refund follows the
        generous policy and the archive stays open for the return."""
        enrollment = self._enrolled()
        self._invoice(enrollment, paid=4000.0)
        self._consume(enrollment, 10)
        case = self._case(
            enrollment,
            case_type="force_majeure",
            keep_materials=True,
            material_ids=[Command.create({"name": "Textbook set", "amount": 300.0})],
        )
        with self.assertRaisesRegex(UserError, "attach the proof"):
            case.action_submit()
        case.attachment_ids = [Command.link(self._proof().id)]
        case.action_submit()
        self.assertEqual(len(case.review_ids), 2)
        case.with_user(self.user_customer_service_2).validate_tier()
        with self.assertRaisesRegex(UserError, "attached and verified"):
            case.with_user(self.user_management).validate_tier()
        case.with_user(self.user_customer_service).action_verify_proof()
        case.with_user(self.user_management).validate_tier()

        self.assertEqual(enrollment.state, "withdrawn")
        self.assertEqual(case.sudo().refund_move_ids.amount_total, 3000.0)
        self.assertEqual(case.material_ids.state, "kept")
        case.with_user(self.user_customer_service).action_close()
        self.assertEqual(enrollment.archive_id.state, "withdrawn")

    def test_force_majeure_suspension(self):
        """RET-06: a suspension instead of a withdrawal: the enrolment stays active,
        nothing is refunded, customer service is reminded on the come-back date."""
        enrollment = self._enrolled()
        self._invoice(enrollment, paid=4000.0)
        case = self._case(
            enrollment,
            case_type="force_majeure",
            suspend=True,
            comeback_deadline="2025-07-01",
            attachment_ids=[Command.link(self._proof().id)],
        )
        case.action_submit()
        case.with_user(self.user_customer_service).action_verify_proof()
        case.with_user(self.user_customer_service_2).validate_tier()
        case.with_user(self.user_management).validate_tier()
        self.assertEqual(case.state, "approved")
        self.assertEqual(enrollment.state, "active")
        self.assertFalse(case.sudo().refund_move_ids)
        comeback = case.activity_ids.filtered(
            lambda a: (
                a.activity_type_id
                == self.env.ref("training_retention.mail_activity_type_comeback")
            )
        )
        self.assertEqual(comeback.date_deadline, date(2025, 7, 1))

    def test_disciplinary(self):
        """RET-05: the teacher records violations (time, place, conduct, reporter)
        on the archive, logs the education talk and informs the guardian by e-mail;
        the third uncorrected violation proposes a disciplinary case (once), which
        the teacher submits and management alone approves."""
        enrollment = self._enrolled()
        self._invoice(enrollment, paid=4000.0)
        archive = enrollment.archive_id
        # a minor: the guardian is informed (ARC-16, see test_risk_privacy for adults)
        archive.write(
            {
                "birthdate": "2011-06-01",
                "guardian_id": self.env["res.partner"]
                .create({"name": "Li Guardian", "email": "guardian@example.com"})
                .id,
            }
        )
        Violation = self.env["training.violation"].with_user(self.user_teacher)

        def violate(day, conduct):
            return Violation.create(
                {
                    "archive_id": archive.id,
                    "violation_datetime": f"2025-04-{day:02d} 02:00:00",
                    "place": "Room 201",
                    "conduct": conduct,
                }
            )

        first = violate(1, "Disrupted the lesson repeatedly.")
        self.assertEqual(first.reporter_id, self.user_teacher)
        with self.assertRaisesRegex(UserError, "what was said"):
            first.action_log_talk()
        first.talk_notes = "Explained the class rules; the student apologised."
        first.action_log_talk()
        self.assertTrue(first.talk_date)
        first.action_inform_guardian()
        mail = (
            self.env["mail.mail"]
            .sudo()
            .search([("model", "=", "training.violation"), ("res_id", "=", first.id)])
        )
        self.assertIn(archive.guardian_id, mail.recipient_ids)
        self.assertIn("Disrupted the lesson", str(mail.body_html))
        self.assertTrue(first.guardian_informed_date)

        second = violate(3, "Insulted a classmate.")
        second.action_mark_corrected()
        violate(8, "Left the lesson without permission.")
        Case = self.env["training.attrition.case"]
        self.assertFalse(Case.search([("partner_id", "=", self.student.id)]))
        violate(10, "Damaged equipment.")
        case = Case.with_user(self.user_teacher).search(
            [("partner_id", "=", self.student.id)]
        )
        self.assertEqual(len(case), 1)
        self.assertEqual(case.case_type, "disciplinary")
        self.assertEqual(case.origin, "system")
        self.assertEqual(len(case.violation_ids), 3)
        self.assertEqual(case.enrollment_ids, enrollment)
        violate(11, "Smoked in the building.")
        self.assertEqual(Case.search_count([("partner_id", "=", self.student.id)]), 1)

        case.with_user(self.user_teacher).action_submit()
        self.assertEqual(len(case.review_ids), 1)
        with self.assertRaises(UserError):
            case.with_user(self.user_customer_service).validate_tier()
        case.with_user(self.user_management).validate_tier()
        self.assertEqual(enrollment.state, "withdrawn")

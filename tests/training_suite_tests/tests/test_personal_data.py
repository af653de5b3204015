"""Destruction leaves nothing of a student (ARC-13, ARC-14), proven by a scan of
every text column of every table of the database and of the new files of the
filestore, after two students with short Chinese names went through every module."""

import base64
import uuid

from odoo import Command
from odoo.tests import freeze_time, tagged
from odoo.tools import mute_logger

from odoo.addons.mail.tests.common import MockEmail
from odoo.addons.training_retention.tests.common import RetentionCommon
from odoo.addons.training_student_archive.tests.scan import (
    db_hits,
    filestore_files,
    filestore_hits,
)


@tagged("post_install", "-at_install")
class TestPersonalDataErasure(RetentionCommon, MockEmail):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.product_course.taxes_id = False
        # Unique per run: the filestore outlives the rolled-back test transactions.
        token = uuid.uuid4().hex[:8]
        digits = f"{int(token, 16) % 10**8:08d}"
        cls.token = token
        cls.people = []
        for name, email, phone in (
            (
                "王明",
                f"wang.ming.{token}@example.cn",
                f"+86 138 {digits[:4]} {digits[4:]}",
            ),
            ("欧阳娜娜", f"nana.{token}@example.cn", f"139-{digits[4:]}-{digits[:4]}"),
        ):
            partner = cls.env["res.partner"].create(
                {"name": name, "email": email, "mobile": phone, "city": "上海"}
            )
            cls.people.append((partner, [name, email, phone]))
        cls.survey = cls.env["survey.survey"].create(
            {
                "title": "End of term",
                "questions_layout": "one_page",
                "question_and_page_ids": [
                    Command.create(
                        {"title": "Anything to add?", "question_type": "char_box"}
                    )
                ],
            }
        )

    # -- the student's journey -----------------------------------------------------

    def _journey(self, partner, terms):
        """Enrolment, invoice posted, paid and e-mailed, lessons with comments, a
        document, a complaint with a scan and an e-mail reply, a violation, a survey
        answer, a risk score, then a withdrawal with a medical proof approved to its
        credit note, paid back, and closed."""
        name = terms[0]
        secret = f"{name} {self.token}"
        enrollment = self._enrol(partner, self.course_40, "2025-03-07")
        enrollment.action_confirm()
        enrollment = enrollment.with_env(self.env)
        enrollment.confirm_date = "2025-03-01 09:00:00"
        archive = enrollment.archive_id
        self._activate(archive)
        invoice = self._invoice(enrollment, paid=4000.0)
        template = self.env.ref("account.email_template_edi_invoice")
        with self.mock_mail_gateway():
            invoice.with_user(self.user_finance).message_post_with_source(
                template, subtype_xmlid="mail.mt_comment"
            )
        self.assertIn(name, self._new_mails[-1:].body_html or "")
        for number in range(1, 11):
            self._lesson(
                enrollment,
                lesson_number=number,
                attendance="present",
                date="2025-03-10",
                description=f"{name} answered well",
            )
        self.env["training.archive.document"].with_user(self.user_enrolment).create(
            {
                "archive_id": archive.id,
                "name": f"Identity proof of {name}",
                "document_type": "identity_proof",
                "file": base64.b64encode(f"ID card: {secret}".encode()),
                "file_name": f"{name}.txt",
            }
        )
        ticket = (
            self.env["training.feedback"]
            .with_user(self.user_customer_service)
            .create(
                {
                    "name": f"{name}: lessons too fast",
                    "channel": "paper",
                    "submitter_id": partner.id,
                    "course_id": self.course_40.id,
                    "description": f"<p>{name} ({terms[1]}, {terms[2]}) wrote</p>",
                    "scan": base64.b64encode(f"Scanned form of {secret}".encode()),
                    "scan_filename": "form.txt",
                    "category_id": self.env.ref(
                        "training_feedback.training_feedback_category_course"
                    ).id,
                }
            )
        )
        notice = ticket.message_post(
            body="We received your feedback.",
            partner_ids=partner.ids,
            message_type="comment",
            subtype_xmlid="mail.mt_comment",
        )
        reply = (
            f"From: {name} <{terms[1]}>\nTo: school@example.com\n"
            f"Subject: Re: {ticket.name}\nMessage-ID: <reply-{self.token}-{partner.id}"
            f"@example.cn>\nIn-Reply-To: {notice.message_id}\n"
            f"References: {notice.message_id}\nMIME-Version: 1.0\n"
            'Content-Type: text/plain; charset="utf-8"\n'
            "Content-Transfer-Encoding: 8bit\n\n"
            f"Thank you, {name}, call me at {terms[2]}.\n"
        )
        with self.mock_mail_gateway():
            thread_id = (
                self.env["mail.thread"]
                .sudo()
                .message_process(None, reply.encode(), save_original=True)
            )
        self.assertEqual(thread_id, ticket.id)
        self.env["training.violation"].with_user(self.user_teacher).create(
            {
                "archive_id": archive.id,
                "place": "Room 101",
                "conduct": f"{name} used a phone in the test",
            }
        )
        answer = self.survey._create_answer(partner=partner)
        answer._save_lines(self.survey.question_ids, f"{name} liked the teacher")
        answer._mark_done()
        enrollment._compute_risk_scores()
        case = self._case(
            enrollment,
            description=f"{name} moves to another city",
            attachment_ids=[
                Command.create(
                    {
                        "name": f"Medical certificate {name}.txt",
                        "raw": f"Medical certificate of {secret}".encode(),
                    }
                )
            ],
        )
        case.action_submit()
        self._approve_all(case)
        self.assertTrue(case.sudo().refund_move_ids)
        self._pay_refund_as_finance(case)
        case.with_user(self.user_customer_service).action_close()
        self._end_request()
        return archive, invoice, case

    @freeze_time("2025-04-15 08:00:00")
    def test_two_students_leave_nothing_behind(self):
        """ARC-13, ARC-14, X-04: 王明 and 欧阳娜娜 went through every module (an
        e-mailed invoice, lessons, a document, a complaint with a scan and an e-mail
        reply, a violation, a survey answer, a risk score, a withdrawal with a medical
        proof to its paid credit note); their archives are destroyed at their
        request. Afterwards no text, varchar, json or jsonb column of any table and
        no new file of the filestore holds their names, e-mails or phones; the posted
        invoices and credit notes stay, with the anonymised contact; the certificate
        of destruction tells what was removed and kept."""
        before = filestore_files(self.env)
        results = [self._journey(partner, terms) for partner, terms in self.people]
        terms = [term for __, person_terms in self.people for term in person_terms]
        names = [person_terms[0] for __, person_terms in self.people]
        self.assertTrue(db_hits(self.env, terms))
        self.assertTrue(filestore_hits(filestore_files(self.env) - before, names))

        Destruction = self.env["training.archive.destruction"].with_user(
            self.user_archivist
        )
        for archive, __, __ in results:
            destruction = Destruction.create(
                {
                    "archive_ids": [Command.set(archive.ids)],
                    "origin": "student",
                    "reason": "The student's request",
                }
            )
            destruction.request_validation()
            destruction.with_user(self.user_management).validate_tier()
            with mute_logger("odoo.addons.training_student_archive"):
                destruction.action_execute()
            self._end_request()
            self.env.cr.postcommit.run()
            self.assertEqual(archive.state, "destroyed")
            self.assertIn("Attrition Case: 1", destruction.erased_summary)

        self.assertEqual(db_hits(self.env, terms), [])
        self.assertEqual(filestore_hits(filestore_files(self.env) - before, names), [])
        for archive, invoice, case in results:
            self.assertEqual(invoice.state, "posted")
            self.assertEqual(
                invoice.partner_id.name, f"Destroyed archive {archive.archive_number}"
            )
            self.assertEqual(case.sudo().refund_move_ids.state, "posted")
            enrollment = archive.enrollment_ids.sudo()
            self.assertFalse(
                enrollment.risk_factors or enrollment.risk_factors_teaching
            )
        # The scan is generic: a table the map does not know is seen.
        self.env["res.partner.category"].create({"name": names[0]})
        self.assertEqual(db_hits(self.env, terms), ["res_partner_category"])
        html = (
            self.env["ir.actions.report"]
            ._render_qweb_html(
                "training_student_archive.action_report_destruction_certificate",
                destruction.ids,
            )[0]
            .decode()
        )
        self.assertIn("Accounting entries", html)
        self.assertIn(destruction.archive_numbers, html)

    def test_record_of_processing(self):
        """ARC-14 (GDPR Art. 30): the record of processing lists every model of the
        personal-data map of every module, with its purpose, how long it is kept
        and what destruction does to it."""
        entries = self.env["training.personal.data"]._personal_data_processing()
        by_model = {entry["model"]: entry for entry in entries}
        for model in (
            "training.student.archive",
            "training.learning.record",
            "training.archive.document",
            "training.feedback",
            "survey.user_input",
            "training.attrition.case",
            "training.violation",
        ):
            self.assertIn(model, by_model)
            self.assertTrue(by_model[model]["purpose"])
            self.assertTrue(by_model[model]["retention"])
        self.assertTrue(by_model["training.attrition.case"]["kept"])
        self.assertFalse(by_model["training.archive.document"]["kept"])
        html = (
            self.env["ir.actions.report"]
            ._render_qweb_html(
                "training_student_archive.action_report_processing_record", []
            )[0]
            .decode()
        )
        self.assertIn("Feedback and complaints", html)

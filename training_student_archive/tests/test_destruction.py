import base64
import uuid

import psycopg2

from odoo.exceptions import UserError, ValidationError
from odoo.tests import freeze_time, tagged
from odoo.tools import mute_logger

from odoo.addons.account.tests.common import AccountTestInvoicingCommon

from .common import TrainingArchiveCommon
from .scan import db_hits, filestore_files, filestore_hits


@tagged("post_install", "-at_install")
@freeze_time("2025-03-14 09:00:00")
class TestDestruction(TrainingArchiveCommon, AccountTestInvoicingCommon):
    """Archives past their retention period are destroyed after the institution head
    approved; nothing of the student remains but the chained destruction record."""

    @classmethod
    def setup_independent_user(cls):
        return None

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.course_a.product_id = cls.product_a
        cls.user_finance.groups_id += cls.env.ref("account.group_account_invoice")
        # Unique per run: the filestore outlives the rolled-back test transactions.
        token = uuid.uuid4().hex[:10]
        cls.secret = f"SECRET-{token}"
        digits = f"{int(token, 16) % 10**8:08d}"
        cls.terms = [
            f"乔 Qiao {token}",
            f"qiao.{token}@example.org",
            f"+86 131 {digits[:4]} {digits[4:]}",
        ]
        cls.victim = cls.env["res.partner"].create(
            {
                "name": cls.terms[0],
                "email": cls.terms[1],
                "phone": cls.terms[2],
                "street": "88 Nanjing Road",
            }
        )

    def _closed_archive(self):
        """The student enrols, is invoiced (posted), learns, hands documents in,
        corrects data through a change request and completes the course."""
        enrollment = self._enrol(self.victim, self.course_a, price=1000.0)
        enrollment.with_user(self.user_finance).action_create_invoice()
        enrollment.invoice_ids.with_user(self.user_finance).action_post()
        self._end_request()
        archive = enrollment.archive_id
        self._activate(archive)
        archive.with_user(self.user_archivist).write(
            {
                "birthdate": "2000-02-02",
                "sensitive_consent_date": "2025-03-14",
                "sensitive_consent_partner_id": self.victim.id,
                "health_notes": f"Asthma ({self.terms[0]})",
                "learning_goals": f"{self.terms[0]} wants HSK 4",
            }
        )
        self._lesson(
            enrollment,
            attendance="present",
            description=f"{self.terms[0]} asked many questions",
        )
        self.env["training.archive.document"].with_user(self.user_enrolment).create(
            {
                "archive_id": archive.id,
                "name": "Identity proof",
                "document_type": "identity_proof",
                "file": base64.b64encode(self.secret.encode()),
                "file_name": "id.txt",
            }
        )
        request = (
            self.env["training.archive.change.request"]
            .with_user(self.user_customer_service)
            .create(
                {
                    "archive_id": archive.id,
                    "reason": f"{self.terms[0]} moved",
                    "line_ids": [(0, 0, {"field_name": "mobile", "new_value": "139"})],
                    "attachment_ids": [
                        (
                            0,
                            0,
                            {
                                "name": "proof.txt",
                                "raw": f"proof {self.secret}-2".encode(),
                            },
                        )
                    ],
                }
            )
        )
        request.request_validation()
        request.with_user(self.user_archivist).validate_tier()
        archive.message_post(body=f"Called {self.terms[0]} at {self.terms[2]}")
        enrollment.with_user(self.user_enrolment).action_complete()
        self._end_request()
        self.assertEqual(archive.state, "completed")
        return archive, enrollment

    def test_retention_listing_and_batch_destruction(self):
        """ARC-13, ARC-12, X-03: the retention period (5 years by default) starts at
        completion; the daily scheduled action lists the archive once it is over and
        gives its archivist an activity, once; a batch cannot take an archive still
        in its retention period; the supervisor cannot approve the batch, the
        institution head does; the archivist destroys it. Afterwards no table of the
        database and no file of the filestore holds the student's name, e-mail, phone
        or document contents; the posted invoice stays, with an anonymised contact;
        the destruction record (numbers, count, time, method, responsible, approver)
        verifies in the hash chain and cannot be changed."""
        archive, enrollment = self._closed_archive()
        invoice = enrollment.invoice_ids.sudo()
        # A notification of the last day naming the student (the bus writes its
        # rows at commit, which tests do not reach).
        self.env["bus.bus"].sudo()._sendone("broadcast", "x", {"name": self.terms[0]})
        self.env.cr.precommit.run()
        self.assertEqual(self.company.training_retention_years, 5)
        self.assertEqual(str(archive.retention_end_date), "2030-03-14")
        self.assertTrue(db_hits(self.env, self.terms))
        self.assertTrue(filestore_hits(filestore_files(self.env), [self.secret]))

        Archive = self.env["training.student.archive"]
        Destruction = self.env["training.archive.destruction"].with_user(
            self.user_archivist
        )
        with freeze_time("2030-03-13 09:00:00"):
            Archive._cron_list_destruction_eligible()
            self.assertFalse(archive.destruction_listed_date)
            with self.assertRaisesRegex(ValidationError, "retention period"):
                Destruction.create({"archive_ids": [(6, 0, archive.ids)]})
        with freeze_time("2030-03-15 09:00:00"):
            Archive._cron_list_destruction_eligible()
            Archive._cron_list_destruction_eligible()
            self.assertEqual(str(archive.destruction_listed_date), "2030-03-15")
            activity_type = self.env.ref(
                "training_student_archive.mail_activity_type_archive_destruction"
            )
            activities = archive.activity_ids.filtered(
                lambda a: a.activity_type_id == activity_type
            )
            self.assertEqual(len(activities), 1)
            self.assertEqual(activities.user_id, self.user_archivist)

            destruction = Destruction.create(
                {"archive_ids": [(6, 0, archive.ids)], "reason": "Retention over"}
            )
            with self.assertRaises(UserError):
                destruction.action_execute()
            destruction.request_validation()
            with self.assertRaises(UserError):  # the institution head's decision
                destruction.with_user(self.user_supervisor).validate_tier()
            self.assertNotEqual(destruction.validation_status, "validated")
            destruction.with_user(self.user_management).validate_tier()
            destruction.action_execute()
            self._end_request()
            self.env.cr.postcommit.run()  # as at the end of the request's commit

        self.assertRecordValues(
            destruction,
            [
                {
                    "state": "done",
                    "archive_numbers": archive.archive_number,
                    "archive_count": 1,
                    "method": "erase_shred",
                    "responsible_name": self.user_archivist.name,
                    "approver_names": self.user_management.name,
                }
            ],
        )
        self.assertEqual(str(destruction.executed_date), "2030-03-15 09:00:00")
        self.assertEqual(archive.state, "destroyed")
        self.assertFalse(archive.document_ids)
        self.assertEqual(db_hits(self.env, self.terms), [])
        self.assertEqual(
            filestore_hits(filestore_files(self.env), [self.secret, *self.terms]), []
        )
        self.assertEqual(invoice.state, "posted")
        self.assertEqual(invoice.partner_id, self.victim)
        self.assertEqual(invoice.invoice_origin, enrollment.name)
        self.assertIn(archive.archive_number, enrollment.name)
        self.assertEqual(
            self.victim.name, f"Destroyed archive {archive.archive_number}"
        )

        Destruction._verify_chain()
        self.assertFalse(Destruction._verify_chain())
        with self.assertRaises(UserError):
            destruction.write({"archive_numbers": "A0"})
        with self.assertRaises(UserError):
            destruction.unlink()
        # tampering with the database directly shows in the chain
        self.env.cr.execute(
            "UPDATE training_archive_destruction SET archive_count = 2 WHERE id = %s",
            [destruction.id],
        )
        self.env.invalidate_all()
        self.assertEqual(Destruction._verify_chain(), destruction)

    def test_execution_rechecks_and_serialises(self):
        """ARC-13, ARC-14: a destruction approved while the archive was closed is
        not executed once the student enrolled again (nothing is erased); the chain
        cannot fork: a second record claiming the same predecessor is refused by the
        database."""
        archive, __ = self._closed_archive()
        with freeze_time("2030-03-15 09:00:00"):
            destruction = (
                self.env["training.archive.destruction"]
                .with_user(self.user_archivist)
                .create({"archive_ids": [(6, 0, archive.ids)]})
            )
            destruction.request_validation()
            destruction.with_user(self.user_management).validate_tier()
            again = self._enrol(self.victim, self.course_b)
            again.action_confirm()
            self.assertEqual(archive.state, "active")
            with self.assertRaises(UserError) as error:
                destruction.action_execute()
            self.assertIn("not closed any more", str(error.exception))
        self.assertEqual(destruction.state, "draft")
        self.assertEqual(archive.state, "active")
        self.assertEqual(archive.learning_goals, f"{self.terms[0]} wants HSK 4")
        self.assertEqual(self.victim.name, self.terms[0])

        # Two records chained to the same predecessor: refused.
        Destruction = self.env["training.archive.destruction"].sudo()
        records = Destruction.create([{"reason": "a"}, {"reason": "b"}])
        self.env.flush_all()
        with self.assertRaises(psycopg2.IntegrityError), mute_logger("odoo.sql_db"):
            self.env.cr.execute(
                "UPDATE training_archive_destruction SET state = 'done', "
                "previous_hash = 'same' WHERE id IN %s",
                [tuple(records.ids)],
            )

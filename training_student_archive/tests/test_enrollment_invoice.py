from datetime import date

from odoo.tests import freeze_time, new_test_user, tagged

from odoo.addons.account.tests.common import AccountTestInvoicingCommon

from .common import TrainingArchiveCommon


@tagged("post_install", "-at_install")
@freeze_time("2025-03-07 07:00:00")
class TestEnrollmentInvoice(TrainingArchiveCommon, AccountTestInvoicingCommon):
    """Posting the invoice of a draft enrolment confirms it (ARC-01).

    ``AccountTestInvoicingCommon`` gives the test company its own chart of accounts
    and sales journal; the training data is then created in that company.
    """

    @classmethod
    def setup_independent_user(cls):
        # Keep the superuser as the set-up user: the training users are created here.
        return None

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.user_finance.groups_id += cls.env.ref("account.group_account_invoice")
        # An accountant with no training role: posting invoices is all they do.
        cls.user_billing = new_test_user(
            cls.env,
            login="trn_billing",
            groups="account.group_account_invoice",
            company_id=cls.company.id,
            context={"no_reset_password": True},
        )
        cls.course_a.product_id = cls.product_a
        cls.course_b.product_id = cls.product_a

    def test_posting_invoice_confirms_enrolment(self):
        """ARC-01: finance invoices a draft enrolment at its agreed price; posting the
        invoice (by finance, or by an accountant with no training role) confirms the
        enrolment and creates the student's archive, or links the existing one."""
        self.assertTrue(self.company_data["default_journal_sale"])
        enrollment = self._enrol(self.student, self.course_a, price=1000.0)

        enrollment.with_user(self.user_finance).action_create_invoice()

        invoice = enrollment.invoice_ids
        self.assertEqual(len(invoice), 1)
        self.assertRecordValues(
            invoice,
            [
                {
                    "move_type": "out_invoice",
                    "state": "draft",
                    "partner_id": self.student.id,
                    "company_id": self.company.id,
                    "invoice_origin": "Li Lei - ENA1",
                    "amount_untaxed": 1000.0,
                }
            ],
        )
        self.assertEqual(invoice.training_enrollment_ids, enrollment)
        self.assertEqual(enrollment.state, "draft")
        self.assertFalse(enrollment.archive_id)

        self._end_request()
        invoice.with_user(self.user_finance).action_post()

        self.assertEqual(invoice.state, "posted")
        self.assertEqual(invoice.invoice_date, date(2025, 3, 7))
        self.assertEqual(enrollment.state, "active")
        archive = enrollment.archive_id
        self.assertRecordValues(
            archive,
            [
                {
                    "partner_id": self.student.id,
                    "company_id": self.company.id,
                    "state": "pending",
                }
            ],
        )
        self.assertRegex(archive.archive_number, r"^A2025\d{5}$")

        second = self._enrol(self.student, self.course_b)
        second.with_user(self.user_finance).action_create_invoice()
        invoice_2 = second.invoice_ids
        self._end_request()
        invoice_2.with_user(self.user_billing).action_post()

        self.assertEqual(invoice_2.state, "posted")
        self.assertEqual(second.state, "active")
        self.assertEqual(second.archive_id, archive)
        self.assertEqual(
            self.env["training.student.archive"].search_count(
                [("partner_id", "=", self.student.id)]
            ),
            1,
        )

"""The suite installed on an existing database leaves Odoo's own apps working."""

from odoo.tests import Form, new_test_user, tagged

from odoo.addons.account.tests.common import AccountTestInvoicingCommon


@tagged("post_install", "-at_install")
class TestCoreAppsStillWork(AccountTestInvoicingCommon):
    def test_contacts_invoicing_discuss_without_training_role(self):
        """X-01: with the whole suite installed, an accountant with no training role
        still works as before: creates a contact in its form (where the suite adds a
        smart button she must not see), invoices it, posts the invoice and registers
        the payment, opens the invoice form (where the suite adds the enrolments), and
        talks in a Discuss channel."""
        user = new_test_user(
            self.env,
            login="plain_accountant",
            groups="base.group_user,base.group_partner_manager,"
            "account.group_account_invoice",
            company_id=self.env.company.id,
        )
        with Form(self.env["res.partner"].with_user(user)) as contact:
            contact.name = "Plain Customer"
            contact.email = "plain.customer@example.com"
        partner = contact.record
        # Generic reads of every field (exports, RPC clients) keep working.
        self.assertEqual(partner.read()[0]["name"], "Plain Customer")
        self.assertFalse(partner.sudo().training_archive_ids)

        Move = self.env["account.move"].with_user(user)
        with Form(Move.with_context(default_move_type="out_invoice")) as invoice_form:
            invoice_form.partner_id = partner
            with invoice_form.invoice_line_ids.new() as line:
                line.name = "Consulting"
                line.quantity = 1
                line.price_unit = 250.0
                line.tax_ids.clear()
        invoice = invoice_form.record
        invoice.action_post()
        self.assertEqual(invoice.state, "posted")
        self.env["account.payment.register"].with_user(user).with_context(
            active_model="account.move", active_ids=invoice.ids
        ).create({})._create_payments()
        self.assertIn(invoice.payment_state, ("paid", "in_payment"))
        self.assertEqual(invoice.read()[0]["partner_id"][0], partner.id)
        self.assertFalse(invoice.sudo().training_enrollment_ids)

        channel = (
            self.env["discuss.channel"]
            .with_user(user)
            .create({"name": "Accounting", "channel_type": "channel"})
        )
        channel.message_post(body="Invoice posted.", message_type="comment")
        self.assertEqual(channel.message_ids[:1].author_id, user.partner_id)

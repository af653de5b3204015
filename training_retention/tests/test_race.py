"""Nothing twice (issue 16): the approval, refund, coupon and reminder flows raced
by two real transactions on committed data, as two requests of two workers.

Each race builds its data in the demo company and commits it, runs the two
competitors in threads (``ConcurrencyMixin._race``: both read the committed state
before either writes), then checks that exactly one effect exists, that the loser
got a clear refusal or an error Odoo retries the request on, and that running the
loser again once the winner committed (Odoo's retry, or the second browser tab)
adds nothing. Everything committed is removed again by the cleanups.
"""

import uuid
from datetime import timedelta
from unittest.mock import patch

from odoo import SUPERUSER_ID, Command, fields
from odoo.exceptions import UserError
from odoo.tests import TransactionCase, tagged

from odoo.addons.training_retention.models import (
    training_arrears_reminder as reminder_module,
)
from odoo.addons.training_student_archive.tests.common import (
    ConcurrencyMixin,
)

ARCHIVE = "training_student_archive"


@tagged("post_install", "-at_install")
class TestRetentionRaces(ConcurrencyMixin, TransactionCase):
    # -- committed data ---------------------------------------------------------------

    def _users(self, env):
        ref = env.ref
        return {
            "enrolment": ref(f"{ARCHIVE}.demo_user_enrolment"),
            "service": ref(f"{ARCHIVE}.demo_user_service"),
            "service2": ref("training_retention.demo_user_service2"),
            "finance": ref(f"{ARCHIVE}.demo_user_finance"),
            "manager": ref(f"{ARCHIVE}.demo_user_manager"),
        }

    def _student(self, env, **vals):
        """A new student of the demo company, removed with all their records."""
        token = uuid.uuid4().hex[:8]
        partner = env["res.partner"].create(
            {"name": f"Race Student {token}", "email": f"race.{token}@example.com"}
        )
        self.addCleanup(self._purge_student, partner.id)
        return partner

    def _paid_enrollment(self, env, partner, paid=True, **invoice_vals):
        """An active enrolment on the demo English course, invoiced by finance
        (posted) and, with ``paid``, paid in full."""
        users = self._users(env)
        enrollment = (
            env["training.enrollment"]
            .with_user(users["enrolment"])
            .create(
                {
                    "partner_id": partner.id,
                    "course_id": env.ref(f"{ARCHIVE}.demo_course_eng_a1").id,
                    "start_date": fields.Date.today() + timedelta(days=10),
                }
            )
        )
        enrollment.action_confirm()
        enrollment.with_user(users["finance"]).action_create_invoice()
        invoice = enrollment.invoice_ids.filtered(lambda m: m.state == "draft")
        if invoice_vals:
            invoice.write(invoice_vals)
        invoice.with_user(users["finance"]).action_post()
        if paid:
            env["account.payment.register"].with_user(users["finance"]).with_context(
                active_model="account.move", active_ids=invoice.ids
            ).create({"payment_date": fields.Date.today()})._create_payments()
        return enrollment.with_env(env), invoice.with_env(env)

    def _submitted_case(self, env, **vals):
        """A paid enrolment's withdrawal (by default), opened and submitted by
        customer service, waiting for its approvals. Returns its id."""
        users = self._users(env)
        partner = self._student(env)
        enrollment, __ = self._paid_enrollment(env, partner)
        today = fields.Date.today()
        case = (
            env["training.attrition.case"]
            .with_user(users["service"])
            .create(
                {
                    "partner_id": partner.id,
                    "enrollment_ids": [Command.set(enrollment.ids)],
                    "effective_date": today,
                    "application_date": today,
                    **vals,
                }
            )
        )
        if case.case_type == "force_majeure":
            case.attachment_ids = [
                Command.create(
                    {"name": "Medical certificate.txt", "raw": b"certificate"}
                )
            ]
            case.action_verify_proof()
        case.action_submit()
        return case.id

    def _approve(self, env, case_id, *logins):
        users = self._users(env)
        for login in logins:
            env["training.attrition.case"].with_user(users[login]).browse(
                case_id
            ).validate_tier()

    def _purge_student(self, partner_id):
        """Remove what the races committed for a student: payments and accounting
        entries (reset to draft, then deleted), cases, coupons, reminders,
        enrolments, archive, messages and the contact."""

        def purge(env):
            env = env(context=dict(env.context, force_delete=True, active_test=False))
            partner = env["res.partner"].browse(partner_id)
            env["account.payment.register"].search(
                [("partner_id", "=", partner_id)]
            ).unlink()
            # First: deleting the invoices would take them along, not their chatter.
            self._purge(
                env,
                env["training.arrears.reminder"].search(
                    [("partner_id", "=", partner_id)]
                ),
            )
            moves = env["account.move"].search(
                [("partner_id", "=", partner_id)], order="id desc"
            )
            payments = env["account.payment"].search([("partner_id", "=", partner_id)])
            for payment in payments.filtered(lambda p: p.state != "draft"):
                payment.action_draft()
            moves |= payments.move_id
            moves.filtered(lambda m: m.state != "draft").button_draft()
            payments.unlink()
            moves.exists().unlink()
            cases = env["training.attrition.case"].search(
                [("partner_id", "=", partner_id)]
            )
            cards = cases.coupon_id | env["loyalty.card"].search(
                [("partner_id", "=", partner_id)]
            )
            enrollments = env["training.enrollment"].search(
                [("partner_id", "=", partner_id)]
            )
            archives = env["training.student.archive"].search(
                [("partner_id", "=", partner_id)]
            )
            # Approved cases and ended enrolments are refused to the ORM: their
            # rows go in SQL, with what points to them.
            for records in (cases, cards, enrollments, archives):
                self._purge(env, records)
            env.cr.execute(
                "DELETE FROM mail_message WHERE author_id = %s OR "
                "(model = 'res.partner' AND res_id = %s)",
                (partner_id, partner_id),
            )
            env.invalidate_all()
            partner.unlink()

        self._in_new_transaction(purge)

    def _count(self, model, domain):
        return self._in_new_transaction(
            lambda env: env[model].with_context(active_test=False).search_count(domain)
        )

    def _chatter(self, case_id, text):
        """Notes of the case containing ``text``."""
        return self._count(
            "mail.message",
            [
                ("model", "=", "training.attrition.case"),
                ("res_id", "=", case_id),
                ("body", "ilike", text),
            ],
        )

    def _credit_notes(self, case_id):
        return self._count(
            "account.move",
            [
                ("training_attrition_case_id", "=", case_id),
                ("move_type", "=", "out_refund"),
            ],
        )

    def _validate(self, case_id):
        return lambda env: (
            env["training.attrition.case"].browse(case_id).validate_tier()
        )

    # -- 1. approval ----------------------------------------------------------------

    def test_same_tier_approved_by_two_reviewers_at_once(self):
        """RET-02, X-03 (issue 16): two customer-service agents (neither of them
        the applicant) approve the first tier of the same case at the same time:
        one review is approved, by one of them, once in the chatter; the other is
        refused or retried, and the retry is refused (the next tier is finance's),
        adding no approval."""
        group = self.env.ref(f"{ARCHIVE}.{ARCHIVE}_group_customer_service")

        def setup(env):
            token = uuid.uuid4().hex[:8]
            agent = env["res.users"].create(
                {
                    "name": "Race Agent",
                    "login": f"race_agent_{token}",
                    "email": f"race.agent.{token}@example.com",
                    "groups_id": [Command.set(group.ids)],
                }
            )
            return self._submitted_case(env), agent.id

        case_id, agent_id = self._in_new_transaction(setup)

        def remove_agent(env):
            agent = env["res.users"].browse(agent_id)
            partner = agent.partner_id
            try:
                with env.cr.savepoint():
                    agent.unlink()
                    partner.unlink()
            except Exception:  # noqa: BLE001 - referenced: kept, archived
                agent.active = False

        self.addCleanup(self._in_new_transaction, remove_agent)
        service2 = self.env.ref("training_retention.demo_user_service2").id
        reviewers = [service2, agent_id]

        outcomes = self._race(
            (service2, self._validate(case_id)), (agent_id, self._validate(case_id))
        )
        winner, loser, __ = self._winner_and_loser(outcomes)

        def approved(env):
            reviews = env["training.attrition.case"].browse(case_id).review_ids
            return [
                (r.done_by.id, r.status)
                for r in reviews.sorted("sequence")
                if r.status == "approved"
            ]

        self.assertEqual(
            self._in_new_transaction(approved), [(reviewers[winner], "approved")]
        )
        self.assertEqual(self._chatter(case_id, "Approved:"), 1)
        with self.assertRaisesRegex(UserError, "You cannot approve case"):
            self._in_new_transaction(self._validate(case_id), uid=reviewers[loser])
        self.assertEqual(self._in_new_transaction(approved)[0][0], reviewers[winner])
        self.assertEqual(len(self._in_new_transaction(approved)), 1)

    def test_last_tier_approved_twice_at_once(self):
        """RET-02, RET-07, X-04 (issue 16): management approves the last tier of
        a paid withdrawal in two browser tabs at the same time: the case is
        approved once, with one credit note per invoice and one approval in the
        chatter; the second tab is refused or retried, and the retry is refused
        (the case is no longer waiting for an approval)."""

        def setup(env):
            case_id = self._submitted_case(env)
            self._approve(env, case_id, "service2", "finance")
            return case_id

        case_id = self._in_new_transaction(setup)
        manager = self.env.ref(f"{ARCHIVE}.demo_user_manager").id

        outcomes = self._race(
            (manager, self._validate(case_id)), (manager, self._validate(case_id))
        )
        self._winner_and_loser(outcomes)
        with self.assertRaisesRegex(UserError, "not waiting for an approval"):
            self._in_new_transaction(self._validate(case_id), uid=manager)

        state, invoices = self._in_new_transaction(
            lambda env: (
                env["training.attrition.case"].browse(case_id).state,
                len(env["training.attrition.case"].browse(case_id)._refund_invoices()),
            )
        )
        self.assertEqual(state, "approved")
        self.assertEqual(invoices, 1)
        self.assertEqual(self._credit_notes(case_id), invoices)
        self.assertEqual(self._chatter(case_id, "Approved:"), 3)
        self.assertEqual(self._chatter(case_id, "Credit notes"), 1)

    def test_force_majeure_last_tier_twice_one_coupon(self):
        """RET-06, X-04 (issue 16): the last approval of a force-majeure case
        granting the re-enrolment coupon, given twice at the same time: one
        coupon (loyalty.card) for the student, linked to the case, and one credit
        note per invoice; the retry is refused."""

        def setup(env):
            case_id = self._submitted_case(
                env, case_type="force_majeure", reenrol_coupon=True
            )
            self._approve(env, case_id, "service2")
            case = env["training.attrition.case"].browse(case_id)
            self.assertEqual(case.state, "to_approve")
            return case_id, case.partner_id.id

        case_id, partner_id = self._in_new_transaction(setup)
        manager = self.env.ref(f"{ARCHIVE}.demo_user_manager").id
        program = self.env.ref("training_retention.loyalty_program_reenrolment")

        outcomes = self._race(
            (manager, self._validate(case_id)), (manager, self._validate(case_id))
        )
        self._winner_and_loser(outcomes)
        with self.assertRaisesRegex(UserError, "not waiting for an approval"):
            self._in_new_transaction(self._validate(case_id), uid=manager)

        coupons = [("partner_id", "=", partner_id), ("program_id", "=", program.id)]
        self.assertEqual(self._count("loyalty.card", coupons), 1)
        self.assertEqual(
            self._in_new_transaction(
                lambda env: env["training.attrition.case"].browse(case_id).coupon_id.id
            ),
            self._in_new_transaction(
                lambda env: env["loyalty.card"].search(coupons).id
            ),
        )
        self.assertEqual(self._credit_notes(case_id), 1)

    # -- 2. refund --------------------------------------------------------------------

    def test_refund_carried_out_twice_at_once(self):
        """RET-07, X-04 (issue 16): the refund of a case carried out by two
        transactions at the same time (the credit notes of the last approval):
        one credit note per invoice; the second transaction waits for the first
        (row lock on the case) and is retried, and the retry is refused."""
        case_id = self._in_new_transaction(self._submitted_case)

        def refund(env):
            case = env["training.attrition.case"].browse(case_id)
            return case._training_flow().sudo()._create_refund().ids

        outcomes = self._race((1, refund), (1, refund))
        self._winner_and_loser(outcomes)
        with self.assertRaisesRegex(UserError, "never created twice"):
            self._in_new_transaction(refund)
        self.assertEqual(self._credit_notes(case_id), 1)
        self.assertEqual(self._chatter(case_id, "Credit notes"), 1)

    def test_refund_payment_registered_twice_at_once(self):
        """X-04, RET-07 (issue 16): finance opens Register Refund Payment on an
        approved case in two tabs and confirms both at the same time: one
        outgoing payment, reconciled with the credit note; the second is retried,
        and the retry (the same wizard confirmed again) is refused instead of
        paying the refund a second time."""

        def setup(env):
            case_id = self._submitted_case(env)
            self._approve(env, case_id, "service2", "finance", "manager")
            finance = self._users(env)["finance"]
            case = env["training.attrition.case"].with_user(finance).browse(case_id)
            self.assertEqual(case.refund_state, "to_pay")
            bank = env["account.journal"].search(
                [("type", "=", "bank"), ("company_id", "=", case.company_id.id)],
                limit=1,
            )
            wizards = []
            for __ in range(2):  # two browser tabs
                action = case.action_register_refund_payment()
                wizards.append(
                    env["account.payment.register"]
                    .with_user(finance)
                    .with_context(**action["context"])
                    .create({"journal_id": bank.id})
                    .id
                )
            return case_id, case.partner_id.id, finance.id, wizards

        case_id, partner_id, finance, wizards = self._in_new_transaction(setup)

        def confirm(wizard_id):
            return lambda env: (
                env["account.payment.register"]
                .browse(wizard_id)
                .action_create_payments()
            )

        outcomes = self._race(
            (finance, confirm(wizards[0])), (finance, confirm(wizards[1]))
        )
        __, loser, __ = self._winner_and_loser(outcomes)
        with self.assertRaises(UserError):
            self._in_new_transaction(confirm(wizards[loser]), uid=finance)

        payments = [
            ("partner_id", "=", partner_id),
            ("payment_type", "=", "outbound"),
            ("state", "!=", "cancel"),
        ]
        self.assertEqual(self._count("account.payment", payments), 1)
        self.assertEqual(
            self._in_new_transaction(
                lambda env: env["training.attrition.case"].browse(case_id).refund_state
            ),
            "paid",
        )

    # -- 4. arrears reminders ---------------------------------------------------------

    def test_reminder_cron_run_by_two_workers_at_once(self):
        """RET-04 (issue 16): the arrears reminder scheduled action run by two
        workers at the same time: the overdue invoice gets one reminder of its
        rung and one queued e-mail, never two; a third run adds nothing. (The
        runs are limited to this invoice: the demo database has overdue invoices
        of its own.)"""
        step = self.env.ref("training_retention.training_arrears_step_email")
        overdue = fields.Date.today() - timedelta(days=step.days_overdue + 1)

        def setup(env):
            partner = self._student(env)
            __, invoice = self._paid_enrollment(
                env,
                partner,
                paid=False,
                invoice_date=overdue,
                invoice_date_due=overdue,
            )
            return invoice.id

        invoice_id = self._in_new_transaction(setup)
        Reminder = self.registry["training.arrears.reminder"]
        domain = Reminder._overdue_invoices_domain

        def only_this_invoice(self, today):
            return [*domain(self, today), ("id", "=", invoice_id)]

        create_and_send = Reminder._create_and_send
        sent = []

        def record_sent(self, vals_list):
            reminders = create_and_send(self, vals_list)
            sent.append(len(reminders))
            return reminders

        def cron(env):
            env["training.arrears.reminder"]._cron_send_reminders()
            return True

        with (
            patch.object(Reminder, "_overdue_invoices_domain", only_this_invoice),
            patch.object(Reminder, "_create_and_send", record_sent),
            patch.object(reminder_module, "_logger") as logger,
        ):
            outcomes = self._race((1, cron), (1, cron))
            for outcome in outcomes:
                self.assertNotIsInstance(outcome, Exception)
            # One run sent it; the other, which found the invoice due in its
            # snapshot too, waited for the first, sent nothing, and says why
            # (no error logged, no "tried again on the next run").
            self.assertEqual(sorted(sent), [0, 1])
            logger.exception.assert_not_called()
            self.assertIn(
                "already sent by another run",
                " ".join(str(call.args[0]) for call in logger.info.call_args_list),
            )
            self._in_new_transaction(cron)  # the next run
            self.assertEqual(sent[2:], [0])

        def effects(env):
            reminders = env["training.arrears.reminder"].search(
                [("invoice_id", "=", invoice_id)]
            )
            mails = env["mail.mail"].search(
                [
                    ("model", "=", reminders._name),
                    ("res_id", "in", reminders.ids),
                ]
            )
            return reminders.step_id, len(reminders), len(mails)

        steps, reminders, mails = self._in_new_transaction(effects)
        self.assertEqual(steps, step)
        self.assertEqual(reminders, 1)
        self.assertEqual(mails, 1)

    # -- 6. numbers -------------------------------------------------------------------

    def test_case_numbers_drawn_at_once(self):
        """RET-02, ARC-01 (issue 16): two attrition cases created at the same time
        in two transactions, each drawing its number before either commits, get
        distinct numbers without waiting for each other: the case sequence is
        "standard" (a PostgreSQL sequence), not "no_gap"."""
        numbers = self._numbers_drawn_at_once(
            "training.attrition.case",
            SUPERUSER_ID,
            lambda env, partner_id: (
                env["training.attrition.case"].create({"partner_id": partner_id}).name
            ),
        )
        for number in numbers:
            self.assertRegex(number, r"^ATT/\d{4}/\d+$")

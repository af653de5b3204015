"""Nothing twice (issue 16): the feedback reward and the ticket numbers raced by two
real transactions on committed data (see ``ConcurrencyMixin``)."""

import uuid

from odoo.exceptions import UserError
from odoo.tests import TransactionCase, tagged

from odoo.addons.training_student_archive.tests.common import (
    ConcurrencyMixin,
)

REWARD_FIELDS = (
    "training_feedback_reward",
    "training_feedback_reward_program_id",
    "training_feedback_reward_points",
)


@tagged("post_install", "-at_install")
class TestFeedbackRaces(ConcurrencyMixin, TransactionCase):
    def _student(self, env):
        token = uuid.uuid4().hex[:8]
        partner = env["res.partner"].create(
            {"name": f"Race Student {token}", "email": f"race.{token}@example.com"}
        )
        self.addCleanup(self._purge_student, partner.id)
        return partner

    def _purge_student(self, partner_id):
        def purge(env):
            tickets = (
                env["training.feedback"]
                .with_context(active_test=False)
                .search([("submitter_id", "=", partner_id)])
            )
            cards = tickets.reward_card_id | env["loyalty.card"].search(
                [("partner_id", "=", partner_id)]
            )
            self._purge(env, tickets)
            self._purge(env, cards)
            self._purge_partner(env, partner_id)

        self._in_new_transaction(purge)

    def _ticket(self, env, partner):
        service = env.ref("training_student_archive.demo_user_service")
        return (
            env["training.feedback"]
            .with_user(service)
            .create(
                {
                    "name": "The projector of room 3 is broken",
                    "channel": "phone",
                    "submitter_id": partner.id,
                    "category_id": env.ref(
                        "training_feedback.training_feedback_category_facilities"
                    ).id,
                }
            )
        )

    def test_reward_coupon_given_once(self):
        """FB-10, FB-03, FB-04 (issue 16): the service team plans (validates) the
        same ticket in two tabs at the same time, with coupons as the reward:
        the student gets one coupon (loyalty.card), linked to the ticket, and one
        reward note; the second tab is refused or retried, and the retry is
        refused (the ticket is already planned)."""
        company = self.env.ref("base.main_company")
        saved = {
            name: company[name].id if name.endswith("_id") else company[name]
            for name in REWARD_FIELDS
        }

        programs = []

        def restore(env):
            env["res.company"].browse(company.id).write(saved)
            program = env["loyalty.program"].browse(programs).exists()
            self._purge(env, program.coupon_ids)
            program.action_archive()
            program.unlink()

        # First registered, last run: after the student's coupons are gone.
        self.addCleanup(self._in_new_transaction, restore)

        def setup(env):
            program = env["loyalty.program"].create(
                {
                    "name": "Race feedback reward",
                    "program_type": "coupons",
                    "company_id": company.id,
                }
            )
            programs.append(program.id)
            env["res.company"].browse(company.id).write(
                {
                    "training_feedback_reward": "coupon",
                    "training_feedback_reward_program_id": program.id,
                    "training_feedback_reward_points": 1.0,
                }
            )
            partner = self._student(env)
            ticket = self._ticket(env, partner)
            ticket.write(
                {"plan": "<p>Replace the projector.</p>", "user_id": ticket.env.uid}
            )
            return ticket.id, partner.id, program.id

        ticket_id, partner_id, program_id = self._in_new_transaction(setup)
        service = self.env.ref("training_student_archive.demo_user_service").id

        def plan(env):
            return env["training.feedback"].browse(ticket_id).action_plan()

        outcomes = self._race((service, plan), (service, plan))
        self._winner_and_loser(outcomes)
        with self.assertRaisesRegex(UserError, "cannot be planned"):
            self._in_new_transaction(plan, uid=service)

        def effects(env):
            ticket = env["training.feedback"].browse(ticket_id)
            cards = env["loyalty.card"].search(
                [("partner_id", "=", partner_id), ("program_id", "=", program_id)]
            )
            notes = env["mail.message"].search_count(
                [
                    ("model", "=", ticket._name),
                    ("res_id", "=", ticket.id),
                    ("body", "ilike", "Reward for valid feedback"),
                ]
            )
            return ticket.state, ticket.reward_card_id, cards, notes

        state, card, cards, notes = self._in_new_transaction(effects)
        self.assertEqual(state, "planned")
        self.assertEqual(len(cards), 1)
        self.assertEqual(card, cards)
        self.assertEqual(notes, 1)

    def test_ticket_references_drawn_at_once(self):
        """FB-01, ARC-01 (issue 16): two tickets created at the same time in two
        transactions, each drawing its reference before either commits, get
        distinct references without waiting for each other: the ticket sequence
        is "standard" (a PostgreSQL sequence), not "no_gap"."""
        service = self.env.ref("training_student_archive.demo_user_service").id
        references = self._numbers_drawn_at_once(
            "training.feedback",
            service,
            lambda env, partner_id: (
                self._ticket(env, env["res.partner"].browse(partner_id)).reference
            ),
        )
        for reference in references:
            self.assertRegex(reference, r"^FB/\d{4}/\d+$")

"""Nothing twice (issue 16): the destruction of archives executed twice at once, by
two real transactions on committed data (see ``ConcurrencyMixin``)."""

import uuid

from odoo import Command
from odoo.exceptions import UserError
from odoo.tests import TransactionCase, tagged

from .common import MODULE, ConcurrencyMixin


@tagged("post_install", "-at_install")
class TestDestructionRace(ConcurrencyMixin, TransactionCase):
    def _withdrawn_archive(self, env):
        """The archive of a student who withdrew, removed again by a cleanup."""
        token = uuid.uuid4().hex[:8]
        partner = env["res.partner"].create(
            {"name": f"Race Student {token}", "email": f"race.{token}@example.com"}
        )
        archive = env["training.student.archive"].create({"partner_id": partner.id})
        archive._close("withdrawn")
        self.addCleanup(self._purge_archive, archive.id, partner.id)
        return archive

    def _purge_archive(self, archive_id, partner_id):
        def purge(env):
            env = env(context=dict(env.context, active_test=False))
            destructions = env["training.archive.destruction"].search(
                [("archive_ids", "in", archive_id)]
            )
            # Executed destructions are kept forever: the rows of the race go in
            # SQL (the last ones of the chain, which stays valid without them).
            self._purge(env, destructions)
            self._purge(env, env["training.student.archive"].browse(archive_id))
            self._purge_partner(env, partner_id)

        self._in_new_transaction(purge)

    def _approved_destruction(self, env, archive):
        """A student's destruction request, approved by the institution head."""
        destruction = (
            env["training.archive.destruction"]
            .with_user(env.ref(f"{MODULE}.demo_user_archivist"))
            .create({"origin": "student", "archive_ids": [Command.set(archive.ids)]})
        )
        destruction.request_validation()
        destruction.with_user(env.ref(f"{MODULE}.demo_user_manager")).validate_tier()
        self.assertEqual(destruction.validation_status, "validated")
        return destruction.id

    def _execute(self, destruction_id):
        return lambda env: (
            env["training.archive.destruction"].browse(destruction_id).action_execute()
        )

    def _check_one_destruction(self, archive_number):
        def check(env):
            Destruction = env["training.archive.destruction"]
            done = Destruction.search(
                [("state", "=", "done"), ("archive_numbers", "=", archive_number)]
            )
            return len(done), Destruction._verify_chain()

        count, broken = self._in_new_transaction(check)
        self.assertEqual(count, 1)
        self.assertFalse(broken)

    def test_destruction_executed_twice_at_once(self):
        """ARC-13, ARC-14 (issue 16): the archivist executes the same approved
        destruction in two tabs at the same time: one destruction record, the
        hash chain valid; the second is refused or retried, and the retry is
        refused (already executed)."""

        def setup(env):
            archive = self._withdrawn_archive(env)
            return archive.archive_number, self._approved_destruction(env, archive)

        number, destruction_id = self._in_new_transaction(setup)
        archivist = self.env.ref(f"{MODULE}.demo_user_archivist").id

        outcomes = self._race(
            (archivist, self._execute(destruction_id)),
            (archivist, self._execute(destruction_id)),
        )
        self._winner_and_loser(outcomes)
        with self.assertRaisesRegex(UserError, "already executed"):
            self._in_new_transaction(self._execute(destruction_id), uid=archivist)
        self._check_one_destruction(number)

    def test_two_destructions_of_one_archive_at_once(self):
        """ARC-13, ARC-14 (issue 16): two approved destructions of the same
        archive (a student's request and a batch) executed at the same time: one
        destruction record of the archive, the chain valid; the other is refused
        or retried, and the retry is refused (the archive is not closed any more,
        it is destroyed)."""

        def setup(env):
            archive = self._withdrawn_archive(env)
            return archive.archive_number, [
                self._approved_destruction(env, archive) for __ in range(2)
            ]

        number, destruction_ids = self._in_new_transaction(setup)
        archivist = self.env.ref(f"{MODULE}.demo_user_archivist").id

        outcomes = self._race(
            (archivist, self._execute(destruction_ids[0])),
            (archivist, self._execute(destruction_ids[1])),
        )
        __, loser, __ = self._winner_and_loser(outcomes)
        with self.assertRaisesRegex(UserError, "not closed any more"):
            self._in_new_transaction(
                self._execute(destruction_ids[loser]), uid=archivist
            )
        self._check_one_destruction(number)

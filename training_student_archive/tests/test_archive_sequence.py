import threading
from concurrent.futures import ThreadPoolExecutor

from odoo import SUPERUSER_ID, api
from odoo.tests import TransactionCase, tagged

from .common import MODULE

TIMEOUT = 20  # seconds; a thread waiting longer than this means a lock was taken


@tagged("post_install", "-at_install")
class TestArchiveSequenceConcurrency(TransactionCase):
    """ARC-01 under concurrent enrolments, in real committed transactions.

    The test cursor cannot commit, so each thread opens its own cursor on the
    registry, as Odoo's own concurrency tests do. Whatever is committed is removed
    again by the cleanups, also when the test fails.
    """

    def _in_new_transaction(self, func):
        with self.registry.cursor() as cr:
            return func(api.Environment(cr, SUPERUSER_ID, {}))

    def _unlink(self, model, ids):
        def unlink(env):
            env[model].browse(ids).exists().unlink()

        self._in_new_transaction(unlink)

    def test_concurrent_archives_get_distinct_numbers(self):
        """ARC-01: two archives created at the same time in two transactions, each
        drawing its number before either commits, get distinct numbers without
        waiting for each other: the archive sequence is a PostgreSQL sequence."""
        sequence = self.env.ref(f"{MODULE}.seq_training_student_archive")
        self.assertEqual(sequence.implementation, "standard")

        partner_ids = self._in_new_transaction(
            lambda env: (
                env["res.partner"]
                .create(
                    [{"name": "Concurrent Student 1"}, {"name": "Concurrent Student 2"}]
                )
                .ids
            )
        )
        self.addCleanup(self._unlink, "res.partner", partner_ids)
        archive_ids = []
        self.addCleanup(self._unlink, "training.student.archive", archive_ids)

        both_created = threading.Barrier(2, timeout=TIMEOUT)

        def create_archive(partner_id):
            def create(env):
                archive = env["training.student.archive"].create(
                    {"partner_id": partner_id}
                )
                archive_ids.append(archive.id)
                number = archive.archive_number
                env.flush_all()
                # Neither transaction commits before both have their number.
                both_created.wait()
                return number

            return self._in_new_transaction(create)

        with ThreadPoolExecutor(max_workers=2) as executor:
            futures = [executor.submit(create_archive, pid) for pid in partner_ids]
            numbers = [future.result(timeout=TIMEOUT) for future in futures]

        self.assertEqual(len(set(numbers)), 2, numbers)
        for number in numbers:
            self.assertRegex(number, r"^A\d{4}\d{5}$")
        committed = self._in_new_transaction(
            lambda env: sorted(
                env["training.student.archive"]
                .browse(archive_ids)
                .mapped("archive_number")
            )
        )
        self.assertEqual(committed, sorted(numbers))

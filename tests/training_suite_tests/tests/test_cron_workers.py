from datetime import timedelta

from odoo import SUPERUSER_ID, api, fields
from odoo.exceptions import UserError
from odoo.tests import TransactionCase, tagged


@tagged("post_install", "-at_install")
class TestCronWorkers(TransactionCase):
    """Scheduled actions of the suite under several cron workers (issue 16), in real
    committed transactions: each worker takes a job the way Odoo's cron workers do
    (``ir.cron._acquire_one_job``: the job's row locked ``FOR NO KEY UPDATE SKIP
    LOCKED`` for the whole run, its batches committed one by one by ``_run_job``)."""

    def setUp(self):
        super().setUp()
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            crons = env["ir.cron"].search([("model_id.model", "=like", "training.%")])
            saved = {cron.id: cron.nextcall for cron in crons}
            # Every job of the suite due now, as after a night the server was down.
            crons.write({"nextcall": fields.Datetime.now() - timedelta(minutes=1)})
        self.cron_ids = list(saved)

        def restore():
            with self.registry.cursor() as cr:
                env = api.Environment(cr, SUPERUSER_ID, {})
                for cron_id, nextcall in saved.items():
                    env["ir.cron"].browse(cron_id).nextcall = nextcall

        self.addCleanup(restore)

    def test_one_worker_per_job(self):
        """X-01, ARC-05, FB-04, RET-04, RET-09, issue 16: while one cron worker runs a
        job of the suite, a second worker does not get it (skipped without waiting)
        and a manual *Run Manually* is refused with Odoo's message; once the first
        worker is done, the job is free again. So two workers never process the
        same batch twice, whatever their number."""
        IrCron = self.env["ir.cron"]
        # reminders, risk, at-risk, alerts, attrition figures, grants, deadlines,
        # destruction list, audit, SLA, waiting limit, chase, problems, reviews...
        self.assertGreaterEqual(len(self.cron_ids), 12)
        for cron_id in self.cron_ids:
            name = IrCron.browse(cron_id).name
            with (
                self.subTest(cron=name),
                self.registry.cursor() as worker_a,
                self.registry.cursor() as worker_b,
            ):
                job = IrCron._acquire_one_job(worker_a, cron_id)
                self.assertTrue(job, "the job is due: the first worker takes it")
                self.assertIsNone(IrCron._acquire_one_job(worker_b, cron_id))
                manual = api.Environment(worker_b, SUPERUSER_ID, {})["ir.cron"]
                with self.assertRaisesRegex(UserError, "currently being executed"):
                    manual.browse(cron_id).method_direct_trigger()
                worker_a.rollback()  # the first worker is done
                self.assertTrue(IrCron._acquire_one_job(worker_b, cron_id))
                worker_b.rollback()

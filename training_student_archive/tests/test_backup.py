import os
import subprocess
import tempfile
import uuid
from contextlib import closing
from unittest.mock import patch

from odoo import SUPERUSER_ID, api, sql_db
from odoo.service import db
from odoo.tests import TransactionCase, tagged
from odoo.tools import SQL, config
from odoo.tools.misc import exec_pg_environ, find_pg_tool


@tagged("post_install", "-at_install")
class TestBackup(TransactionCase):
    def test_weekly_backup_restores_archive_data(self):
        """ARC-12: a weekly OCA backup is configured by default; a backup made by it
        restores into a new database that holds the archive data. The archive is
        committed in a separate transaction (a backup only sees committed data) and
        removed afterwards, with the restored database. Odoo's dump and restore
        need the database manager (``list_db``), as the README says."""
        backup = self.env.ref("training_student_archive.db_backup_weekly")
        cron = self.env.ref("auto_backup.ir_cron_backup_scheduler_0")
        self.assertEqual((cron.interval_number, cron.interval_type), (1, "weeks"))
        self.assertTrue(cron.active)
        self.assertEqual(backup.method, "local")

        number = f"BK-{uuid.uuid4().hex[:8]}"
        restored = f"{self.env.cr.dbname}_restore_{uuid.uuid4().hex[:6]}"
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            partner = env["res.partner"].create({"name": f"Backup Student {number}"})
            archive = env["training.student.archive"].create(
                {"partner_id": partner.id, "archive_number": number}
            )
            ids = (archive.id, partner.id)
        try:
            with (
                tempfile.TemporaryDirectory() as folder,
                patch.dict(config.options, {"list_db": True}),
            ):
                job = backup.copy({"folder": folder, "backup_format": "dump"})
                job.action_backup()
                files = os.listdir(folder)
                self.assertEqual(len(files), 1)
                # What db.restore_db does, without loading the restored database's
                # registry (that would start the test runner on it).
                db._create_empty_database(restored)
                result = subprocess.run(
                    [
                        find_pg_tool("pg_restore"),
                        "--no-owner",
                        "--dbname=" + restored,
                        os.path.join(folder, files[0]),
                    ],
                    env=exec_pg_environ(),
                    capture_output=True,
                    check=False,
                )
                self.assertEqual(result.returncode, 0, result.stderr)
            with sql_db.db_connect(restored).cursor() as cr:
                cr.execute(
                    "SELECT a.archive_number, p.name FROM training_student_archive a "
                    "JOIN res_partner p ON p.id = a.partner_id "
                    "WHERE a.archive_number = %s",
                    [number],
                )
                self.assertEqual(cr.fetchall(), [(number, f"Backup Student {number}")])
        finally:
            # First the restored database, whatever happens to the data clean-up.
            # db.exp_drop only drops the databases the server lists: drop it here.
            sql_db.close_db(restored)
            with closing(sql_db.db_connect("postgres").cursor()) as cr:
                cr._cnx.autocommit = True
                db._drop_conn(cr, restored)
                cr.execute(SQL("DROP DATABASE IF EXISTS %s", SQL.identifier(restored)))
            with self.registry.cursor() as cr:
                env = api.Environment(cr, SUPERUSER_ID, {})
                env["training.student.archive"].browse(ids[0]).unlink()
                env["res.partner"].browse(ids[1]).unlink()

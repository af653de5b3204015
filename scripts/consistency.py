"""Nothing lost, nothing twice: the checks `make loadtest` runs after a run (issue 16).

    consistency.py --config C --database D [--since "YYYY-MM-DD HH:MM:SS"]
                   [--expected DIR/expected.json]

Prints one line per check (OK or FAILED with the offending rows) and exits 1 when one
failed. With --expected (written by benchmarks/locustfile.py) and --since (the start of
the run, UTC), also compares the read log and the records the simulated users created
with what they counted. The checks:

- read log: exactly one row per archive per logged read that returned data, by user
  and channel (a failed read leaves none);
- created: the roll-call records, feedback tickets and withdrawal applications the
  users saw accepted all exist, once;
- numbers: no archive, ticket, case or access-request number twice;
- refunds: no invoice credited twice by a case, no credit note paid beyond its amount
  (two refund payments), no case whose approval carried out two refunds;
- reminders: no invoice reminded twice at the same step of the ladder;
- destruction: the hash chain of the destruction records is intact;
- scheduled actions: none of the suite's failed, and a batch job with work left is
  triggered again (resumable);
- activities: none on a record that no longer exists.
"""

import argparse
import json
import sys

import odoo
from odoo import SUPERUSER_ID, api
from odoo.tools import config

NUMBERS = (
    ("training_student_archive", "archive_number"),
    ("training_feedback", "reference"),
    ("training_attrition_case", "name"),
    ("training_archive_access_request", "name"),
)


def rows(cr, query, params=None):
    cr.execute(query, params or {})
    return cr.fetchall()


def check_read_log(env, since, expected):
    """One row per archive per logged read of each user, and none more."""
    logins = {login for login, __, __ in expected["read_log"]}
    logins |= set(expected["created"])
    found = {
        (login, channel): count
        for login, channel, count in rows(
            env.cr,
            """SELECT u.login, l.channel, count(*)
                 FROM training_archive_access_log l
                 JOIN res_users u ON u.id = l.user_id
                WHERE l.date >= %(since)s AND u.login = ANY(%(logins)s)
                GROUP BY 1, 2""",
            {"since": since, "logins": list(logins)},
        )
    }
    due = {(login, channel): count for login, channel, count in expected["read_log"]}
    return [
        f"{login} {channel}: {found.get((login, channel), 0)} rows for {count} reads"
        for (login, channel), count in sorted(set(due.items()) | set(found.items()))
        if found.get((login, channel), 0) != due.get((login, channel), 0)
    ]


def check_created(env, since, expected):
    """What the users saw accepted exists: records by their author since the run."""
    made = dict(
        rows(
            env.cr,
            """SELECT u.login, count(*) FROM (
                   SELECT r.create_uid AS uid FROM training_learning_record r
                    WHERE r.create_date >= %(since)s
                   UNION ALL
                   SELECT u.id FROM training_feedback f
                     JOIN res_users u ON u.partner_id = f.submitter_id
                    WHERE f.create_date >= %(since)s AND f.channel = 'portal'
                   UNION ALL
                   SELECT u.id FROM training_attrition_case c
                     JOIN res_users u ON u.partner_id = c.partner_id
                    WHERE c.create_date >= %(since)s AND c.origin = 'portal'
               ) made JOIN res_users u ON u.id = made.uid
               WHERE u.login = ANY(%(logins)s)
               GROUP BY 1""",
            {"since": since, "logins": list(expected["created"])},
        )
    )
    return [
        f"{login}: {made.get(login, 0)} records for {count} accepted"
        for login, count in sorted(expected["created"].items())
        if made.get(login, 0) != count
    ]


def check_numbers(env):
    problems = []
    for table, column in NUMBERS:
        for number, count in rows(
            env.cr,
            f"""SELECT {column}, count(*) FROM {table}
                 WHERE {column} IS NOT NULL AND {column} NOT IN ('', '/', 'New')
                 GROUP BY 1 HAVING count(*) > 1 LIMIT 10""",
        ):
            problems.append(f"{table}.{column} {number} x{count}")
    return problems


def check_refunds(env):
    problems = [
        f"case {case}: invoice {invoice} credited {count} times"
        for case, invoice, count in rows(
            env.cr,
            """SELECT m.training_attrition_case_id, m.reversed_entry_id, count(*)
                 FROM account_move m
                WHERE m.training_attrition_case_id IS NOT NULL
                  AND m.move_type = 'out_refund' AND m.state = 'posted'
                  AND m.payment_state != 'reversed'
                GROUP BY 1, 2 HAVING count(*) > 1""",
        )
    ]
    # A credit note is paid by payments carrying its number; more than its amount
    # means a refund was paid twice.
    problems += [
        f"credit note {name}: {paid} paid for {total}"
        for name, total, paid in rows(
            env.cr,
            """SELECT m.name, m.amount_total, sum(p.amount)
                 FROM account_move m
                 JOIN account_payment p
                   ON p.memo = m.name AND p.partner_id = m.partner_id
                 JOIN account_move pm ON pm.id = p.move_id
                WHERE m.training_attrition_case_id IS NOT NULL
                  AND m.move_type = 'out_refund' AND m.state = 'posted'
                  AND p.payment_type = 'outbound' AND pm.state = 'posted'
                GROUP BY m.id, m.name, m.amount_total
               HAVING sum(p.amount) > m.amount_total""",
        )
    ]
    return problems


def check_reminders(env):
    return [
        f"invoice {invoice}: reminder step {step} x{count}"
        for invoice, step, count in rows(
            env.cr,
            """SELECT invoice_id, step_id, count(*) FROM training_arrears_reminder
                GROUP BY 1, 2 HAVING count(*) > 1 LIMIT 10""",
        )
    ]


def check_destruction_chain(env):
    broken = env["training.archive.destruction"]._verify_chain()
    return [f"{name}: hash or link broken" for name in broken.mapped("name")]


def check_crons(env):
    crons = env["ir.cron"].sudo().search([("model_id.model", "=like", "training.%")])
    problems = [
        f"{cron.name}: failed {cron.failure_count} times"
        for cron in crons
        if cron.failure_count
    ]
    # The last progress of a batch job with work left must come with a trigger.
    for cron_id, remaining in rows(
        env.cr,
        """SELECT DISTINCT ON (cron_id) cron_id, remaining FROM ir_cron_progress
            WHERE cron_id = ANY(%(ids)s) ORDER BY cron_id, id DESC""",
        {"ids": crons.ids},
    ):
        if remaining and not rows(
            env.cr, "SELECT 1 FROM ir_cron_trigger WHERE cron_id = %s", [cron_id]
        ):
            problems.append(f"{env['ir.cron'].browse(cron_id).name}: {remaining} left")
    return problems


def check_activities(env):
    problems = []
    for model, count in rows(
        env.cr, "SELECT res_model, count(*) FROM mail_activity GROUP BY 1"
    ):
        if model not in env:
            problems.append(f"{count} activities on unknown model {model}")
            continue
        table = env[model]._table
        orphans = rows(
            env.cr,
            f"""SELECT count(*) FROM mail_activity a
                 WHERE a.res_model = %s
                   AND NOT EXISTS (SELECT 1 FROM "{table}" r WHERE r.id = a.res_id)""",
            [model],
        )[0][0]
        if orphans:
            problems.append(f"{orphans} activities on deleted {model} records")
    return problems


def run_checks(env, since=None, expected=None):
    checks = [
        ("numbers", check_numbers),
        ("refunds", check_refunds),
        ("reminders", check_reminders),
        ("destruction chain", check_destruction_chain),
        ("scheduled actions", check_crons),
        ("activities", check_activities),
    ]
    if since and expected:
        checks = [
            ("read log", lambda e: check_read_log(e, since, expected)),
            ("created", lambda e: check_created(e, since, expected)),
            *checks,
        ]
    return [(name, check(env)) for name, check in checks]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--config", required=True)
    parser.add_argument("--database", required=True)
    parser.add_argument("--since")
    parser.add_argument("--expected")
    args = parser.parse_args()
    config.parse_config(["-c", args.config, "-d", args.database, "--log-level=warn"])
    expected = None
    if args.expected:
        with open(args.expected) as file:
            expected = json.load(file)
    registry = odoo.modules.registry.Registry(args.database)
    failed = 0
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        for name, problems in run_checks(env, args.since, expected):
            failed += bool(problems)
            status = "FAILED" if problems else "OK"
            print(f"[consistency] {name}: {status}")
            for problem in problems[:20]:
                print(f"[consistency]   {problem}")
        cr.rollback()
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()

"""Scale data and benchmarks of the training suite (`make bench-data`, `make bench`).

    bench.py data --scale N   fill the database with N x 1 000 students and history
    bench.py run              time the operations people wait for; print one table

Run with the project's virtualenv python; scripts/bench.sh passes the config and the
database (BENCH_DB, default ``training_bench``). Every timed operation runs in its own
transaction, rolled back, on a warm cache, several times: the table shows the median
wall time, the SQL queries of one run, and the ratio to its baseline measured in the
same run on the same database (an Odoo operation of the same kind on ``res.partner``
or a plain ``read_group``).
"""

import argparse
import random
import statistics
import subprocess
import sys
import time
from datetime import date, datetime, timedelta

import psycopg2
from lxml import etree

import odoo
from odoo import SUPERUSER_ID, Command, api
from odoo.tools import config

BATCH = 2000
RUNS = 15
YEARS = 5


def env_for(cr, uid=SUPERUSER_ID):
    context = {"tracking_disable": True, "mail_create_nolog": True}
    return api.Environment(cr, uid, context)


def chunks(items, size=BATCH):
    for start in range(0, len(items), size):
        yield items[start : start + size]


# -- data ------------------------------------------------------------------------------

# Shares of the generated history (per student or per enrolment).
TICKETS_PER_STUDENT = 0.5  # 50 000 tickets at N = 100
LOST_SHARE = 20  # % of ended enrolments lost through an attrition case
UNPAID_SHARE = 8  # % of running enrolments whose invoice is overdue
VIOLATION_SHARE = 3  # % of students with a recorded violation
LOGS_PER_STUDENT = 10  # archive read log rows
INVOICED_DAYS = 365  # enrolments invoiced: of the last year, and every lost one
REFUND_FLOW_SHARE = 25  # % of cases carried out through the real refund flow
CASE_TYPES = (
    ("withdrawal", 50),
    ("transfer", 15),
    ("arrears", 15),
    ("disciplinary", 10),
    ("force_majeure", 10),
)


def generate(registry, args):
    """N x 1 000 students with five years of history, through the ORM's batch create
    and the app's own flows (confirmation, review, invoice posting, payment
    registration, refund statements, credit notes) so that every computed field,
    constraint and deadline is what the app makes.

    Students come in blocks, each committed: an interrupted run resumes with the
    blocks not done yet. ``--workers`` blocks are filled at the same time by as many
    processes, each posting in its own sales and bank journals (a journal's entry
    numbers are taken one transaction at a time)."""
    students = 1000 * args.scale
    with registry.cursor() as cr:
        env = env_for(cr)
        fixtures = _fixtures(env, args.workers)
        cr.commit()
        blocks = [
            range(start, min(start + args.block, students))
            for start in range(0, students, args.block)
        ]
        todo = [block for block in blocks if not _block_done(env, block)]
    print(f"[bench] {len(todo)} of {len(blocks)} blocks of students to fill")
    if args.worker is None and args.workers > 1:
        workers = [
            subprocess.Popen(
                [sys.executable, __file__, *sys.argv[1:], "--worker", str(k)]
            )
            for k in range(args.workers)
        ]
        if any(worker.wait() for worker in workers):
            sys.exit("[bench] a worker failed: run again to resume")
        return
    worker = args.worker or 0
    journals = fixtures["journals"][worker]
    for number, block in enumerate(blocks):
        if number % args.workers != worker:
            continue
        began = time.perf_counter()
        for attempt in range(3):
            try:
                with registry.cursor() as cr:
                    env = env_for(cr)
                    if not _block_done(env, block):
                        _fill(
                            env, dict(fixtures, **journals), block, block_random(block)
                        )
                        cr.commit()
                break
            except psycopg2.Error as error:  # a concurrent worker won a race
                print(f"[bench] worker {worker}: attempt {attempt + 1}: {error}")
        else:
            sys.exit(f"[bench] worker {worker}: students {block.start}- failed")
        print(
            f"[bench] worker {worker}: students {block.start}-{block.stop - 1} done "
            f"({time.perf_counter() - began:.0f} s)",
            flush=True,
        )


def block_random(block):
    """The same data for a block whatever the worker or the attempt."""
    return random.Random(block.start)


def _block_done(env, block):
    """A block is committed at once: its last student exists when it is done."""
    email = f"student{block.stop - 1}@example.com"
    return bool(env["res.partner"].search_count([("email", "=", email)], limit=1))


def _fixtures(env, workers):
    """Teachers, courses, channels and the other records every block uses, and the
    journals of each worker; found again when the generator resumes."""
    teachers = env["res.users"].search([("login", "=like", "bench_teacher_%")])
    if not teachers:
        teachers = env["res.users"].create(
            [
                {"name": f"Bench Teacher {i}", "login": f"bench_teacher_{i}"}
                for i in range(20)
            ]
        )
        group = env.ref(
            "training_student_archive.training_student_archive_group_teacher"
        )
        group.users = [Command.link(u.id) for u in teachers]
        # The administrator approves the generated cases (management tier).
        env.ref(
            "training_student_archive.training_student_archive_group_management"
        ).users = [Command.link(env.ref("base.user_admin").id)]
        stages = env["training.course.stage"].search([])
        products = env["product.product"].create(
            [
                {"name": f"Bench course {i}", "type": "service", "taxes_id": False}
                for i in range(20)
            ]
        )
        env["training.course"].create(
            [
                {
                    "name": f"Bench course {i}",
                    "code": f"B{i:02d}",
                    "product_id": products[i].id,
                    "lesson_count": 40,
                    "list_price": 4000,
                    "stage_id": stages[i % len(stages)].id,
                    "teacher_ids": [Command.set(teachers[i : i + 2].ids)],
                }
                for i in range(20)
            ]
        )
        env["utm.source"].create([{"name": f"Bench channel {i}"} for i in range(5)])
        env["res.partner"].create({"name": "Bench Other School", "is_company": True})
        env["ir.attachment"].create(
            {"name": "bench-proof.txt", "raw": b"medical certificate"}
        )
    journals = []
    Journal = env["account.journal"]
    for k in range(workers):
        codes = {"sale": f"BS{k}", "bank": f"BB{k}"}
        found = {
            kind: Journal.search([("code", "=", code)], limit=1)
            or Journal.create({"name": f"Bench {kind} {k}", "code": code, "type": kind})
            for kind, code in codes.items()
        }
        journals.append(
            {"sale_journal": found["sale"].id, "bank_journal": found["bank"].id}
        )
    return {
        "journals": journals,
        "teachers": teachers.ids,
        "courses": env["training.course"].search([("code", "=like", "B__")]).ids,
        "sources": env["utm.source"].search([("name", "=like", "Bench channel %")]).ids,
        "school": env["res.partner"].search([("name", "=", "Bench Other School")]).id,
        "proof": env["ir.attachment"].search([("name", "=", "bench-proof.txt")]).id,
        "categories": env["training.feedback.category"].search([]).ids,
        "approvers": _bench_approvers(env).ids,
        "reasons": {
            case_type: env["training.attrition.reason"]
            .search([("case_type", "=", case_type)])
            .ids
            for case_type, __ in CASE_TYPES
        },
    }


def _fill(env, fixtures, block, rnd):
    today = date.today()
    timings = {}
    began = time.perf_counter()
    person = fixtures.get("person", _bench_person)
    partners = env["res.partner"].create([person(i, rnd) for i in block])
    archives = env["training.student.archive"].create(
        [
            {
                "partner_id": p.id,
                "source_id": rnd.choice(fixtures["sources"]),
                "birthdate": today - timedelta(days=rnd.randint(19 * 365, 50 * 365)),
            }
            for p in partners
        ]
    )
    enrol_vals = []
    for archive in archives:
        for _n in range(rnd.choice((1, 1, 2))):
            start = today - timedelta(days=rnd.randint(0, YEARS * 365))
            enrol_vals.append(
                {
                    "partner_id": archive.partner_id.id,
                    "course_id": rnd.choice(fixtures["courses"]),
                    "start_date": start,
                    "end_date": start + timedelta(days=120),
                }
            )
    enrollments = env["training.enrollment"].create(enrol_vals)
    enrollments.action_confirm()
    archives.write({"handover_date": odoo.fields.Datetime.now()})
    archives.action_review()
    timings["students"] = time.perf_counter() - began
    ended = enrollments.filtered(lambda e: e.end_date < today)
    lost = ended.filtered(lambda e: rnd.randint(1, 100) <= LOST_SHARE)
    recent = today - timedelta(days=INVOICED_DAYS)
    invoiced = lost | enrollments.filtered(lambda e: e.start_date >= recent)
    for label, step, records in (
        ("invoices", _invoice, invoiced),
        ("lessons", _learning_records, enrollments),
        ("completions", _complete, ended - lost),
        ("cases", _cases, lost),
        ("tickets", _tickets, enrollments),
        ("violations", _violations, archives),
        ("read log", _read_logs, archives),
    ):
        began = time.perf_counter()
        step(env, fixtures, records, rnd)
        env.flush_all()
        timings[label] = time.perf_counter() - began
    print("[bench]   " + ", ".join(f"{k} {v:.0f} s" for k, v in timings.items()))


def _bench_person(i, rnd):
    return {
        "name": f"Student {i:07d} {rnd.choice('ABCDEFGH')}",
        "email": f"student{i}@example.com",
        "phone": f"+86 138 {i:08d}",
    }


def _ticket_subject(enrollment, kind, rnd):
    return f"Feedback on {enrollment.course_id.name}"


def _invoice(env, fixtures, enrollments, rnd):
    """A posted invoice, dated a week before the start, for each enrolment of the
    last INVOICED_DAYS days and each enrolment lost through a case (its refund
    needs it); paid in full through the Register Payment wizard except a share of
    the running ones (overdue: the arrears ladder's work). Older completed
    enrolments were invoiced and paid long ago: no benchmarked operation reads
    those entries, and they would take most of the generator's time."""
    today = date.today()
    moves = env["account.move"].create(
        [
            dict(
                e._prepare_invoice_vals(),
                journal_id=fixtures["sale_journal"],
                invoice_date=e.start_date - timedelta(days=7),
                invoice_date_due=e.start_date,
            )
            for e in enrollments
        ]
    )
    for enrollment, move in zip(enrollments, moves, strict=True):
        enrollment.invoice_ids = [Command.link(move.id)]
    moves.action_post()
    paid = moves.filtered(
        lambda m: (
            m.invoice_date_due + timedelta(days=120) < today
            or rnd.randint(1, 100) > UNPAID_SHARE
        )
    )
    # The wizard's cost grows faster than its number of invoices: in chunks.
    for chunk in chunks(paid, 50):
        env["account.payment.register"].with_context(
            active_model="account.move", active_ids=chunk.ids
        ).create(
            {
                "group_payment": False,
                "journal_id": fixtures["bank_journal"],
                # the wizard's own label of several invoices takes a number of a
                # no-gap sequence each workers would wait for; the payments are
                # labelled with their invoice anyway
                "communication": "Tuition",
            }
        )._create_payments()


def _learning_records(env, fixtures, enrollments, rnd):
    """Weekly lessons (attendance, performance, homework) and a test after 60 days."""
    today = date.today()
    records = []
    for enrollment in enrollments:
        for lesson in range(1, 9):
            day = enrollment.start_date + timedelta(days=7 * lesson)
            if day > today:
                break
            attendance = rnd.choices(
                ("present", "late", "early_leave", "absent"), (85, 6, 3, 6)
            )[0]
            records.append(
                {
                    "enrollment_id": enrollment.id,
                    "record_type": "lesson",
                    "date": day,
                    "lesson_number": lesson,
                    "attendance": attendance,
                    "performance": str(rnd.randint(2, 5)),
                    "homework": rnd.choice(("done", "done", "partial")),
                }
            )
        if enrollment.start_date + timedelta(days=60) <= today:
            records.append(
                {
                    "enrollment_id": enrollment.id,
                    "record_type": "test",
                    "date": enrollment.start_date + timedelta(days=60),
                    "score": rnd.randint(40, 100),
                    "max_score": 100,
                }
            )
    env["training.learning.record"].create(records)


def _complete(env, fixtures, enrollments, rnd):
    enrollments._finish("completed")


def _bench_approvers(env):
    """A customer service and a finance approver (created once), then the
    administrator (management)."""
    users = env["res.users"]
    for login, role in (
        ("bench_approver_cs", "customer_service"),
        ("bench_approver_finance", "finance"),
    ):
        user = users.search([("login", "=", login)])
        if not user:
            group = env.ref(
                f"training_student_archive.training_student_archive_group_{role}"
            )
            user = users.create(
                {
                    "name": login.replace("_", " ").title(),
                    "login": login,
                    "groups_id": [Command.link(group.id)],
                }
            )
        # an approval is posted in the chatter by the approver (written once: two
        # workers writing the same user would conflict)
        if not user.email:
            user.email = f"{login}@example.com"
        users |= user
    return users | env.ref("base.user_admin")


def _cases(env, fixtures, enrollments, rnd):
    """An attrition case per lost enrolment, with its refund statement; a share is
    approved through the real flow (credit note posted, reconciled, refund paid),
    the others are recorded as carried out and closed."""
    types = [t for t, __ in CASE_TYPES]
    weights = [w for __, w in CASE_TYPES]
    vals_list = []
    for enrollment in enrollments:
        case_type = rnd.choices(types, weights)[0]
        # After the lessons of _learning_records (weekly to day 56, a test on day
        # 60): a case cannot take effect before the last lesson attended.
        day = enrollment.start_date + timedelta(days=rnd.randint(60, 110))
        vals = {
            "partner_id": enrollment.partner_id.id,
            "enrollment_ids": [Command.set(enrollment.ids)],
            "case_type": case_type,
            "reason_id": rnd.choice(fixtures["reasons"][case_type] or [False]),
            "application_date": day,
            "effective_date": day,
            # history: the back-dated leaving dates were confirmed by finance
            "backdate_confirmed": True,
            "is_typical": rnd.randint(1, 100) == 1,
        }
        if case_type == "transfer":
            vals.update(receiving_institution_id=fixtures["school"])
        if case_type == "force_majeure":
            vals.update(attachment_ids=[Command.set([fixtures["proof"]])])
        vals_list.append(vals)
    cases = env["training.attrition.case"].create(vals_list)
    cases.action_compute_refund()
    flow = cases.filtered(
        lambda c: c.case_type != "transfer" and rnd.randint(1, 100) <= REFUND_FLOW_SHARE
    )
    # One approver per tier (X-03: nobody approves two tiers of a case): customer
    # service, finance, and the administrator for management.
    approvers = env["res.users"].browse(fixtures["approvers"])
    for case in flow:
        case._write_system({"proof_verified": True})
        case.action_submit()
        for approver in approvers:
            mine = case.with_user(approver)
            if case.state == "to_approve" and mine._tier_next_review():
                mine.validate_tier()
    recorded = cases - flow
    for case in recorded:
        case._stop_enrollments()
    # Past decisions: their approvals are history, not work to do (the tiers would
    # refuse the state change without them). Nothing stored depends on the state.
    env.flush_all()
    env.cr.execute(
        """UPDATE training_attrition_case
              SET state = 'done', closed_date = effective_date,
                  approval_date = COALESCE(approval_date, effective_date)
            WHERE id = ANY(%s)""",
        [cases.ids],
    )
    cases.invalidate_recordset(["state", "closed_date", "approval_date"])


def _tickets(env, fixtures, enrollments, rnd):
    """Feedback over five years: most closed and rated, some invalid, the rest open
    (the SLA escalation's work)."""
    now = odoo.fields.Datetime.now()
    sample = rnd.sample(
        list(enrollments), int(len(enrollments.archive_id) * TICKETS_PER_STUDENT)
    )
    subject = fixtures.get("ticket_subject", _ticket_subject)
    vals_list = []
    for e in sample:
        vals = {
            "channel": rnd.choice(("portal", "email", "phone")),
            "kind": rnd.choices(("complaint", "suggestion", "praise"), (5, 3, 2))[0],
            "submitter_id": e.partner_id.id,
            "course_id": e.course_id.id,
            "category_id": rnd.choice(fixtures["categories"]),
            "received_date": min(
                now,
                datetime.combine(e.start_date, datetime.min.time())
                + timedelta(days=rnd.randint(0, 120), hours=rnd.randint(8, 18)),
            ),
        }
        vals["name"] = subject(e, vals["kind"], rnd)
        vals_list.append(vals)
    tickets = env["training.feedback"].create(vals_list)
    states = rnd.choices(("closed", "invalid", "open"), (85, 5, 10), k=len(tickets))
    closed = tickets.browse(
        [t.id for t, state in zip(tickets, states, strict=True) if state == "closed"]
    )
    invalid = tickets.browse(
        [t.id for t, state in zip(tickets, states, strict=True) if state == "invalid"]
    )
    closed.write(
        {
            "state": "closed",
            "plan": "<p>Handled by the course team.</p>",
            "result": "<p>Solved.</p>",
            "validated_date": now,
            "ack_date": now,
            "result_date": now,
            "closed_date": now,
            "sla_state": "met",
        }
    )
    invalid.write({"state": "invalid", "closed_date": now})
    model_id = env["ir.model"]._get_id("training.feedback")
    env["rating.rating"].create(
        [
            {
                "res_model_id": model_id,
                "res_id": t.id,
                "partner_id": t.submitter_id.id,
                "rating": rnd.choices((1, 2, 3, 4, 5), (3, 5, 12, 40, 40))[0],
                "consumed": True,
            }
            for t in closed
        ]
    )


def _violations(env, fixtures, archives, rnd):
    teachers = archives.enrollment_ids.course_id.teacher_ids
    env["training.violation"].create(
        [
            {
                "archive_id": archive.id,
                "violation_datetime": odoo.fields.Datetime.now()
                - timedelta(days=rnd.randint(0, YEARS * 365)),
                "place": "Classroom",
                "conduct": "Disturbed the lesson.",
                "reporter_id": rnd.choice(teachers.ids),
            }
            for archive in archives
            if rnd.randint(1, 100) <= VIOLATION_SHARE
        ]
    )


def _read_logs(env, fixtures, archives, rnd):
    """Read log rows over five years, as the read log itself writes them (SQL)."""
    env.flush_all()
    env.cr.execute(
        """
        INSERT INTO training_archive_access_log (
            create_uid, create_date, write_uid, write_date, date, user_id,
            archive_id, archive_number, company_id, parts, channel, role
        )
        SELECT u.uid, d.day, u.uid, d.day, d.day, u.uid,
               a.id, a.archive_number, a.company_id, 'registration', 'form',
               'Teaching Staff'
          FROM training_student_archive a,
               generate_series(1, %(count)s) n,
               LATERAL (SELECT (%(teachers)s::int[])[1 + (a.id + n) %% %(tcount)s]
                        AS uid) u,
               LATERAL (SELECT now() at time zone 'UTC'
                        - ((a.id * 7919 + n * 104729) %% (%(years)s * 365))
                        * interval '1 day' AS day) d
         WHERE a.id = ANY(%(ids)s)
        """,
        {
            "count": LOGS_PER_STUDENT,
            "teachers": fixtures["teachers"],
            "tcount": len(fixtures["teachers"]),
            "years": YEARS,
            "ids": archives.ids,
        },
    )


# -- benchmark -------------------------------------------------------------------------


def view_spec(env, model, view_type, view_id=False):
    """The field specification the web client sends for a view of ``model``."""
    views = env[model].get_views([(view_id, view_type)])
    arch = etree.fromstring(views["views"][view_type]["arch"])
    fields = {name: data["fields"] for name, data in views["models"].items()}

    def spec_of(node, model_name):
        spec = {}
        for field in node.iter("field"):
            # nested fields belong to the sub-view of their x2many parent
            parent = field.getparent()
            while parent is not None and parent.tag != "field":
                parent = parent.getparent()
            if parent is not node and parent is not None:
                continue
            name = field.get("name")
            info = fields[model_name].get(name)
            if not info:
                continue
            if info["type"] in ("many2one", "one2many", "many2many"):
                sub = next(iter(field.iterchildren("list", "kanban")), None)
                if sub is not None and info["relation"] in fields:
                    spec[name] = {"fields": spec_of(sub, info["relation"])}
                else:
                    spec[name] = {"fields": {"display_name": {}}}
            else:
                spec[name] = {}
        return spec

    return spec_of(arch, model)


def measure(registry, uid, fn, runs=RUNS):
    """Median wall time (ms), query count and result of ``fn(env)`` over ``runs``
    warm runs, each rolled back."""
    times, queries = [], []
    for run in range(runs + 1):
        with registry.cursor() as cr:
            env = api.Environment(cr, uid, {})
            env.invalidate_all()
            before = cr.sql_log_count
            start = time.perf_counter()
            result = fn(env)
            env.flush_all()
            elapsed = (time.perf_counter() - start) * 1000
            if run:  # the first run warms the caches
                times.append(elapsed)
                queries.append(cr.sql_log_count - before)
            cr.rollback()
    return statistics.median(times), max(queries), result


def cron_batch(xmlid):
    """One call of a scheduled action as the cron runner makes it (its user, its
    progress record); returns the number of records it reports done."""

    def call(env):
        cron = env.ref(xmlid)
        progress = env["ir.cron.progress"].sudo().create({"cron_id": cron.id})
        cron.with_user(cron.user_id).with_context(
            ir_cron_progress_id=progress.id
        )._callback(cron.cron_name, cron.ir_actions_server_id.id)
        return progress.done

    return call


CRONS = (
    ("archive deadlines", "training_student_archive.ir_cron_chase_archive_deadlines"),
    ("feedback SLA escalation", "training_feedback.ir_cron_training_feedback_escalate"),
    ("arrears ladder", "training_retention.ir_cron_arrears_reminders"),
    ("risk scores", "training_retention.ir_cron_compute_risk"),
    ("students absent in a row", "training_retention.ir_cron_flag_at_risk"),
    (
        "retention eligibility",
        "training_student_archive.ir_cron_list_destruction_eligible",
    ),
    ("quarterly audit", "training_student_archive.ir_cron_quarterly_archive_audit"),
    ("attrition alerts", "training_retention.ir_cron_attrition_alerts"),
    ("attrition rates refresh", "training_retention.ir_cron_refresh_attrition_rates"),
)


def run(registry, scale_label):
    with registry.cursor() as cr:
        env = env_for(cr)
        # the figures and risk scores as the nightly jobs leave them, the scores
        # dated yesterday so that the risk job measured below has a night's work
        env["training.attrition.report.rate"]._refresh()
        Enrollment = env["training.enrollment"]
        while Enrollment.search_count(Enrollment._risk_stale_domain(), limit=1):
            Enrollment._cron_compute_risk()
        cr.execute(
            "UPDATE training_enrollment SET risk_date = risk_date - 1"
            " WHERE risk_date IS NOT NULL"
        )
        cr.commit()
        manager = env.ref("base.user_admin").id
        archive = env["training.student.archive"].search([], limit=1, order="id desc")
        archive_id, number = archive.id, archive.archive_number
        partner_id, name, phone = archive.partner_id.id, archive.name, archive.phone
        # A teacher reading one of their students: the read log writes one row.
        taught = env["training.enrollment"].search(
            [("state", "=", "active"), ("course_id.teacher_ids", "!=", False)], limit=1
        )
        teacher_id = taught.course_id.teacher_ids[:1].id
        taught_archive_id = taught.archive_id.id
        # the form as the teacher's client gets it: without the fields of other roles
        teacher_form = view_spec(
            env(user=teacher_id), "training.student.archive", "form"
        )
        archive_spec = view_spec(env, "training.student.archive", "list")
        archive_form = view_spec(env, "training.student.archive", "form")
        partner_spec = view_spec(env, "res.partner", "list")
        partner_form = view_spec(env, "res.partner", "form")
        risk_view = env.ref("training_retention.training_enrollment_view_list_at_risk")
        risk_spec = view_spec(env, "training.enrollment", "list", risk_view.id)
        oldest = (
            env["training.student.archive"]
            .search([("state", "!=", "destroyed")], order="id", limit=1000)
            .ids
        )
        year = date.today().year - 1
        counts = {
            model: env[model].search_count([])
            for model in (
                "training.student.archive",
                "training.enrollment",
                "training.learning.record",
                "account.move",
                "training.feedback",
                "training.attrition.case",
                "training.archive.access.log",
            )
        }
    print("[bench] " + ", ".join(f"{count} {model}" for model, count in counts.items()))

    def list_page(model, spec, domain=(), order=None):
        return lambda env: env[model].web_search_read(
            list(domain), spec, limit=80, order=order
        )

    def form_open(model, record_id, spec):
        return lambda env: env[model].browse(record_id).web_read(spec)

    def name_search(model, text):
        return lambda env: env[model].name_search(text, limit=8)

    archive_model = "training.student.archive"

    def enrolments_by_month(env):
        return env["training.enrollment"].read_group(
            [], ["course_id"], ["start_date:month"]
        )

    def rate_pivot(env):
        """Five years by month, the rates by type as measures (RET-08)."""
        measures = [
            f"{fname}:sum"
            for fname in env["training.attrition.report.rate"]._fields
            if fname.startswith(("enrolled", "lost"))
        ]
        return env["training.attrition.report.rate"].read_group(
            [("period_type", "=", "month")], measures, ["date_start:month"], lazy=False
        )

    def cohort_pivot(env):
        return env["training.attrition.report.cohort"].read_group(
            [],
            ["enrolled:sum", "lost:sum", "retention_1", "retention_3", "retention_6"],
            ["cohort_date:month"],
            lazy=False,
        )

    def destroy(env):
        """A destruction batch of the 1 000 oldest archives (ARC-13), as executed
        once its tiers approved it."""
        archives = env[archive_model].browse(oldest)
        env["training.archive.destruction"].sudo()._destroy_archives(archives.sudo())

    def feedback_year_end(render):
        def call(env):
            review = env["training.feedback.review"].create(
                {
                    "kind": "year",
                    "date_from": f"{year}-01-01",
                    "date_to": f"{year}-12-31",
                }
            )
            return render(env, review)

        return call

    def attrition_year(render):
        def call(env):
            wizard = env["training.attrition.report.print"].create(
                {"period_type": "year", "year": year}
            )
            return render(env, wizard)

        return call

    def pdf(report):
        return lambda env, record: env["ir.actions.report"]._render_qweb_pdf(
            report, record.ids
        )

    def xlsx(report):
        return lambda env, record: env["ir.actions.report"]._render_xlsx(
            report, record.ids, None
        )

    def unlogged(fn):
        """The same call with the read log off (as if already logged)."""
        return lambda env: fn(env(context={"training_access_logged": True}))

    archive_read = form_open(archive_model, archive_id, archive_form)
    teacher_read = form_open(archive_model, taught_archive_id, teacher_form)
    partner_search = ("partner name search", manager, name_search("res.partner", name))
    by_month = ("enrolments by month (read_group)", manager, enrolments_by_month)
    # (operation, user, function, baseline label, baseline user, baseline function)
    ops = [
        ("archive list, first page", manager, list_page(archive_model, archive_spec),
         "partner list", manager, list_page("res.partner", partner_spec)),
        ("archive form open", manager, archive_read,
         "partner form", manager, form_open("res.partner", partner_id, partner_form)),
        ("teacher opens an archive (read log on)", teacher_id, teacher_read,
         "same, read log off", teacher_id, unlogged(teacher_read)),
        ("search by archive number", manager, name_search(archive_model, number),
         *partner_search),
        ("search archive by name", manager, name_search(archive_model, name),
         *partner_search),
        ("search archive by phone", manager, name_search(archive_model, phone[-8:]),
         *partner_search),
        ("attrition rate pivot, 5 years by month", manager, rate_pivot, *by_month),
        ("cohort pivot", manager, cohort_pivot, *by_month),
        ("students at risk, first page", manager,
         list_page("training.enrollment", risk_spec, [("state", "=", "active")],
                   "risk_score desc, id"),
         *by_month),
    ]  # fmt: skip
    longs = [
        ("destruction of 1 000 archives", destroy),
        ("year-end feedback report, PDF",
         feedback_year_end(pdf("training_feedback.training_feedback_review_report_pdf"))),
        ("year-end feedback report, xlsx",
         feedback_year_end(xlsx("training_feedback.training_feedback_review_report_xlsx"))),
        ("yearly attrition report, PDF",
         attrition_year(pdf("training_retention.action_report_attrition_review"))),
        ("yearly attrition report, xlsx",
         attrition_year(xlsx("training_retention.action_report_attrition_review_xlsx"))),
    ]  # fmt: skip
    rows = compare(registry, scale_label, ops)
    rows += crons(registry, scale_label)
    rows += once(registry, scale_label, longs)
    print_table(rows)


def compare(registry, scale_label, ops):
    """Interactive operations against their baseline, measured in the same run."""
    rows = []
    for label, uid, fn, base_label, base_uid, base_fn in ops:
        ms, queries, __ = measure(registry, uid, fn)
        base_ms, base_queries, __ = measure(registry, base_uid, base_fn)
        ratio = f"{ms / base_ms:.2f} ({base_label}, {base_queries} queries)"
        rows.append((label, scale_label, f"{ms:.1f}", str(queries), ratio))
    return rows


def crons(registry, scale_label):
    """Scheduled actions: one batch as the cron runner calls it; cost per record."""
    rows = []
    for label, xmlid in CRONS:
        ms, queries, done = measure(registry, SUPERUSER_ID, cron_batch(xmlid), runs=2)
        per = (
            f"{done} records: {ms / done:.2f} ms, {queries / done:.2f} queries each"
            if done
            else "no records reported"
        )
        rows.append(
            (f"cron: {label} (1 batch)", scale_label, f"{ms:.0f}", str(queries), per)
        )
    return rows


def once(registry, scale_label, operations):
    """Long operations: one warm run each."""
    rows = []
    for label, fn in operations:
        ms, queries, __ = measure(registry, SUPERUSER_ID, fn, runs=1)
        rows.append((label, scale_label, f"{ms:.0f}", str(queries), "-"))
    return rows


def print_table(rows):
    widths = [max(len(r[i]) for r in rows + [HEAD]) for i in range(len(HEAD))]
    for row in [HEAD, tuple("-" * w for w in widths), *rows]:
        cells = (cell.ljust(width) for cell, width in zip(row, widths, strict=True))
        print("| " + " | ".join(cells) + " |")


HEAD = ("operation", "N", "ms (median)", "queries", "ratio to baseline")


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("command", choices=("data", "run"))
    parser.add_argument("--config", required=True)
    parser.add_argument("--database", required=True)
    parser.add_argument("--scale", type=int, default=1)
    parser.add_argument("--block", type=int, default=500, help="students per commit")
    parser.add_argument("--workers", type=int, default=1, help="processes filling")
    parser.add_argument("--worker", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    config.parse_config(["-c", args.config, "--log-level=warn"])
    registry = odoo.modules.registry.Registry(args.database)
    if args.command == "data":
        generate(registry, args)
    else:
        run(registry, str(args.scale))


if __name__ == "__main__":
    main(sys.argv[1:])

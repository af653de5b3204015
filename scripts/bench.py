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
import sys
import time
from datetime import date, timedelta

from lxml import etree

import odoo
from odoo import SUPERUSER_ID, Command, api
from odoo.tools import config

BATCH = 2000
RUNS = 5
YEARS = 5


def env_for(cr, uid=SUPERUSER_ID):
    context = {"tracking_disable": True, "mail_create_nolog": True}
    return api.Environment(cr, uid, context)


def chunks(items, size=BATCH):
    for start in range(0, len(items), size):
        yield items[start : start + size]


# -- data ------------------------------------------------------------------------------


def generate(registry, scale, seed=42):
    """Students, enrolments over five years, lessons, tests; through the ORM's batch
    create so every computed field, constraint and deadline is what the app makes."""
    rnd = random.Random(seed)
    today = date.today()
    students = 1000 * scale
    with registry.cursor() as cr:
        env = env_for(cr)
        if env["training.student.archive"].search_count([]) >= students:
            print(f"[bench] database already holds {students} archives: nothing to add")
            return
        teachers = env["res.users"].create(
            [
                {"name": f"Bench Teacher {i}", "login": f"bench_teacher_{i}"}
                for i in range(20)
            ]
        )
        teacher_group = env.ref(
            "training_student_archive.training_student_archive_group_teacher"
        )
        teacher_group.users = [Command.link(u.id) for u in teachers]
        stages = env["training.course.stage"].search([])
        products = env["product.product"].create(
            [{"name": f"Bench course {i}", "type": "service"} for i in range(20)]
        )
        courses = env["training.course"].create(
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
        sources = env["utm.source"].create(
            [{"name": f"Bench channel {i}"} for i in range(5)]
        )
        cr.commit()
        course_ids, source_ids = courses.ids, sources.ids

    done = 0
    for block in chunks(list(range(students))):
        with registry.cursor() as cr:
            env = env_for(cr)
            partners = env["res.partner"].create(
                [
                    {
                        "name": f"Student {i:07d} {rnd.choice('ABCDEFGH')}",
                        "email": f"student{i}@example.com",
                        "phone": f"+86 138 {i:08d}",
                    }
                    for i in block
                ]
            )
            archives = env["training.student.archive"].create(
                [
                    {
                        "partner_id": p.id,
                        "source_id": rnd.choice(source_ids),
                        "birthdate": today
                        - timedelta(days=rnd.randint(18 * 365, 50 * 365)),
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
                            "course_id": rnd.choice(course_ids),
                            "start_date": start,
                            "end_date": start + timedelta(days=120),
                        }
                    )
            enrollments = env["training.enrollment"].create(enrol_vals)
            enrollments.action_confirm()
            archives.write({"handover_date": odoo.fields.Datetime.now()})
            archives.action_review()
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
            ended = enrollments.filtered(lambda e: e.end_date < today)
            shares = (("completed", 80), ("withdrawn", 15), ("transferred", 5))
            for state, share in shares:
                part = ended.filtered(lambda e, s=share: rnd.randint(1, 100) <= s)
                ended -= part
                if part:
                    part._finish(state)
            if ended:
                ended._finish("completed")
            cr.commit()
        done += len(block)
        print(f"[bench] {done}/{students} students", flush=True)


# -- benchmark -------------------------------------------------------------------------


def view_spec(env, model, view_type):
    """The field specification the web client sends for a view of ``model``."""
    views = env[model].get_views([(False, view_type)])
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


def measure(registry, uid, fn):
    """Median wall time (ms) and query count of ``fn(env)`` over RUNS warm runs."""
    times, queries = [], []
    for run in range(RUNS + 1):
        with registry.cursor() as cr:
            env = api.Environment(cr, uid, {})
            env.invalidate_all()
            before = cr.sql_log_count
            start = time.perf_counter()
            fn(env)
            env.flush_all()
            elapsed = (time.perf_counter() - start) * 1000
            if run:  # the first run warms the caches
                times.append(elapsed)
                queries.append(cr.sql_log_count - before)
            cr.rollback()
    return statistics.median(times), max(queries)


def run(registry, scale_label):
    with registry.cursor() as cr:
        env = env_for(cr)
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
        counts = {
            model: env[model].search_count([])
            for model in ("training.student.archive", "training.learning.record")
        }
    print(
        f"[bench] {counts['training.student.archive']} archives, "
        f"{counts['training.learning.record']} learning records"
    )

    def list_page(model, spec):
        return lambda env: env[model].web_search_read([], spec, limit=80)

    def form_open(model, record_id, spec):
        return lambda env: env[model].browse(record_id).web_read(spec)

    def name_search(model, text):
        return lambda env: env[model].name_search(text, limit=8)

    archive_model = "training.student.archive"

    def records_by_month(env):
        return env["training.learning.record"].read_group(
            [], ["attendance"], ["date:month", "attendance"], lazy=False
        )

    def enrolments_by_month(env):
        return env["training.enrollment"].read_group(
            [], ["course_id"], ["start_date:month"]
        )

    def chase_deadlines(env):
        return env["training.archive.deadline"]._cron_chase_deadlines()

    def unlogged(fn):
        """The same call with the read log off (as if already logged)."""
        return lambda env: fn(env(context={"training_access_logged": True}))

    archive_read = form_open(archive_model, archive_id, archive_form)
    teacher_read = form_open(archive_model, taught_archive_id, teacher_form)
    partner_search = ("partner name search", manager, name_search("res.partner", name))
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
        ("learning records by month (read_group)", manager, records_by_month,
         "enrolments by month (read_group)", manager, enrolments_by_month),
        # Scheduled actions run as their cron's user, OdooBot.
        ("cron: chase archive deadlines (1 batch)", SUPERUSER_ID, chase_deadlines,
         None, None, None),
    ]  # fmt: skip
    rows = []
    for label, uid, fn, base_label, base_uid, base_fn in ops:
        ms, queries = measure(registry, uid, fn)
        ratio = "-"
        if base_fn:
            base_ms, base_queries = measure(registry, base_uid, base_fn)
            ratio = f"{ms / base_ms:.2f} ({base_label}, {base_queries} queries)"
        rows.append((label, scale_label, f"{ms:.1f}", str(queries), ratio))
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
    args = parser.parse_args(argv)
    config.parse_config(["-c", args.config, "--log-level=warn"])
    registry = odoo.modules.registry.Registry(args.database)
    if args.command == "data":
        generate(registry, args.scale)
    else:
        run(registry, str(args.scale))


if __name__ == "__main__":
    main(sys.argv[1:])

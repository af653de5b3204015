"""Users and work of a load test (`make loadtest`, issue 16) on a database of the suite.

    loadtest_prepare.py --config C --database D --out DIR [--students N] [--requests N]

Creates once (found again on later runs) one user per staff role, password = login
(``lt_teacher``, ``lt_service``, ``lt_finance``, ``lt_manager``, ``lt_supervisor``,
``lt_archivist``), gives the teacher the two courses with the most active enrolments,
makes portal users ``lt_student_<n>`` of students with an active enrolment and no open
case (their withdrawal application is part of the run), and files internal access
requests of the teacher for archives of other courses (the supervisor approves them, the
archivist closes them during the run). Then every scheduled action of the suite is made
due, so that the cron worker runs them all while the users work. Writes DIR/users.json
for benchmarks/locustfile.py.
"""

import argparse
import json
from datetime import timedelta
from pathlib import Path

import odoo
from odoo import SUPERUSER_ID, Command, api, fields
from odoo.tools import config

MODULE = "training_student_archive"
STAFF = {
    "teacher": "teacher",
    "service": "customer_service",
    "finance": "finance",
    "manager": "management",
    "supervisor": "supervisor",
    "archivist": "archivist",
}


def _user(env, login, groups, partner=None):
    user = (
        env["res.users"].with_context(active_test=False).search([("login", "=", login)])
    )
    if not user:
        vals = {
            "login": login,
            "name": login.replace("_", " ").title(),
            # what they approve or note is posted in the chatter in their name
            "email": f"{login}@example.com",
        }
        if partner:
            vals.update(partner_id=partner.id, name=partner.name)
        user = env["res.users"].with_context(no_reset_password=True).create(vals)
    user.write(
        {"active": True, "password": login, "groups_id": [Command.set(groups.ids)]}
    )
    return user


def prepare(env, students, requests):
    company = env.ref("base.main_company")
    staff = {}
    for role, group in STAFF.items():
        groups = env.ref("base.group_user") | env.ref(
            f"{MODULE}.training_student_archive_group_{group}"
        )
        if role == "finance":
            groups |= env.ref("account.group_account_invoice")
        staff[role] = _user(env, f"lt_{role}", groups)
    teacher = staff["teacher"]

    Enrollment = env["training.enrollment"]
    busiest = Enrollment._read_group(
        [("state", "=", "active"), ("company_id", "=", company.id)],
        ["course_id"],
        ["__count"],
        order="__count desc",
        limit=2,
    )
    courses = env["training.course"].union(*(course for course, __ in busiest))
    courses.write({"teacher_ids": [Command.link(teacher.id)]})

    # Students on the portal: active enrolment, no case open, no user of their own yet.
    portal = env.ref("base.group_portal")
    open_cases = env["training.attrition.case"].search(
        [("state", "not in", ("done", "cancel", "rejected"))]
    )
    mine = env["res.users"].search([("login", "=like", "lt_student_%")])
    missing = students - len(mine)
    # (limit=0 would mean no limit: every student of the database)
    candidates = missing > 0 and Enrollment.search(
        [
            ("state", "=", "active"),
            ("company_id", "=", company.id),
            ("partner_id.user_ids", "=", False),
            ("id", "not in", open_cases.enrollment_ids.ids),
        ],
        limit=missing,
        order="id desc",
    )
    for number, partner in enumerate(
        candidates.partner_id if candidates else [], start=len(mine)
    ):
        mine |= _user(env, f"lt_student_{number}", portal, partner=partner)

    # Access requests of the teacher, waiting for the supervisor.
    Request = env["training.archive.access.request"]
    waiting = Request.search_count(
        [("requested_by_id", "=", teacher.id), ("state", "=", "draft")]
    )
    if waiting < requests:
        archives = env["training.student.archive"].search(
            [
                ("company_id", "=", company.id),
                ("partner_id.user_ids", "=", False),
            ],
            limit=requests - waiting,
            order="id",
        )
        parts = env["training.archive.part"].search([])
        for archive in archives:
            request = Request.with_user(teacher).create(
                {
                    "request_type": "internal",
                    "purpose": "Load test: preparing a parents' meeting",
                    "archive_ids": [Command.set(archive.ids)],
                    "part_ids": [Command.set(parts[:1].ids)],
                    "valid_until": fields.Datetime.now() + timedelta(days=30),
                }
            )
            request.request_validation()

    due = env["ir.cron"].search([("model_id.model", "=like", "training.%")])
    due.write({"nextcall": fields.Datetime.now()})
    return {
        "staff": {role: user.login for role, user in staff.items()},
        "students": mine.mapped("login"),
        "crons": due.mapped("name"),
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--config", required=True)
    parser.add_argument("--database", required=True)
    parser.add_argument("--out", required=True)
    parser.add_argument("--students", type=int, default=40)
    parser.add_argument("--requests", type=int, default=300)
    args = parser.parse_args()
    config.parse_config(["-c", args.config, "-d", args.database])
    registry = odoo.modules.registry.Registry(args.database)
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {"tracking_disable": True})
        users = prepare(env, args.students, args.requests)
        cr.commit()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    (out / "users.json").write_text(json.dumps(users, indent=1))
    print(
        f"[loadtest] {len(users['students'])} portal students, staff "
        f"{', '.join(users['staff'].values())}; {len(users['crons'])} scheduled "
        "actions made due"
    )


if __name__ == "__main__":
    main()

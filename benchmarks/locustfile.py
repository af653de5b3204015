"""Load test of `make serve` (issue 16), run by `make loadtest`.

Simulated users of the users that scripts/loadtest_prepare.py made (login = password,
listed in <LOADTEST_OUT>/users.json), over JSON-RPC as the web client does
(/web/session/authenticate, then /web/dataset/call_kw/<model>/<method>), and portal
students on the /my pages:

- a teacher opening archives (list: web_search_read, form: web_read of
  training.student.archive; logged reads) and learning records, and taking the roll
  of a lesson of their course (new lesson, Take the Roll, the sheet saved as the
  lesson form does: one learning record per student);
- customer service listing and opening tickets (training.feedback) and contacts
  (res.partner: the baseline of the archive form), noting on tickets and approving
  the first tier of withdrawal applications;
- finance listing and opening attrition cases and approving their second tier;
  management approving the last one (the refund: credit notes posted);
- the supervisor approving access requests, the archivist closing granted ones and
  reading archives;
- portal students opening /my/archive, /my/feedback and Odoo's own /my/invoices (the
  baseline of the portal pages), sending feedback and, once each, a withdrawal
  application.

Every request is named after its operation ("teacher: archive form", ...), so Locust's
statistics give p50/p95/p99 per operation. An HTTP error, a JSON-RPC error or a page
that is not the expected one counts as a failure, except the refusals a real user can
meet when somebody else was quicker (a case another approver just approved, an
application for a course already applied for): those are counted apart, by message.

For the consistency check (scripts/consistency.py), the users count the read-log rows
their reads must have written (one per archive per logged call, by login and channel)
and the records they created; both are written to <LOADTEST_OUT>/expected.json when
Locust quits.

Settings (environment): ODOO_DB (database, default "training"), LOADTEST_OUT (the
directory of users.json and expected.json), LOADTEST_WAIT_MIN and LOADTEST_WAIT_MAX
(think time between two operations of a user, seconds; 0.5 and 2), LOADTEST_FINAL_CSV
(prefix of the final statistics: <prefix>_stats.csv and <prefix>_failures.csv, written
when Locust quits; its own --csv files are written every second and miss the requests
of the last second and of the users' stop).
"""

import collections
import csv
import itertools
import json
import os
import random
import re
from datetime import date

from locust import HttpUser, between, events, task
from locust.stats import PERCENTILES_TO_REPORT, StatsCSV

DB = os.environ.get("ODOO_DB", "training")
WAIT = between(
    float(os.environ.get("LOADTEST_WAIT_MIN", "0.5")),
    float(os.environ.get("LOADTEST_WAIT_MAX", "2")),
)
OUT = os.environ.get("LOADTEST_OUT", ".state/loadtest")
with open(os.path.join(OUT, "users.json")) as _file:
    USERS = json.load(_file)
_ids = itertools.count(1)
_run = {}
# (login, channel) -> read-log rows due; "created" -> records made by the run
_expected = collections.Counter()
_refused = collections.Counter()


@events.init.add_listener
def _keep_environment(environment, **_kwargs):
    _run["environment"] = environment


@events.quit.add_listener
def _write_final_stats(**_kwargs):
    """The statistics after the runner stopped: every request of the run."""
    prefix = os.environ.get("LOADTEST_FINAL_CSV")
    if not prefix or "environment" not in _run:
        return
    stats = StatsCSV(_run["environment"], PERCENTILES_TO_REPORT)
    with open(f"{prefix}_stats.csv", "w", newline="") as file:
        stats.requests_csv(csv.writer(file))
    with open(f"{prefix}_failures.csv", "w", newline="") as file:
        stats.failures_csv(csv.writer(file))
    with open(os.path.join(OUT, "expected.json"), "w") as file:
        json.dump(
            {
                "read_log": [
                    [login, channel, count]
                    for (login, channel), count in sorted(_expected.items())
                    if channel != "created"
                ],
                "created": {
                    login: count
                    for (login, channel), count in _expected.items()
                    if channel == "created"
                },
                "refused": dict(_refused),
            },
            file,
            indent=1,
        )


M2O = {"fields": {"display_name": {}}}
ARCHIVE_LIST = {
    "archive_number": {},
    "name": {},
    "partner_id": M2O,
    "state": {},
    "company_id": M2O,
}
ARCHIVE_FORM = dict(
    ARCHIVE_LIST,
    email={},
    phone={},
    mobile={},
    gender={},
    birthdate={},
    education={},
    user_id=M2O,
)
RECORD_LIST = {
    "archive_id": M2O,
    "date": {},
    "record_type": {},
    "partner_id": M2O,
    "course_id": M2O,
    "attendance": {},
    "performance": {},
}
RECORD_FORM = dict(
    RECORD_LIST,
    enrollment_id=M2O,
    teacher_id=M2O,
    homework={},
)
FEEDBACK_LIST = {
    "reference": {},
    "name": {},
    "kind": {},
    "priority": {},
    "received_date": {},
    "partner_id": M2O,
    "state": {},
}
FEEDBACK_FORM = dict(
    FEEDBACK_LIST,
    category_id=M2O,
    channel={},
    course_id=M2O,
    teacher_id=M2O,
    sla_state={},
)
PARTNER_LIST = {
    "display_name": {},
    "email": {},
    "phone": {},
    "company_id": M2O,
}
PARTNER_FORM = dict(
    PARTNER_LIST, street={}, city={}, zip={}, country_id=M2O, parent_id=M2O
)
CASE_LIST = {
    "name": {},
    "case_type": {},
    "state": {},
    "partner_id": M2O,
    "application_date": {},
    "company_id": M2O,
}
CASE_FORM = dict(
    CASE_LIST,
    archive_id=M2O,
    reason_id=M2O,
    origin={},
    effective_date={},
    submitted_by_id=M2O,
)


ACCESS_REQUEST_LIST = {"name": {}, "state": {}, "requested_by_id": M2O}
ROLL_LINE = {"archive_id": M2O, "partner_id": M2O, "attendance": {}}
TODAY = date.today().isoformat()


def roll_line_values():
    """What a teacher enters for one student: mostly present."""
    attendance = random.choices(
        ("present", "late", "early_leave", "absent"), (85, 6, 3, 6)
    )[0]
    if attendance == "absent":
        return {"attendance": attendance}
    return {
        "attendance": attendance,
        "performance": str(random.randint(2, 5)),
        "homework": random.choice(("done", "partial")),
    }


# Refusals a user meets when another user was quicker (not failures of the server).
RACE_LOST = re.compile(
    r"already|no longer|open case|not waiting for an approval|cannot approve .* now|"
    r"only a granted",
    re.IGNORECASE,
)
LOGGED_MODELS = {
    "training.student.archive": lambda records: {r["id"] for r in records},
    "training.learning.record": lambda records: {
        r["archive_id"]["id"] for r in records if r.get("archive_id")
    },
}


class OdooUser(HttpUser):
    """A user made by loadtest_prepare.py, logged in once per simulated user."""

    abstract = True
    wait_time = WAIT
    role = None

    def on_start(self):
        self.login = USERS["staff"][self.role]
        self.log_in()

    def log_in(self):
        self.odoo_context = {}
        result = self.rpc(
            "/web/session/authenticate",
            {"db": DB, "login": self.login, "password": self.login},
            name=f"{self.role}: log in",
        )
        if result:
            self.odoo_context = result.get("user_context") or {}

    def rpc(self, url, params, name, refusable=False):
        """POST a JSON-RPC call; a JSON-RPC error is a failure, unless ``refusable``
        and the error is a user error of a lost race. Returns the result."""
        payload = {
            "jsonrpc": "2.0",
            "method": "call",
            "id": next(_ids),
            "params": params,
        }
        with self.client.post(
            url, json=payload, name=name, catch_response=True
        ) as response:
            if response.status_code != 200:
                response.failure(f"HTTP {response.status_code}")
                return None
            try:
                body = response.json()
            except ValueError:
                response.failure("not JSON")
                return None
            if "error" in body:
                data = body["error"].get("data", {})
                message = data.get("message") or ""
                if (
                    refusable
                    and data.get("name", "").startswith("odoo.exceptions.")
                    and RACE_LOST.search(message)
                ):
                    _refused[f"{name}: {message[:120]}"] += 1
                    response.success()
                    return None
                response.failure(f"JSON-RPC error: {data.get('name')}: {message[:200]}")
                return None
            response.success()
            return body.get("result")

    def call_kw(self, model, method, args, kwargs, name, refusable=False):
        return self.rpc(
            f"/web/dataset/call_kw/{model}/{method}",
            {
                "model": model,
                "method": method,
                "args": args,
                "kwargs": dict(kwargs, context=self.odoo_context),
            },
            name=f"{self.role}: {name}",
            refusable=refusable,
        )

    def expect_log(self, model, channel, records):
        if model in LOGGED_MODELS and records:
            _expected[(self.login, channel)] += len(LOGGED_MODELS[model](records))

    def search(self, model, spec, label, domain=None, limit=80):
        result = self.call_kw(
            model,
            "web_search_read",
            [],
            {
                "specification": spec,
                "domain": domain or [],
                "offset": 0,
                "limit": limit,
                "order": "",
                "count_limit": 10001,
            },
            f"{label} list",
        )
        records = (result or {}).get("records") or []
        self.expect_log(model, "list", records)
        return records

    def list_and_open(self, model, list_spec, form_spec, label, domain=None):
        """The list view (first page of 80) then the form of one of its records."""
        records = self.search(model, list_spec, label, domain)
        if records:
            record_id = random.choice(records)["id"]
            result = self.call_kw(
                model,
                "web_read",
                [[record_id]],
                {"specification": form_spec},
                f"{label} form",
            )
            self.expect_log(model, "form", result or [])

    def approve_one(self, model, spec, label, tier=None):
        """Open the list of what waits for my review and approve one of them, as
        the Validate button does; only those whose next approval is ``tier`` (a
        manager also approves the customer-service tier, and then, one approval per
        person, no longer the management one)."""
        records = self.search(
            model,
            dict(spec, next_review={}),
            f"{label} to approve",
            [("can_review", "=", True)],
            limit=20,
        )
        if tier:
            records = [r for r in records if tier in (r.get("next_review") or "")]
        if records:
            record_id = random.choice(records)["id"]
            self.call_kw(
                model,
                "validate_tier",
                [[record_id]],
                {},
                f"approve {label}",
                refusable=True,
            )


class Teacher(OdooUser):
    weight = 3
    role = "teacher"

    @task(3)
    def archives(self):
        self.list_and_open(
            "training.student.archive", ARCHIVE_LIST, ARCHIVE_FORM, "archive"
        )

    @task(2)
    def learning_records(self):
        self.list_and_open(
            "training.learning.record", RECORD_LIST, RECORD_FORM, "learning record"
        )

    @task(2)
    def roll_call(self):
        """A lesson of one of my courses today, its roll taken and the sheet saved
        as the lesson form does: a line per student (attendance, performance,
        homework), each the student's learning record."""
        courses = self.search(
            "training.course",
            {"name": {}},
            "course",
            [("teacher_ids.login", "=", self.login)],
        )
        if not courses:
            return
        saved = self.call_kw(
            "training.lesson",
            "web_save",
            [[], {"course_id": random.choice(courses)["id"], "date": TODAY}],
            {"specification": {}},
            "new lesson",
        )
        if not saved:
            return
        lesson_id = saved[0]["id"]
        self.call_kw(
            "training.lesson", "action_take_roll", [[lesson_id]], {}, "take the roll"
        )
        sheet = self.call_kw(
            "training.lesson",
            "web_read",
            [[lesson_id]],
            {"specification": {"record_ids": {"fields": ROLL_LINE}}},
            "roll sheet",
        )
        lines = (sheet or [{}])[0].get("record_ids") or []
        self.expect_log("training.learning.record", "form", lines)
        _expected[(self.login, "created")] += len(lines)
        if lines:
            self.call_kw(
                "training.lesson",
                "web_save",
                [
                    [lesson_id],
                    {
                        "record_ids": [
                            [1, line["id"], roll_line_values()] for line in lines
                        ]
                    },
                ],
                {"specification": {}},
                "save the roll",
            )


class Service(OdooUser):
    weight = 2
    role = "service"

    @task(3)
    def tickets(self):
        self.list_and_open("training.feedback", FEEDBACK_LIST, FEEDBACK_FORM, "ticket")

    @task(2)
    def contacts(self):
        self.list_and_open("res.partner", PARTNER_LIST, PARTNER_FORM, "contact")

    @task(1)
    def note(self):
        tickets = self.search(
            "training.feedback",
            FEEDBACK_LIST,
            "open ticket",
            [("state", "!=", "closed")],
        )
        if tickets:
            self.call_kw(
                "training.feedback",
                "message_post",
                [[random.choice(tickets)["id"]]],
                {
                    "body": "Called the student back.",
                    "message_type": "comment",
                    "subtype_xmlid": "mail.mt_note",
                },
                "ticket note",
            )

    @task(2)
    def approve(self):
        self.approve_one(
            "training.attrition.case", CASE_LIST, "attrition case", "Customer service"
        )


class Finance(OdooUser):
    weight = 1
    role = "finance"

    @task(2)
    def cases(self):
        self.list_and_open(
            "training.attrition.case", CASE_LIST, CASE_FORM, "attrition case"
        )

    @task(2)
    def approve(self):
        self.approve_one(
            "training.attrition.case", CASE_LIST, "attrition case", "Finance"
        )


class Manager(OdooUser):
    weight = 1
    role = "manager"

    @task
    def approve(self):
        self.approve_one(
            "training.attrition.case", CASE_LIST, "attrition case", "Management"
        )


class Supervisor(OdooUser):
    weight = 1
    role = "supervisor"

    @task
    def approve(self):
        self.approve_one(
            "training.archive.access.request", ACCESS_REQUEST_LIST, "access request"
        )


class Archivist(OdooUser):
    weight = 1
    role = "archivist"

    @task(2)
    def archives(self):
        self.list_and_open(
            "training.student.archive", ARCHIVE_LIST, ARCHIVE_FORM, "archive"
        )

    @task(1)
    def close_request(self):
        granted = self.search(
            "training.archive.access.request",
            ACCESS_REQUEST_LIST,
            "granted request",
            [("state", "=", "approved")],
            limit=20,
        )
        if granted:
            self.call_kw(
                "training.archive.access.request",
                "action_close",
                [[random.choice(granted)["id"]]],
                {},
                "close access request",
                refusable=True,
            )


_students = itertools.cycle(USERS["students"])
CSRF = re.compile(r'name="csrf_token"\s+value="([^"]+)"')
ALERT = re.compile(r'class="alert alert-danger[^"]*"[^>]*>(.*?)<', re.DOTALL)
CATEGORY = re.compile(r'name="category_id".*?<option value="(\d+)"', re.DOTALL)


class Student(OdooUser):
    weight = 4
    role = "student"

    def on_start(self):
        self.login = next(_students)
        self.log_in()
        self.applied = False

    def page(self, url, name=None):
        """A portal page: HTTP 200, and not the login page (logged out)."""
        with self.client.get(
            url, name=f"{self.role}: {name or url}", catch_response=True
        ) as response:
            if response.status_code != 200:
                response.failure(f"HTTP {response.status_code}")
            elif "/web/login" in response.url:
                response.failure("redirected to the login page")
            else:
                response.success()
                return response.text
        return ""

    def post_form(self, url, data, name, done):
        """POST a portal form with the page's CSRF token; ``done`` is the path the
        server redirects to when it took the form (else it shows the form again)."""
        token = CSRF.search(self.page(url, f"{name} form"))
        if not token:
            return None
        with self.client.post(
            url,
            data=dict(data, csrf_token=token.group(1)),
            name=f"{self.role}: {name}",
            catch_response=True,
        ) as response:
            if response.status_code != 200:
                response.failure(f"HTTP {response.status_code}")
            elif done in response.url:
                response.success()
                return response
            else:
                # the form came back with its message
                message = re.search(
                    r'class="alert alert-danger[^"]*"[^>]*>(.*?)<',
                    response.text,
                    re.DOTALL,
                )
                text = (message.group(1).strip() if message else "form shown again")[
                    :120
                ]
                _refused[f"{self.role}: {name}: {text}"] += 1
                response.success()
        return None

    @task(3)
    def archive(self):
        self.page("/my/archive")

    @task(2)
    def feedback(self):
        self.page("/my/feedback")

    @task(1)
    def invoices(self):
        self.page("/my/invoices")

    @task(1)
    def send_feedback(self):
        page = self.page("/my/feedback/new", "feedback form")
        category = re.search(
            r'name="category_id"[^>]*>.*?<option value="(\d+)"', page, re.DOTALL
        )
        if self.post_form(
            "/my/feedback/new",
            {
                "name": "The classroom is too cold",
                "description": "Please check the heating of room 3.",
                "kind": "suggestion",
                "category_id": category.group(1) if category else "",
            },
            "send feedback",
            "/my/feedback/",
        ):
            _expected[(self.login, "created")] += 1

    @task(1)
    def withdraw(self):
        """Once per simulated student: a withdrawal application for a course."""
        if self.applied:
            return
        self.applied = True
        page = self.page("/my/attrition/new", "withdrawal form")
        enrollment = re.search(r'name="enrollment_ids"[^>]*value="(\d+)"', page)
        if enrollment and self.post_form(
            "/my/attrition/new",
            {"enrollment_ids": enrollment.group(1), "description": "Moving city"},
            "withdrawal application",
            "/my/attrition/",
        ):
            _expected[(self.login, "created")] += 1

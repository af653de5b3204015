"""Load test of `make serve` (issue 16, part 3), run by `make loadtest`.

Simulated users of the demo data of `make run`'s database (login = password), over
JSON-RPC as the web client does (/web/session/authenticate, then
/web/dataset/call_kw/<model>/<method>), and a portal student on the /my pages:

- a teacher opening archives (list: web_search_read, form: web_read of
  training.student.archive; the form is a logged read) and learning records;
- customer service listing and opening tickets (training.feedback) and contacts
  (res.partner: the baseline of the archive form);
- finance listing and opening attrition cases (training.attrition.case);
- a portal student opening /my/archive, /my/feedback and Odoo's own /my/invoices
  (the baseline of the portal pages).

Every request is named after its operation ("teacher: archive form", ...), so Locust's
statistics give p50/p95/p99 per operation. A JSON-RPC error (HTTP 200 with "error") or
a page that is not the expected one counts as a failure.

Settings (environment): ODOO_DB (database, default "training"), LOADTEST_WAIT_MIN and
LOADTEST_WAIT_MAX (think time between two operations of a user, seconds; 0.5 and 2),
LOADTEST_FINAL_CSV (prefix of the final statistics: <prefix>_stats.csv and
<prefix>_failures.csv, written when Locust quits; its own --csv files are written every
second and miss the requests of the last second and of the users' stop).
"""

import csv
import itertools
import os
import random

from locust import HttpUser, between, events, task
from locust.stats import PERCENTILES_TO_REPORT, StatsCSV

DB = os.environ.get("ODOO_DB", "training")
WAIT = between(
    float(os.environ.get("LOADTEST_WAIT_MIN", "0.5")),
    float(os.environ.get("LOADTEST_WAIT_MAX", "2")),
)
_ids = itertools.count(1)
_run = {}


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
    "date": {},
    "record_type": {},
    "partner_id": M2O,
    "course_id": M2O,
    "attendance": {},
    "performance": {},
}
RECORD_FORM = dict(
    RECORD_LIST,
    archive_id=M2O,
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


class OdooUser(HttpUser):
    """A user of the demo data, logged in once per simulated user."""

    abstract = True
    wait_time = WAIT
    login = None

    def on_start(self):
        self.odoo_context = {}
        result = self.rpc(
            "/web/session/authenticate",
            {"db": DB, "login": self.login, "password": self.login},
            name=f"{self.login}: log in",
        )
        if result:
            self.odoo_context = result.get("user_context") or {}

    def rpc(self, url, params, name):
        """POST a JSON-RPC call; a JSON-RPC error is a failure. Returns the result."""
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
                error = body["error"].get("data", {}).get("name") or body["error"]
                response.failure(f"JSON-RPC error: {error}")
                return None
            response.success()
            return body.get("result")

    def call_kw(self, model, method, args, kwargs, name):
        return self.rpc(
            f"/web/dataset/call_kw/{model}/{method}",
            {
                "model": model,
                "method": method,
                "args": args,
                "kwargs": dict(kwargs, context=self.odoo_context),
            },
            name=f"{self.login}: {name}",
        )

    def list_and_open(self, model, list_spec, form_spec, label, domain=None):
        """The list view (first page of 80) then the form of one of its records."""
        result = self.call_kw(
            model,
            "web_search_read",
            [],
            {
                "specification": list_spec,
                "domain": domain or [],
                "offset": 0,
                "limit": 80,
                "order": "",
                "count_limit": 10001,
            },
            f"{label} list",
        )
        records = (result or {}).get("records") or []
        if records:
            record_id = random.choice(records)["id"]
            self.call_kw(
                model,
                "web_read",
                [[record_id]],
                {"specification": form_spec},
                f"{label} form",
            )


class Teacher(OdooUser):
    weight = 3
    login = "teacher"

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


class Service(OdooUser):
    weight = 2
    login = "service"

    @task(3)
    def tickets(self):
        self.list_and_open("training.feedback", FEEDBACK_LIST, FEEDBACK_FORM, "ticket")

    @task(2)
    def contacts(self):
        self.list_and_open("res.partner", PARTNER_LIST, PARTNER_FORM, "contact")


class Finance(OdooUser):
    weight = 1
    login = "finance"

    @task
    def cases(self):
        self.list_and_open(
            "training.attrition.case", CASE_LIST, CASE_FORM, "attrition case"
        )


class Student(OdooUser):
    weight = 4
    login = "student"

    def page(self, url):
        """A portal page: HTTP 200, and not the login page (logged out)."""
        with self.client.get(
            url, name=f"{self.login}: {url}", catch_response=True
        ) as response:
            if response.status_code != 200:
                response.failure(f"HTTP {response.status_code}")
            elif "/web/login" in response.url:
                response.failure("redirected to the login page")
            else:
                response.success()

    @task(3)
    def archive(self):
        self.page("/my/archive")

    @task(2)
    def feedback(self):
        self.page("/my/feedback")

    @task(1)
    def invoices(self):
        self.page("/my/invoices")

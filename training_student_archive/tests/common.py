"""Shared set-up of the archive tests: one user per role, a working calendar, courses.

Every test class of the module starts from :class:`TrainingArchiveCommon`. It never
reads demo data: the company, its calendar, the users, the courses and the students are
all created here. Times are frozen by the test classes, never read from the clock.
"""

import collections
import contextlib
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime

import pytz

from odoo import SUPERUSER_ID, Command, api
from odoo.exceptions import UserError, ValidationError
from odoo.service.model import PG_CONCURRENCY_EXCEPTIONS_TO_RETRY
from odoo.tests import TransactionCase, new_test_user
from odoo.tools import SQL, mute_logger

MODULE = "training_student_archive"
TZ = "Asia/Shanghai"


def group(role):
    """XML id of the training group of ``role`` (teacher, archivist, ...)."""
    return f"{MODULE}.{MODULE}_group_{role}"


def local(*args):
    """Naive UTC datetime of a wall-clock time in Shanghai, the calendar's zone."""
    return (
        pytz.timezone(TZ)
        .localize(datetime(*args))
        .astimezone(pytz.utc)
        .replace(tzinfo=None)
    )


class TrainingArchiveCommon(TransactionCase):
    """Company with a 40 h Monday-Friday calendar in Shanghai time, one user per role
    of ``security/training_student_archive_groups.xml``, two courses taught by two
    different teachers, and students (one adult with contact details, one without,
    one minor with a guardian to be).

    A subclass may set up another base first (e.g. ``AccountTestInvoicingCommon``):
    everything is created in ``cls.env.company``, whatever that company is.
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company = cls.env.company
        cls.calendar = cls.env["resource.calendar"].create(
            {
                "name": "Standard 40 hours/week (Shanghai)",
                "tz": TZ,
                "company_id": cls.company.id,
                "attendance_ids": [
                    Command.create(
                        {
                            "name": f"{day} {period}",
                            "dayofweek": day,
                            "hour_from": hour_from,
                            "hour_to": hour_to,
                            "day_period": period,
                        }
                    )
                    for day in "01234"
                    for period, hour_from, hour_to in (
                        ("morning", 8, 12),
                        ("lunch", 12, 13),
                        ("afternoon", 13, 17),
                    )
                ],
            }
        )
        cls.company.resource_calendar_id = cls.calendar

        def user(login, *roles, **kwargs):
            return new_test_user(
                cls.env,
                login=login,
                groups=",".join(group(role) for role in roles),
                company_id=cls.company.id,
                tz=TZ,
                context={"no_reset_password": True},
                **kwargs,
            )

        cls.user_teacher = user("trn_teacher", "teacher")
        cls.user_teacher2 = user("trn_teacher2", "teacher")
        cls.user_enrolment = user("trn_enrolment", "enrolment")
        cls.user_customer_service = user("trn_cs", "customer_service")
        cls.user_finance = user("trn_finance", "finance")
        cls.user_archivist = user("trn_archivist", "archivist")
        cls.user_supervisor = user("trn_supervisor", "supervisor")
        cls.user_management = user("trn_management", "management")
        cls.company.training_archivist_id = cls.user_archivist

        cls.product_course = cls.env["product.product"].create(
            {"name": "Course fee", "type": "service", "list_price": 0.0}
        )
        cls.course_a = cls.env["training.course"].create(
            {
                "name": "English A1",
                "code": "ENA1",
                "lesson_count": 10,
                "list_price": 1200.0,
                "product_id": cls.product_course.id,
                "teacher_ids": [Command.set(cls.user_teacher.ids)],
            }
        )
        cls.course_b = cls.env["training.course"].create(
            {
                "name": "French A1",
                "code": "FRA1",
                "lesson_count": 8,
                "list_price": 900.0,
                "product_id": cls.product_course.id,
                "teacher_ids": [Command.set(cls.user_teacher2.ids)],
            }
        )

        Partner = cls.env["res.partner"]
        cls.student = Partner.create(
            {
                "name": "Li Lei",
                "email": "li.lei@example.com",
                "phone": "+86 21 5555 0101",
            }
        )
        cls.student_b = Partner.create(
            {"name": "Han Meimei", "email": "han.meimei@example.com"}
        )
        cls.student_no_contact = Partner.create({"name": "Wang Fang"})
        cls.student_minor = Partner.create(
            {"name": "Zhang Xiaoming", "mobile": "+86 139 0000 0202"}
        )
        cls.guardian = Partner.create(
            {"name": "Zhang Wei", "mobile": "+86 139 0000 0303"}
        )

    # -- helpers: the flows as the people who run them ------------------------------

    @classmethod
    def _enrol(cls, partner, course, start_date="2025-03-07", **vals):
        """A draft enrolment created by the enrolment staff."""
        return (
            cls.env["training.enrollment"]
            .with_user(cls.user_enrolment)
            .create(
                {
                    "partner_id": partner.id,
                    "course_id": course.id,
                    "start_date": start_date,
                    **vals,
                }
            )
        )

    @classmethod
    def _enrol_and_confirm(cls, partner, course, **vals):
        """An enrolment confirmed by enrolment staff, returned in the admin's env."""
        enrollment = cls._enrol(partner, course, **vals)
        enrollment.action_confirm()
        cls._end_request()
        return enrollment.with_env(cls.env)

    @classmethod
    def _end_request(cls):
        """End a request as Odoo does: flush, run the pre-commit hooks (they write the
        chatter's tracking values; Odoo tracks no change of a record in the transaction
        that created it), and start the next request with an empty cache (access rights
        are checked when a value is fetched, not when it is read from the cache)."""
        cls.env.flush_all()
        cls.env.cr.flush()
        cls.env.invalidate_all()

    @classmethod
    def _reviewed_with_lesson(cls, partner, course, teacher, day):
        """An enrolment confirmed, its archive handed over and reviewed (active),
        and one lesson attended on ``day`` recorded by ``teacher``."""
        enrollment = cls._enrol_and_confirm(partner, course)
        archive = enrollment.archive_id
        archive.with_user(cls.user_enrolment).action_hand_over()
        archive.with_user(cls.user_archivist).action_review()
        lesson = (
            cls.env["training.learning.record"]
            .with_user(teacher)
            .create(
                {
                    "enrollment_id": enrollment.id,
                    "record_type": "lesson",
                    "date": day,
                    "attendance": "present",
                }
            )
        )
        return enrollment, archive, lesson

    def _activate(self, archive):
        """Hand-over by enrolment staff, then review by the archivist (ARC-03)."""
        archive.with_user(self.user_enrolment).action_hand_over()
        archive.with_user(self.user_archivist).action_review()

    def _lesson(self, enrollment, user=None, **vals):
        """A lesson record written by ``user`` (the course's teacher by default)."""
        user = user or enrollment.course_id.teacher_ids[:1]
        return (
            self.env["training.learning.record"]
            .with_user(user)
            .create(
                {
                    "enrollment_id": enrollment.id,
                    "record_type": "lesson",
                    **vals,
                }
            )
        )


class RolledBack(Exception):
    """Raised to roll a warm-up run back."""


class QueryCountMixin:
    """Exact counts of the SQL statements of a call, for the query budgets (issue 7:
    no query per processed record)."""

    def _statements(self, function):
        """The SQL statements of ``function`` run on an empty record cache, after a
        first run that warms the registry's caches (rules, views, translations)
        whatever ran before; both runs are rolled back."""
        statements = []
        for warm in (False, True):
            with contextlib.suppress(RolledBack), self.env.cr.savepoint():
                self.env.invalidate_all()
                if not warm:
                    function()
                else:
                    patch = contextlib.contextmanager(self._patchExecute)
                    with patch(statements):
                        function()
                raise RolledBack
        return collections.Counter(statements)

    def _counts(self, make, function, sizes):
        """Statements of ``function`` after ``make(n)`` created n records to process,
        for each n of ``sizes``; every set-up is rolled back. A first round, not
        counted, warms the caches that a set-up may clear."""
        counts = []
        for size in (sizes[0], *sizes):
            with contextlib.suppress(RolledBack), self.env.cr.savepoint():
                make(size)
                self.env.flush_all()
                counts.append(sum(self._statements(function).values()))
                raise RolledBack
        return counts[1:]

    def assertStatementsPerRecord(self, make, function, sizes, per_record=0):
        """``function`` costs exactly ``per_record`` more statements for each more
        record ``make`` created (0: the same statements whatever their number)."""
        counts = self._counts(make, function, sizes)
        for n in range(1, len(sizes)):
            self.assertEqual(
                counts[n] - counts[n - 1],
                per_record * (sizes[n] - sizes[n - 1]),
                f"statements for {sizes}: {counts}",
            )


# Seconds a thread of a concurrency test waits for the other: longer means a lock
# was taken (or a deadlock), and the test fails instead of hanging.
TIMEOUT = 20
# What the loser of a race may get: a clear refusal, or a PostgreSQL concurrency
# error Odoo retries the request on (odoo.service.model.retrying).
CLEAN_REFUSALS = (UserError, ValidationError)
RETRIED_ERRORS = PG_CONCURRENCY_EXCEPTIONS_TO_RETRY


class ConcurrencyMixin:
    """Races of real transactions on committed data (issue 16: nothing twice).

    The test cursor never commits and other transactions cannot see its data: the
    data of a race is built and committed in transactions of their own
    (:meth:`_in_new_transaction`) and removed by cleanups. :meth:`_race` runs the
    competitors in threads, each in its own transaction, as two requests of two
    workers: each reads the database first (Odoo's transactions are REPEATABLE
    READ: the snapshot is taken at the first statement), then waits for the other
    at a barrier, so both decide on the same committed state before either
    writes."""

    def _in_new_transaction(self, func, uid=SUPERUSER_ID):
        """``func(env)`` in a transaction of its own, committed if it returns."""
        with self.registry.cursor() as cr:
            return func(api.Environment(cr, uid, {"mail_notify_force_send": False}))

    def _race(self, *calls):
        """Run the ``(uid, func)`` of ``calls`` at the same time, each as ``uid`` in
        its own thread and transaction (committed if ``func`` returns, rolled back
        if it raises). Returns the outcome of each: what ``func`` returned, or the
        exception it raised."""
        started = threading.Barrier(len(calls), timeout=TIMEOUT)

        def run(uid, func):
            # No e-mail leaves this machine (Odoo's test mode, per thread).
            threading.current_thread().testing = True
            try:
                with self.registry.cursor() as cr:
                    env = api.Environment(cr, uid, {"mail_notify_force_send": False})
                    # The snapshot of the transaction: what it decides on.
                    cr.execute("SELECT 1")
                    started.wait()
                    return func(env)
            except Exception as error:  # noqa: BLE001 - the outcome of the race
                return error
            finally:
                threading.current_thread().testing = False

        with (
            mute_logger("odoo.sql_db"),
            ThreadPoolExecutor(max_workers=len(calls)) as executor,
        ):
            futures = [executor.submit(run, uid, func) for uid, func in calls]
            return [future.result(timeout=3 * TIMEOUT) for future in futures]

    def _winner_and_loser(self, outcomes):
        """Exactly one competitor went through; the other got a clear refusal or
        an error Odoo retries. Returns (index of the winner, index of the loser,
        the loser's exception)."""
        errors = [isinstance(outcome, Exception) for outcome in outcomes]
        self.assertEqual(sorted(errors), [False, True], outcomes)
        loser = errors.index(True)
        error = outcomes[loser]
        self.assertIsInstance(error, CLEAN_REFUSALS + RETRIED_ERRORS, repr(error))
        return 1 - loser, loser, error

    def _purge(self, env, records):
        """Delete committed ``records`` of a race and their chatter, also those
        the ORM refuses to delete (executed, approved, ended)."""
        records = records.exists()
        if not records:
            return
        env.flush_all()
        ids = tuple(records.ids)
        for table, column in (
            ("mail_message", "model"),
            ("mail_followers", "res_model"),
            ("mail_activity", "res_model"),
            ("tier_review", "model"),
        ):
            env.cr.execute(
                SQL(
                    "DELETE FROM %s WHERE %s = %s AND res_id IN %s",
                    SQL.identifier(table),
                    SQL.identifier(column),
                    records._name,
                    ids,
                )
            )
        env.cr.execute(
            SQL("DELETE FROM %s WHERE id IN %s", SQL.identifier(records._table), ids)
        )
        env.invalidate_all()

    def _purge_partner(self, env, partner_id):
        """Delete a committed contact of a race and the messages by or about it."""
        env.cr.execute(
            "DELETE FROM mail_message WHERE author_id = %s OR "
            "(model = 'res.partner' AND res_id = %s)",
            (partner_id, partner_id),
        )
        env["res.partner"].browse(partner_id).unlink()

    def _numbers_drawn_at_once(self, code, uid, create):
        """Two records created at the same time by ``uid`` in two transactions
        (``create(env, partner_id)`` returns the new number), each drawing its number
        before either commits: the sequence ``code`` is "standard" (a PostgreSQL
        sequence, not "no_gap"), so neither waits for the other. Returns the two
        numbers."""
        sequence = self.env["ir.sequence"].search([("code", "=", code)])
        self.assertEqual(set(sequence.mapped("implementation")), {"standard"})
        partner_ids = self._in_new_transaction(
            lambda env: [self._student(env).id for __ in range(2)]
        )
        # Both hold their number when both are past this barrier: neither waited.
        numbered = threading.Barrier(2, timeout=TIMEOUT)

        def run_for(partner_id):
            def run(env):
                number = create(env, partner_id)
                env.flush_all()
                numbered.wait()
                return number

            return run

        numbers = self._race(*((uid, run_for(pid)) for pid in partner_ids))
        for number in numbers:
            self.assertIsInstance(number, str, numbers)
        self.assertEqual(len(set(numbers)), 2, numbers)
        return numbers

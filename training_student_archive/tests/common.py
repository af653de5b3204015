"""Shared set-up of the archive tests: one user per role, a working calendar, courses.

Every test class of the module starts from :class:`TrainingArchiveCommon`. It never
reads demo data: the company, its calendar, the users, the courses and the students are
all created here. Times are frozen by the test classes, never read from the clock.
"""

import collections
import contextlib
from datetime import datetime

import pytz

from odoo import Command
from odoo.tests import TransactionCase, new_test_user

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

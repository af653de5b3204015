"""Nothing twice (issue 16): the roll of a lesson taken on two devices at once, by
two real transactions on committed data (see ``ConcurrencyMixin``)."""

import uuid

from odoo import Command
from odoo.tests import TransactionCase, tagged

from .common import MODULE, RETRIED_ERRORS, ConcurrencyMixin


@tagged("post_install", "-at_install")
class TestLessonRace(ConcurrencyMixin, TransactionCase):
    def _lesson(self, env):
        """A lesson of a new course with two students, removed by a cleanup."""
        token = uuid.uuid4().hex[:8]
        teacher = env.ref(f"{MODULE}.demo_user_teacher")
        course = env["training.course"].create(
            {
                "name": f"Race Course {token}",
                "code": f"R{token}",
                "lesson_count": 10,
                "list_price": 100.0,
                "teacher_ids": [Command.set(teacher.ids)],
            }
        )
        partners = env["res.partner"].create(
            [
                {"name": f"Race Student {token} {n}", "email": f"r{n}.{token}@ex.com"}
                for n in range(2)
            ]
        )
        enrollments = env["training.enrollment"].create(
            [
                {"partner_id": p.id, "course_id": course.id, "start_date": "2025-01-06"}
                for p in partners
            ]
        )
        enrollments.action_confirm()
        lesson = env["training.lesson"].create(
            {"course_id": course.id, "date": "2025-03-12", "teacher_id": teacher.id}
        )
        self.addCleanup(self._purge_all, lesson.id, enrollments.ids, partners.ids)
        return lesson

    def _purge_all(self, lesson_id, enrollment_ids, partner_ids):
        def purge(env):
            env = env(context=dict(env.context, active_test=False))
            lesson = env["training.lesson"].browse(lesson_id)
            course = lesson.course_id
            self._purge(env, lesson.record_ids)
            self._purge(env, lesson)
            enrollments = env["training.enrollment"].browse(enrollment_ids)
            archives = enrollments.archive_id
            self._purge(env, enrollments)
            self._purge(env, archives)
            self._purge(env, course)
            for partner_id in partner_ids:
                self._purge_partner(env, partner_id)

        self._in_new_transaction(purge)

    def test_roll_taken_twice_at_once(self):
        """ARC-06 (issue 16): the teacher taps *Take the Roll* on two devices at
        the same time: one sheet of two lines, not four; the second transaction
        waits, fails and, retried as Odoo does, adds nobody. The database refuses a
        student twice on one roll in any case."""
        lesson_id = self._in_new_transaction(lambda env: self._lesson(env).id)
        teacher = self.env.ref(f"{MODULE}.demo_user_teacher").id

        def take_roll(env):
            return env["training.lesson"].browse(lesson_id).action_take_roll()

        outcomes = self._race((teacher, take_roll), (teacher, take_roll))
        __, __, error = self._winner_and_loser(outcomes)
        self.assertIsInstance(error, RETRIED_ERRORS, repr(error))
        retried = self._race((teacher, take_roll))
        self.assertEqual(retried, [True])

        def lines(env):
            return len(env["training.lesson"].browse(lesson_id).record_ids)

        self.assertEqual(self._in_new_transaction(lines), 2)

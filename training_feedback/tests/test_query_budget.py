"""Query budgets of the scheduled actions (issue 7): one call processes one bounded
batch whose statements do not grow with the number of records processed."""

from datetime import datetime
from unittest.mock import patch

from odoo import Command
from odoo.tests import freeze_time, tagged

from odoo.addons.training_feedback.models import training_feedback
from odoo.addons.training_student_archive.tests.common import QueryCountMixin, local

from .common import TrainingFeedbackCommon

FRIDAY_3PM = local(2026, 3, 13, 15, 0)
MONDAY_4PM = local(2026, 3, 16, 16, 0)  # an urgent ticket of Friday 15:00 breached


@tagged("post_install", "-at_install", "is_query_count")
class TestFeedbackQueryBudget(QueryCountMixin, TrainingFeedbackCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._set_problem_thresholds()

    def _urgent_tickets(self, size):
        """``size`` urgent phone tickets received on Friday 13 March 15:00: their
        response is due on Monday 16 March 15:00 (one working day)."""
        with freeze_time(FRIDAY_3PM):
            return self.Feedback.concat(
                *(self._phone_ticket(priority="1") for _n in range(size))
            )

    def test_escalation_no_n_plus_one(self):
        """FB-04, issue 7: escalating 2, 4 or 6 breached tickets in one call costs the
        same number of statements: one create of the manager's activities (no
        assignment e-mail each), one batch of chatter notes, one write per level."""
        with freeze_time(MONDAY_4PM):
            self.assertStatementsPerRecord(
                self._urgent_tickets, self.Feedback._cron_escalate, (2, 4, 6)
            )

    def test_escalation_resumes(self):
        """FB-04, issue 7: with batches of 2, the scheduled action run on three
        breached tickets escalates two and tells the cron runner one is left; the
        next call escalates the third; a third call finds nothing and adds no
        activity or note."""
        tickets = self._urgent_tickets(3)
        cron = self.env.ref("training_feedback.ir_cron_training_feedback_escalate")
        Progress = self.env["ir.cron.progress"]
        activity_type = self.env.ref("training_feedback.mail_activity_type_escalation")

        def run():
            cron.method_direct_trigger()
            progress = Progress.search([("cron_id", "=", cron.id)], order="id desc")
            return progress[:1].done, progress[:1].remaining

        def escalations():
            activities = tickets.activity_ids.filtered(
                lambda a: a.activity_type_id == activity_type
            )
            notes = tickets.message_ids.filtered(
                lambda m: "Service level" in (m.body or "")
            )
            return len(activities), len(notes)

        with freeze_time(MONDAY_4PM), patch.object(training_feedback, "CRON_BATCH", 2):
            self.assertEqual(run(), (2, 1))
            self.assertEqual(tickets.mapped("sla_escalated").count("breached"), 2)
            self.assertEqual(escalations(), (2, 2))
            self.assertEqual(run(), (1, 0))
            self.assertEqual(set(tickets.mapped("sla_escalated")), {"breached"})
            self.assertEqual(set(tickets.mapped("sla_state")), {"breached"})
            self.assertEqual(escalations(), (3, 3))
            self.assertEqual(tickets.activity_ids.user_id, self.user_service_manager)
            self.assertEqual(run(), (0, 0))
            self.assertEqual(escalations(), (3, 3))

    def _resolved_tickets(self, size):
        """``size`` tickets resolved on Monday 9 March 2026."""
        with freeze_time(datetime(2026, 3, 9, 2, 0)):
            tickets = self.Feedback.concat(
                *(self._plan(self._phone_ticket()) for _n in range(size))
            )
            tickets.write({"result": "<p>Fixed.</p>"})
            tickets.with_user(self.user_customer_service).action_resolve()
        return tickets

    @freeze_time("2026-03-20 02:00:00")
    def test_close_resolved_no_n_plus_one(self):
        """FB-06, issue 7: closing 2, 4 or 6 resolved tickets nobody rated within the
        company's delay costs a fixed number of statements (one grouped write) plus
        exactly 2 per ticket: the chatter traces each ticket's change of state, one
        tracking message and one tracking value each."""
        self.assertStatementsPerRecord(
            self._resolved_tickets,
            self.Feedback._cron_close_resolved,
            (2, 4, 6),
            per_record=2,
        )

    def _problem_courses(self, size):
        """``size`` courses taught by ``user_teacher`` with 4 complaints each in March
        2026: each crosses the thresholds (4 tickets, 100 % complaints)."""
        courses = self.env["training.course"].create(
            [
                {
                    "name": f"Course {n}",
                    "code": f"C{n}",
                    "lesson_count": 4,
                    "list_price": 100.0,
                    "product_id": self.product_course.id,
                    "teacher_ids": [Command.set(self.user_teacher.ids)],
                }
                for n in range(size)
            ]
        )
        with freeze_time("2026-03-10 02:00:00"):
            for course in courses:
                for _n in range(4):
                    self._phone_ticket(kind="complaint", course_id=course.id)
        return courses

    @freeze_time("2026-03-20 02:00:00")
    def test_problem_detection_no_n_plus_one(self):
        """FB-07, issue 7: flagging 1, 2 or 3 courses (and their teacher) costs the
        same number of statements: the figures come from grouped queries, the new
        problems are created at once, their activities too (no assignment e-mail
        each)."""
        self.assertStatementsPerRecord(
            self._problem_courses,
            self.env["training.feedback.problem"]._cron_detect,
            (1, 2, 3),
        )

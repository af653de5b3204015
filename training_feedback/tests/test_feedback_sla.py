from datetime import datetime

from odoo.tests import freeze_time, tagged

from odoo.addons.training_student_archive.tests.common import local

from .common import TrainingFeedbackCommon

FRIDAY_3PM = local(2026, 3, 13, 15, 0)


@tagged("post_install", "-at_install")
class TestFeedbackSla(TrainingFeedbackCommon):
    def _urgent(self):
        with freeze_time(FRIDAY_3PM):
            return self._phone_ticket(priority="1")

    def test_deadline_over_weekend_and_without_calendar(self):
        """FB-04: urgent feedback gets its plan and response within 24 h, one working
        day on the company calendar: received on Friday 15:00, due on Monday 15:00,
        resolution (72 h) on Wednesday 15:00; without a calendar, in clock hours."""
        ticket = self._urgent()
        self.assertEqual(
            ticket.sla_id,
            self.env.ref("training_feedback.training_feedback_sla_urgent"),
        )
        self.assertEqual(ticket.ack_deadline, local(2026, 3, 16, 15, 0))
        self.assertEqual(ticket.resolve_deadline, local(2026, 3, 18, 15, 0))
        self.assertEqual(ticket.sla_deadline, ticket.ack_deadline)

        self.company.resource_calendar_id = False
        ticket = self._urgent()
        self.assertEqual(ticket.ack_deadline, datetime(2026, 3, 14, 7, 0))

        # A target for one category wins over the general one.
        sla = (
            self.env["training.feedback.sla"]
            .with_user(self.user_management)
            .create(
                {
                    "name": "Urgent teaching",
                    "priority": "1",
                    "category_ids": [(6, 0, self.cat_teaching.ids)],
                    "ack_hours": 12,
                    "resolve_hours": 48,
                }
            )
        )
        ticket = self._urgent()
        self.assertEqual(ticket.sla_id, sla)
        self.assertEqual(ticket.ack_deadline, datetime(2026, 3, 13, 19, 0))

    def test_pause_while_waiting_for_student(self):
        """FB-04: while the team waits for the student the clock stops; on resume the
        deadline moves by the working time spent waiting."""
        ticket = self._urgent()
        with freeze_time(local(2026, 3, 13, 16, 0)):
            ticket.with_user(self.user_customer_service).action_wait()
        self.assertEqual(ticket.sla_state, "paused")
        with freeze_time(local(2026, 3, 17, 10, 0)):
            self.Feedback._cron_escalate()  # paused: nothing escalated
            self.assertFalse(ticket.sla_escalated)
            ticket.with_user(self.user_customer_service).action_resume()
        # 7 working hours were left at 16:00 on Friday: Tuesday 10-12, 13-17, Wed 8-9.
        self.assertEqual(ticket.ack_deadline, local(2026, 3, 18, 9, 0))
        self.assertEqual(ticket.sla_state, "ok")

    def test_escalation_is_idempotent(self):
        """FB-04: the scheduled action escalates a ticket about to breach, then
        breaching, once per level: one activity for the service manager, the flag and
        one chatter note each; running it again adds nothing; the SLA state is
        searchable; planning meets the response target."""
        ticket = self._urgent()

        def escalations():
            activities = ticket.activity_ids.filtered(
                lambda a: (
                    a.activity_type_id
                    == self.env.ref("training_feedback.mail_activity_type_escalation")
                )
            )
            notes = ticket.message_ids.filtered(
                lambda m: "Service level" in (m.body or "")
            )
            return len(activities), len(notes)

        with freeze_time(local(2026, 3, 16, 10, 0)):
            self.Feedback._cron_escalate()
        self.assertEqual(escalations(), (0, 0))
        # The warning (4 h of target, a sixth of a working day: 1 h 20 min of the
        # calendar) comes at Monday 13:40, not at 11:00 as clock hours would have it.
        with freeze_time(local(2026, 3, 16, 12, 0)):
            self.Feedback._cron_escalate()
        self.assertEqual(escalations(), (0, 0))
        for _run in range(2):
            with freeze_time(local(2026, 3, 16, 14, 0)):
                self.Feedback._cron_escalate()
            self.assertEqual(ticket.sla_state, "at_risk")
            self.assertEqual(ticket.sla_escalated, "at_risk")
            self.assertEqual(escalations(), (1, 1))
        self.assertEqual(ticket.activity_ids.user_id, self.user_service_manager)
        for _run in range(2):
            with freeze_time(local(2026, 3, 16, 16, 0)):
                self.Feedback._cron_escalate()
            self.assertEqual(ticket.sla_state, "breached")
            self.assertEqual(escalations(), (2, 2))
        self.assertEqual(
            self.Feedback.with_user(self.user_customer_service).search(
                [("sla_state", "=", "breached")]
            ),
            ticket,
        )
        with freeze_time(local(2026, 3, 16, 17, 0)):
            self._plan(ticket)
            self.Feedback._cron_escalate()
        self.assertEqual(ticket.sla_deadline, ticket.resolve_deadline)
        self.assertEqual(ticket.sla_state, "ok")
        self.assertFalse(ticket.sla_escalated)
        self.assertEqual(escalations(), (2, 2))

    def test_student_reply_resumes_clock(self):
        """FB-04: the student's answer on the portal restarts the clock the team
        stopped while waiting for them."""
        ticket = self._urgent()
        with freeze_time(local(2026, 3, 13, 16, 0)):
            ticket.with_user(self.user_customer_service).action_wait()
        with freeze_time(local(2026, 3, 16, 9, 0)):
            ticket.with_user(self.student_portal_user).message_post(
                body="Here are the details you asked for.",
                message_type="comment",
                subtype_xmlid="mail.mt_comment",
            )
        self.assertFalse(ticket.waiting)
        self.assertEqual(ticket.sla_state, "ok")
        # 7 working hours left: Monday 9-12, 13-17.
        self.assertEqual(ticket.ack_deadline, local(2026, 3, 16, 17, 0))

"""Service levels as a state machine (issue 14): deadlines that follow the ticket,
breaches that stay, cycles per reopening, pauses that keep their time, a limit on
waiting for the student, escalations by e-mail and activity, sent once.

The calendar of the tests: Monday to Friday 8-12 and 13-17 in Shanghai (8 working
hours a day); 24 h of target are one working day, i.e. 1 target hour is 20 minutes
of the calendar. Targets (data): urgent plan 24 h (8 wh), resolution 72 h (24 wh),
warning 4 h (1 h 20 min); normal plan 48 h (16 wh), resolution 168 h (56 wh),
warning 8 h (2 h 40 min). Friday 13 March 2026 is a Friday.
"""

from odoo.tests import freeze_time, tagged

from odoo.addons.mail.tests.common import MockEmail
from odoo.addons.training_student_archive.tests.common import group, local

from .common import TrainingFeedbackCommon

FRIDAY_3PM = local(2026, 3, 13, 15, 0)


@tagged("post_install", "-at_install")
class TestFeedbackSlaCycle(TrainingFeedbackCommon, MockEmail):
    def _ticket(self, priority="0", **vals):
        with freeze_time(FRIDAY_3PM):
            return self._phone_ticket(priority=priority, **vals)

    def _escalations(self, ticket):
        """(activities, e-mails) of escalation on ``ticket``."""
        activity_type = self.env.ref("training_feedback.mail_activity_type_escalation")
        activities = ticket.activity_ids.filtered(
            lambda a: a.activity_type_id == activity_type
        )
        mails = self.env["mail.mail"].search(
            [("model", "=", ticket._name), ("res_id", "=", ticket.id)]
        )
        return len(activities), len(mails)

    def _resolve(self, ticket, when):
        with freeze_time(when):
            ticket.write({"result": "<p>Done.</p>"})
            ticket.with_user(self.user_customer_service).action_resolve()

    def test_priority_category_change_moves_deadlines(self):
        """FB-04: the deadlines follow the priority, the category and the service
        level, counted from the reception on the working calendar."""
        ticket = self._ticket()
        # Normal, Friday 15:00 + 16 wh: Fri 15-17 (2), Mon (10), Tue 8-12, 13-15.
        self.assertEqual(ticket.ack_deadline, local(2026, 3, 17, 15, 0))
        service = ticket.with_user(self.user_customer_service)
        with freeze_time(local(2026, 3, 16, 10, 0)):
            service.priority = "1"
        # Urgent: + 8 wh: Fri 15-17 (2), Mon 8-12, 13-15 -> Monday 15:00; resolution
        # + 24 wh: Fri (2), Mon (10), Tue (18), Wed 8-12, 13-15 -> Wednesday 15:00.
        self.assertEqual(ticket.ack_deadline, local(2026, 3, 16, 15, 0))
        self.assertEqual(ticket.resolve_deadline, local(2026, 3, 18, 15, 0))
        # Warning 4 h of target = 1 h 20 min of the calendar before 15:00.
        self.assertEqual(ticket.sla_warning_date, local(2026, 3, 16, 13, 40))
        self.assertEqual(ticket.sla_cycle_id.ack_deadline, ticket.ack_deadline)
        with freeze_time(local(2026, 3, 16, 11, 0)):
            service.priority = "0"
        # Back to normal: Tuesday 15:00; resolution + 56 wh: Fri (2), then 6 full
        # days to Monday 23 (50), Tue 24 8-12, 13-15.
        self.assertEqual(ticket.ack_deadline, local(2026, 3, 17, 15, 0))
        self.assertEqual(ticket.resolve_deadline, local(2026, 3, 24, 15, 0))
        # Warning 8 h of target = 2 h 40 min: Tue 13-15 and 11:20-12.
        self.assertEqual(ticket.sla_warning_date, local(2026, 3, 17, 11, 20))
        # A target of the facilities category: plan within 12 h (4 wh).
        sla = (
            self.env["training.feedback.sla"]
            .with_user(self.user_management)
            .create(
                {
                    "name": "Facilities",
                    "priority": "0",
                    "category_ids": [(6, 0, self.cat_facilities.ids)],
                    "ack_hours": 12,
                    "resolve_hours": 24,
                }
            )
        )
        with freeze_time(local(2026, 3, 16, 11, 0)):
            service.category_id = self.cat_facilities
        self.assertEqual(ticket.sla_id, sla)
        # Fri 15-17 (2), Mon 8-10 (4): Monday 10:00, already passed at 11:00.
        self.assertEqual(ticket.ack_deadline, local(2026, 3, 16, 10, 0))
        self.assertEqual(ticket.sla_state, "breached")

    def test_breach_stays_recorded(self):
        """FB-04: a deadline seen passed stays a breach: lowering the priority
        afterwards or a late resolution do not turn it into "Met", and a resolution
        a week late is breached even if the scheduled action never ran."""
        # Planned in time, resolved a week after its deadline (Tue 24 March 15:00),
        # without any run of the scheduled action: breached, not "Met".
        late = self._ticket()
        with freeze_time(local(2026, 3, 16, 9, 0)):
            self._plan(late)
        self._resolve(late, local(2026, 3, 31, 15, 0))
        self.assertEqual(late.sla_state, "breached")
        self.assertFalse(late.sla_cycle_id.ack_breached)
        self.assertTrue(late.sla_cycle_id.resolve_breached)

        ticket = self._ticket("1")
        service = ticket.with_user(self.user_customer_service)
        # The urgent plan was due on Monday 15:00; lowered on Tuesday 10:00.
        with freeze_time(local(2026, 3, 17, 10, 0)):
            service.priority = "0"
        self.assertTrue(ticket.sla_cycle_id.ack_breached)
        with freeze_time(local(2026, 3, 17, 11, 0)):
            self._plan(ticket)
        self._resolve(ticket, local(2026, 3, 18, 10, 0))
        self.assertEqual(ticket.sla_state, "breached")
        self.assertEqual(ticket.sla_cycle_id.state, "breached")

        # Resolved in time: met.
        on_time = self._ticket()
        with freeze_time(local(2026, 3, 16, 9, 0)):
            self._plan(on_time)
        self._resolve(on_time, local(2026, 3, 24, 14, 59))
        self.assertEqual(on_time.sla_state, "met")

    def test_reopen_starts_new_cycle(self):
        """FB-04, FB-06: a reopened ticket owes a new plan and a new resolution,
        counted from the reopening; the cycle that ended keeps its outcome for the
        statistics."""
        ticket = self._ticket("1")
        with freeze_time(local(2026, 3, 16, 10, 0)):
            self._plan(ticket)
        # Resolution due Wednesday 18 March 15:00: a week late.
        self._resolve(ticket, local(2026, 3, 25, 10, 0))
        with freeze_time(local(2026, 3, 26, 9, 0)):
            ticket.with_user(self.user_customer_service).action_reopen()
        first, second = ticket.sla_cycle_ids.sorted("sequence")
        self.assertEqual(ticket.sla_cycle_id, second)
        self.assertEqual(first.state, "breached")
        self.assertEqual(first.end_date, local(2026, 3, 25, 10, 0))
        self.assertEqual(first.resolve_deadline, local(2026, 3, 18, 15, 0))
        self.assertEqual(second.reason, "reopened")
        self.assertEqual(second.start, local(2026, 3, 26, 9, 0))
        # From Thursday 9:00: plan + 8 wh -> Friday 9:00; resolution + 24 wh: Thu
        # 9-12, 13-17 (7), Fri (15), Mon 30 (23), Tue 31 8-9 -> Tuesday 9:00.
        self.assertFalse(ticket.ack_date)
        self.assertEqual(ticket.ack_deadline, local(2026, 3, 27, 9, 0))
        self.assertEqual(ticket.resolve_deadline, local(2026, 3, 31, 9, 0))
        self.assertEqual(ticket.sla_state, "ok")
        with freeze_time(local(2026, 3, 26, 14, 0)):
            ticket.with_user(self.user_customer_service).action_plan()
        self._resolve(ticket, local(2026, 3, 27, 10, 0))
        self.assertEqual(ticket.sla_state, "met")
        self.assertEqual(second.state, "met")
        self.assertEqual(first.state, "breached")

    def test_pause_keeps_time_and_escalations(self):
        """FB-04: the time waiting for the student is kept out of the deadlines and
        on the cycle; resuming does not send again an escalation already sent."""
        ticket = self._ticket("1")
        with self.mock_mail_gateway():
            with freeze_time(local(2026, 3, 16, 14, 0)):
                self.Feedback._cron_escalate()
            self.assertEqual(self._escalations(ticket)[0], 1)
            with freeze_time(local(2026, 3, 16, 14, 30)):
                ticket.with_user(self.user_customer_service).action_wait()
            with freeze_time(local(2026, 3, 17, 10, 0)):
                ticket.with_user(self.user_customer_service).action_resume()
                # Paused Mon 14:30-17 and Tue 8-10: 4.5 wh = 13.5 h of target.
                # 8 + 4.5 wh from Friday 15:00: Fri (2), Mon (10), Tue 8-10:30.
                self.assertEqual(ticket.ack_deadline, local(2026, 3, 17, 10, 30))
                # Warned again (from 9:10), but that level was sent already.
                self.Feedback._cron_escalate()
                self.assertEqual(self._escalations(ticket)[0], 1)
                self.assertEqual(ticket.sla_state, "at_risk")
                self.assertAlmostEqual(ticket.sla_cycle_id.paused_hours, 13.5)
                self.assertEqual(self._escalations(ticket), (1, 1))
            for _run in range(2):
                with freeze_time(local(2026, 3, 17, 11, 0)):
                    self.Feedback._cron_escalate()
                self.assertEqual(ticket.sla_escalated, "breached")
                self.assertEqual(self._escalations(ticket), (2, 2))
        self.assertEqual(ticket.sla_cycle_id.ack_escalated, "breached")

    def test_waiting_limit_escalates(self):
        """FB-04: with "escalate" chosen, a ticket waiting for the student longer than
        the company's limit is escalated to the service manager, by e-mail and
        activity, once; it goes on waiting."""
        self.company.write(
            {
                "training_feedback_wait_days": 2,
                "training_feedback_wait_action": "escalate",
            }
        )
        ticket = self._ticket()
        with freeze_time(local(2026, 3, 16, 10, 0)):
            ticket.with_user(self.user_customer_service).action_wait()
        # Two working days from Monday 10:00: Wednesday 10:00.
        self.assertEqual(ticket.wait_deadline, local(2026, 3, 18, 10, 0))
        with self.mock_mail_gateway():
            with freeze_time(local(2026, 3, 18, 9, 59)):
                self.Feedback._cron_wait_limit()
            self.assertEqual(self._escalations(ticket), (0, 0))
            for _run in range(2):
                with freeze_time(local(2026, 3, 18, 10, 1)):
                    self.Feedback._cron_wait_limit()
                self.assertEqual(self._escalations(ticket), (1, 1))
        self.assertTrue(ticket.waiting)
        self.assertEqual(ticket.state, "new")
        self.assertEqual(
            self._new_mails.filtered(lambda m: m.res_id == ticket.id).recipient_ids,
            self.user_service_manager.partner_id,
        )

    def test_waiting_limit_closes(self):
        """FB-04: with "close" chosen, the scheduled action closes the ticket whose
        wait ran out and tells the student why; the time waited does not count
        against the team; a second run changes nothing."""
        self.company.write(
            {
                "training_feedback_wait_days": 1,
                "training_feedback_wait_action": "close",
            }
        )
        ticket = self._ticket()
        with freeze_time(local(2026, 3, 16, 10, 0)):
            ticket.with_user(self.user_customer_service).action_wait()
        with self.mock_mail_gateway():
            for _run in range(2):
                with freeze_time(local(2026, 3, 17, 10, 0)):
                    self.Feedback._cron_wait_limit()
                self.assertEqual(ticket.state, "closed")
                self.assertEqual(ticket.closed_date, local(2026, 3, 17, 10, 0))
            student_mails = self._new_mails.filtered(
                lambda m: m.res_id == ticket.id and self.student in m.recipient_ids
            )
        self.assertEqual(len(student_mails), 1)
        self.assertFalse(ticket.waiting)
        # Plan due Tuesday 15:00 + the 8 wh waited: met.
        self.assertEqual(ticket.sla_cycle_id.state, "met")
        self.assertEqual(ticket.sla_state, "met")

    def test_escalation_mail_falls_back_to_management(self):
        """FB-04: without a service manager, the escalation goes by e-mail and
        activity to the users of the management group; twice the scheduled action
        is once."""
        self.company.training_feedback_manager_id = False
        ticket = self._ticket("1")
        management = self.env.ref(group("management")).users.filtered(
            lambda u: self.company in u.company_ids and not u.share
        )
        self.assertIn(self.user_management, management)
        with self.mock_mail_gateway():
            for _run in range(2):
                # Breached: the plan was due on Monday 15:00.
                with freeze_time(local(2026, 3, 16, 16, 0)):
                    self.Feedback._cron_escalate()
            mails = self._new_mails.filtered(lambda m: m.res_id == ticket.id)
        self.assertEqual(len(mails), 1)
        self.assertEqual(mails.recipient_ids, management.partner_id)
        self.assertIn(ticket.reference, mails.subject)
        self.assertEqual(
            ticket.activity_ids.user_id, management, "one activity each, once"
        )
        self.assertEqual(len(ticket.activity_ids), len(management))

    def test_clock_hours_for_urgent(self):
        """FB-04: the company may count the policy's "24 hours" of urgent tickets in
        clock hours, nights and week-end included; a service level may too."""
        self.company.training_feedback_urgent_clock_hours = True
        urgent = self._ticket("1")
        self.assertTrue(urgent.sla_clock_hours)
        # Friday 15:00 + 24 clock hours: Saturday 15:00; warning 4 h before.
        self.assertEqual(urgent.ack_deadline, local(2026, 3, 14, 15, 0))
        self.assertEqual(urgent.sla_warning_date, local(2026, 3, 14, 11, 0))
        normal = self._ticket()
        self.assertEqual(normal.ack_deadline, local(2026, 3, 17, 15, 0))
        self.company.training_feedback_urgent_clock_hours = False
        self.env.ref(
            "training_feedback.training_feedback_sla_normal"
        ).clock_hours = True
        normal = self._ticket()
        self.assertEqual(normal.ack_deadline, local(2026, 3, 15, 15, 0))

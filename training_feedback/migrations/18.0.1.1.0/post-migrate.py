"""Service-level cycles (issue 14): tickets created before them get their first
cycle from what they hold, so that priority changes, reopening and the statistics
work for them too. Nothing of the ticket is reset."""

from odoo import SUPERUSER_ID, api


def migrate(cr, version):
    env = api.Environment(cr, SUPERUSER_ID, {})
    Cycle = env["training.feedback.sla.cycle"]
    tickets = env["training.feedback"].search([("sla_cycle_id", "=", False)])
    for ticket in tickets:
        ack_late = bool(
            ticket.ack_deadline
            and (ticket.ack_date or ticket.result_date or ticket.create_date)
            > ticket.ack_deadline
        )
        resolve_late = bool(
            ticket.resolve_deadline
            and ticket.result_date
            and ticket.result_date > ticket.resolve_deadline
        )
        ended = ticket.result_date and ticket.state not in (
            "new",
            "review",
            "planned",
            "progress",
        )
        cycle = Cycle.create(
            {
                "feedback_id": ticket.id,
                "sequence": 1,
                "reason": "received",
                "start": ticket.received_date or ticket.create_date,
                "sla_id": ticket.sla_id.id,
                "priority": ticket.priority,
                "ack_deadline": ticket.ack_deadline,
                "ack_date": ticket.ack_date,
                "resolve_deadline": ticket.resolve_deadline,
                "resolve_date": ticket.result_date,
                "ack_breached": ack_late,
                "resolve_breached": resolve_late,
                "end_date": ended and ticket.result_date,
                "state": (
                    ("breached" if ack_late or resolve_late else "met")
                    if ended
                    else "open"
                ),
            }
        )
        ticket.sla_cycle_id = cycle

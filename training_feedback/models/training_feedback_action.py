import logging

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools.translate import LazyTranslate

from odoo.addons.training_student_archive.models.training_personal_data import BLANK

_lt = LazyTranslate(__name__)
_logger = logging.getLogger(__name__)
CRON_BATCH = 200


class TrainingFeedbackAction(models.Model):
    """A corrective action of a ticket's handling plan (FB-05).

    The ticket's owner or the service team adds actions with an owner and a due date;
    the action's owner gets an activity and marks it done. A ticket is resolved only
    when every action is done or cancelled.

    Staff who may only read and comment on the ticket (see
    ``training.feedback._read_only_tickets``) add, change or cancel none of its
    actions; the owner of an action among them still writes its outcome and marks it
    done. So does an owner with no access to the ticket at all (finance refunding a
    lesson): the record rules give them their own actions, nothing else, and "Done"
    is written as superuser once ``_check_may_finish`` checked the owner (issue 14).

    The action's to-do (``activity_id``, on the ticket) follows the action: a new
    owner, due date or name moves it. Owners who cannot read the ticket do not
    follow it. A daily scheduled action (``_cron_chase_overdue``) e-mails the owner
    of each open action past its due date, once per day (``chase_date``).
    """

    _name = "training.feedback.action"
    _description = "Feedback Follow-up Action"
    _inherit = ["training.personal.data"]
    _personal_data_erasure = BLANK
    _personal_data_purpose = _lt("Follow-up actions of feedback tickets")
    _personal_data_retention = _lt("Kept without their outcome notes")
    _order = "date_deadline, id"
    _check_company_auto = True

    feedback_id = fields.Many2one(
        "training.feedback",
        required=True,
        index=True,
        ondelete="cascade",
        check_company=True,
    )
    company_id = fields.Many2one(related="feedback_id.company_id", store=True)
    name = fields.Char(string="Action", required=True)
    user_id = fields.Many2one(
        "res.users",
        string="Owner",
        required=True,
        domain="[('share', '=', False)]",
    )
    date_deadline = fields.Date(string="Due Date", required=True)
    state = fields.Selection(
        [("open", "Open"), ("done", "Done"), ("cancel", "Cancelled")],
        default="open",
        required=True,
        readonly=True,
    )
    done_date = fields.Datetime(readonly=True)
    note = fields.Text(string="Outcome")
    activity_id = fields.Many2one("mail.activity", readonly=True, ondelete="set null")
    chase_date = fields.Date(
        string="Last Reminder",
        readonly=True,
        copy=False,
        help="Day the owner was last reminded of this overdue action.",
    )

    @api.model_create_multi
    def create(self, vals_list):
        actions = super().create(vals_list)
        for action in actions:
            # Actions are added to tickets the user may work on, whoever owns them.
            action.feedback_id._check_handling()
            action.feedback_id.check_access("write")
            action.feedback_id._check_state(
                ("planned", "progress"), self.env._("given follow-up actions")
            )
        actions.sudo()._schedule_activity()
        return actions

    def write(self, vals):
        self._check_may_change(vals)
        res = super().write(vals)
        if {"user_id", "date_deadline", "name"} & set(vals):
            self.sudo().filtered(lambda a: a.state == "open")._schedule_activity()
        return res

    def _schedule_activity(self):
        """Give each action's owner its to-do on the ticket, or move the existing
        one to the action's current owner, due date and name (reassignment).

        Scheduling makes the owner follow the ticket; an owner who may not read the
        ticket stops following it, or its messages would reach them by e-mail.
        Called as superuser."""
        activity_type = self.env.ref("mail.mail_activity_data_todo")
        for action in self:
            vals = {
                "summary": action.name,
                "user_id": action.user_id.id,
                "date_deadline": action.date_deadline,
            }
            if action.activity_id:
                action.activity_id.write(vals)
            else:
                action.activity_id = action.feedback_id.activity_schedule(
                    activity_type_id=activity_type.id, **vals
                )
            feedback, user = action.feedback_id, action.user_id
            if not feedback.with_user(user).has_access("read"):
                feedback.message_unsubscribe(partner_ids=user.partner_id.ids)

    def _check_may_change(self, vals):
        """Staff who only read the ticket (or do not read it at all) change none of
        its actions, except the owner of an open action writing its outcome; "Done"
        goes through ``action_done``."""
        if self.env.su:
            return
        read_only = self.feedback_id._read_only_tickets()
        own_step = set(vals) <= {"note"}
        for action in self.filtered(lambda a: a.feedback_id in read_only):
            if not (
                own_step and action.user_id == self.env.user and action.state == "open"
            ):
                action.feedback_id._check_handling(vals, model=self)

    def _check_may_finish(self):
        """The current user may report these actions done: each is theirs, or they
        handle its ticket. Checked here, written as superuser afterwards."""
        if self.env.su:
            return
        self.check_access("write")
        read_only = self.feedback_id._read_only_tickets()
        for action in self.filtered(lambda a: a.feedback_id in read_only):
            if action.user_id != self.env.user:
                action.feedback_id._check_handling()

    def action_done(self):
        """Report the action done (FB-05): by its owner, even without access to the
        ticket, or by whoever handles the ticket. Its to-do is marked done with the
        outcome, and the ticket logs who did it."""
        self._check_may_finish()
        for action in self:
            if action.state != "open":
                raise UserError(self.env._("Only an open action can be done."))
        actions = self.sudo()
        actions.write({"state": "done", "done_date": fields.Datetime.now()})
        for action in actions:
            if action.activity_id:
                action.activity_id.action_feedback(
                    feedback=action.note or self.env._("Done.")
                )
            action.feedback_id.message_post(
                body=self.env._(
                    "Follow-up action done: %(action)s (%(user)s).",
                    action=action.name,
                    user=self.env.user.name,
                ),
                author_id=self.env.user.partner_id.id,
                subtype_xmlid="mail.mt_note",
            )

    def action_cancel(self):
        self._check_may_change({"state": "cancel"})
        self.filtered(lambda a: a.state == "open").activity_id.sudo().unlink()
        self.write({"state": "cancel"})

    @api.model
    def _cron_chase_overdue(self):
        """Remind the owner of each open action past its due date (FB-05), once per
        day: an e-mail, a note on the ticket, and the to-do again if it was removed.

        ``chase_date`` takes a chased action out of the domain for the day, so a
        second run the same day sends nothing. One batch of ``CRON_BATCH`` actions
        per call, the rest reported to the cron runner; each action in a savepoint
        of its own: one that fails is logged and rolled back (its e-mail with it,
        queued and not sent) and chased on the next run, the others are chased."""
        today = fields.Date.context_today(self)
        domain = [
            ("state", "=", "open"),
            ("date_deadline", "<", today),
            "|",
            ("chase_date", "=", False),
            ("chase_date", "<", today),
        ]
        actions = self.search(domain, limit=CRON_BATCH)
        chased = 0
        for action in actions:
            try:
                with self.env.cr.savepoint():
                    action._chase_one()
            except Exception:
                _logger.exception(
                    "Overdue follow-up action id %s not chased: tried again on the "
                    "next run.",
                    action.id,
                )
            else:
                chased += 1
        self.env["ir.cron"]._notify_progress(
            done=chased, remaining=self.search_count(domain)
        )

    def _chase_one(self):
        self.ensure_one()
        action = self.sudo()
        template = self.env.ref("training_feedback.mail_template_feedback_action_chase")
        template.sudo().send_mail(action.id)
        if not action.activity_id:
            action._schedule_activity()
        action.feedback_id._message_log(
            body=self.env._(
                "Reminder sent to %(user)s: follow-up action %(action)s was due on "
                "%(date)s.",
                user=action.user_id.name,
                action=action.name,
                date=action.date_deadline,
            )
        )
        action.chase_date = fields.Date.context_today(self)

    @api.model
    def _personal_data_domain(self, partners):
        return [
            "|",
            ("feedback_id.submitter_id", "in", partners.ids),
            ("feedback_id.student_ids", "in", partners.ids),
        ]

    def _personal_data_blank_values(self):
        return {"note": False}

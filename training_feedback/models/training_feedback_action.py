from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools.translate import LazyTranslate

from odoo.addons.training_student_archive.models.training_personal_data import BLANK

_lt = LazyTranslate(__name__)


class TrainingFeedbackAction(models.Model):
    """A corrective action of a ticket's handling plan (FB-05).

    The ticket's owner or the service team adds actions with an owner and a due date;
    the action's owner gets an activity and marks it done. A ticket is resolved only
    when every action is done or cancelled.

    Staff who may only read and comment on the ticket (see
    ``training.feedback._read_only_tickets``) add, change or cancel none of its
    actions; the owner of an action among them still writes its outcome and marks it
    done.
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

    @api.model_create_multi
    def create(self, vals_list):
        actions = super().create(vals_list)
        activity_type = self.env.ref("mail.mail_activity_data_todo")
        for action in actions:
            # Actions are added to tickets the user may work on, whoever owns them.
            action.feedback_id._check_handling()
            action.feedback_id.check_access("write")
            action.feedback_id._check_state(
                ("planned", "progress"), self.env._("given follow-up actions")
            )
            action.activity_id = action.feedback_id.sudo().activity_schedule(
                activity_type_id=activity_type.id,
                summary=action.name,
                user_id=action.user_id.id,
                date_deadline=action.date_deadline,
            )
        return actions

    def write(self, vals):
        self._check_may_change(vals)
        return super().write(vals)

    def _check_may_change(self, vals):
        """Staff who only read the ticket change none of its actions, except the
        owner of an action reporting it: its outcome, then done."""
        if self.env.su:
            return
        read_only = self.feedback_id._read_only_tickets()
        own_step = (
            set(vals) <= {"note", "state", "done_date"}
            and vals.get("state", "done") == "done"
        )
        for action in self.filtered(lambda a: a.feedback_id in read_only):
            if not (own_step and action.user_id == self.env.user):
                action.feedback_id._check_handling(vals, model=self)

    def action_done(self):
        self._check_may_change({"state": "done"})
        for action in self:
            if action.state != "open":
                raise UserError(self.env._("Only an open action can be done."))
        self.write({"state": "done", "done_date": fields.Datetime.now()})
        for action in self:
            if action.activity_id:
                action.activity_id.sudo().action_feedback(
                    feedback=action.note or self.env._("Done.")
                )
            action.feedback_id.message_post(
                body=self.env._(
                    "Follow-up action done: %(action)s (%(user)s).",
                    action=action.name,
                    user=self.env.user.name,
                ),
                subtype_xmlid="mail.mt_note",
            )

    def action_cancel(self):
        self._check_may_change({"state": "cancel"})
        self.filtered(lambda a: a.state == "open").activity_id.sudo().unlink()
        self.write({"state": "cancel"})

    @api.model
    def _personal_data_domain(self, partners):
        return [
            "|",
            ("feedback_id.submitter_id", "in", partners.ids),
            ("feedback_id.student_ids", "in", partners.ids),
        ]

    def _personal_data_blank_values(self):
        return {"note": False}

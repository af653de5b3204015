import logging
from datetime import timedelta

import pytz
from markupsafe import Markup

from odoo import api, fields, models, tools
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.osv import expression
from odoo.tools.translate import LazyTranslate

from odoo.addons.training_student_archive.models.training_personal_data import BLANK

_lt = LazyTranslate(__name__)
_logger = logging.getLogger(__name__)

SERVICE_GROUP = (
    "training_student_archive.training_student_archive_group_customer_service"
)
CRON_BATCH = 200
# Fields only the service team changes directly. Owners outside the team (teachers,
# other staff) move a ticket through their own steps (start, wait, resolve), which
# write these fields as superuser once the owner's access to the ticket is checked.
SERVICE_FIELDS = {
    "state",
    "user_id",
    "shared_user_ids",
    "is_anonymous",
    "channel",
    "duplicate_of_id",
    "teacher_rating",
}
# States in which the service-level clock runs.
SLA_OPEN_STATES = ("new", "review", "planned", "progress")
# What a teacher sets when entering a paper form of their course (FB-01): the form's
# content, never who handles it nor who submitted.
TEACHER_ENTRY_FIELDS = {
    "name",
    "description",
    "category_id",
    "kind",
    "priority",
    "course_id",
    "received_date",
    "scan",
    "scan_filename",
    "channel",
    "company_id",
}


class TrainingFeedback(models.Model):
    """A piece of feedback or a complaint (学员反馈与投诉) and its handling.

    Requirements FB-01 to FB-10.

    Who does what:

    * students submit on the portal (``/my/feedback``), by e-mail (category aliases),
      or staff enter paper forms, phone calls and student-representative meetings
      (one collective ticket for many students) — FB-01;
    * the service team (customer service) reviews validity (valid, invalid with a
      reason, duplicate merged into another ticket) — FB-03 — writes the handling plan
      and names one owner — FB-04 — and sends the result — FB-06;
    * the owner carries out the follow-up actions — FB-05;
    * the student rates the handling; a low rating reopens the ticket, a rating or the
      timeout closes it — FB-06;
    * teachers see a ticket only when the service team shares it with them or makes
      them its owner; they read aggregate results about themselves in the analysis
      report, never who complained;
    * staff it is only shared with, and the teacher it concerns (``teacher_id``) even
      when named its owner, read and comment on it but change nothing on it, neither
      its facts nor its state (issue 13): ``write`` and every action check it
      (``_check_handling``).

    Anonymity: the person who submitted is kept in ``submitter_id``, readable by the
    service team only. ``partner_id`` (the student shown to everybody with access,
    follower, archive link) stays empty on anonymous tickets, so nothing outside the
    service team's field tells who complained. What the anonymous student writes
    afterwards (an e-mail reply to a notification, a portal post, a rating comment) is
    posted without author (``message_post``) and the student never becomes a follower
    (``_message_subscribe``); only the service team reads ``submitter_id``.
    """

    _name = "training.feedback"
    _description = "Feedback and Complaint"
    _inherit = [
        "training.sequence.mixin",
        "portal.mixin",
        "mail.thread.cc",
        "mail.activity.mixin",
        "rating.mixin",
        "training.personal.data",
        "training.feedback.answer.mixin",
    ]
    # Kept for the statistics (kind, category, course, dates, service levels)
    # without the student and what they wrote.
    _personal_data_erasure = BLANK
    _personal_data_purpose = _lt("Feedback and complaints, their handling and result")
    _personal_data_retention = _lt("Kept anonymised for the statistics")
    _order = "priority desc, id desc"
    _sequence_field = "reference"
    _rec_names_search = ["reference", "name"]
    _check_company_auto = True
    _mail_post_access = "read"

    reference = fields.Char(
        required=True,
        readonly=True,
        copy=False,
        index=True,
        default=lambda self: self.env._("New"),
    )
    name = fields.Char(string="Subject", required=True, tracking=True)
    description = fields.Html(string="Details", sanitize_style=True)
    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda self: self.env.company
    )
    category_id = fields.Many2one(
        "training.feedback.category",
        required=True,
        tracking=True,
        index=True,
        default=lambda self: self.env.ref(
            "training_feedback.training_feedback_category_other",
            raise_if_not_found=False,
        ),
        check_company=True,
    )
    kind = fields.Selection(
        [
            ("suggestion", "Suggestion"),
            ("praise", "Praise"),
            ("complaint", "Complaint"),
        ],
        default="complaint",
        required=True,
        tracking=True,
        help="Complaints count as negative feedback in the analysis (FB-07).",
    )
    channel = fields.Selection(
        [
            ("portal", "Student Portal"),
            ("email", "E-mail"),
            ("paper", "Paper Form"),
            ("phone", "Phone Call"),
            ("meeting", "Representative Meeting"),
            ("survey", "Questionnaire"),
        ],
        required=True,
        default="phone",
        readonly=True,
        index=True,
        help="How the feedback came in (FB-01).",
    )
    priority = fields.Selection(
        [("0", "Normal"), ("1", "Urgent")],
        default="0",
        required=True,
        tracking=True,
        index=True,
    )
    received_date = fields.Datetime(
        string="Received",
        required=True,
        default=fields.Datetime.now,
        index=True,
        help="When the feedback reached the institution (a paper form: when it was "
        "collected). The service level and the archive deadline start here.",
    )
    # -- who -----------------------------------------------------------------------
    is_anonymous = fields.Boolean(
        string="Anonymous",
        readonly=True,
        help="The student asked to stay anonymous: only the service team knows who "
        "submitted.",
    )
    submitter_id = fields.Many2one(
        "res.partner",
        string="Submitted By",
        index=True,
        groups=SERVICE_GROUP,
        help="Who submitted; known to the service team only when anonymous.",
    )
    partner_id = fields.Many2one(
        "res.partner",
        string="Student",
        compute="_compute_partner_id",
        store=True,
        index=True,
        help="Empty when the feedback is anonymous.",
    )
    student_ids = fields.Many2many(
        "res.partner",
        "training_feedback_student_rel",
        "feedback_id",
        "partner_id",
        string="Students Concerned",
        help="Students of a collective ticket (student-representative meeting).",
    )
    archive_ids = fields.Many2many(
        "training.student.archive",
        "training_feedback_archive_rel",
        "feedback_id",
        "archive_id",
        string="Student Archives",
        compute="_compute_archive_ids",
        store=True,
        help="Archives the ticket is recorded in (FB-09).",
    )
    course_id = fields.Many2one(
        "training.course", tracking=True, index=True, check_company=True
    )
    course_ids = fields.Many2many(
        "training.course",
        string="Other Courses",
        check_company=True,
        help="Further courses of a collective ticket.",
    )
    teacher_id = fields.Many2one(
        "res.users",
        tracking=True,
        index=True,
        domain="[('share', '=', False)]",
        compute="_compute_teacher_id",
        store=True,
        readonly=False,
    )
    teacher_rating = fields.Integer(
        string="Rating of the Teacher",
        aggregator="avg",
        help="The student's own rating of the teacher (1-5, 0 when not given), e.g. "
        "from a paper form; kept apart from the rating of the handling (FB-07).",
    )
    contact_by = fields.Selection(
        [("email", "E-mail"), ("sms", "SMS")],
        string="Send Result By",
        default="email",
        required=True,
        help="The result also shows on the student's portal (FB-06).",
    )
    scan = fields.Binary(string="Scanned Form", attachment=True)
    scan_filename = fields.Char()
    can_handle = fields.Boolean(
        compute="_compute_can_handle",
        help="Whether you may change this ticket; otherwise you read and comment on "
        "it only.",
    )
    # -- handling ------------------------------------------------------------------
    state = fields.Selection(
        [
            ("new", "New"),
            ("review", "Under Review"),
            ("planned", "Planned"),
            ("progress", "In Progress"),
            ("resolved", "Resolved"),
            ("closed", "Closed"),
            ("invalid", "Invalid"),
        ],
        default="new",
        required=True,
        tracking=True,
        copy=False,
        index=True,
        group_expand=True,
    )
    user_id = fields.Many2one(
        "res.users",
        string="Owner",
        tracking=True,
        index=True,
        domain="[('share', '=', False)]",
        help="The one person in charge of the handling plan (FB-04).",
    )
    shared_user_ids = fields.Many2many(
        "res.users",
        "training_feedback_shared_user_rel",
        "feedback_id",
        "user_id",
        string="Shared With",
        domain="[('share', '=', False)]",
        help="Staff outside the service team who may read this ticket (e.g. the "
        "teacher concerned).",
    )
    invalid_reason = fields.Text(tracking=True, copy=False)
    duplicate_of_id = fields.Many2one(
        "training.feedback",
        readonly=True,
        copy=False,
        index=True,
        check_company=True,
    )
    duplicate_ids = fields.One2many("training.feedback", "duplicate_of_id")
    validated_date = fields.Datetime(readonly=True, copy=False)
    plan = fields.Html(string="Handling Plan", copy=False)
    result = fields.Html(copy=False)
    result_date = fields.Datetime(string="Result Sent", readonly=True, copy=False)
    closed_date = fields.Datetime(readonly=True, copy=False)
    action_ids = fields.One2many(
        "training.feedback.action", "feedback_id", string="Follow-up Actions"
    )
    action_open_count = fields.Integer(compute="_compute_action_open_count")
    # Announcement of a major change (FB-05)
    announcement = fields.Html(
        copy=False,
        help="Major change (course adjustment, teacher change) announced to every "
        "student of the course, who is asked for their opinion.",
    )
    announce_date = fields.Datetime(string="Announced", readonly=True, copy=False)
    announcement_ids = fields.One2many(
        "training.feedback.announcement", "feedback_id", string="Announcements"
    )
    opinion_ids = fields.One2many(
        "training.feedback.opinion", "feedback_id", string="Opinions"
    )
    # -- service level (FB-04) -----------------------------------------------------
    sla_id = fields.Many2one(
        "training.feedback.sla",
        string="Service Level",
        compute="_compute_sla_id",
        store=True,
        readonly=False,
    )
    ack_deadline = fields.Datetime(
        string="Plan Due", readonly=True, copy=False, index=True
    )
    resolve_deadline = fields.Datetime(
        string="Resolution Due", readonly=True, copy=False, index=True
    )
    ack_date = fields.Datetime(string="Planned On", readonly=True, copy=False)
    sla_deadline = fields.Datetime(
        string="Next Due",
        compute="_compute_sla_deadline",
        store=True,
        index=True,
        help="The plan's deadline until the ticket is planned, then the resolution's.",
    )
    sla_warning_date = fields.Datetime(
        compute="_compute_sla_deadline", store=True, index=True
    )
    waiting = fields.Boolean(
        string="Waiting for Student",
        readonly=True,
        copy=False,
        help="The service-level clock stops while the team waits for the student.",
    )
    waiting_since = fields.Datetime(readonly=True, copy=False)
    sla_state = fields.Selection(
        [
            ("ok", "On Track"),
            ("at_risk", "About to Breach"),
            ("breached", "Breached"),
            ("met", "Met"),
            ("paused", "Paused"),
        ],
        string="SLA",
        default="ok",
        readonly=True,
        copy=False,
        index=True,
        help="Updated by the transitions and by the scheduled action that escalates "
        "tickets.",
    )
    sla_escalated = fields.Selection(
        [("at_risk", "About to Breach"), ("breached", "Breached")],
        string="Escalated",
        readonly=True,
        copy=False,
        help="Last escalation of the current target (the plan, then the resolution); "
        "each level is sent once per target of a cycle.",
    )
    sla_clock_hours = fields.Boolean(
        string="SLA in Clock Hours",
        readonly=True,
        copy=False,
        help="The deadlines count clock hours, not working hours of the calendar.",
    )
    sla_cycle_id = fields.Many2one(
        "training.feedback.sla.cycle",
        string="Current SLA Cycle",
        readonly=True,
        copy=False,
        index="btree_not_null",
    )
    sla_cycle_ids = fields.One2many(
        "training.feedback.sla.cycle",
        "feedback_id",
        string="SLA Cycles",
        readonly=True,
        copy=False,
        groups=SERVICE_GROUP,
        help="One per reception and per reopening, with its deadlines and outcome.",
    )
    wait_deadline = fields.Datetime(
        string="Waiting Limit",
        readonly=True,
        copy=False,
        index="btree_not_null",
        help="Without the student's answer by then, the ticket is closed or escalated "
        "(company setting).",
    )
    wait_escalated = fields.Boolean(readonly=True, copy=False)
    # Rating of the handling (FB-06), from rating.mixin
    rating_score = fields.Float(
        string="Rating",
        compute="_compute_rating_score",
        store=True,
        aggregator="avg",
        help="The student's rating of the handling (1-5), 0 when not rated.",
    )
    survey_user_input_id = fields.Many2one(
        "survey.user_input",
        string="Questionnaire Answer",
        readonly=True,
        copy=False,
        index="btree_not_null",
    )
    # Incentive (FB-10)
    reward_note = fields.Char(readonly=True, copy=False)
    reward_card_id = fields.Many2one(
        "loyalty.card", string="Reward Coupon", readonly=True, copy=False
    )

    _sql_constraints = [
        (
            "reference_uniq",
            "unique(reference, company_id)",
            "A feedback reference must be unique.",
        ),
    ]

    # -- computes ------------------------------------------------------------------

    @api.depends("submitter_id", "is_anonymous")
    def _compute_partner_id(self):
        for feedback in self:
            feedback.partner_id = (
                not feedback.is_anonymous and feedback.sudo().submitter_id
            )

    @api.depends_context("uid")
    def _compute_can_handle(self):
        read_only = self._read_only_tickets()
        for feedback in self:
            feedback.can_handle = feedback not in read_only

    @api.depends("partner_id", "student_ids", "company_id")
    def _compute_archive_ids(self):
        partners = self.partner_id | self.student_ids
        archives = (
            self.env["training.student.archive"]
            .sudo()
            .search([("partner_id", "in", partners.ids)])
        )
        for feedback in self:
            mine = feedback.partner_id | feedback.student_ids
            feedback.archive_ids = archives.filtered(
                lambda a, f=feedback, m=mine: (
                    a.partner_id in m and a.company_id == f.company_id
                )
            )

    @api.depends("course_id", "category_id")
    def _compute_teacher_id(self):
        # FB-07: only a ticket about the teacher is charged to the course's teacher;
        # a facilities complaint names nobody unless the service team does.
        for feedback in self:
            if feedback.category_id and not feedback.category_id.concerns_teacher:
                continue
            if feedback.course_id.teacher_ids and (
                feedback.teacher_id not in feedback.course_id.teacher_ids
            ):
                feedback.teacher_id = feedback.course_id.teacher_ids[:1]

    @api.depends("priority", "category_id", "company_id")
    def _compute_sla_id(self):
        Sla = self.env["training.feedback.sla"]
        for feedback in self:
            feedback.sla_id = Sla._find(
                feedback.priority, feedback.category_id, feedback.company_id
            )

    @api.depends(
        "ack_date",
        "ack_deadline",
        "resolve_deadline",
        "sla_id.warning_hours",
        "sla_clock_hours",
    )
    def _compute_sla_deadline(self):
        # The warning counts like the deadline: working hours on the calendar.
        for feedback in self:
            deadline = (
                feedback.resolve_deadline
                if feedback.ack_date
                else feedback.ack_deadline
            )
            feedback.sla_deadline = deadline
            feedback.sla_warning_date = deadline and feedback._sla_add(
                deadline,
                -feedback.sla_id.warning_hours,
                clock=feedback.sla_clock_hours,
            )

    @api.depends("action_ids.state")
    def _compute_action_open_count(self):
        for feedback in self:
            feedback.action_open_count = len(
                feedback.action_ids.filtered(lambda a: a.state == "open")
            )

    @api.depends("rating_last_value")
    def _compute_rating_score(self):
        for feedback in self:
            feedback.rating_score = feedback.rating_last_value

    def _compute_access_url(self):
        for feedback in self:
            feedback.access_url = f"/my/feedback/{feedback.id}"

    @api.depends("reference", "name")
    def _compute_display_name(self):
        for feedback in self:
            feedback.display_name = (
                f"{feedback.reference} {feedback.name or ''}".strip()
            )

    # -- constraints ---------------------------------------------------------------

    @api.constrains("channel", "scan", "is_anonymous")
    def _check_channel(self):
        for feedback in self:
            if feedback.channel == "paper" and not feedback.scan:
                raise ValidationError(
                    self.env._("Attach the scanned form of a paper feedback form.")
                )

    @api.constrains("teacher_rating")
    def _check_teacher_rating(self):
        if any(not 0 <= f.teacher_rating <= 5 for f in self):
            raise ValidationError(
                self.env._("A rating of the teacher is from 1 to 5 (0: not given).")
            )

    @api.constrains("channel", "student_ids")
    def _check_meeting(self):
        for feedback in self:
            if feedback.channel == "meeting" and not feedback.student_ids:
                raise ValidationError(
                    self.env._(
                        "A student-representative meeting ticket needs the students "
                        "it speaks for."
                    )
                )

    # -- CRUD ----------------------------------------------------------------------

    @api.model_create_multi
    def create(self, vals_list):
        if not (self.env.su or self.env.user.has_group(SERVICE_GROUP)):
            return self._create_teacher_entries(vals_list)
        feedbacks = super().create(vals_list)
        for feedback in feedbacks:
            if feedback.partner_id:
                feedback.message_subscribe(partner_ids=feedback.partner_id.ids)
            if not feedback.user_id and feedback.category_id.user_id:
                feedback.user_id = feedback.category_id.user_id
        feedbacks._start_sla()
        feedbacks._sync_archive_deadlines()
        return feedbacks

    def write(self, vals):
        if SERVICE_FIELDS & set(vals):
            self._check_service_team()
        self._check_handling(vals)
        staff = (
            self._staff_by_ticket()
            if {"user_id", "shared_user_ids"} & set(vals)
            else None
        )
        res = super().write(vals)
        if staff is not None:
            self._unsubscribe_removed_staff(staff)
        if {"submitter_id", "is_anonymous"} & set(vals):
            self._hide_anonymous_submitter()
        if {"submitter_id", "student_ids", "is_anonymous"} & set(vals):
            for feedback in self.filtered("partner_id"):
                feedback.message_subscribe(partner_ids=feedback.partner_id.ids)
            self._sync_archive_deadlines()
        if vals.get("user_id"):
            self._subscribe_owner()
        if "shared_user_ids" in vals:
            self.message_subscribe(partner_ids=self.shared_user_ids.partner_id.ids)
        if self._sla_triggers & set(vals):
            self._sla_recompute()
        return res

    def _check_handling(self, vals=None, model=None):
        """Refuse to the staff who may only read and comment on some of these tickets
        (see ``_read_only_tickets``) any change: the fields of ``vals`` (of ``model``,
        by default the ticket), or, without ``vals``, a workflow action. Nothing is
        written: call it before writing."""
        if self.env.su:
            return
        tickets = self._read_only_tickets()
        if not tickets:
            return
        refs = ", ".join(tickets.sudo().mapped("reference"))
        if vals is None:
            raise AccessError(
                self.env._(
                    "You may read and comment on %(tickets)s but not act on it: only "
                    "its owner and the customer service team move a ticket on, and "
                    "never the teacher it concerns.",
                    tickets=refs,
                )
            )
        model = model if model is not None else self
        labels = sorted(
            model._fields[fname].get_description(self.env)["string"]
            if fname in model._fields
            else fname
            for fname in vals
        )
        raise AccessError(
            self.env._(
                "You may read and comment on %(tickets)s but not change it "
                "(%(fields)s): only its owner and the customer service team change a "
                "ticket, and never the teacher it concerns.",
                tickets=refs,
                fields=", ".join(labels),
            )
        )

    def _read_only_tickets(self):
        """The tickets of ``self`` the current user may read and comment on only.

        The service team (and management) handles every ticket; anyone else with
        access to a ticket (its owner, or staff it is shared with) handles it only as
        its owner, and never when the ticket is about them (``teacher_id``): a
        teacher does not rewrite nor resolve a complaint about themselves."""
        if self.env.su or self.env.user.has_group(SERVICE_GROUP):
            return self.browse()
        user = self.env.user
        return self.browse(
            self.sudo()
            .filtered(lambda f: f.user_id != user or f.teacher_id == user)
            .ids
        )

    def _subscribe_owner(self):
        for feedback in self.filtered("user_id"):
            feedback.message_subscribe(partner_ids=feedback.user_id.partner_id.ids)

    @api.model
    def message_new(self, msg_dict, custom_values=None):
        """E-mail in (FB-01): the sender becomes the student when known."""
        values = dict(custom_values or {})
        values.setdefault("name", msg_dict.get("subject") or self.env._("No Subject"))
        values.setdefault("channel", "email")
        author_id = msg_dict.get("author_id")
        if author_id:
            values.setdefault("submitter_id", author_id)
        else:
            # An unknown sender: keep the address, the answers go to it.
            values.setdefault(
                "submitter_email", tools.email_normalize(msg_dict.get("email_from"))
            )
        feedback = super().message_new(msg_dict, custom_values=values)
        # The body is also in the chatter; copy it where the team works on it.
        feedback.description = msg_dict.get("body")
        return feedback

    def _message_post_after_hook(self, message, msg_values):
        """The student's answer (e-mail or portal) restarts a paused SLA clock."""
        res = super()._message_post_after_hook(message, msg_values)
        if (
            self.waiting
            and message.message_type in ("email", "comment")
            and message.author_id
            and message.author_id == self.sudo().submitter_id
        ):
            self.sudo().action_resume()
        return res

    # -- anonymity ------------------------------------------------------------------

    def _anonymous_submitter(self):
        """The submitter of this anonymous ticket, hidden from staff outside the
        service team; empty when the ticket is not anonymous."""
        self.ensure_one()
        ticket = self.sudo()
        return ticket.submitter_id if ticket.is_anonymous else ticket.submitter_id[:0]

    def _is_anonymous_submitter(self, author_id=None, email_from=None):
        """Whether a message with this author (``message_post`` arguments: ``None``
        and no e-mail means the current user) comes from the anonymous submitter:
        the same partner, or the same e-mail address (a reply by e-mail)."""
        submitter = self._anonymous_submitter()
        if not submitter:
            return False
        if author_id is None and not email_from:
            author = self.env.user.partner_id
        else:
            author = self.env["res.partner"].sudo().browse(author_id or [])
        emails = {tools.email_normalize(email_from or "")} | {author.email_normalized}
        return author == submitter or (
            bool(submitter.email_normalized) and submitter.email_normalized in emails
        )

    def _anonymous_email_from(self):
        """The neutral sender shown for the anonymous student: a label, with the
        ticket's reply-to address so that e-mails sent from it stay valid."""
        self.ensure_one()
        label = self.env._("Anonymous student")
        reply_to = self.sudo()._notify_get_reply_to(default=False)[self.id]
        address = (tools.email_split(reply_to or "") or [self.company_id.email])[0]
        return tools.formataddr((label, address)) if address else label

    def _hide_anonymous_submitter(self):
        """A ticket made anonymous after the fact: its submitter stops following it
        and their earlier messages on it lose their author."""
        for feedback in self:
            submitter = feedback._anonymous_submitter()
            if not submitter:
                continue
            feedback.sudo().message_unsubscribe(partner_ids=submitter.ids)
            self.env["mail.message"].sudo().search(
                [
                    ("model", "=", self._name),
                    ("res_id", "=", feedback.id),
                    ("author_id", "=", submitter.id),
                    ("message_type", "!=", "user_notification"),
                ]
            ).write(
                {"author_id": False, "email_from": feedback._anonymous_email_from()}
            )

    def message_post(self, **kwargs):
        """What the anonymous submitter writes on the ticket (an e-mail reply to a
        notification routed by the mail gateway, a portal post, a rating comment)
        reaches the people handling it without telling who wrote: no author, a
        neutral sender, no link to the private notification it answers, and the
        student does not become a follower."""
        if not self._is_anonymous_submitter(
            kwargs.get("author_id"), kwargs.get("email_from")
        ):
            return super().message_post(**kwargs)
        kwargs.update(
            author_id=False,
            email_from=self._anonymous_email_from(),
            parent_id=False,
        )
        message = super(
            TrainingFeedback, self.with_context(mail_create_nosubscribe=True)
        ).message_post(**kwargs)
        # The author is gone, so the hook below cannot see the student answered.
        if self.waiting:
            self.sudo().action_resume()
        return message

    def message_update(self, msg_dict, update_vals=None):
        """An e-mail on an anonymous ticket never copies the submitter's address into
        the ticket's Cc (read by its staff, suggested as recipient)."""
        submitter = self._anonymous_submitter() if len(self) == 1 else None
        if submitter and submitter.email_normalized and msg_dict.get("cc"):
            msg_dict = dict(
                msg_dict,
                cc=",".join(
                    address
                    for address in tools.email_split_and_format(msg_dict["cc"])
                    if tools.email_normalize(address) != submitter.email_normalized
                ),
            )
        return super().message_update(msg_dict, update_vals=update_vals)

    def _message_subscribe(self, partner_ids=None, subtype_ids=None, customer_ids=None):
        """The anonymous submitter never follows their ticket: followers are read by
        everybody who reads the ticket."""
        hidden = self.sudo().filtered("is_anonymous")
        if not partner_ids or not hidden.submitter_id:
            return super()._message_subscribe(
                partner_ids=partner_ids,
                subtype_ids=subtype_ids,
                customer_ids=customer_ids,
            )
        for feedback in self:
            submitter = feedback._anonymous_submitter()
            super(TrainingFeedback, feedback)._message_subscribe(
                partner_ids=[pid for pid in partner_ids if pid not in submitter.ids],
                subtype_ids=subtype_ids,
                customer_ids=customer_ids,
            )
        return True

    def _rating_get_partner(self):
        # A rating request addressed to one of the students (_answer_rating_requests).
        if "training_feedback_rating_partner" in self.env.context:
            return (
                self.env["res.partner"]
                .sudo()
                .browse(self.env.context["training_feedback_rating_partner"] or [])
            )
        return self.sudo().submitter_id

    def _rating_get_access_token(self, partner=None):
        token = self.env.context.get("training_feedback_rating_token")
        if token and not partner:
            return token
        return super()._rating_get_access_token(partner=partner)

    def _rating_get_operator(self):
        return self.user_id.partner_id

    # -- SLA (FB-04) ---------------------------------------------------------------
    #
    # A small state machine, one cycle (``training.feedback.sla.cycle``) per reception
    # and per reopening of the ticket:
    #
    # * running: the plan is due, then (planned) the resolution; the deadlines are the
    #   cycle's start plus the targets of the ticket's service level plus the time
    #   paused, recomputed whenever the priority, the category or the level change;
    # * paused while waiting for the student: on resume the time paused is kept on the
    #   cycle and the deadlines move by it; a limit on the wait closes or escalates;
    # * a deadline seen passed is recorded on the cycle at once and stays, whatever
    #   happens afterwards; the cycle ends met or breached (resolved, declared invalid,
    #   merged, closed without answer); a reopening starts a new cycle;
    # * each level of escalation (about to breach, breached) of each target is sent
    #   once per cycle, by e-mail and activity, to the service manager or, while none
    #   is set, to management.

    # Changing these recomputes the deadlines of the running targets.
    _sla_triggers = frozenset(
        {"priority", "category_id", "sla_id", "company_id", "received_date"}
    )

    def _sla_calendar(self):
        self.ensure_one()
        return self.company_id.resource_calendar_id

    def _sla_clock_mode(self):
        """Whether the targets count clock hours: without working calendar, or when
        the service level or, for urgent tickets, the company asks for the policy's
        "24 hours" taken literally."""
        self.ensure_one()
        return bool(
            not self._sla_calendar()
            or self.sla_id.clock_hours
            or (
                self.priority == "1"
                and self.company_id.training_feedback_urgent_clock_hours
            )
        )

    def _sla_add(self, start, hours, clock=None):
        """``start`` plus ``hours`` of target (negative: before ``start``), to the
        second: clock hours in clock mode (``clock``, by default the ticket's) or
        without calendar; otherwise working time of the calendar, where 24 h of
        target are one working day (``hours_per_day``)."""
        self.ensure_one()
        calendar = self._sla_calendar()
        if clock is None:
            clock = self.sla_clock_hours
        if clock or not calendar or not hours:
            due = start + timedelta(hours=hours)
        else:
            working_hours = hours * (calendar.hours_per_day or 8.0) / 24.0
            due = (
                calendar.plan_hours(
                    working_hours, pytz.utc.localize(start), compute_leaves=True
                )
                .astimezone(pytz.utc)
                .replace(tzinfo=None)
            )
        return (due + timedelta(microseconds=500000)).replace(microsecond=0)

    def _sla_paused_between(self, since, until):
        """Time from ``since`` to ``until``: (target hours on the calendar, clock
        hours); both are kept, the ticket may change mode later."""
        self.ensure_one()
        if until <= since:
            return 0.0, 0.0
        clock = (until - since).total_seconds() / 3600.0
        calendar = self._sla_calendar()
        if not calendar:
            return clock, clock
        working = calendar.get_work_hours_count(
            pytz.utc.localize(since), pytz.utc.localize(until), compute_leaves=True
        )
        return working * 24.0 / (calendar.hours_per_day or 8.0), clock

    def _start_sla(self):
        """First cycle of new tickets, from their reception."""
        for feedback in self:
            feedback._sla_start_cycle(feedback.received_date, "received")

    def _sla_start_cycle(self, start, reason):
        """Start a new cycle from ``start``; the previous one keeps its outcome."""
        self.ensure_one()
        ticket = self.sudo()
        ticket.sla_cycle_id._close(start)
        cycle = (
            self.env["training.feedback.sla.cycle"]
            .sudo()
            .create(
                {
                    "feedback_id": ticket.id,
                    "sequence": len(ticket.sla_cycle_ids) + 1,
                    "reason": reason,
                    "start": start,
                }
            )
        )
        ticket.write(
            {
                "sla_cycle_id": cycle.id,
                "ack_date": False,
                "sla_state": "ok",
                "sla_escalated": False,
                "waiting": False,
                "waiting_since": False,
                "wait_deadline": False,
                "wait_escalated": False,
            }
        )
        ticket._sla_compute_deadlines()

    def _sla_compute_deadlines(self):
        """Deadlines of the running targets of the current cycle: its start, plus the
        target of the ticket's service level, plus the time paused so far. The plan's
        deadline stays once the plan is made: its outcome is known."""
        for ticket in self.sudo().filtered(
            lambda f: f.state in SLA_OPEN_STATES and f.sla_cycle_id
        ):
            cycle = ticket.sla_cycle_id
            sla = ticket.sla_id
            clock = ticket._sla_clock_mode()
            paused = cycle.paused_clock_hours if clock else cycle.paused_hours
            vals = {"sla_clock_hours": clock, "resolve_deadline": False}
            if not ticket.ack_date:
                vals["ack_deadline"] = False
            if sla:
                vals["resolve_deadline"] = ticket._sla_add(
                    cycle.start, sla.resolve_hours + paused, clock
                )
                if not ticket.ack_date:
                    vals["ack_deadline"] = ticket._sla_add(
                        cycle.start, sla.ack_hours + paused, clock
                    )
            ticket.write(vals)
            cycle.write(
                {
                    "sla_id": sla.id,
                    "priority": ticket.priority,
                    "clock_hours": clock,
                    "ack_deadline": ticket.ack_deadline,
                    "resolve_deadline": ticket.resolve_deadline,
                }
            )

    def _sla_recompute(self):
        """The priority, the category, the service level or the reception changed:
        the running targets follow, from the cycle's start. A deadline already passed
        under the old targets stays recorded; the escalations sent stay sent."""
        now = fields.Datetime.now()
        tickets = self.sudo().filtered(
            lambda f: f.state in SLA_OPEN_STATES and f.sla_cycle_id
        )
        tickets.filtered(lambda f: not f.waiting)._sla_record_breaches(now)
        for ticket in tickets:
            cycle = ticket.sla_cycle_id
            if cycle.reason == "received" and cycle.start != ticket.received_date:
                cycle.start = ticket.received_date
        tickets._sla_compute_deadlines()
        tickets._update_sla_state(now)

    def _sla_record_breaches(self, now):
        """Record on the current cycle each target whose deadline is past at ``now``
        (or was at the plan); never undone."""
        for ticket in self.sudo():
            cycle = ticket.sla_cycle_id
            if not cycle or cycle.state != "open":
                continue
            if (
                ticket.ack_deadline
                and not cycle.ack_breached
                and (ticket.ack_date or now) > ticket.ack_deadline
            ):
                cycle.ack_breached = True
            if (
                ticket.resolve_deadline
                and not cycle.resolve_breached
                and now > ticket.resolve_deadline
            ):
                cycle.resolve_breached = True

    def _sla_fold_pause(self, now):
        """Count the time paused so far into the cycle, and the deadlines move by it;
        the ticket goes on waiting."""
        waiting = self.sudo().filtered(
            lambda f: f.waiting and f.waiting_since and f.sla_cycle_id
        )
        for ticket in waiting:
            cycle = ticket.sla_cycle_id
            work, clock = ticket._sla_paused_between(ticket.waiting_since, now)
            cycle.write(
                {
                    "paused_hours": cycle.paused_hours + work,
                    "paused_clock_hours": cycle.paused_clock_hours + clock,
                }
            )
            ticket.waiting_since = now
        waiting._sla_compute_deadlines()

    def _sla_planned(self, now):
        """The plan is made at ``now`` (call it before writing ``ack_date``): the
        response target is met or late, for good."""
        tickets = self.sudo()
        tickets._sla_fold_pause(now)
        tickets._sla_record_breaches(now)
        tickets.sla_cycle_id.ack_date = now

    def _sla_close_cycle(self, now=None, resolved=False):
        """End the current cycle (resolved, declared invalid, merged, closed without
        the student's answer): the time paused counts, the deadlines passed are
        recorded, and the ticket shows the cycle's outcome, met or breached."""
        now = now or fields.Datetime.now()
        tickets = self.sudo().filtered(lambda f: f.sla_cycle_id.state == "open")
        tickets._sla_fold_pause(now)
        tickets._sla_record_breaches(now)
        for ticket in tickets:
            cycle = ticket.sla_cycle_id
            if resolved:
                cycle.resolve_date = now
            cycle._close(now)
            ticket.sla_state = cycle.state

    def _sla_wait_deadline(self, since):
        """When waiting for the student from ``since`` reaches the company's limit
        (working days on its calendar); False without limit."""
        self.ensure_one()
        days = self.company_id.training_feedback_wait_days
        return days > 0 and self._sla_add(since, days * 24.0, clock=False)

    def _update_sla_state(self, now=None):
        """Recompute ``sla_state`` of open tickets and record the deadlines passed;
        return {ticket: new state} for the tickets whose state got worse than their
        last escalation of the current target."""
        now = now or fields.Datetime.now()
        worse = {}
        order = [False, "at_risk", "breached"]
        for feedback in self:
            if feedback.state not in SLA_OPEN_STATES or not feedback.sla_deadline:
                continue
            if feedback.waiting:
                feedback.sla_state = "paused"
                continue
            if now > feedback.sla_deadline:
                state = "breached"
            elif now >= feedback.sla_warning_date:
                state = "at_risk"
            else:
                state = "ok"
            feedback.sla_state = state
            if state != "ok" and order.index(state) > order.index(
                feedback.sla_escalated
            ):
                worse[feedback] = state
        self._sla_record_breaches(now)
        return worse

    def action_wait(self):
        """Stop the service-level clock while the team waits for the student. A
        deadline already passed stays recorded."""
        self._check_handling()
        for feedback in self:
            if feedback.state not in SLA_OPEN_STATES:
                raise UserError(
                    self.env._("Only an open ticket can wait for the student.")
                )
        now = fields.Datetime.now()
        self.sudo()._sla_record_breaches(now)
        for feedback in self.filtered(lambda f: not f.waiting):
            feedback._owner_write(
                {
                    "waiting": True,
                    "waiting_since": now,
                    "sla_state": "paused",
                    "wait_deadline": feedback._sla_wait_deadline(now),
                    "wait_escalated": False,
                }
            )

    def action_resume(self):
        """Restart the clock: the deadlines move by the time spent waiting, which the
        cycle keeps; the escalations already sent are not sent again."""
        self._check_handling()
        now = fields.Datetime.now()
        waiting = self.filtered("waiting")
        waiting.sudo()._sla_fold_pause(now)
        waiting._owner_write(
            {
                "waiting": False,
                "waiting_since": False,
                "wait_deadline": False,
                "sla_state": "ok",
            }
        )
        waiting.sudo()._update_sla_state(now)

    @api.model
    def _cron_escalate(self):
        """Escalate tickets about to breach or breaching their service level (FB-04).

        Each level (about to breach, breached) of each target of a cycle is escalated
        once: an e-mail and an activity for the service manager (management while none
        is set, ``res.company._training_feedback_managers``), the flag
        ``sla_escalated`` (kept on the cycle) and a chatter note. Running it again
        sends nothing new: an escalated ticket leaves the domain until it gets worse;
        neither a pause nor a change of priority resets the flag.

        Issue 7: one batch of ``CRON_BATCH`` tickets per call, the rest reported to
        the cron runner, which commits and calls again, so an interruption loses no
        finished batch. The statements do not grow with the batch: the activities and
        the e-mails are created at once (the activities without an assignment e-mail
        each, ``mail_activity_quick_update``), the notes logged in one batch and the
        flags written per level.
        """
        now = fields.Datetime.now()
        domain = [
            ("state", "in", SLA_OPEN_STATES),
            ("waiting", "=", False),
            ("sla_deadline", "!=", False),
            "|",
            "&",
            ("sla_escalated", "=", False),
            ("sla_warning_date", "<=", now),
            "&",
            ("sla_escalated", "!=", "breached"),
            ("sla_deadline", "<", now),
        ]
        tickets = self.search(domain, limit=CRON_BATCH)
        worse = tickets._update_sla_state(now)
        labels = dict(self._fields["sla_state"]._description_selection(self.env))
        escalations = []
        for feedback, state in worse.items():
            target = (
                self.env._("resolution") if feedback.ack_date else self.env._("plan")
            )
            escalations.append(
                (
                    feedback,
                    self.env._(
                        "%(ref)s: %(state)s",
                        ref=feedback.reference,
                        state=labels[state],
                    ),
                    self.env._(
                        "Service level %(state)s: %(target)s due %(deadline)s.",
                        state=labels[state],
                        target=target,
                        deadline=fields.Datetime.to_string(feedback.sla_deadline),
                    ),
                )
            )
        self._sla_escalate(escalations)
        escalated = self.browse([feedback.id for feedback in worse])
        for state in set(worse.values()):
            level = escalated.filtered(lambda f, s=state: worse[f] == s)
            level.sla_escalated = state
            level.filtered("ack_date").sla_cycle_id.sudo().resolve_escalated = state
            level.filtered(
                lambda f: not f.ack_date
            ).sla_cycle_id.sudo().ack_escalated = state
        self.env["ir.cron"]._notify_progress(
            done=len(tickets), remaining=self.search_count(domain)
        )

    def _sla_escalate(self, escalations):
        """Send ``escalations`` [(ticket, summary, body)]: to each ticket's managers an
        activity and an e-mail, on the ticket a note; all created at once."""
        if not escalations:
            return
        activity_type = self.env.ref("training_feedback.mail_activity_type_escalation")
        model_id = self.env["ir.model"]._get_id(self._name)
        today = fields.Date.context_today(self)
        managers = {}
        activity_vals, mail_vals, bodies = [], [], {}
        # Computed once for the batch, not by each e-mail.
        reply_to = self.browse(
            [feedback.id for feedback, _summary, _body in escalations]
        )._notify_get_reply_to(default=False)
        for feedback, summary, body in escalations:
            company = feedback.company_id
            if company not in managers:
                managers[company] = company._training_feedback_managers()
            users = managers[company]
            bodies[feedback.id] = body
            activity_vals += [
                {
                    "res_model_id": model_id,
                    "res_id": feedback.id,
                    "activity_type_id": activity_type.id,
                    "automated": True,
                    "summary": summary,
                    "note": body,
                    "user_id": user.id,
                    "date_deadline": today,
                }
                for user in users
            ]
            if users.partner_id:
                url = f"{feedback.get_base_url()}/mail/view?model={self._name}" + (
                    f"&res_id={feedback.id}"
                )
                mail_vals.append(
                    {
                        "subject": summary,
                        "body_html": Markup('<p>%s</p><p><a href="%s">%s</a></p>')
                        % (body, url, feedback.display_name),
                        "email_from": company.email_formatted
                        or self.env.user.email_formatted
                        or False,
                        "recipient_ids": [(6, 0, users.partner_id.ids)],
                        "reply_to": reply_to.get(feedback.id) or False,
                        "model": self._name,
                        "res_id": feedback.id,
                        "auto_delete": True,
                    }
                )
        self.env["mail.activity"].with_context(mail_activity_quick_update=True).create(
            activity_vals
        )
        self.env["mail.mail"].sudo().create(mail_vals)
        self.browse(list(bodies))._message_log_batch(bodies=bodies)

    @api.model
    def _cron_wait_limit(self):
        """Tickets waiting for the student beyond the company's limit (FB-04) are
        closed (the student is told) or escalated, as the company chose; once per
        wait. One savepoint per ticket: a ticket that fails is logged and tried again
        on the next run, the others go on; a ticket done leaves the domain, so a
        second run does nothing more."""
        now = fields.Datetime.now()
        domain = [
            ("state", "in", SLA_OPEN_STATES),
            ("waiting", "=", True),
            ("wait_escalated", "=", False),
            ("wait_deadline", "!=", False),
            ("wait_deadline", "<=", now),
        ]
        tickets = self.search(domain, limit=CRON_BATCH)
        done = 0
        for ticket in tickets:
            try:
                with self.env.cr.savepoint():
                    if ticket.company_id.training_feedback_wait_action == "close":
                        ticket._sla_wait_close(now)
                    else:
                        ticket._sla_wait_escalate()
            except Exception:
                _logger.exception(
                    "Feedback %s waiting too long: not handled, tried again.",
                    ticket.id,
                )
            else:
                done += 1
        self.env["ir.cron"]._notify_progress(
            done=done, remaining=self.search_count(domain)
        )

    def _sla_wait_close(self, now):
        """The student did not answer in time: the ticket closes, the student is
        told why; the cycle ends (the time waited does not count against the team)."""
        self.ensure_one()
        self._sla_close_cycle(now)
        self.write(
            {
                "state": "closed",
                "closed_date": now,
                "waiting": False,
                "waiting_since": False,
                "wait_escalated": True,
            }
        )
        message = self.env._(
            "Closed: no answer from the student within %s working days.",
            self.company_id.training_feedback_wait_days,
        )
        self.message_post(body=message, subtype_xmlid="mail.mt_note")
        self._notify_student(
            self.env._("Your feedback %s is closed", self.reference),
            Markup("<p>%s</p>")
            % self.env._(
                "We closed your feedback %(ref)s: we did not hear from you within "
                "%(days)s working days. Write to us to reopen it.",
                ref=self.reference,
                days=self.company_id.training_feedback_wait_days,
            ),
        )
        self.activity_unlink(["training_feedback.mail_activity_type_escalation"])

    def _sla_wait_escalate(self):
        self.ensure_one()
        self._sla_escalate(
            [
                (
                    self,
                    self.env._("%s: no answer from the student", self.reference),
                    self.env._(
                        "Waiting for the student beyond the limit of %(days)s working "
                        "days (reached %(limit)s).",
                        days=self.company_id.training_feedback_wait_days,
                        limit=fields.Datetime.to_string(self.wait_deadline),
                    ),
                )
            ]
        )
        self.wait_escalated = True

    # -- archive link (FB-09, ARC-05) ----------------------------------------------

    def _sync_archive_deadlines(self):
        """Record the ticket in the archives of its students (FB-09).

        ARC-05 asks complaints to be recorded in the archive within 24 h (one working
        day): the deadline is created when the ticket about a student arrives and is
        met the moment the ticket is linked to the archive, which is when the ticket
        is saved with its student; a student linked later is recorded late.
        """
        Deadline = self.env["training.archive.deadline"].sudo()
        specs = []
        for feedback in self:
            for archive in feedback.archive_ids:
                specs.append(
                    {
                        "kind": "feedback",
                        "archive_id": archive.id,
                        "feedback_id": feedback.id,
                        "start": feedback.received_date,
                        "user_id": (feedback.user_id or archive.user_id).id,
                    }
                )
        Deadline._create_missing(specs)
        Deadline.search(
            [
                ("feedback_id", "in", self.ids),
                ("state", "in", ("open", "overdue")),
            ]
        ).filtered(lambda d: d.archive_id in d.feedback_id.archive_ids)._mark_done()

    # -- workflow (FB-03 … FB-06) --------------------------------------------------

    def _check_service_team(self):
        if self.env.su or self.env.user.has_group(SERVICE_GROUP):
            return
        raise AccessError(
            self.env._("Only the customer service team can do this on a ticket.")
        )

    def _owner_write(self, vals):
        """Write workflow fields for the owner's own steps (see SERVICE_FIELDS)."""
        self._check_handling()
        self.check_access("write")
        return self.sudo().write(vals)

    def _check_state(self, allowed, action):
        for feedback in self:
            if feedback.state not in allowed:
                raise UserError(
                    self.env._(
                        "%(ref)s cannot be %(action)s in its current state.",
                        ref=feedback.reference,
                        action=action,
                    )
                )

    def action_review(self):
        """The service team takes the ticket up for validity review (FB-03)."""
        self._check_service_team()
        self._check_state(("new",), self.env._("reviewed"))
        self.write({"state": "review"})

    def action_set_invalid(self):
        """Invalid after review: the reason is kept on the ticket (FB-03)."""
        self._check_service_team()
        self._check_state(("new", "review"), self.env._("declared invalid"))
        for feedback in self:
            if not (feedback.invalid_reason or "").strip():
                raise UserError(
                    self.env._(
                        "Write down why %s is invalid before declaring it invalid.",
                        feedback.reference,
                    )
                )
        self._sla_close_cycle()
        self.write({"state": "invalid"})
        self.activity_unlink(["training_feedback.mail_activity_type_escalation"])
        for feedback in self:
            feedback._notify_student(
                self.env._("Your feedback %s cannot be handled", feedback.reference),
                tools.plaintext2html(feedback.invalid_reason),
            )

    def action_merge_into(self, master):
        """Merge these duplicates into ``master`` (FB-03): students, courses and the
        details are added to it; the duplicates become invalid and point to it."""
        master.ensure_one()
        self._check_service_team()
        self._check_state(("new", "review"), self.env._("merged"))
        if master in self or master.state in ("closed", "invalid"):
            raise UserError(self.env._("Merge into another ticket that is still open."))
        for duplicate in self:
            master.student_ids |= duplicate.student_ids | duplicate.partner_id
            master.course_ids |= (duplicate.course_ids | duplicate.course_id) - (
                master.course_id
            )
            master.message_post(
                body=Markup("<p>%s</p>%s")
                % (
                    self.env._("Merged duplicate %s:", duplicate.reference),
                    duplicate.description or "",
                ),
                subtype_xmlid="mail.mt_note",
            )
            duplicate._sla_close_cycle()
            duplicate.write(
                {
                    "state": "invalid",
                    "duplicate_of_id": master.id,
                    "invalid_reason": self.env._("Duplicate of %s.", master.reference),
                }
            )
            # Its students hear it here; the result of the master reaches them too.
            duplicate._notify_student(
                self.env._("Your feedback %s", duplicate.reference),
                tools.plaintext2html(
                    self.env._(
                        "It is handled together with %s, whose result you will "
                        "receive.",
                        master.reference,
                    )
                ),
            )
        # The merged students follow the master ticket.
        if master.partner_id:
            master.message_subscribe(partner_ids=master.partner_id.ids)

    def action_merge(self):
        """Merge this duplicate into the ticket set in "Duplicate Of" (FB-03)."""
        self.ensure_one()
        if not self.duplicate_of_id:
            raise UserError(self.env._("Choose the ticket this one duplicates."))
        self.action_merge_into(self.duplicate_of_id)

    def action_plan(self):
        """Valid: the handling plan and its owner are set and the student is told
        (FB-03, FB-04). This meets the response target."""
        self._check_service_team()
        self._check_state(("new", "review"), self.env._("planned"))
        for feedback in self:
            if not tools.html2plaintext(feedback.plan or "").strip():
                raise UserError(
                    self.env._("Write the handling plan of %s.", feedback.reference)
                )
            if not feedback.user_id:
                raise UserError(self.env._("Name the owner of %s.", feedback.reference))
        now = fields.Datetime.now()
        self._sla_planned(now)
        # The response target is met; the resolution target starts its escalations.
        self.write(
            {
                "state": "planned",
                "validated_date": now,
                "ack_date": now,
                "sla_escalated": False,
            }
        )
        for feedback in self:
            feedback._notify_student(
                self.env._("Your feedback %s is being handled", feedback.reference),
                feedback.plan,
            )
        self._update_sla_state(now)
        self._reward()

    def _reward(self):
        """FB-10: thank the student of valid feedback as the institution chose: a
        coupon of a loyalty program (e-mailed by the program) or a note on the
        archive. Once per ticket; anonymous students are not rewarded, a reward would
        tell who they are."""
        for feedback in self.filtered(
            lambda f: (
                not f.is_anonymous
                and f.partner_id
                and not f.reward_note
                and f.company_id.training_feedback_reward != "none"
            )
        ):
            company = feedback.company_id
            if company.training_feedback_reward == "coupon":
                program = company.training_feedback_reward_program_id
                if not program:
                    continue
                card = (
                    self.env["loyalty.card"]
                    .sudo()
                    .create(
                        {
                            "program_id": program.id,
                            "partner_id": feedback.partner_id.id,
                            "points": company.training_feedback_reward_points,
                        }
                    )
                )
                note = self.env._(
                    "Coupon %(code)s of %(program)s.",
                    code=card.code,
                    program=program.name,
                )
                feedback.reward_card_id = card
            else:
                note = company.training_feedback_reward_note or self.env._(
                    "Thank you for your feedback."
                )
            feedback.reward_note = note
            body = self.env._(
                "Reward for valid feedback %(ref)s: %(note)s",
                ref=feedback.reference,
                note=note,
            )
            for archive in feedback.archive_ids.sudo():
                archive.message_post(body=body, subtype_xmlid="mail.mt_note")
            feedback.message_post(body=body, subtype_xmlid="mail.mt_note")

    def action_start(self):
        """The owner starts the follow-up actions (FB-05)."""
        self._check_handling()
        self._check_state(("planned",), self.env._("started"))
        self._owner_write({"state": "progress"})

    def action_resolve(self):
        """Send the result to the student (FB-06): e-mail or SMS, and on the portal;
        the student is asked to rate the handling."""
        self._check_handling()
        self._check_state(("planned", "progress"), self.env._("resolved"))
        for feedback in self:
            if not tools.html2plaintext(feedback.result or "").strip():
                raise UserError(
                    self.env._("Write the result of %s.", feedback.reference)
                )
            if feedback.action_open_count:
                raise UserError(
                    self.env._(
                        "%s still has open follow-up actions.", feedback.reference
                    )
                )
        now = fields.Datetime.now()
        # Met or breached: a deadline passed stays breached, however late.
        self._sla_close_cycle(now, resolved=True)
        self._owner_write(
            {
                "state": "resolved",
                "result_date": now,
                "waiting": False,
            }
        )
        for feedback in self:
            feedback._notify_student(
                self.env._("Result of your feedback %s", feedback.reference),
                feedback.result,
            )
            feedback._answer_rating_requests()
        self.activity_unlink(["training_feedback.mail_activity_type_escalation"])

    def action_close(self):
        self._check_service_team()
        self._check_state(("resolved",), self.env._("closed"))
        self.write({"state": "closed", "closed_date": fields.Datetime.now()})

    def action_reopen(self):
        """Back to review, e.g. after a low rating (FB-06)."""
        self._check_service_team()
        self._check_state(("resolved", "closed"), self.env._("reopened"))
        self.write({"state": "review", "closed_date": False, "result_date": False})
        # A new service-level cycle; the one that ended keeps its outcome.
        now = fields.Datetime.now()
        for feedback in self:
            feedback._sla_start_cycle(now, "reopened")

    def rating_apply(
        self,
        rate,
        token=None,
        rating=None,
        feedback=None,
        subtype_xmlid=None,
        notify_delay_send=False,
    ):
        """The student rates the handling (FB-06): a low rating reopens the ticket for
        review, any other closes it. Only the student (through the rating link, as
        superuser) or the people handling the ticket apply a rating."""
        self._check_handling()
        res = super().rating_apply(
            rate,
            token=token,
            rating=rating,
            feedback=feedback,
            subtype_xmlid=subtype_xmlid,
            notify_delay_send=notify_delay_send,
        )
        low = self.company_id.training_feedback_low_rating
        if self.state in ("resolved", "closed"):
            if rate <= low:
                self.action_reopen()
                self.message_post(
                    body=self.env._(
                        "Low rating (%(rate)s/5): reopened for review.", rate=rate
                    ),
                    subtype_xmlid="mail.mt_note",
                )
            elif self.state == "resolved":
                self.action_close()
        return res

    @api.model
    def _cron_close_resolved(self):
        """Close resolved tickets the student did not rate in time (FB-06).

        The delay is the company's; closed tickets leave the domain, so a second run
        closes nothing more and an interrupted run resumes where it stopped."""
        now = fields.Datetime.now()
        companies = self.env["res.company"].search(
            [("training_feedback_close_days", ">", 0)]
        )
        domain = expression.OR(
            [
                [
                    ("company_id", "=", company.id),
                    (
                        "result_date",
                        "<=",
                        now - timedelta(days=company.training_feedback_close_days),
                    ),
                ]
                for company in companies
            ]
        )
        domain = expression.AND([[("state", "=", "resolved")], domain])
        todo = self.search(domain, limit=CRON_BATCH)
        todo.write({"state": "closed", "closed_date": now})
        self.env["ir.cron"]._notify_progress(
            done=len(todo), remaining=self.search_count(domain)
        )

    def action_announce(self):
        """Announce the major change to every student of the course and ask their
        opinion (FB-05); the answers come back on ``opinion_ids``.

        Each new text is a new announcement (``announcement_ids``) that asks every
        student again; announcing the same text again asks only the students not
        asked yet (new enrolments), so nobody gets the same announcement twice."""
        self.ensure_one()
        self._check_service_team()
        self._check_state(("planned", "progress"), self.env._("announced"))
        if not tools.html2plaintext(self.announcement or "").strip():
            raise UserError(self.env._("Write the announcement first."))
        courses = self.course_id | self.course_ids
        if not courses:
            raise UserError(self.env._("Set the course concerned first."))
        students = (
            self.env["training.enrollment"]
            .sudo()
            .search([("course_id", "in", courses.ids), ("state", "=", "active")])
            .partner_id
        )
        if not students:
            raise UserError(self.env._("Nobody is enrolled in the course."))
        announcement = self._current_announcement()
        if not students - announcement.opinion_ids.partner_id:
            return
        opinions = (
            self.env["training.feedback.opinion"]
            .sudo()
            .create(
                [
                    {
                        "feedback_id": self.id,
                        "announcement_id": announcement.id,
                        "partner_id": student.id,
                    }
                    for student in students - announcement.opinion_ids.partner_id
                ]
            )
        )
        template = self.env.ref("training_feedback.mail_template_feedback_announcement")
        for opinion in opinions:
            template.sudo().send_mail(
                opinion.id, email_layout_xmlid="mail.mail_notification_light"
            )
        self.announce_date = fields.Datetime.now()
        self.message_post(
            body=Markup("<p>%s</p>%s")
            % (
                self.env._(
                    "Change announced to %s students, their opinion asked:",
                    len(opinions),
                ),
                self.announcement,
            ),
            subtype_xmlid="mail.mt_note",
        )

    def _current_announcement(self):
        """The announcement of the current text: the last one when the text did not
        change since, otherwise a new one."""
        self.ensure_one()
        last = self.announcement_ids.sorted("id")[-1:]
        text = tools.html2plaintext(self.announcement or "").strip()
        if last and tools.html2plaintext(last.body or "").strip() == text:
            return last
        return (
            self.env["training.feedback.announcement"]
            .sudo()
            .create({"feedback_id": self.id, "body": self.announcement})
        )

    def action_share_with_teacher(self):
        """The service team lets the teacher concerned read this ticket."""
        self.ensure_one()
        self._check_service_team()
        if not self.teacher_id:
            raise UserError(self.env._("Set the teacher concerned first."))
        self.shared_user_ids |= self.teacher_id
        self.message_subscribe(partner_ids=self.teacher_id.partner_id.ids)

    # -- teachers' paper forms (FB-01) ----------------------------------------------

    @api.model
    def _create_teacher_entries(self, vals_list):
        """Tickets entered by a teacher: the paper forms collected in their own
        courses, with the form's content only (``TEACHER_ENTRY_FIELDS``).

        The access rights (teachers create tickets) and the record rule
        ``training_feedback_rule_teacher_entry`` (paper forms of courses they teach)
        decide; the ticket is then completed as superuser (service level, archive,
        default owner), which the teacher could not do, and the teacher does not
        follow it: the service team shares it when it wants to."""
        self.browse().check_access("create")
        for vals in vals_list:
            other = sorted(
                fname
                for fname, value in vals.items()
                if value and fname not in TEACHER_ENTRY_FIELDS
            )
            if other:
                raise AccessError(
                    self.env._(
                        "A teacher enters the content of a paper form only, not: "
                        "%(fields)s.",
                        fields=", ".join(other),
                    )
                )
        vals_list = [
            dict(vals, channel=vals.get("channel") or "paper") for vals in vals_list
        ]
        feedbacks = (
            self.sudo()
            .with_context(mail_create_nosubscribe=True)
            .create(vals_list)
            .with_env(self.env)
        )
        user = self.env.user
        if feedbacks.sudo().filtered(
            lambda f: f.channel != "paper" or user not in f.course_id.teacher_ids
        ):
            raise AccessError(
                self.env._(
                    "Teachers enter the paper forms collected in their own courses "
                    "only."
                )
            )
        feedbacks.check_access("create")
        return feedbacks

    # -- portal --------------------------------------------------------------------

    def _get_portal_return_action(self):
        return self.env.ref("training_feedback.training_feedback_action")

    def _portal_submit_values(self, partner, values):
        """Values of a ticket submitted by ``partner`` on the portal (FB-01)."""
        return {
            "name": values["name"],
            "description": tools.plaintext2html(values.get("description") or ""),
            "category_id": values["category_id"],
            "course_id": values.get("course_id") or False,
            "kind": values.get("kind") or "complaint",
            "priority": "1" if values.get("urgent") else "0",
            "contact_by": values.get("contact_by") or "email",
            "is_anonymous": bool(values.get("anonymous")),
            "submitter_id": partner.id,
            "channel": "portal",
        }

    # -- personal data (ARC-13) ---------------------------------------------------

    @api.model
    def _personal_data_domain(self, partners):
        return [
            "|",
            "|",
            ("submitter_id", "in", partners.ids),
            ("partner_id", "in", partners.ids),
            ("student_ids", "in", partners.ids),
        ]

    def _personal_data_blank_values(self):
        return {
            "name": self.env._("(destroyed)"),
            "description": False,
            # The scan itself is an attachment: deleted with its file before.
            "scan_filename": False,
            "invalid_reason": False,
            "plan": False,
            "result": False,
            "reward_note": False,
            "submitter_id": False,
            "submitter_email": False,
            "submitter_phone": False,
        }

    def _personal_data_erase(self, partners):
        """A ticket the student submitted stays for the statistics, blank; from a
        collective ticket of other students only the student goes."""
        for ticket in self:
            ticket.student_ids = [(3, partner.id) for partner in partners]
        submitted = self.filtered(lambda t: t.sudo().submitter_id & partners)
        return super(TrainingFeedback, submitted)._personal_data_erase(partners)

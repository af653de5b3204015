from odoo import fields, models


class TrainingFeedbackAnnouncement(models.Model):
    """One announcement of a major change made while handling a ticket (FB-05).

    A ticket may change a course more than once (a new room, then a new teacher):
    each announcement is its own record, with the text the students received and the
    opinions they gave on it. Announcing the same text again asks only the students
    who were not asked yet (new enrolments); a new text asks every student again.
    """

    _name = "training.feedback.announcement"
    _description = "Announcement of a Change"
    _order = "feedback_id, id desc"
    _check_company_auto = True

    feedback_id = fields.Many2one(
        "training.feedback", required=True, index=True, ondelete="cascade"
    )
    company_id = fields.Many2one(related="feedback_id.company_id", store=True)
    body = fields.Html(string="Announcement", required=True, readonly=True)
    date = fields.Datetime(
        string="Announced", required=True, readonly=True, default=fields.Datetime.now
    )
    user_id = fields.Many2one(
        "res.users",
        string="Announced By",
        readonly=True,
        default=lambda self: self.env.user,
    )
    opinion_ids = fields.One2many(
        "training.feedback.opinion", "announcement_id", string="Opinions"
    )
    opinion_count = fields.Integer(string="Asked", compute="_compute_counts")
    answer_count = fields.Integer(string="Answered", compute="_compute_counts")

    def _compute_counts(self):
        for announcement in self:
            announcement.opinion_count = len(announcement.opinion_ids)
            announcement.answer_count = len(announcement.opinion_ids.filtered("answer"))

    def _compute_display_name(self):
        for announcement in self:
            announcement.display_name = self.env._(
                "%(ref)s, announced %(date)s",
                ref=announcement.feedback_id.reference,
                date=fields.Datetime.to_string(announcement.date),
            )

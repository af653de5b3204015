from markupsafe import Markup

from odoo import api, fields, models, tools

SERVICE_GROUP = (
    "training_student_archive.training_student_archive_group_customer_service"
)


class TrainingFeedbackAnswerMixin(models.AbstractModel):
    """Everyone a ticket concerns is answered (FB-03, FB-06; issue 14).

    The people answered (``_answer_recipients``) are the submitter, every student of
    a collective ticket (``student_ids``), the students of the duplicates merged into
    it, a sender whose e-mail address matches no contact (``submitter_email``, kept
    by the mail gateway) and a caller known by number only (``submitter_phone``).
    Each is answered once per message, by e-mail or by SMS (the ticket's
    ``contact_by`` when the student has that means, otherwise the other one), with
    the plan, the result, the rating request, or why the ticket is invalid.

    Anonymity: an anonymous submitter (of the ticket or of a merged duplicate) is
    answered privately, never by a chatter message or a follower entry others could
    read. Rating requests are private to each recipient (they carry the recipient's
    own rating token); the anonymous submitter's and an unknown sender's ratings name
    nobody.
    """

    _name = "training.feedback.answer.mixin"
    _description = "Answers to Everyone a Ticket Concerns"

    submitter_email = fields.Char(
        string="Sender's E-mail",
        groups=SERVICE_GROUP,
        copy=False,
        help="Address of an e-mail from a sender who is not a known contact: the "
        "answers are sent to it.",
    )
    submitter_phone = fields.Char(
        string="Caller's Number",
        groups=SERVICE_GROUP,
        copy=False,
        help="Number of a caller who is not a known contact: the answers are sent to "
        "it by SMS.",
    )

    # -- who ------------------------------------------------------------------------

    def _answer_tickets(self):
        """This ticket and the duplicates merged into it, at any depth."""
        self.ensure_one()
        tickets = self.sudo()
        todo = tickets.duplicate_ids
        while todo - tickets:
            tickets |= todo
            todo = todo.duplicate_ids
        return tickets

    def _answer_recipients(self):
        """Everyone to answer, each once: a list of dicts with ``partner``,
        ``email``, ``number`` (the means used) and ``private`` (anonymous
        submitters; first, so that they are never also answered in public)."""
        self.ensure_one()
        Partner = self.env["res.partner"].sudo()
        private, public = [], []
        for ticket in self._answer_tickets():
            target = private if ticket.is_anonymous else public
            if ticket.submitter_id:
                target.append((ticket.submitter_id, False, False, ticket))
            else:
                if ticket.submitter_email:
                    target.append((Partner, ticket.submitter_email, False, ticket))
                if ticket.submitter_phone:
                    target.append((Partner, False, ticket.submitter_phone, ticket))
            public += [
                (student, False, False, ticket) for student in ticket.student_ids
            ]
        seen_partners, seen_keys, recipients = set(), set(), []
        for is_private, entries in ((True, private), (False, public)):
            for partner, email, number, ticket in entries:
                if partner:
                    if partner.id in seen_partners:
                        continue
                    # As the ticket they come from asked (its ``contact_by``).
                    email, number = ticket._answer_means(partner)
                # A partner also covers their own address and numbers.
                keys = {
                    key
                    for key in (
                        tools.email_normalize(email or partner.email or ""),
                        self._answer_number_key(number or ""),
                        self._answer_number_key(partner.mobile or ""),
                        self._answer_number_key(partner.phone or ""),
                    )
                    if key
                }
                if (not partner and keys & seen_keys) or not (email or number):
                    continue
                seen_partners.add(partner.id)
                seen_keys |= keys
                recipients.append(
                    {
                        "partner": partner,
                        "email": email,
                        "number": number,
                        "private": is_private,
                    }
                )
        return recipients

    def _answer_means(self, partner):
        """(e-mail, number) by which ``partner`` is answered, one of them empty: the
        ticket's ``contact_by`` when the partner has it, otherwise the other."""
        number = partner.mobile or partner.phone
        if partner.email and (self.contact_by != "sms" or not number):
            return partner.email, False
        return False, number or False

    @api.model
    def _answer_number_key(self, number):
        return "".join(char for char in number if char.isdigit())

    # -- sending --------------------------------------------------------------------

    def _notify_student(self, subject, body):
        """Send ``subject`` and ``body`` to everyone the ticket concerns (see
        ``_answer_recipients``); the portal shows the ticket anyway.

        The students answered in public get one chatter message (e-mail) and one SMS
        message; anonymous ones a private notification each."""
        self.ensure_one()
        recipients = self._answer_recipients()
        text = f"{subject}\n{tools.html2plaintext(body or '')}"
        public = [r for r in recipients if not r["private"]]
        by_mail = [r for r in public if r["email"]]
        if by_mail:
            message = self.message_post(
                subject=subject,
                body=body,
                partner_ids=[r["partner"].id for r in by_mail if r["partner"]],
                subtype_xmlid="mail.mt_comment",
                message_type="comment",
            )
            for recipient in by_mail:
                if not recipient["partner"]:
                    self._answer_mail_address(message, recipient["email"], body)
        by_sms = [r for r in public if r["number"]]
        if by_sms:
            self._message_sms(
                text,
                partner_ids=[r["partner"].id for r in by_sms if r["partner"]],
                sms_numbers=[r["number"] for r in by_sms if not r["partner"]] or None,
            )
        for recipient in recipients:
            if recipient["private"]:
                self._answer_privately(recipient, subject, body, text)

    def _answer_privately(self, recipient, subject, body, text):
        """Answer one recipient without a trace others could read: a notification
        (hidden from the chatter) by e-mail, or an SMS queued for the SMS cron."""
        partner = recipient["partner"]
        if recipient["number"]:
            self.env["sms.sms"].sudo().create(
                {
                    "number": recipient["number"],
                    "partner_id": partner.id,
                    "body": text,
                }
            )
        elif partner:
            self.sudo().message_notify(
                partner_ids=partner.ids,
                subject=subject,
                body=body,
                email_layout_xmlid="mail.mail_notification_light",
            )
        else:
            message = (
                self.env["mail.message"]
                .sudo()
                .create(
                    {
                        "model": self._name,
                        "res_id": self.id,
                        "message_type": "user_notification",
                        "subject": subject,
                        "body": body,
                        "author_id": self.env.user.partner_id.id,
                        "email_from": self.company_id.email_formatted
                        or self.env.user.email_formatted,
                        "reply_to": self.sudo()._notify_get_reply_to(default=False)[
                            self.id
                        ],
                    }
                )
            )
            self._answer_mail_address(message, recipient["email"], body)

    def _answer_mail_address(self, message, address, body):
        """E-mail ``message`` to an address that belongs to no contact; the reply
        comes back to the ticket through the message's id."""
        return (
            self.env["mail.mail"]
            .sudo()
            .create(
                {
                    "mail_message_id": message.id,
                    "email_to": address,
                    "body_html": body,
                    "auto_delete": True,
                }
            )
        )

    def _answer_rating_requests(self):
        """Ask everyone the ticket concerns to rate the handling (FB-06), each with a
        rating token of their own and privately, since the link rates for them. The
        ratings of anonymous submitters and unknown senders name nobody."""
        self.ensure_one()
        template = self.env.ref("training_feedback.mail_template_feedback_rating")
        for recipient in self._answer_recipients():
            named = recipient["partner"] if not recipient["private"] else None
            rating = self._answer_rating(named or self.env["res.partner"])
            rendering = template.with_context(
                training_feedback_rating_partner=(named or recipient["partner"]).id,
                training_feedback_rating_token=rating.access_token,
            )
            subject = rendering._render_field("subject", self.ids, compute_lang=True)[
                self.id
            ]
            body = rendering._render_field("body_html", self.ids, compute_lang=True)[
                self.id
            ]
            url = f"{self.get_base_url()}/rate/{rating.access_token}/5"
            # Queued like the other rating requests, sent by the mail queue.
            self.with_context(mail_notify_force_send=False)._answer_privately(
                recipient, subject, Markup(body), f"{subject}\n{url}"
            )

    def _answer_rating(self, partner):
        """The unconsumed rating of ``partner`` on the ticket, or a new one; without
        partner always a new one, so that two unnamed recipients never share one."""
        ratings = self.sudo().rating_ids
        rating = (
            partner
            and ratings.filtered(lambda r: r.partner_id == partner and not r.consumed)[
                :1
            ]
        )
        return rating or self.env["rating.rating"].sudo().create(
            {
                "partner_id": partner.id,
                "rated_partner_id": self._rating_get_operator().id,
                "res_model_id": self.env["ir.model"]._get_id(self._name),
                "res_id": self.id,
                "is_internal": False,
            }
        )

    # -- followers ------------------------------------------------------------------

    def _staff_by_ticket(self):
        """{ticket id: its owner and the staff it is shared with}, before a change."""
        return {
            ticket.id: ticket.user_id | ticket.shared_user_ids for ticket in self.sudo()
        }

    def _unsubscribe_removed_staff(self, staff_before):
        """Staff no longer owner of a ticket nor sharing it stop following it, unless
        they are also one of its students. Only the followers the ticket added for
        them go: the students and other followers stay."""
        for ticket in self.sudo():
            removed = staff_before.get(ticket.id, self.env["res.users"]) - (
                ticket.user_id | ticket.shared_user_ids
            )
            students = ticket.submitter_id | ticket.student_ids
            partners = removed.partner_id - students
            if partners:
                ticket.message_unsubscribe(partner_ids=partners.ids)

import secrets
from urllib.parse import quote_plus, urlencode

from dateutil.relativedelta import relativedelta

from odoo import api, fields, models, tools
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tools import consteq, email_normalize
from odoo.tools.translate import LazyTranslate

from .training_personal_data import BLANK

_lt = LazyTranslate(__name__)

# Groups allowed to read the sensitive registration fields (ARC-02, ARC-11).
HEALTH_GROUPS = (
    "training_student_archive.training_student_archive_group_archivist,"
    "training_student_archive.training_student_archive_group_teacher"
)
IDENTITY_GROUPS = (
    "training_student_archive.training_student_archive_group_archivist,"
    "training_student_archive.training_student_archive_group_enrolment"
)
LEARNING_GROUPS = (
    "training_student_archive.training_student_archive_group_archivist,"
    "training_student_archive.training_student_archive_group_teacher,"
    "training_student_archive.training_student_archive_group_granted"
)

# Archive states that end the student's time at the institution (ARC-07).
CLOSED_STATES = ("completed", "withdrawn", "transferred")
ARCHIVIST_GROUP = "training_student_archive.training_student_archive_group_archivist"
# Documents every active archive must hold (ARC-04), checked by the audit (ARC-15).
REQUIRED_DOCUMENTS = ("registration_form", "identity_proof", "training_agreement")


class TrainingStudentArchive(models.Model):
    """The learning archive (学员档案) of one student, on top of the contact (ARC-01).

    Created in *pending review* when an enrolment is confirmed; enrolment staff hand the
    registration data to the archivist, who reviews it and activates the archive
    (ARC-03). Teachers add learning records for the students of their courses; customer
    service sees contact data only; health notes and identity numbers are restricted to
    the roles that need them (ARC-11). Every state change is tracked in the chatter
    (ARC-07).
    """

    _name = "training.student.archive"
    _description = "Student Learning Archive"
    _inherit = [
        "training.sequence.mixin",
        "mail.thread",
        "mail.activity.mixin",
        "training.archive.read.log.mixin",
        "training.personal.data",
    ]
    _order = "archive_number desc, id desc"
    # Personal-data map: the archive stays, numbered, in state destroyed (ARC-13).
    _personal_data_erasure = BLANK
    _personal_data_purpose = _lt(
        "Learning archive: registration, identity, health notes, guardian (ARC-02)"
    )
    _personal_data_retention = _lt(
        "Retention period after the last enrolment (company setting), then destroyed"
    )
    _rec_name = "archive_number"
    _sequence_field = "archive_number"
    # by number, name, or the contact's phone or e-mail (see _search_display_name)
    _rec_names_search = [
        "archive_number",
        "name",
        "partner_id.phone",
        "partner_id.email",
    ]
    _check_company_auto = True
    # Read log (ARC-11): which part of the archive each field belongs to.
    _training_log_field_parts = {
        "learning_record_ids": "learning",
        "attendance_rate": "learning",
        "document_ids": "documents",
        "document_count": "documents",
    }

    archive_number = fields.Char(
        required=True,
        readonly=True,
        copy=False,
        index=True,
        default=lambda self: self.env._("New"),
    )
    partner_id = fields.Many2one(
        "res.partner",
        string="Student",
        required=True,
        index=True,
        tracking=True,
        ondelete="restrict",
        check_company=True,
    )
    # Registration data changes are tracked so every change can be traced (ARC-12).
    name = fields.Char(
        related="partner_id.name",
        store=True,
        readonly=False,
        index="trigram",
        tracking=True,
    )
    email = fields.Char(related="partner_id.email", readonly=False)
    phone = fields.Char(related="partner_id.phone", readonly=False)
    mobile = fields.Char(related="partner_id.mobile", readonly=False)
    image_128 = fields.Image(related="partner_id.image_128")
    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda self: self.env.company
    )
    user_id = fields.Many2one(
        "res.users",
        string="Archivist",
        tracking=True,
        domain="[('share', '=', False)]",
        default=lambda self: self.env.company.training_archivist_id,
        help="Archivist in charge of this archive: reviews it, keeps it complete.",
    )
    state = fields.Selection(
        [
            ("pending", "Pending Review"),
            ("active", "Active"),
            ("completed", "Completed"),
            ("withdrawn", "Withdrawn"),
            ("transferred", "Transferred"),
            ("sealed", "Sealed"),
            ("destroyed", "Destroyed"),
        ],
        default="pending",
        required=True,
        tracking=True,
        copy=False,
        index=True,
    )
    # Registration data (ARC-02)
    gender = fields.Selection(
        [("male", "Male"), ("female", "Female"), ("other", "Other")], tracking=True
    )
    birthdate = fields.Date(string="Birth Date", tracking=True)
    age = fields.Integer(compute="_compute_age")
    is_minor = fields.Boolean(compute="_compute_age", string="Minor")
    education = fields.Selection(
        [
            ("primary", "Primary School"),
            ("secondary", "Secondary School"),
            ("high_school", "High School"),
            ("vocational", "Vocational"),
            ("bachelor", "Bachelor"),
            ("master", "Master or Higher"),
        ],
        string="Education Background",
        tracking=True,
    )
    learning_history = fields.Text(
        help="Courses and certificates obtained before enrolling."
    )
    learning_goals = fields.Text(string="Learning Needs and Goals")
    source_id = fields.Many2one(
        "utm.source", string="Recruitment Channel", tracking=True
    )
    guardian_id = fields.Many2one(
        "res.partner",
        tracking=True,
        check_company=True,
        help="Legal guardian, required for minors.",
    )
    # ARC-16: the guardian reads a minor's archive; an adult's only if the student
    # lets them, from the portal (or the archivist on the student's written request).
    guardian_access_granted = fields.Boolean(
        string="Guardian May See the Archive",
        tracking=True,
        copy=False,
        help="Set by the adult student: the guardian keeps seeing the archive on the "
        "portal after the student came of age.",
    )
    guardian_has_access = fields.Boolean(
        compute="_compute_guardian_has_access",
        help="The guardian sees the archive on the portal and is informed: the "
        "student is a minor, or an adult who let them.",
    )
    emergency_contact_id = fields.Many2one(
        "res.partner", check_company=True, tracking=True
    )
    emergency_contact_relation = fields.Char(string="Relation", tracking=True)
    health_notes = fields.Text(
        groups=HEALTH_GROUPS, help="Sensitive: only archivists and teachers read it."
    )
    identity_type = fields.Selection(
        [("id_card", "ID Card"), ("passport", "Passport"), ("other", "Other")],
        groups=IDENTITY_GROUPS,
    )
    identity_number = fields.Char(groups=IDENTITY_GROUPS, copy=False)
    # Separate consent for sensitive data (PIPL art. 29/31, GDPR art. 8/9): given by
    # the student, or by the guardian for a student under 14.
    sensitive_consent_date = fields.Date(
        string="Consent Given On",
        tracking=True,
        copy=False,
        help="Date of the separate written consent to store health notes and "
        "identity numbers.",
    )
    sensitive_consent_partner_id = fields.Many2one(
        "res.partner",
        string="Consent Given By",
        tracking=True,
        copy=False,
        help="The student, or the guardian for a student under 14.",
    )
    # Paper archive (ARC-04): cabinet/box, ordered by archive number.
    paper_location = fields.Char(
        help="Cabinet and box of the paper file, e.g. C2-B14.", tracking=True
    )
    # Hand-over and review (ARC-03, ARC-05)
    handover_date = fields.Datetime(
        string="Handed Over",
        readonly=True,
        copy=False,
        tracking=True,
        help="When enrolment staff handed the registration data to the archivist.",
    )
    reviewed_by_id = fields.Many2one("res.users", readonly=True, copy=False)
    review_date = fields.Datetime(readonly=True, copy=False)
    closed_date = fields.Date(
        readonly=True,
        copy=False,
        tracking=True,
        help="Date of completion, withdrawal or transfer: the retention period "
        "starts here.",
    )
    retention_end_date = fields.Date(
        compute="_compute_retention_end_date",
        store=True,
        help="From this date the archive may be destroyed (ARC-13).",
    )
    destruction_listed_date = fields.Date(
        readonly=True,
        copy=False,
        help="When the retention scheduled action listed the archive as eligible.",
    )
    enrollment_ids = fields.One2many(
        "training.enrollment", "archive_id", string="Enrolments"
    )
    enrollment_count = fields.Integer(compute="_compute_enrollment_counts")
    active_enrollment_count = fields.Integer(compute="_compute_enrollment_counts")
    course_ids = fields.Many2many(
        "training.course",
        compute="_compute_course_ids",
        string="Courses",
        search="_search_course_ids",
    )
    learning_record_ids = fields.One2many(
        "training.learning.record",
        "archive_id",
        string="Learning Records",
        groups=LEARNING_GROUPS,
    )
    document_ids = fields.One2many(
        "training.archive.document", "archive_id", string="Documents"
    )
    document_count = fields.Integer(compute="_compute_document_count")
    deadline_ids = fields.One2many(
        "training.archive.deadline", "archive_id", string="Deadlines"
    )
    overdue_deadline_count = fields.Integer(compute="_compute_overdue_deadline_count")
    access_grant_ids = fields.Many2many(
        "training.archive.access.grant",
        "training_archive_access_grant_archive_rel",
        "archive_id",
        "grant_id",
        string="Access Grants",
    )
    # Learning certificate (ARC-17, issue 15): numbered when first printed, the
    # number never reused; the token makes its public verification page unguessable.
    certificate_number = fields.Char(
        readonly=True,
        copy=False,
        index="btree_not_null",
        help="Number of the learning certificate, given when it is first printed.",
    )
    certificate_token = fields.Char(
        readonly=True,
        copy=False,
        groups="base.group_system",
        help="Secret of the certificate's verification address (its QR code).",
    )
    attendance_rate = fields.Float(
        compute="_compute_attendance_rate",
        groups=LEARNING_GROUPS,
        help="Share of recorded lessons attended (present, late or early leave).",
    )

    _sql_constraints = [
        (
            "archive_number_uniq",
            "unique(archive_number, company_id)",
            "An archive number must be unique.",
        ),
        (
            "partner_company_uniq",
            "unique(partner_id, company_id)",
            "This student already has an archive.",
        ),
        (
            "certificate_number_uniq",
            "unique(certificate_number)",
            "A certificate number is never given twice.",
        ),
    ]

    def _personal_data_blank_values(self):
        return {
            "gender": False,
            "birthdate": False,
            "education": False,
            "learning_history": False,
            "learning_goals": False,
            "health_notes": False,
            "identity_type": False,
            "identity_number": False,
            "guardian_id": False,
            "emergency_contact_id": False,
            "emergency_contact_relation": False,
            "paper_location": False,
            "sensitive_consent_date": False,
            "sensitive_consent_partner_id": False,
            # the number stays (never reused), its verification page goes
            "certificate_token": False,
        }

    def init(self):
        # Searching a number by any part of it (trigram), the btree index of the
        # field keeps serving the list's order (newest number first).
        if self.env.registry.has_trigram:
            tools.create_index(
                self.env.cr,
                "training_student_archive_archive_number_trgm",
                self._table,
                ["archive_number gin_trgm_ops"],
                method="gin",
            )

    @api.model
    def _search_display_name(self, operator, value):
        """Number, name, or the contact's phone or e-mail. The contacts are looked
        up first: the search of the archives then combines three indexed
        conditions (trigram indexes of the number and the name, the contacts'
        ids) instead of scanning every archive (issue 7)."""
        positive = operator in ("like", "ilike", "=like", "=ilike", "=")
        if not (positive and isinstance(value, str) and value):
            return super()._search_display_name(operator, value)
        Partner = self.env["res.partner"].sudo().with_context(active_test=False)
        contact = ["|", ("phone", operator, value), ("email", operator, value)]
        partners = Partner.search(contact, limit=1000).ids
        if len(partners) == 1000:  # too many to list: let the database join them
            partners = Partner._search(contact)
        return [
            "|",
            "|",
            ("archive_number", operator, value),
            ("name", operator, value),
            ("partner_id", "in", partners),
        ]

    @api.depends("birthdate", "company_id.training_age_of_majority")
    def _compute_age(self):
        today = fields.Date.context_today(self)
        for archive in self:
            age = (
                relativedelta(today, archive.birthdate).years
                if archive.birthdate
                else 0
            )
            archive.age = age
            archive.is_minor = bool(archive.birthdate) and age < (
                archive.company_id.training_age_of_majority or 18
            )

    @api.depends("guardian_id", "is_minor", "guardian_access_granted")
    def _compute_guardian_has_access(self):
        # Without a birth date the age is unknown: the guardian needs the grant.
        for archive in self:
            archive.guardian_has_access = bool(archive.guardian_id) and (
                archive.is_minor or archive.guardian_access_granted
            )

    def _guardian_recipient(self):
        """Who is told about the student: the guardian while they have access to the
        archive (ARC-16), else the student."""
        self.ensure_one()
        return self.guardian_id if self.guardian_has_access else self.partner_id

    def _count_by_archive(self, model, domain):
        """Count ``model`` records per archive. As sudo: a count discloses nothing, and
        roles that cannot read documents or deadlines still open the archive form."""
        groups = (
            self.env[model]
            .sudo()
            ._read_group(
                [("archive_id", "in", self.ids), *domain], ["archive_id"], ["__count"]
            )
        )
        return {archive.id: count for archive, count in groups}

    @api.depends("closed_date", "company_id.training_retention_years")
    def _compute_retention_end_date(self):
        for archive in self:
            archive.retention_end_date = archive.closed_date and (
                archive.closed_date
                + relativedelta(years=archive.company_id.training_retention_years or 5)
            )

    @api.depends("enrollment_ids.state")
    def _compute_enrollment_counts(self):
        total = self._count_by_archive("training.enrollment", [])
        active = self._count_by_archive(
            "training.enrollment", [("state", "=", "active")]
        )
        for archive in self:
            archive.enrollment_count = total.get(archive.id, 0)
            archive.active_enrollment_count = active.get(archive.id, 0)

    @api.depends("document_ids")
    def _compute_document_count(self):
        counts = self._count_by_archive("training.archive.document", [])
        for archive in self:
            archive.document_count = counts.get(archive.id, 0)

    @api.depends("deadline_ids.state")
    def _compute_overdue_deadline_count(self):
        counts = self._count_by_archive(
            "training.archive.deadline", [("state", "=", "overdue")]
        )
        for archive in self:
            archive.overdue_deadline_count = counts.get(archive.id, 0)

    @api.depends("enrollment_ids.course_id")
    def _compute_course_ids(self):
        for archive in self:
            archive.course_ids = archive.enrollment_ids.course_id

    def _search_course_ids(self, operator, value):
        return [("enrollment_ids.course_id", operator, value)]

    @api.depends("learning_record_ids.attendance")
    def _compute_attendance_rate(self):
        for archive in self:
            lessons = archive.learning_record_ids.filtered("attendance")
            attended = lessons.filtered(lambda r: r.attendance != "absent")
            archive.attendance_rate = (
                len(attended) / len(lessons) * 100 if lessons else 0.0
            )

    @api.constrains("birthdate")
    def _check_birthdate(self):
        today = fields.Date.context_today(self)
        for archive in self:
            if archive.birthdate and archive.birthdate > today:
                raise ValidationError(
                    self.env._("The birth date of %s is in the future.", archive.name)
                )

    @api.constrains(
        "sensitive_consent_date", "sensitive_consent_partner_id", "birthdate"
    )
    def _check_consent_giver(self):
        """The consent for a minor names who gave it (the guardian under 14, the
        student or the guardian above): the form's requirement, held on the server."""
        for archive in self:
            if (
                archive.sensitive_consent_date
                and archive.birthdate
                and not archive.sensitive_consent_partner_id
                and relativedelta(
                    archive.sensitive_consent_date, archive.birthdate
                ).years
                < (archive.company_id.training_age_of_majority or 18)
            ):
                raise ValidationError(
                    self.env._(
                        "%s was a minor at the consent: record who gave it.",
                        archive.name,
                    )
                )

    @api.constrains(
        "health_notes",
        "identity_number",
        "sensitive_consent_date",
        "sensitive_consent_partner_id",
        "birthdate",
    )
    def _check_sensitive_consent(self):
        """Health notes and identity numbers need a recorded separate consent; under
        14 it is the guardian's (PIPL art. 31). Data written by the superuser
        (imports, migrations) is trusted to come with its paper consent."""
        if self.env.su:
            return
        for archive in self.sudo():
            if not (archive.health_notes or archive.identity_number):
                continue
            if not archive.sensitive_consent_date:
                raise ValidationError(
                    self.env._(
                        "Health notes and identity numbers of %s can only be stored "
                        "with the recorded consent of the student (or of the guardian "
                        "under 14).",
                        archive.name,
                    )
                )
            under_14 = archive.birthdate and (
                relativedelta(archive.sensitive_consent_date, archive.birthdate).years
                < 14
            )
            giver = archive.sensitive_consent_partner_id
            if under_14 and (not giver or giver != archive.guardian_id):
                raise ValidationError(
                    self.env._(
                        "%s was under 14 at the consent: it must be given by the "
                        "guardian.",
                        archive.name,
                    )
                )
            if (
                not under_14
                and giver
                and giver not in (archive.partner_id | archive.guardian_id)
            ):
                raise ValidationError(
                    self.env._(
                        "The consent of %s must be given by the student or the "
                        "guardian.",
                        archive.name,
                    )
                )

    def _check_state(self, allowed, action):
        wrong = self.filtered(lambda a: a.state not in allowed)
        if wrong:
            raise UserError(
                self.env._(
                    "%(action)s is not possible for archive %(archives)s "
                    "in its current state.",
                    action=action,
                    archives=", ".join(wrong.mapped("archive_number")),
                )
            )

    def action_hand_over(self):
        """Enrolment staff hand the registration data to the archivist (ARC-05)."""
        self._check_state(("pending",), self.env._("Handing over"))
        self.filtered(lambda a: not a.handover_date).write(
            {"handover_date": fields.Datetime.now()}
        )
        self.env["training.archive.deadline"].sudo()._sync_archive_deadlines(self)

    def action_review(self):
        """Registration review (ARC-03): data true and complete, archive active."""
        self._check_state(("pending",), self.env._("The review"))
        missing = self.filtered(
            lambda a: (
                not a.partner_id.phone
                and not a.partner_id.mobile
                and not a.partner_id.email
            )
        )
        if missing:
            raise UserError(
                self.env._(
                    "Archive %s has no contact details (phone, mobile or e-mail): "
                    "complete the registration first.",
                    ", ".join(missing.mapped("archive_number")),
                )
            )
        minors = self.filtered(lambda a: a.is_minor and not a.guardian_id)
        if minors:
            raise UserError(
                self.env._(
                    "Archive %s belongs to a minor: a guardian is required.",
                    ", ".join(minors.mapped("archive_number")),
                )
            )
        now = fields.Datetime.now()
        for archive in self:
            archive.write(
                {
                    "state": "active",
                    "reviewed_by_id": self.env.user.id,
                    "review_date": now,
                    "handover_date": archive.handover_date or now,
                }
            )
        self.env["training.archive.deadline"].sudo()._sync_archive_deadlines(self)

    def _close(self, state):
        """Close archives whose enrolments all ended (completed, withdrawn,
        transferred)."""
        self._check_state(
            ("active", "pending"), dict(self._fields["state"].selection)[state]
        )
        self.write({"state": state, "closed_date": fields.Date.context_today(self)})

    def _update_state_from_enrollments(self):
        """An active archive with no running enrolment follows how its last enrolment
        ended.
        """
        for archive in self.filtered(lambda a: a.state in ("pending", "active")):
            enrollments = archive.enrollment_ids.filtered(lambda e: e.state != "cancel")
            if not enrollments or any(
                e.state in ("draft", "active") for e in enrollments
            ):
                continue
            # The enrolment that actually ended last, not the one planned to end last.
            last = enrollments.sorted(
                lambda e: (e.closed_date or e.end_date or e.start_date, e.id)
            )[-1]
            archive._close(last.state)

    def action_reopen(self):
        """A closed student enrols again: the archive becomes active again."""
        self._check_state(CLOSED_STATES, self.env._("Reopening"))
        self.write({"state": "active", "closed_date": False})

    def action_view_enrollments(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "training_student_archive.training_enrollment_action"
        )
        action["domain"] = [("archive_id", "=", self.id)]
        action["context"] = {"default_partner_id": self.partner_id.id}
        return action

    def action_view_documents(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "training_student_archive.training_archive_document_action"
        )
        action["domain"] = [("archive_id", "=", self.id)]
        action["context"] = {"default_archive_id": self.id}
        return action

    def action_view_deadlines(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "training_student_archive.training_archive_deadline_action"
        )
        action["domain"] = [("archive_id", "=", self.id)]
        action["context"] = {}
        return action

    # -- Sealing (ARC-17) --------------------------------------------------------------

    def _is_archive_keeper(self):
        """The archivist (and the roles that include it) and the superuser keep sealed
        archives; everybody else only reads them, with a grant (ARC-17)."""
        return self.env.su or self.env.user.has_group(ARCHIVIST_GROUP)

    def _check_not_sealed(self):
        """Refuse a change to a sealed or destroyed archive, or to what it holds, to
        anybody but the archivist (ARC-17)."""
        if self._is_archive_keeper():
            return
        locked = self.filtered(lambda a: a.state in ("sealed", "destroyed"))
        if locked:
            raise AccessError(
                self.env._(
                    "Archive %s is sealed: only the archivist may change it.",
                    ", ".join(locked.mapped("archive_number")),
                )
            )

    def write(self, vals):
        self._check_not_sealed()
        if "guardian_access_granted" in vals and not self._is_archive_keeper():
            # The student's decision (ARC-16): from the portal, or recorded by the
            # archivist from the student's written request.
            raise AccessError(
                self.env._(
                    "Only the student (from the portal) or the archivist may let the "
                    "guardian see the archive."
                )
            )
        return super().write(vals)

    def action_seal(self):
        """Seal the archive of a student who completed, withdrew or transferred
        (封存归档, ARC-17): from now on it is read-only for everybody but the
        archivist. The retention cases call it as superuser when a withdrawal or
        transfer closes."""
        if not self._is_archive_keeper():
            raise AccessError(self.env._("Only the archivist may seal an archive."))
        self._check_state(CLOSED_STATES, self.env._("Sealing"))
        self.write({"state": "sealed"})
        return True

    # -- Learning certificate (ARC-17) -------------------------------------------------

    def _get_certificate_lines(self):
        """One line per enrolment that started for the learning certificate (学习证明):
        course, period, attendance rate and results. Read as superuser once the caller
        proved it may read the archive: the certificate is issued to the student, who
        owns this data, and the roles printing it may not read grades themselves."""
        self.ensure_one()
        self.check_access("read")
        states = dict(
            self.env["training.enrollment"]
            ._fields["state"]
            ._description_selection(self.env)
        )
        records = (
            self.env["training.learning.record"]
            .sudo()
            .search([("archive_id", "=", self.id)])
        )
        lines = []
        for enrollment in (
            self.sudo()
            .enrollment_ids.filtered(lambda e: e.state not in ("draft", "cancel"))
            .sorted("start_date")
        ):
            entries = records.filtered(lambda r, e=enrollment: r.enrollment_id == e)
            lessons = entries.filtered("attendance")
            attended = lessons.filtered(lambda r: r.attendance != "absent")
            lines.append(
                {
                    "course": enrollment.course_id.display_name,
                    "stage": enrollment.stage_id.name or "",
                    "date_from": enrollment.start_date,
                    "date_to": enrollment.closed_date or enrollment.end_date,
                    "state": states.get(enrollment.state, ""),
                    "lessons": len(lessons),
                    "attendance_rate": (
                        len(attended) / len(lessons) * 100 if lessons else 0.0
                    ),
                    "results": [
                        {
                            "name": result.name or result.display_name,
                            "date": result.date,
                            "score": result.score,
                            "max_score": result.max_score,
                        }
                        for result in entries.filtered(
                            lambda r: (
                                r.record_type in ("test", "exam") and r.score_recorded
                            )
                        ).sorted("date")
                    ],
                }
            )
        return lines

    def _issue_learning_certificate(self):
        """Number the learning certificates printed for the first time (ARC-17,
        issue 15): the next number of their sequence and a secret token for the
        verification page, stored, so that every later print shows the same number
        and no number is ever given twice. As superuser once the caller proved it
        may read the archives: printing is not changing the archive, and sealed
        archives get their certificate too."""
        self.check_access("read")
        for archive in self.sudo().filtered(lambda a: not a.certificate_number):
            archive.write(
                {
                    "certificate_number": self.env["ir.sequence"]
                    .sudo()
                    .next_by_code("training.learning.certificate"),
                    "certificate_token": secrets.token_urlsafe(32),
                }
            )
        return self

    def _certificate_verification_path(self):
        """Path of the public page verifying the certificate: its number and
        token, never the number alone."""
        self.ensure_one()
        archive = self.sudo()
        if not (archive.certificate_number and archive.certificate_token):
            return False
        return "/training/certificate/{}?{}".format(
            quote_plus(archive.certificate_number),
            urlencode({"token": archive.certificate_token}),
        )

    def _certificate_verification_url(self):
        self.ensure_one()
        path = self._certificate_verification_path()
        return path and self.get_base_url() + path

    def _certificate_qr_src(self):
        """The QR code image of the verification address (Odoo's barcode route)."""
        self.ensure_one()
        url = self._certificate_verification_url()
        return url and "/report/barcode/?" + urlencode(
            {"barcode_type": "QR", "value": url, "width": 120, "height": 120}
        )

    @api.model
    def _certificate_by_token(self, number, token):
        """The archive whose certificate has ``number`` and ``token``, as
        superuser, or an empty recordset: a wrong token, an unknown number, a
        number alone or a destroyed archive are all the same answer."""
        if not (number and token and isinstance(token, str)):
            return self.browse()
        archive = (
            self.sudo()
            .with_context(active_test=False)
            .search([("certificate_number", "=", number)], limit=1)
        )
        if (
            not archive
            or archive.state == "destroyed"
            or not archive.certificate_token
            or not consteq(archive.certificate_token, token)
        ):
            return self.browse()
        return archive

    # -- Change requests (ARC-08) ------------------------------------------------------

    def action_new_change_request(self):
        """Open a new change request for this archive."""
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Change Request"),
            "res_model": "training.archive.change.request",
            "view_mode": "form",
            "views": [(False, "form")],
            "context": {"default_archive_id": self.id},
        }

    # -- Read log (ARC-11) -------------------------------------------------------------

    def _training_log_archives(self):
        return self

    def _training_log_report_parts(self):
        # The learning certificate shows registration data and learning results.
        return {"registration", "learning"}

    # -- Retention (ARC-13) ------------------------------------------------------------

    @api.model
    def _destruction_eligible_domain(self):
        return [
            ("state", "in", (*CLOSED_STATES, "sealed")),
            ("retention_end_date", "<=", fields.Date.context_today(self)),
        ]

    @api.model
    def _cron_list_destruction_eligible(self, batch_size=200):
        """List the archives whose retention period ended (ARC-13): mark them and give
        their archivist an activity. Idempotent: a listed archive is not listed again.

        One batch of ``batch_size`` archives per call, the rest reported to the cron
        runner, which commits and calls again (issue 7). The statements do not grow
        with the batch: one write, one create of the activities, without an assignment
        e-mail each (``mail_activity_quick_update``: they show in the archivist's
        activity menu)."""
        domain = [
            *self._destruction_eligible_domain(),
            ("destruction_listed_date", "=", False),
        ]
        archives = self.search(domain, limit=batch_size)
        remaining = self.search_count(domain) - len(archives)
        today = fields.Date.context_today(self)
        archives.write({"destruction_listed_date": today})
        activity_type = self.env.ref(
            "training_student_archive.mail_activity_type_archive_destruction"
        )
        self.env["mail.activity"].with_context(mail_activity_quick_update=True).create(
            [
                {
                    "res_model_id": self.env["ir.model"]._get_id(self._name),
                    "res_id": archive.id,
                    "activity_type_id": activity_type.id,
                    "user_id": (
                        archive.user_id or archive.company_id.training_archivist_id
                    ).id
                    or self.env.ref("base.user_admin").id,
                    "date_deadline": today,
                    "summary": self.env._("Retention period over: destroy the archive"),
                }
                for archive in archives
            ]
        )
        self.env["ir.cron"]._notify_progress(done=len(archives), remaining=remaining)

    # -- Quarterly audit (ARC-15) ------------------------------------------------------

    def _audit_issues(self):
        """What is missing or invalid in each archive (ARC-15), computed for the whole
        recordset with two grouped queries."""
        documents = {
            (archive.id, kind)
            for archive, kind in self.env["training.archive.document"]
            .sudo()
            ._read_group(
                [("archive_id", "in", self.ids)], ["archive_id", "document_type"]
            )
        }
        overdue = dict(
            self.env["training.archive.deadline"]
            .sudo()
            ._read_group(
                [("archive_id", "in", self.ids), ("state", "=", "overdue")],
                ["archive_id"],
                ["__count"],
            )
        )
        labels = dict(
            self.env["training.archive.document"]
            ._fields["document_type"]
            ._description_selection(self.env)
        )
        result = {}
        for archive in self.sudo():
            issues = []
            partner = archive.partner_id
            if not (partner.phone or partner.mobile or partner.email):
                issues.append(self.env._("No contact data"))
            if partner.email and not email_normalize(partner.email):
                issues.append(self.env._("Invalid e-mail: %s", partner.email))
            for phone in (partner.phone, partner.mobile):
                if phone and sum(c.isdigit() for c in phone) < 7:
                    issues.append(self.env._("Invalid phone number: %s", phone))
            if not archive.birthdate:
                issues.append(self.env._("No birth date"))
            if archive.is_minor and not archive.guardian_id:
                issues.append(self.env._("Minor without guardian"))
            if not archive.emergency_contact_id:
                issues.append(self.env._("No emergency contact"))
            for kind in REQUIRED_DOCUMENTS:
                if (archive.id, kind) not in documents:
                    issues.append(self.env._("Missing document: %s", labels[kind]))
            count = overdue.get(archive, 0)
            if count:
                issues.append(self.env._("%s overdue deadlines", count))
            result[archive.id] = issues
        return result

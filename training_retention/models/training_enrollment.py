from collections import defaultdict
from datetime import timedelta

from odoo import Command, api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL, format_date

# Fields the attrition rates count from (training.attrition.report.rate).
RATE_FIELDS = {
    "state",
    "confirm_date",
    "start_date",
    "closed_date",
    "course_id",
    "company_id",
    "partner_id",
    "source_id",
    "stage_id",
}
# Who reads every risk factor: complaints, ratings, surveys, overdue invoices and
# violations are other departments' business; teachers read the teaching factors
# (attendance, results) only (RET-10, ARC-11). Management includes both groups.
RISK_FACTOR_GROUPS = (
    "training_student_archive.training_student_archive_group_customer_service,"
    "training_student_archive.training_student_archive_group_finance"
)


class TrainingEnrollment(models.Model):
    _inherit = "training.enrollment"

    attrition_case_ids = fields.Many2many(
        "training.attrition.case",
        "training_attrition_case_enrollment_rel",
        "enrollment_id",
        "case_id",
        string="Attrition Cases",
        copy=False,
    )
    refund_policy_id = fields.Many2one(
        "training.refund.policy",
        readonly=True,
        copy=False,
        help="The refund policy in force when the student enrolled: it applies when "
        "the student leaves (RET-07).",
    )
    # At-risk score (RET-09, RET-10), written by _compute_risk_scores (nightly and
    # when attendance, results, violations or retention contacts change).
    risk_score = fields.Integer(readonly=True, copy=False, index=True, aggregator="avg")
    risk_factors = fields.Text(readonly=True, copy=False, groups=RISK_FACTOR_GROUPS)
    risk_factors_teaching = fields.Text(
        string="Teaching Risk Factors",
        readonly=True,
        copy=False,
        help="The factors of the score teaching records: attendance, absences in a "
        "row, test results.",
    )
    risk_date = fields.Date(string="Risk Computed On", readonly=True, copy=False)
    risk_contact_date = fields.Date(
        string="Last Retention Contact", readonly=True, copy=False
    )

    @api.model_create_multi
    def create(self, vals_list):
        enrollments = super().create(vals_list)
        self.env["training.attrition.report.rate"]._trigger_refresh()
        return enrollments

    def write(self, vals):
        if "refund_policy_id" in vals and not self.env.su:
            raise UserError(
                self.env._(
                    "The refund policy of an enrolment is the one in force when the "
                    "student enrolled: it is set on confirmation, never by hand."
                )
            )
        result = super().write(vals)
        if RATE_FIELDS & vals.keys():
            self.env["training.attrition.report.rate"]._trigger_refresh()
        return result

    def _personal_data_blank_values(self):
        # The risk score's explanations name complaints, invoices and results.
        return dict(
            super()._personal_data_blank_values(),
            risk_factors=False,
            risk_factors_teaching=False,
        )

    def action_confirm(self):
        result = super().action_confirm()
        Policy = self.env["training.refund.policy"].sudo()
        for enrollment in self.sudo().filtered(lambda e: not e.refund_policy_id):
            enrollment.refund_policy_id = Policy._get_policy(
                False, enrollment.company_id
            )
        return result

    def action_view_attrition_cases(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "training_retention.training_attrition_case_action"
        )
        action["domain"] = [("enrollment_ids", "in", self.ids)]
        action["context"] = {"default_partner_id": self.partner_id.id}
        return action

    def action_new_attrition_case(self):
        """With this module, a withdrawal or a transfer goes through an attrition case
        (verification, approvals, refund) instead of ending the enrolment at once."""
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": "training.attrition.case",
            "view_mode": "form",
            "views": [(False, "form")],
            "context": {
                "default_partner_id": self.partner_id.id,
                "default_enrollment_ids": [Command.set(self.ids)],
                "default_case_type": self.env.context.get("case_type", "withdrawal"),
            },
        }

    def _training_enrolled_on(self):
        """The day the student enrolled: confirmation, else creation."""
        self.ensure_one()
        moment = self.confirm_date or self.create_date or fields.Datetime.now()
        return min(fields.Date.to_date(moment), self.start_date or moment.date())

    def _risk_factors(self, lessons, tests, overdue, violations=0, contacted=None):
        """``[(points, explanation)]`` of one enrolment, from its last lessons
        (attendance values, newest first), its scored tests (percentages, newest
        first), its overdue invoices, the number of recent uncorrected violations
        of its student and the date of its last recent retention contact, which
        takes points off (RET-12)."""
        self.ensure_one()
        company = self.company_id
        factors = list(self._risk_teaching_factors(lessons, tests))
        if overdue:
            factors.append(
                (
                    company.training_risk_weight_overdue,
                    self.env._(
                        "Overdue invoices: %s", ", ".join(overdue.mapped("name"))
                    ),
                )
            )
        if violations:
            factors.append(
                (
                    company.training_risk_weight_violations,
                    self.env._(
                        "Uncorrected violations in the last %(days)s days: %(count)s",
                        count=violations,
                        days=company.training_risk_recent_days,
                    ),
                )
            )
        if contacted:
            factors.append(
                (
                    -company.training_risk_weight_contact,
                    self.env._("Contacted on %s", format_date(self.env, contacted)),
                )
            )
        return [(points, text) for points, text in factors if points]

    def _risk_teaching_factors(self, lessons, tests):
        """The factors teaching records, which teachers read
        (``risk_factors_teaching``): attendance over the last lessons, absences in
        a row, falling test results."""
        self.ensure_one()
        company = self.company_id
        factors = []
        window = lessons[: max(company.training_risk_lesson_window, 0)]
        if window:
            attended = sum(a in ("present", "late", "early_leave") for a in window)
            rate = attended * 100.0 / len(window)
            if rate < company.training_risk_attendance_min:
                factors.append(
                    (
                        company.training_risk_weight_attendance,
                        self.env._(
                            "Attendance %(rate)s %% in the last %(count)s lessons "
                            "(below %(min)s %%)",
                            rate=round(rate, 1),
                            count=len(window),
                            min=company.training_risk_attendance_min,
                        ),
                    )
                )
        limit = company.training_risk_absences
        in_a_row = 0
        for attendance in lessons:
            if attendance != "absent":
                break
            in_a_row += 1
        if limit and in_a_row >= limit:
            factors.append(
                (
                    company.training_risk_weight_absences,
                    self.env._("%s absences in a row", in_a_row),
                )
            )
        if len(tests) >= 2 and tests[0] < tests[1]:
            factors.append(
                (
                    company.training_risk_weight_results,
                    self.env._(
                        "Test results falling: %(previous)s %% then %(last)s %%",
                        previous=round(tests[1], 1),
                        last=round(tests[0], 1),
                    ),
                )
            )
        return [(points, text) for points, text in factors if points]

    def _risk_recent_violations(self):
        """``{archive id: count}`` of the uncorrected violations of the students
        within each company's recent period (RET-05 records, RET-10)."""
        counts = defaultdict(int)
        for company, enrollments in self.grouped("company_id").items():
            since = fields.Date.context_today(self) - timedelta(
                days=company.training_risk_recent_days
            )
            groups = self.env["training.violation"]._read_group(
                [
                    ("archive_id", "in", enrollments.archive_id.ids),
                    ("state", "=", "open"),
                    ("violation_datetime", ">=", since),
                ],
                ["archive_id"],
                ["__count"],
            )
            counts.update({archive.id: count for archive, count in groups})
        return counts

    def _risk_last_contacts(self):
        """``{enrolment id: date}`` of the last retention contact within each
        company's recent period: the "Contacted" wizard's date, or the
        retention-contact activity marked done (its message on the enrolment)."""
        activity_type = self.env.ref(
            "training_retention.mail_activity_type_retention_contact"
        )
        messages = self.env["mail.message"].search_fetch(
            [
                ("model", "=", self._name),
                ("res_id", "in", self.ids),
                ("mail_activity_type_id", "=", activity_type.id),
            ],
            ["res_id", "date"],
        )
        contacts = {e.id: e.risk_contact_date for e in self if e.risk_contact_date}
        for message in messages:
            day = fields.Date.context_today(self, message.date)
            contacts[message.res_id] = max(contacts.get(message.res_id, day), day)
        today = fields.Date.context_today(self)
        return {
            enrollment.id: contacts[enrollment.id]
            for enrollment in self
            if enrollment.id in contacts
            and (today - contacts[enrollment.id]).days
            <= enrollment.company_id.training_risk_recent_days
        }

    def _risk_batch_data(self):
        """What the factors of these enrolments need, read for the whole batch in
        a constant number of queries, whatever its size:

        * ``lessons``, ``tests``: ``{enrolment id: [attendance or percentage]}``,
          newest first;
        * ``invoices``: ``{enrolment id: its overdue invoices}``;
        * ``violations``: ``{archive id: count}`` (see _risk_recent_violations);
        * ``contacts``: ``{enrolment id: date}`` (see _risk_last_contacts).

        Modules adding factors add their own keys here and turn them into factors
        in :meth:`_risk_extra_factors`."""
        records = self.env["training.learning.record"].search_fetch(
            [
                ("enrollment_id", "in", self.ids),
                "|",
                "&",
                ("record_type", "=", "lesson"),
                ("attendance", "!=", False),
                "&",
                ("record_type", "in", ("test", "exam")),
                ("score_recorded", "=", True),
            ],
            ["enrollment_id", "record_type", "attendance", "score_percent"],
            order="date desc, id desc",
        )
        lessons, tests = defaultdict(list), defaultdict(list)
        for record in records:
            if record.record_type == "lesson":
                lessons[record.enrollment_id.id].append(record.attendance)
            else:
                tests[record.enrollment_id.id].append(record.score_percent)
        invoices = self.env["account.move"].search_fetch(
            [
                ("training_enrollment_ids", "in", self.ids),
                ("move_type", "=", "out_invoice"),
                ("state", "=", "posted"),
                ("payment_state", "in", ("not_paid", "partial")),
                ("invoice_date_due", "<", fields.Date.context_today(self)),
            ],
            ["name", "training_enrollment_ids"],
        )
        overdue = defaultdict(lambda: self.env["account.move"])
        for invoice in invoices:
            for enrollment_id in invoice.training_enrollment_ids.ids:
                overdue[enrollment_id] |= invoice
        return {
            "lessons": lessons,
            "tests": tests,
            "invoices": overdue,
            "violations": self._risk_recent_violations(),
            "contacts": self._risk_last_contacts(),
        }

    def _risk_extra_factors(self, data):
        """Hook for modules that add factors: ``[(points, explanation)]`` of this
        enrolment from the batch ``data`` of :meth:`_risk_batch_data`. None here."""
        self.ensure_one()
        return []

    def _compute_risk_scores(self):
        """Score each enrolment from what the departments record (RET-10):
        attendance and absences (teaching), test results, overdue invoices
        (finance), recent violations (discipline) and retention contacts
        (customer service, RET-12), plus the factors other modules add. Reads
        everything in a few queries for the whole batch.

        The explanations are stored in the institution's language (its company's):
        the same whoever triggered the computation (the nightly job, a teacher's
        roll in English), as its staff read them."""
        for company, enrollments in self.grouped("company_id").items():
            lang = company.partner_id.lang or self.env.lang
            enrollments.with_context(lang=lang)._compute_company_risk_scores()

    def _compute_company_risk_scores(self):
        today = fields.Date.context_today(self)
        data = self._risk_batch_data()
        for enrollment in self:
            teaching = enrollment._risk_teaching_factors(
                data["lessons"][enrollment.id], data["tests"][enrollment.id]
            )
            factors = enrollment._risk_factors(
                data["lessons"][enrollment.id],
                data["tests"][enrollment.id],
                data["invoices"][enrollment.id],
                violations=data["violations"][enrollment.archive_id.id],
                contacted=data["contacts"].get(enrollment.id),
            ) + [f for f in enrollment._risk_extra_factors(data) if f[0]]
            # What takes points off (a retention contact) is explained last.
            factors.sort(key=lambda factor: factor[0] < 0)
            score = sum(points for points, __ in factors)
            enrollment.write(
                {
                    "risk_score": max(min(score, 100), 0),
                    "risk_factors": "\n".join(
                        f"{points:+}: {text}" for points, text in factors
                    ),
                    "risk_factors_teaching": "\n".join(
                        f"{points:+}: {text}" for points, text in teaching
                    ),
                    "risk_date": today,
                }
            )

    def _recompute_risk(self):
        """Recompute at once the score of those of these enrolments that are
        active, after a change of what feeds it. The score is system data: it is
        written whoever recorded the change (a teacher has no right on the
        enrolment)."""
        active = self.sudo().filtered(lambda e: e.state == "active")
        if active:
            active._compute_risk_scores()

    def _message_post_after_hook(self, message, msg_vals):
        # A retention-contact activity marked done counts as a contact (RET-12).
        result = super()._message_post_after_hook(message, msg_vals)
        if message.mail_activity_type_id == self.env.ref(
            "training_retention.mail_activity_type_retention_contact",
            raise_if_not_found=False,
        ):
            self._recompute_risk()
        return result

    @api.model
    def _risk_stale_domain(self):
        """Active enrolments not scored today, and ended ones still scored."""
        today = fields.Date.context_today(self)
        return [
            "|",
            "&",
            ("state", "=", "active"),
            "|",
            ("risk_date", "=", False),
            ("risk_date", "<", today),
            "&",
            ("state", "!=", "active"),
            ("risk_score", ">", 0),
        ]

    @api.model
    def _cron_compute_risk(self, batch_size=500):
        """Nightly: score the active enrolments not scored today, one batch per
        call; ended enrolments are no longer at risk. The cron runner commits each
        batch and calls again while some remain: an interruption loses no finished
        batch and the next run resumes. A change of the weights makes every score
        stale (see ``res.company.write``)."""
        batch = self.search(self._risk_stale_domain(), order="id", limit=batch_size)
        ended = batch.filtered(lambda e: e.state != "active")
        ended.write(
            {"risk_score": 0, "risk_factors": False, "risk_factors_teaching": False}
        )
        (batch - ended)._compute_risk_scores()
        self.env["ir.cron"]._notify_progress(
            done=len(batch), remaining=self.search_count(self._risk_stale_domain())
        )
        return True

    def action_risk_contacted(self):
        """Customer service called the student: the outcome is logged on the
        archive (RET-12)."""
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Retention Contact"),
            "res_model": "training.enrollment.risk.contact",
            "view_mode": "form",
            "target": "new",
            "context": {"default_enrollment_id": self.id},
        }

    @api.model
    def _absent_in_a_row(self):
        """Active enrolments whose last N lessons with attendance were all missed
        (N: their company's setting) and with no open retention contact; one query
        over the lessons whatever their number."""
        activity_type = self.env.ref(
            "training_retention.mail_activity_type_retention_contact"
        )
        self.env.flush_all()
        rows = self.env.execute_query(
            SQL(
                """
                SELECT e.id
                  FROM training_enrollment e
                  JOIN res_company c ON c.id = e.company_id
                  JOIN LATERAL (
                      SELECT r.attendance
                        FROM training_learning_record r
                       WHERE r.enrollment_id = e.id AND r.record_type = 'lesson'
                         AND r.attendance IS NOT NULL
                       ORDER BY r.date DESC, r.id DESC
                       LIMIT c.training_risk_absences
                  ) last ON TRUE
                 WHERE e.state = 'active' AND c.training_risk_absences > 0
                   AND NOT EXISTS (
                       SELECT 1 FROM mail_activity a
                        WHERE a.res_model = %(model)s AND a.res_id = e.id
                          AND a.activity_type_id = %(type)s
                   )
                 GROUP BY e.id, c.training_risk_absences
                HAVING COUNT(*) = c.training_risk_absences
                   AND BOOL_AND(last.attendance = 'absent')
                 ORDER BY e.id
                """,
                model=self._name,
                type=activity_type.id,
            )
        )
        return self.browse(row[0] for row in rows)

    @api.model
    def _cron_flag_at_risk(self, batch_size=500):
        """RET-12: students who missed their last lessons in a row tend to leave:
        plan a retention contact for customer service, once while it is open; the
        outcome is logged when the activity is marked done. One batch per call (the
        cron runner calls again while some are left); the contacts are created at
        once, without an assignment e-mail each (they show in the activity menu)."""
        activity_type = self.env.ref(
            "training_retention.mail_activity_type_retention_contact"
        )
        candidates = self._absent_in_a_row()
        flagged = candidates[:batch_size]
        model_id = self.env["ir.model"]._get_id(self._name)
        self.env["mail.activity"].with_context(mail_activity_quick_update=True).create(
            [
                {
                    "res_model_id": model_id,
                    "res_id": enrollment.id,
                    "activity_type_id": activity_type.id,
                    "automated": True,
                    "summary": activity_type.summary,
                    "date_deadline": activity_type._get_date_deadline(),
                    "user_id": (
                        enrollment.company_id.training_retention_user_id
                        or enrollment.user_id
                        or self.env.user
                    ).id,
                    "note": self.env._(
                        "%(student)s missed the last %(count)s lessons of "
                        "%(course)s: call to understand why and record what was "
                        "agreed.",
                        student=enrollment.partner_id.name,
                        count=enrollment.company_id.training_risk_absences,
                        course=enrollment.course_id.display_name,
                    ),
                }
                for enrollment in flagged
            ]
        )
        self.env["ir.cron"]._notify_progress(
            done=len(flagged), remaining=len(candidates) - len(flagged)
        )
        return flagged

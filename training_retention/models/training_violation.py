from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools.translate import LazyTranslate

_lt = LazyTranslate(__name__)


class TrainingViolation(models.Model):
    """A breach of the rules by a student (RET-05), on the student's archive: when,
    where, what conduct, reported by whom. Teaching staff record it, hold the
    education talk and inform the guardian; when a student piles up uncorrected
    violations (company setting), a disciplinary case is proposed to management.
    """

    _name = "training.violation"
    _description = "Student Violation"
    _inherit = ["mail.thread", "mail.activity.mixin", "training.personal.data"]
    _order = "violation_datetime desc, id desc"
    _personal_data_purpose = _lt(
        "Violations of the rules and the education talks (RET-05)"
    )
    _personal_data_retention = _lt("Destroyed with the archive")
    _check_company_auto = True

    archive_id = fields.Many2one(
        "training.student.archive",
        required=True,
        index=True,
        ondelete="restrict",
        check_company=True,
    )
    partner_id = fields.Many2one(
        related="archive_id.partner_id", store=True, string="Student", index=True
    )
    company_id = fields.Many2one(
        related="archive_id.company_id", store=True, index=True, precompute=True
    )
    violation_datetime = fields.Datetime(
        string="Time", required=True, default=fields.Datetime.now, tracking=True
    )
    place = fields.Char(required=True, tracking=True)
    conduct = fields.Text(required=True)
    reporter_id = fields.Many2one(
        "res.users",
        string="Reported By",
        required=True,
        default=lambda self: self.env.user,
        domain="[('share', '=', False)]",
    )
    talk_date = fields.Datetime(string="Education Talk", readonly=True, copy=False)
    talk_notes = fields.Text()
    guardian_informed_date = fields.Datetime(readonly=True, copy=False)
    state = fields.Selection(
        [("open", "Not Corrected"), ("corrected", "Corrected")],
        default="open",
        required=True,
        tracking=True,
        index=True,
    )
    case_ids = fields.Many2many(
        "training.attrition.case",
        "training_attrition_case_violation_rel",
        "violation_id",
        "case_id",
        string="Cases",
        readonly=True,
    )

    @api.depends("partner_id", "violation_datetime")
    def _compute_display_name(self):
        for violation in self:
            violation.display_name = self.env._(
                "%(student)s, %(date)s",
                student=violation.partner_id.name or "",
                date=fields.Datetime.to_string(violation.violation_datetime) or "",
            )

    @api.model_create_multi
    def create(self, vals_list):
        violations = super().create(vals_list)
        violations._propose_cases()
        violations.sudo().archive_id.enrollment_ids._recompute_risk()
        return violations

    def write(self, vals):
        """A violation corrected, reopened or moved changes the risk score of the
        student's enrolments (RET-09)."""
        archives = self.sudo().archive_id
        result = super().write(vals)
        if {"state", "violation_datetime", "archive_id"}.intersection(vals):
            (archives | self.sudo().archive_id).enrollment_ids._recompute_risk()
        return result

    def action_log_talk(self):
        """The education talk took place; its notes go to the chatter."""
        for violation in self:
            if not violation.talk_notes:
                raise UserError(
                    self.env._("Write down what was said in the talk first.")
                )
            violation.talk_date = fields.Datetime.now()
            violation.message_post(
                body=self.env._("Education talk held: %s", violation.talk_notes),
                subtype_xmlid="mail.mt_note",
            )
        return True

    def action_inform_guardian(self):
        """E-mail the guardian while they have access to the archive (a minor, or an
        adult who let them, ARC-16), else the student."""
        template = self.env.ref("training_retention.mail_template_violation_guardian")
        for violation in self:
            archive = violation.archive_id.sudo()
            recipient = archive._guardian_recipient()
            if not recipient.email:
                raise UserError(
                    self.env._(
                        "%s has no e-mail address: inform them by phone and log it.",
                        recipient.name,
                    )
                )
            violation.message_post_with_source(
                template,
                subtype_xmlid="mail.mt_comment",
                partner_ids=recipient.ids,
            )
            violation.guardian_informed_date = fields.Datetime.now()
        return True

    def action_mark_corrected(self):
        self.write({"state": "corrected"})
        return True

    def action_reopen(self):
        self.write({"state": "open"})
        self._propose_cases()
        return True

    def _propose_cases(self):
        """RET-05: once a student has the company's number of uncorrected
        violations, a disciplinary case is proposed (one open case at a time)."""
        Case = self.env["training.attrition.case"].sudo()
        for archive in self.archive_id:
            threshold = archive.company_id.training_violation_threshold
            open_violations = self.sudo().search(
                [("archive_id", "=", archive.id), ("state", "=", "open")]
            )
            if not threshold or len(open_violations) < threshold:
                continue
            if Case.search_count(
                [
                    ("partner_id", "=", archive.partner_id.id),
                    ("company_id", "=", archive.company_id.id),
                    ("case_type", "=", "disciplinary"),
                    ("state", "in", ("draft", "to_approve")),
                ]
            ):
                continue
            case = Case._create_system(
                {
                    "case_type": "disciplinary",
                    "partner_id": archive.partner_id.id,
                    "company_id": archive.company_id.id,
                    "origin": "system",
                    "user_id": self.env.user.id,
                    "violation_ids": [(6, 0, open_violations.ids)],
                    "enrollment_ids": [
                        (
                            6,
                            0,
                            archive.enrollment_ids.filtered(
                                lambda e: e.state == "active"
                            ).ids,
                        )
                    ],
                    "description": self.env._(
                        "%s uncorrected violations: withdrawal proposed.",
                        len(open_violations),
                    ),
                }
            )
            case.message_post(
                body=self.env._(
                    "Proposed automatically after %(count)s uncorrected violations "
                    "(threshold %(threshold)s).",
                    count=len(open_violations),
                    threshold=threshold,
                ),
                subtype_xmlid="mail.mt_note",
            )

from odoo import api, fields, models


class TrainingArchiveAudit(models.Model):
    """The quarterly audit of the archives' accuracy and completeness (ARC-15).

    A scheduled action creates one per company and quarter: every active archive is
    checked for its required data, documents, deadlines and contact data; the
    incomplete ones are listed, and each responsible archivist gets one activity to
    correct or remove what is wrong. Read by the archivist and management.
    """

    _name = "training.archive.audit"
    _description = "Archive Audit"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "date desc, id desc"
    _check_company_auto = True

    name = fields.Char(required=True, readonly=True)
    date = fields.Date(required=True, readonly=True, default=fields.Date.context_today)
    quarter = fields.Char(required=True, readonly=True, index=True)
    company_id = fields.Many2one(
        "res.company",
        required=True,
        readonly=True,
        default=lambda self: self.env.company,
    )
    archive_count = fields.Integer(string="Archives Audited", readonly=True)
    line_ids = fields.One2many(
        "training.archive.audit.line", "audit_id", string="Incomplete Archives"
    )
    incomplete_count = fields.Integer(compute="_compute_incomplete_count", store=True)
    completeness_rate = fields.Float(
        compute="_compute_incomplete_count", store=True, aggregator="avg"
    )

    _sql_constraints = [
        (
            "quarter_company_uniq",
            "unique(quarter, company_id)",
            "There is one archive audit per quarter.",
        ),
    ]

    @api.depends("line_ids", "archive_count")
    def _compute_incomplete_count(self):
        for audit in self:
            audit.incomplete_count = len(audit.line_ids)
            audit.completeness_rate = (
                (audit.archive_count - audit.incomplete_count)
                / audit.archive_count
                * 100
                if audit.archive_count
                else 100.0
            )

    @api.model
    def _quarter_of(self, day):
        return f"{day.year}-Q{(day.month - 1) // 3 + 1}"

    @api.model
    def _cron_quarterly_audit(self):
        """Audit every company once per quarter (ARC-15). Idempotent: a quarter
        already audited is skipped.

        One company per call, the others reported to the cron runner, which commits
        and calls again (issue 7): an interruption loses no finished audit. A
        company's audit costs the same statements whatever its number of archives
        (grouped queries, lines created at once, one activity per archivist)."""
        today = fields.Date.context_today(self)
        quarter = self._quarter_of(today)
        done = self.search([("quarter", "=", quarter)]).company_id
        companies = self.env["res.company"].search(
            [("id", "not in", done.ids)], order="id"
        )
        if companies:
            company = companies[0]
            self.with_company(company)._audit_company(company, today, quarter)
        self.env["ir.cron"]._notify_progress(
            done=len(companies[:1]), remaining=len(companies[1:])
        )

    def _audit_company(self, company, today, quarter):
        archives = self.env["training.student.archive"].search(
            [("company_id", "=", company.id), ("state", "=", "active")]
        )
        issues = archives._audit_issues()
        audit = self.create(
            {
                "name": self.env._("Archive audit %s", quarter),
                "date": today,
                "quarter": quarter,
                "company_id": company.id,
                "archive_count": len(archives),
                "line_ids": [
                    fields.Command.create(
                        {
                            "archive_id": archive.id,
                            "user_id": (
                                archive.user_id or company.training_archivist_id
                            ).id,
                            "issues": "\n".join(issues[archive.id]),
                        }
                    )
                    for archive in archives
                    if issues[archive.id]
                ],
            }
        )
        activity_type = self.env.ref(
            "training_student_archive.mail_activity_type_archive_audit"
        )
        for user in audit.line_ids.user_id:
            count = len(audit.line_ids.filtered(lambda line, u=user: line.user_id == u))
            audit.activity_schedule(
                activity_type_id=activity_type.id,
                user_id=user.id,
                summary=self.env._("Correct %s incomplete archives", count),
            )
        return audit

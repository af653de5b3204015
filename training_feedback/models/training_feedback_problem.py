from datetime import timedelta

from odoo import api, fields, models
from odoo.tools import float_compare

CRON_BATCH = 500


class TrainingFeedbackProblem(models.Model):
    """A course or a teacher whose feedback crosses the company's thresholds (FB-07).

    The scheduled problem detection looks at the tickets of the last
    ``training_feedback_problem_days`` days; a subject with at least the minimum number
    of tickets whose complaint share is at or above the threshold, or whose average
    rating is at or under the threshold, is flagged here and the service manager gets
    an activity. One open problem per subject: detecting it again only refreshes the
    figures, so the detection can run any number of times.
    """

    _name = "training.feedback.problem"
    _description = "Feedback Problem"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "detected_date desc, id desc"
    _check_company_auto = True

    name = fields.Char(compute="_compute_name", store=True)
    company_id = fields.Many2one("res.company", required=True, index=True)
    subject = fields.Selection(
        [("course", "Course"), ("teacher", "Teacher")], required=True, readonly=True
    )
    course_id = fields.Many2one("training.course", readonly=True, index=True)
    teacher_id = fields.Many2one("res.users", readonly=True, index=True)
    detected_date = fields.Datetime(readonly=True, required=True)
    feedback_count = fields.Integer(string="Tickets", readonly=True)
    negative_share = fields.Float(
        string="Complaint Share (%)", readonly=True, aggregator="avg"
    )
    rating = fields.Float(string="Average Rating", readonly=True, aggregator="avg")
    reason = fields.Char(readonly=True)
    state = fields.Selection(
        [("open", "Open"), ("done", "Handled")],
        default="open",
        required=True,
        tracking=True,
    )
    note = fields.Html(string="Improvement")

    @api.depends("subject", "course_id", "teacher_id")
    def _compute_name(self):
        for problem in self:
            problem.name = (
                problem.course_id.display_name
                if problem.subject == "course"
                else problem.teacher_id.name
            )

    def action_done(self):
        self.write({"state": "done"})
        self.activity_feedback(["training_feedback.mail_activity_type_problem"])

    @api.model
    def _cron_detect(self):
        """Flag courses and teachers crossing the thresholds (FB-07), per company.

        Issue 7: the detection reads grouped figures (six grouped queries per
        company, whatever the number of tickets) and writes at most one problem per
        course and teacher, so one call is one bounded batch. The new problems and
        their activities are created at once, the activities without an assignment
        e-mail each (``mail_activity_quick_update``: they show in the manager's
        activity menu), so the statements do not grow with the problems flagged."""
        companies = [
            company
            for [company] in self.env["training.feedback"]
            .sudo()
            ._read_group([("state", "!=", "invalid")], ["company_id"])
        ]
        flagged = self.browse()
        for company in companies:
            flagged |= self._detect(company)
        self.env["ir.cron"]._notify_progress(done=len(flagged), remaining=0)

    @api.model
    def _detect(self, company):
        now = fields.Datetime.now()
        since = now - timedelta(days=company.training_feedback_problem_days)
        Feedback = self.env["training.feedback"].sudo()
        domain = [
            ("company_id", "=", company.id),
            ("state", "!=", "invalid"),
            ("received_date", ">=", since),
            ("received_date", "<=", now),
        ]
        open_problems = self.search(
            [("company_id", "=", company.id), ("state", "=", "open")]
        )
        new_vals = []
        for subject, fname in (("course", "course_id"), ("teacher", "teacher_id")):
            counts = Feedback._read_group(
                domain + [(fname, "!=", False)], [fname], ["__count"]
            )
            complaints = dict(
                Feedback._read_group(
                    domain + [(fname, "!=", False), ("kind", "=", "complaint")],
                    [fname],
                    ["__count"],
                )
            )
            ratings = dict(
                Feedback._read_group(
                    domain + [(fname, "!=", False), ("rating_score", ">", 0)],
                    [fname],
                    ["rating_score:avg"],
                )
            )
            existing_of = {
                problem[fname]: problem
                for problem in open_problems
                if problem.subject == subject
            }
            for record, count in counts:
                if count < company.training_feedback_problem_min:
                    continue
                share = 100.0 * complaints.get(record, 0) / count
                rating = ratings.get(record) or 0.0
                reasons = []
                if (
                    float_compare(share, company.training_feedback_problem_share, 2)
                    >= 0
                ):
                    reasons.append(
                        self.env._("%(share)s%% complaints", share=round(share))
                    )
                if rating and (
                    float_compare(rating, company.training_feedback_problem_rating, 2)
                    <= 0
                ):
                    reasons.append(
                        self.env._("average rating %(rating)s", rating=round(rating, 1))
                    )
                if not reasons:
                    continue
                vals = {
                    "feedback_count": count,
                    "negative_share": share,
                    "rating": rating,
                    "reason": ", ".join(reasons),
                }
                existing = existing_of.get(record)
                if existing:
                    existing.write(vals)
                    continue
                new_vals.append(
                    dict(
                        vals,
                        company_id=company.id,
                        subject=subject,
                        detected_date=now,
                        **{fname: record.id},
                    )
                )
        problems = self.create(new_vals)
        manager = company.training_feedback_manager_id
        if manager:
            activity_type = self.env.ref("training_feedback.mail_activity_type_problem")
            model_id = self.env["ir.model"]._get_id(self._name)
            self.env["mail.activity"].with_context(
                mail_activity_quick_update=True
            ).create(
                [
                    {
                        "res_model_id": model_id,
                        "res_id": problem.id,
                        "activity_type_id": activity_type.id,
                        "automated": True,
                        "summary": self.env._(
                            "Feedback problem: %(name)s", name=problem.name
                        ),
                        "note": problem.reason,
                        "user_id": manager.id,
                        "date_deadline": fields.Date.context_today(self),
                    }
                    for problem in problems
                ]
            )
        return problems

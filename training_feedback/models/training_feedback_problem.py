from collections import defaultdict
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
    figures, so the detection can run any number of times. A handled problem comes
    back only when the tickets received after its handling cross the thresholds again.
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
    rating = fields.Float(
        string="Rating of the Handling",
        readonly=True,
        aggregator="avg",
        help="Average of the students' ratings of the handling of the tickets.",
    )
    teacher_rating = fields.Float(
        string="Rating of the Teacher",
        readonly=True,
        aggregator="avg",
        help="Average of the teacher's own ratings (1-5): the teacher-rating "
        "questions of the end-of-term questionnaires and the ratings of the teacher "
        "recorded on tickets. A teacher is judged on it, not on the handling.",
    )
    teacher_rating_count = fields.Integer(string="Teacher Ratings", readonly=True)
    reason = fields.Char(readonly=True)
    state = fields.Selection(
        [("open", "Open"), ("done", "Handled")],
        default="open",
        required=True,
        tracking=True,
    )
    note = fields.Html(string="Improvement")
    done_date = fields.Datetime(
        string="Handled On",
        readonly=True,
        copy=False,
        help="From this date on the subject is judged again on new tickets only.",
    )

    @api.depends("subject", "course_id", "teacher_id")
    def _compute_name(self):
        for problem in self:
            problem.name = (
                problem.course_id.display_name
                if problem.subject == "course"
                else problem.teacher_id.name
            )

    def action_done(self):
        self.write({"state": "done", "done_date": fields.Datetime.now()})
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
    def _detect_figures(self, company, since, now, handled):
        """``{(subject, course or teacher): figures}`` of the tickets received in
        ``[since, now]`` and of the teacher ratings given then; a subject handled at a
        later date than ``since`` (``handled``) only counts what came after. The
        tickets are read in one statement whatever their number."""
        tickets = (
            self.env["training.feedback"]
            .sudo()
            .search_fetch(
                [
                    ("company_id", "=", company.id),
                    ("state", "!=", "invalid"),
                    ("received_date", ">=", since),
                    ("received_date", "<=", now),
                ],
                ["course_id", "teacher_id", "kind", "rating_score", "teacher_rating"]
                + ["received_date"],
            )
        )
        figures = defaultdict(
            lambda: {"count": 0, "complaints": 0, "ratings": [], "teacher": []}
        )

        def counts(key, when):
            return key[1] and (key not in handled or when > handled[key])

        for ticket in tickets:
            for key in (("course", ticket.course_id), ("teacher", ticket.teacher_id)):
                if not counts(key, ticket.received_date):
                    continue
                figure = figures[key]
                figure["count"] += 1
                figure["complaints"] += ticket.kind == "complaint"
                if ticket.rating_score > 0:
                    figure["ratings"].append(ticket.rating_score)
                if key[0] == "teacher" and ticket.teacher_rating > 0:
                    figure["teacher"].append(ticket.teacher_rating)
        Line = self.env["survey.user_input.line"]
        for teacher, when, score in Line._training_teacher_ratings(company, since, now):
            if counts(("teacher", teacher), when):
                figures[("teacher", teacher)]["teacher"].append(score)
        return figures

    @api.model
    def _judge(self, company, subject, figure):
        """The values of the problem ``figure`` makes, or None under the thresholds.

        The complaint share is judged with the minimum number of tickets; a teacher's
        rating is their own one, with the minimum number of ratings; a course's is the
        rating of the handling of its tickets (at least one rated)."""
        minimum = company.training_feedback_problem_min
        count = figure["count"]
        share = 100.0 * figure["complaints"] / count if count else 0.0
        ratings, teacher_scores = figure["ratings"], figure["teacher"]
        rating = sum(ratings) / len(ratings) if ratings else 0.0
        teacher_rating = (
            sum(teacher_scores) / len(teacher_scores) if teacher_scores else 0.0
        )
        if subject == "teacher":
            average, sample = teacher_rating, len(teacher_scores)
        else:
            average, sample = rating, ratings and count
        reasons = []
        if count >= minimum and (
            float_compare(share, company.training_feedback_problem_share, 2) >= 0
        ):
            reasons.append(self.env._("%(share)s%% complaints", share=round(share)))
        if (
            sample
            and sample >= minimum
            and (
                float_compare(average, company.training_feedback_problem_rating, 2) <= 0
            )
        ):
            reasons.append(
                self.env._("average rating %(rating)s", rating=round(average, 1))
            )
        if not reasons:
            return None
        return {
            "feedback_count": count,
            "negative_share": share,
            "rating": rating,
            "teacher_rating": teacher_rating,
            "teacher_rating_count": len(teacher_scores),
            "reason": ", ".join(reasons),
        }

    @api.model
    def _detect(self, company):
        """Flag the courses and teachers of ``company`` crossing the thresholds.

        Issue 14: a ticket counts for the teacher it is about (its ``teacher_id``),
        never for the course's other teachers; a teacher is judged on their own rating
        (the teacher-rating questions of the end-of-term questionnaires and the
        ratings of the teacher recorded on tickets), not on the rating of the
        handling; and once a problem is handled its subject is judged again only on
        what came after the handling date, so the old tickets do not bring it back.
        """
        now = fields.Datetime.now()
        since = now - timedelta(days=company.training_feedback_problem_days)
        open_problems, handled = {}, {}
        for problem in self.search([("company_id", "=", company.id)]):
            key = (problem.subject, problem.course_id or problem.teacher_id)
            if problem.state == "open":
                open_problems[key] = problem
            elif problem.done_date and problem.done_date > handled.get(key, since):
                handled[key] = problem.done_date
        new_vals = []
        figures = self._detect_figures(company, since, now, handled)
        for (subject, record), figure in figures.items():
            vals = self._judge(company, subject, figure)
            if not vals:
                continue
            existing = open_problems.get((subject, record))
            if existing:
                existing.write(vals)
                continue
            fname = "course_id" if subject == "course" else "teacher_id"
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

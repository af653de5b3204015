from datetime import date, datetime, time

from dateutil.relativedelta import relativedelta
from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import ValidationError

RATING_LOW = 2  # ratings at or under it count as dissatisfied in the figures


class TrainingFeedbackReview(models.Model):
    """The figures of a period of feedback, for the process review and the year-end
    report (FB-07, FB-08).

    Every six months the scheduled action creates the review of the half-year just
    ended and gives the service manager an activity with its figures (FB-08); on 1
    January it also creates the year's review, printed as the year-end report in PDF
    and xlsx (FB-07): satisfaction change against the previous period, main problems
    and the effect of the improvements. Management may create a review of any period.
    """

    _name = "training.feedback.review"
    _description = "Feedback Review"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "date_from desc, id desc"
    _check_company_auto = True

    name = fields.Char(compute="_compute_name", store=True)
    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda self: self.env.company
    )
    kind = fields.Selection(
        [("half", "Half-Year Process Review"), ("year", "Year-End Report")],
        required=True,
        default="year",
    )
    date_from = fields.Date(required=True)
    date_to = fields.Date(required=True)
    conclusions = fields.Html(
        help="Opinions gathered from students, teachers and the service team, and the "
        "decisions taken (FB-08)."
    )
    summary = fields.Html(compute="_compute_summary")

    _sql_constraints = [
        (
            "period_uniq",
            "unique(company_id, kind, date_from)",
            "There is already a review of this period.",
        ),
    ]

    @api.depends("kind", "date_from", "date_to")
    def _compute_name(self):
        kinds = dict(self._fields["kind"].selection)
        for review in self:
            review.name = f"{kinds.get(review.kind, '')} {review.date_from or ''}" + (
                f" - {review.date_to}" if review.date_to else ""
            )

    @api.constrains("date_from", "date_to")
    def _check_dates(self):
        for review in self:
            if review.date_to < review.date_from:
                raise ValidationError(
                    self.env._("The review period ends before it starts.")
                )

    # -- figures -------------------------------------------------------------------

    def _period_figures(self, date_from, date_to):
        Feedback = self.env["training.feedback"].sudo()
        domain = [
            ("company_id", "=", self.company_id.id),
            ("state", "!=", "invalid"),
            ("received_date", ">=", datetime.combine(date_from, time.min)),
            ("received_date", "<=", datetime.combine(date_to, time.max)),
        ]
        tickets = Feedback.search(domain)
        rated = tickets.filtered(lambda f: f.rating_score > 0)
        with_sla = tickets.filtered(lambda f: f.sla_id and f.result_date)
        return {
            "tickets": tickets,
            "count": len(tickets),
            "complaints": len(tickets.filtered(lambda f: f.kind == "complaint")),
            "rating": (
                sum(rated.mapped("rating_score")) / len(rated) if rated else 0.0
            ),
            "rated": len(rated),
            "dissatisfied": len(rated.filtered(lambda f: f.rating_score <= RATING_LOW)),
            "sla_met": len(
                with_sla.filtered(
                    lambda f: (
                        f.result_date <= f.resolve_deadline
                        and f.ack_date
                        and f.ack_date <= f.ack_deadline
                    )
                )
            ),
            "sla_count": len(with_sla),
        }

    def _get_figures(self):
        """Figures of the review's period against the period just before it."""
        self.ensure_one()
        length = relativedelta(self.date_to + relativedelta(days=1), self.date_from)
        current = self._period_figures(self.date_from, self.date_to)
        previous = self._period_figures(
            self.date_from - length, self.date_from - relativedelta(days=1)
        )
        tickets = current["tickets"]
        categories = []
        for category in tickets.category_id | previous["tickets"].category_id:
            mine = tickets.filtered(lambda f, c=category: f.category_id == c)
            before = previous["tickets"].filtered(
                lambda f, c=category: f.category_id == c
            )
            categories.append(
                {
                    "name": category.name,
                    "count": len(mine),
                    "previous": len(before),
                    "complaints": len(mine.filtered(lambda f: f.kind == "complaint")),
                }
            )
        categories.sort(key=lambda c: -c["count"])
        courses = []
        for course in tickets.course_id:
            mine = tickets.filtered(lambda f, c=course: f.course_id == c)
            courses.append(
                {
                    "name": course.display_name,
                    "count": len(mine),
                    "complaints": len(mine.filtered(lambda f: f.kind == "complaint")),
                }
            )
        courses.sort(key=lambda c: (-c["complaints"], -c["count"]))
        problems = (
            self.env["training.feedback.problem"]
            .sudo()
            .search(
                [
                    ("company_id", "=", self.company_id.id),
                    ("detected_date", ">=", datetime.combine(self.date_from, time.min)),
                    ("detected_date", "<=", datetime.combine(self.date_to, time.max)),
                ]
            )
        )
        actions = (
            self.env["training.feedback.action"]
            .sudo()
            .search(
                [
                    ("company_id", "=", self.company_id.id),
                    ("state", "=", "done"),
                    ("done_date", ">=", datetime.combine(self.date_from, time.min)),
                    ("done_date", "<=", datetime.combine(self.date_to, time.max)),
                ]
            )
        )
        return {
            "current": current,
            "previous": previous,
            "rating_change": (
                current["rating"] - previous["rating"]
                if current["rated"] and previous["rated"]
                else 0.0
            ),
            "categories": categories,
            "courses": courses[:5],
            "problems": [
                {
                    "name": p.name,
                    "reason": p.reason,
                    "state": dict(p._fields["state"].selection)[p.state],
                }
                for p in problems
            ],
            "actions_done": len(actions),
            "resolved": len(tickets.filtered(lambda f: f.result_date)),
        }

    @api.depends("date_from", "date_to", "company_id")
    def _compute_summary(self):
        for review in self:
            if not (review.date_from and review.date_to):
                review.summary = False
                continue
            figures = review._get_figures()
            review.summary = review._summary_html(figures)

    def _summary_html(self, figures):
        current, previous = figures["current"], figures["previous"]
        rows = [
            (self.env._("Tickets"), current["count"], previous["count"]),
            (self.env._("Complaints"), current["complaints"], previous["complaints"]),
            (
                self.env._("Average rating"),
                round(current["rating"], 2),
                round(previous["rating"], 2),
            ),
            (
                self.env._("Service level met"),
                f"{current['sla_met']}/{current['sla_count']}",
                f"{previous['sla_met']}/{previous['sla_count']}",
            ),
            (self.env._("Follow-up actions done"), figures["actions_done"], ""),
            (self.env._("Problems flagged"), len(figures["problems"]), ""),
        ]
        body = Markup("").join(
            Markup("<tr><td>%s</td><td>%s</td><td>%s</td></tr>") % row for row in rows
        )
        return Markup(
            "<table class='table table-sm'><thead><tr><th></th><th>%s</th><th>%s</th>"
            "</tr></thead><tbody>%s</tbody></table>"
        ) % (self.env._("This period"), self.env._("Previous period"), body)

    # -- scheduled action (FB-08) --------------------------------------------------

    @api.model
    def _cron_process_review(self):
        """Create the review of the half-year just ended (and of the year on 1
        January) and ask the service manager for the process review. Idempotent:
        one review per company, kind and period."""
        today = fields.Date.context_today(self)
        half_start = date(today.year, 1 if today.month <= 6 else 7, 1)
        periods = [
            (
                "half",
                half_start - relativedelta(months=6),
                half_start - relativedelta(days=1),
            )
        ]
        if half_start.month == 1:
            periods.append(
                ("year", date(today.year - 1, 1, 1), date(today.year - 1, 12, 31))
            )
        activity_type = self.env.ref("training_feedback.mail_activity_type_review")
        created = self.browse()
        # A review is asked of the companies that named a service manager.
        companies = self.env["res.company"].search(
            [("training_feedback_manager_id", "!=", False)]
        )
        for company in companies:
            for kind, date_from, date_to in periods:
                if self.search_count(
                    [
                        ("company_id", "=", company.id),
                        ("kind", "=", kind),
                        ("date_from", "=", date_from),
                    ]
                ):
                    continue
                review = self.create(
                    {
                        "company_id": company.id,
                        "kind": kind,
                        "date_from": date_from,
                        "date_to": date_to,
                    }
                )
                review.activity_schedule(
                    activity_type_id=activity_type.id,
                    summary=review.name,
                    note=review.summary,
                    user_id=company.training_feedback_manager_id.id,
                )
                created |= review
        self.env["ir.cron"]._notify_progress(done=len(created), remaining=0)

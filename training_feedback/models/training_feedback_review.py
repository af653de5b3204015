from collections import defaultdict
from datetime import date, datetime, time

import pytz
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

    def _utc_bounds(self, date_from, date_to):
        """Naive UTC datetimes ``[start, end)`` of the days ``date_from`` to
        ``date_to`` in the company's time zone (that of its working calendar): a
        ticket of 23:30 in Shanghai on 31 January belongs to January."""
        tz = pytz.timezone(
            self.company_id.resource_calendar_id.tz
            or self.company_id.partner_id.tz
            or "UTC"
        )

        def utc(day):
            local = tz.localize(datetime.combine(day, time.min))
            return local.astimezone(pytz.utc).replace(tzinfo=None)

        return utc(date_from), utc(date_to + relativedelta(days=1))

    def _period_domain(self, fname, date_from, date_to):
        start, end = self._utc_bounds(date_from, date_to)
        return [(fname, ">=", start), (fname, "<", end)]

    def _period_figures(self, date_from, date_to):
        Feedback = self.env["training.feedback"].sudo()
        domain = [
            ("company_id", "=", self.company_id.id),
            ("state", "!=", "invalid"),
            *self._period_domain("received_date", date_from, date_to),
        ]
        tickets = Feedback.search(domain)
        rated = tickets.filtered(lambda f: f.rating_score > 0)
        # Every service-level cycle counts (a reopened ticket's first one too).
        cycles = tickets.sla_cycle_ids.filtered(lambda c: c.state != "open")
        return {
            **self._questionnaire_figures(date_from, date_to, tickets),
            "tickets": tickets,
            "count": len(tickets),
            "complaints": len(tickets.filtered(lambda f: f.kind == "complaint")),
            "rating": (
                sum(rated.mapped("rating_score")) / len(rated) if rated else 0.0
            ),
            "rated": len(rated),
            "dissatisfied": len(rated.filtered(lambda f: f.rating_score <= RATING_LOW)),
            "sla_met": len(cycles.filtered(lambda c: c.state == "met")),
            "sla_count": len(cycles),
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
                    *self._period_domain("detected_date", self.date_from, self.date_to),
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
                    *self._period_domain("done_date", self.date_from, self.date_to),
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
            **self._share_figures(current, previous),
        }

    def _questionnaire_figures(self, date_from, date_to, tickets):
        """Satisfaction of the end-of-term questionnaires of the company's courses
        completed in the period (FB-07): their average score, and the teachers' own
        ratings (teacher-rating questions, and the ratings of the teacher recorded
        on the period's tickets), apart from the rating of the handling."""
        start, end = self._utc_bounds(date_from, date_to)
        answers = (
            self.env["survey.user_input"]
            .sudo()
            .search(
                [
                    (
                        "survey_id.training_course_id.company_id",
                        "=",
                        self.company_id.id,
                    ),
                    ("survey_id.scoring_type", "!=", "no_scoring"),
                    ("state", "=", "done"),
                    ("test_entry", "=", False),
                    ("end_datetime", ">=", start),
                    ("end_datetime", "<", end),
                ]
            )
        )
        # The ratings search includes its end bound: one microsecond less.
        teacher_ratings = [
            (teacher, score)
            for teacher, _when, score in self.env[
                "survey.user_input.line"
            ]._training_teacher_ratings(
                self.company_id, start, end - relativedelta(microseconds=1)
            )
        ] + [(f.teacher_id, f.teacher_rating) for f in tickets if f.teacher_rating > 0]
        by_teacher = defaultdict(list)
        for teacher, score in teacher_ratings:
            by_teacher[teacher].append(score)
        scores = [score for _teacher, score in teacher_ratings]
        return {
            "survey_count": len(answers),
            "survey_score": (
                sum(answers.mapped("scoring_percentage")) / len(answers)
                if answers
                else 0.0
            ),
            "teacher_rating": sum(scores) / len(scores) if scores else 0.0,
            "teacher_ratings": {
                teacher: sum(values) / len(values)
                for teacher, values in by_teacher.items()
            },
        }

    @staticmethod
    def _share(part, whole):
        """Share in % of ``part`` in ``whole``, to one decimal (0 of nothing)."""
        return round(100.0 * part / whole, 1) if whole else 0.0

    def _share_figures(self, current, previous):
        """Shares (%) by category, course and teacher of the period, with the share
        of the previous period and the trend in percentage points (FB-07)."""
        result = {}
        for key, fname in (
            ("category_shares", "category_id"),
            ("course_shares", "course_id"),
            ("teacher_shares", "teacher_id"),
        ):
            rows = []
            now_tickets, before_tickets = current["tickets"], previous["tickets"]
            for record in now_tickets[fname] | before_tickets[fname]:
                mine = now_tickets.filtered(lambda f, r=record, n=fname: f[n] == r)
                before = before_tickets.filtered(lambda f, r=record, n=fname: f[n] == r)
                complaints = len(mine.filtered(lambda f: f.kind == "complaint"))
                share = self._share(len(mine), current["count"])
                previous_share = self._share(len(before), previous["count"])
                row = {
                    "record": record,
                    "name": record.display_name,
                    "count": len(mine),
                    "share": share,
                    "complaints": complaints,
                    "complaint_share": self._share(complaints, len(mine)),
                    "previous": len(before),
                    "previous_share": previous_share,
                    "trend": round(share - previous_share, 1),
                }
                if fname == "teacher_id":
                    row["rating"] = round(
                        current["teacher_ratings"].get(record, 0.0), 2
                    )
                    row["previous_rating"] = round(
                        previous["teacher_ratings"].get(record, 0.0), 2
                    )
                rows.append(row)
            rows.sort(key=lambda r: (-r["count"], -r["complaints"], r["name"]))
            result[key] = rows
        return result

    def _report_tables(self, figures=None):
        """The tables of the year-end report, the same in the PDF and the xlsx:
        ``[{"title", "header", "rows"}]``, each row a list of cells."""
        self.ensure_one()
        figures = figures or self._get_figures()
        current, previous = figures["current"], figures["previous"]

        def change(now, before, digits=2):
            return round(now - before, digits)

        def line(label, key, digits=2, share_of=None):
            if share_of:
                now = self._share(current[key], current[share_of])
                before = self._share(previous[key], previous[share_of])
                digits = 1
            else:
                now, before = current[key], previous[key]
            now, before = round(now, digits), round(before, digits)
            return [label, now, before, change(now, before, digits)]

        summary = [
            line(self.env._("Tickets"), "count"),
            line(self.env._("Complaints"), "complaints"),
            line(self.env._("Complaint share (%)"), "complaints", share_of="count"),
            line(self.env._("Rating of the handling"), "rating"),
            line(self.env._("Questionnaires answered"), "survey_count"),
            line(self.env._("Questionnaire satisfaction (%)"), "survey_score", 1),
            line(self.env._("Rating of the teachers"), "teacher_rating"),
            line(self.env._("Service level met"), "sla_met"),
            line(self.env._("Service level met (%)"), "sla_met", share_of="sla_count"),
            [self.env._("Tickets resolved"), figures["resolved"], None, None],
            [self.env._("Follow-up actions done"), figures["actions_done"], None, None],
        ]
        previous_label, trend_label = (
            self.env._("Previous period"),
            self.env._("Trend (points)"),
        )
        return [
            {
                "title": self.env._("Satisfaction"),
                "header": [
                    self.env._("Figure"),
                    self.env._("This period"),
                    previous_label,
                    self.env._("Change"),
                ],
                "rows": summary,
            },
            {
                "title": self.env._("By category"),
                "header": [
                    self.env._("Category"),
                    self.env._("Tickets"),
                    self.env._("Share (%)"),
                    previous_label,
                    self.env._("Previous share (%)"),
                    trend_label,
                    self.env._("Complaints"),
                ],
                "rows": [
                    [r["name"], r["count"], r["share"], r["previous"]]
                    + [r["previous_share"], r["trend"], r["complaints"]]
                    for r in figures["category_shares"]
                ],
            },
            {
                "title": self.env._("By course"),
                "header": [
                    self.env._("Course"),
                    self.env._("Tickets"),
                    self.env._("Share (%)"),
                    self.env._("Complaints"),
                    self.env._("Complaint share (%)"),
                    previous_label,
                    trend_label,
                ],
                "rows": [
                    [r["name"], r["count"], r["share"], r["complaints"]]
                    + [r["complaint_share"], r["previous"], r["trend"]]
                    for r in figures["course_shares"]
                ],
            },
            {
                "title": self.env._("By teacher"),
                "header": [
                    self.env._("Teacher"),
                    self.env._("Tickets"),
                    self.env._("Share (%)"),
                    self.env._("Complaints"),
                    self.env._("Rating of the teacher"),
                    self.env._("Previous rating"),
                    trend_label,
                ],
                "rows": [
                    [r["name"], r["count"], r["share"], r["complaints"]]
                    + [r["rating"] or None, r["previous_rating"] or None, r["trend"]]
                    for r in figures["teacher_shares"]
                ],
            },
            {
                "title": self.env._("Main problems"),
                "header": [
                    self.env._("Problem"),
                    self.env._("Reason"),
                    self.env._("Status"),
                ],
                "rows": [
                    [p["name"], p["reason"], p["state"]] for p in figures["problems"]
                ],
            },
        ]

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

from collections import defaultdict
from datetime import timedelta

from odoo import fields, models
from odoo.tools import format_date

from odoo.addons.training_feedback.models.training_feedback import SLA_OPEN_STATES


class TrainingEnrollment(models.Model):
    _inherit = "training.enrollment"

    def _risk_batch_data(self):
        """Add what the students said (RET-10, RET-12), in three queries (and their
        prefetches) whatever the size of the batch:

        * ``feedback_complaints``: ``{archive id: tickets}``, the complaints being
          handled (new, under review, planned, in progress). A ticket born of a
          low survey answer counts through that answer, not twice;
        * ``feedback_ratings``: ``{archive id: [(ticket, rating)]}``, the last
          rating of each ticket when it is low for some company;
        * ``feedback_answers``: ``{partner id: answers}``, the completed answers to
          satisfaction questionnaires (those with a feedback threshold) of the
          longest recent period, newest first.

        Anonymous tickets are linked to no archive: they never count, the score
        would tell who complained."""
        data = super()._risk_batch_data()
        companies = self.company_id
        since = fields.Date.context_today(self) - timedelta(
            days=max(companies.mapped("training_risk_recent_days") or [0])
        )
        lowest = max(companies.mapped("training_feedback_low_rating") or [0])
        tickets = (
            self.env["training.feedback"]
            .sudo()
            .search_fetch(
                [
                    ("archive_ids", "in", self.archive_id.ids),
                    "|",
                    "&",
                    "&",
                    ("kind", "=", "complaint"),
                    ("state", "in", SLA_OPEN_STATES),
                    ("survey_user_input_id", "=", False),
                    "&",
                    ("rating_last_value", ">", 0),
                    ("rating_last_value", "<=", lowest),
                ],
                ["reference", "kind", "state", "survey_user_input_id", "archive_ids"],
                order="id",
            )
        )
        last_ratings = {}
        for rating in (
            self.env["rating.rating"]
            .sudo()
            .search_fetch(
                [
                    ("res_model", "=", "training.feedback"),
                    ("res_id", "in", tickets.ids),
                    ("consumed", "=", True),
                ],
                ["res_id", "rating", "write_date"],
                # The order of rating.mixin's rating_last_value.
                order="write_date desc, id desc",
            )
        ):
            last_ratings.setdefault(rating.res_id, rating)
        complaints = defaultdict(lambda: tickets.browse())
        ratings = defaultdict(list)
        for ticket in tickets:
            last = last_ratings.get(ticket.id)
            for archive in ticket.archive_ids:
                if (
                    ticket.kind == "complaint"
                    and ticket.state in SLA_OPEN_STATES
                    and not ticket.survey_user_input_id
                ):
                    complaints[archive.id] |= ticket
                if last and 0 < last.rating <= lowest:
                    ratings[archive.id].append((ticket, last))
        Answer = self.env["survey.user_input"].sudo()
        answers = defaultdict(Answer.browse)
        for answer in Answer.search_fetch(
            [
                ("partner_id", "in", self.partner_id.ids),
                ("state", "=", "done"),
                ("test_entry", "=", False),
                ("survey_id.training_feedback_threshold", ">", 0),
                ("end_datetime", ">=", since),
            ],
            ["partner_id", "survey_id", "scoring_percentage", "end_datetime"],
            order="end_datetime desc, id desc",
        ):
            answers[answer.partner_id.id] |= answer
        data.update(
            feedback_complaints=complaints,
            feedback_ratings=ratings,
            feedback_answers=answers,
        )
        return data

    def _risk_extra_factors(self, data):
        """Feedback factors (RET-10, RET-12): open complaints, a low rating of a
        ticket's handling and a low satisfaction survey answer, the last two when
        given within the company's recent period."""
        factors = super()._risk_extra_factors(data)
        company = self.company_id
        since = fields.Date.context_today(self) - timedelta(
            days=company.training_risk_recent_days
        )
        complaints = data["feedback_complaints"][self.archive_id.id]
        if complaints:
            factors.append(
                (
                    company.training_risk_weight_complaint,
                    self.env._(
                        "Open complaints: %s", ", ".join(complaints.mapped("reference"))
                    ),
                )
            )
        low_ratings = []
        for ticket, rating in data["feedback_ratings"][self.archive_id.id]:
            rated_on = fields.Date.context_today(self, rating.write_date)
            if rating.rating <= company.training_feedback_low_rating and (
                rated_on >= since
            ):
                low_ratings.append(
                    self.env._(
                        "%(ticket)s rated %(rating)s/5",
                        ticket=ticket.reference,
                        rating=int(rating.rating),
                    )
                )
        if low_ratings:
            factors.append(
                (
                    company.training_risk_weight_rating,
                    self.env._(
                        "Low rating of the handling: %s", ", ".join(low_ratings)
                    ),
                )
            )
        low_answers = []
        for answer in data["feedback_answers"][self.partner_id.id]:
            survey = answer.survey_id
            answered_on = fields.Date.context_today(self, answer.end_datetime)
            if answer.scoring_percentage < survey.training_feedback_threshold and (
                answered_on >= since
            ):
                low_answers.append(
                    self.env._(
                        "%(survey)s on %(date)s: %(score)s %% (below %(min)s %%)",
                        survey=survey.title,
                        date=format_date(self.env, answered_on),
                        score=round(answer.scoring_percentage, 1),
                        min=survey.training_feedback_threshold,
                    )
                )
        if low_answers:
            factors.append(
                (
                    company.training_risk_weight_survey,
                    self.env._(
                        "Low satisfaction survey answers: %s", "; ".join(low_answers)
                    ),
                )
            )
        return factors

from collections import defaultdict

from odoo import api, models


class SurveyUserInputLine(models.Model):
    _inherit = "survey.user_input.line"

    def _training_teacher_score(self):
        """The answer brought to the 1-5 scale of the ratings, or None."""
        self.ensure_one()
        question = self.question_id
        if self.answer_type == "scale":
            low, high, value = question.scale_min, question.scale_max, self.value_scale
        elif self.answer_type == "numerical_box":
            low = question.validation_min_float_value
            high = question.validation_max_float_value
            value = self.value_numerical_box
            if high <= low:  # no bounds: the value is taken as a 1-5 rating
                low, high = 1.0, 5.0
        elif self.answer_type == "suggestion" and self.suggested_answer_id:
            scores = question.suggested_answer_ids.mapped("answer_score")
            low, high = min(scores), max(scores)
            value = self.suggested_answer_id.answer_score
        else:
            return None
        if high <= low:
            return None
        value = min(max(value, low), high)
        return 1.0 + 4.0 * (value - low) / (high - low)

    @api.model
    def _training_teacher_ratings(self, company, start, end):
        """Teacher ratings of the end-of-term questionnaires completed in
        ``[start, end]`` (naive UTC) for the courses of ``company`` (FB-07), as
        ``[(teacher, completion datetime, score 1-5)]``. Test entries are left out;
        the teacher is the question's, else the course's when it has only one."""
        lines = self.sudo().search(
            [
                ("question_id.training_teacher_rating", "=", True),
                ("skipped", "=", False),
                ("user_input_id.state", "=", "done"),
                ("user_input_id.test_entry", "=", False),
                ("user_input_id.end_datetime", ">=", start),
                ("user_input_id.end_datetime", "<=", end),
                ("survey_id.training_course_id.company_id", "=", company.id),
            ]
        )
        ratings = []
        for line in lines:
            teacher = line.question_id.training_teacher_id
            if not teacher:
                teachers = line.survey_id.training_course_id.teacher_ids
                teacher = teachers if len(teachers) == 1 else teacher
            score = line._training_teacher_score() if teacher else None
            if score is not None:
                ratings.append((teacher, line.user_input_id.end_datetime, score))
        return ratings

    @api.model
    def _training_teacher_averages(self, ratings):
        """``{teacher: (average, count)}`` of :meth:`_training_teacher_ratings`."""
        scores = defaultdict(list)
        for teacher, _when, score in ratings:
            scores[teacher].append(score)
        return {t: (sum(s) / len(s), len(s)) for t, s in scores.items()}

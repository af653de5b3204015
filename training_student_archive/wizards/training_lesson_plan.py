from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import UserError

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


class TrainingLessonPlan(models.TransientModel):
    """Plan a course's lessons from its weekly pattern (issue 15): one lesson on
    each chosen weekday between two dates, except the public holidays of the
    company's working calendar and the days that already have a lesson of the
    course; numbered after the course's last lesson. Each planned lesson opens its
    recording deadlines (ARC-05) like a lesson created by hand."""

    _name = "training.lesson.plan"
    _description = "Plan Lessons"

    course_id = fields.Many2one("training.course", required=True)
    date_from = fields.Date(required=True, default=fields.Date.context_today)
    date_to = fields.Date(required=True)
    teacher_id = fields.Many2one(
        "res.users",
        compute="_compute_teacher_id",
        store=True,
        readonly=False,
        domain="[('share', '=', False)]",
    )
    mon = fields.Boolean(string="Monday")
    tue = fields.Boolean(string="Tuesday")
    wed = fields.Boolean(string="Wednesday")
    thu = fields.Boolean(string="Thursday")
    fri = fields.Boolean(string="Friday")
    sat = fields.Boolean(string="Saturday")
    sun = fields.Boolean(string="Sunday")

    @api.depends("course_id")
    def _compute_teacher_id(self):
        for plan in self:
            teachers = plan.course_id.teacher_ids
            plan.teacher_id = (
                self.env.user if self.env.user in teachers else teachers[:1]
            )

    def _is_holiday(self, day):
        calendar = self.course_id.company_id.resource_calendar_id or (
            self.env.company.resource_calendar_id
        )
        return any(
            leave.date_from.date() <= day <= leave.date_to.date()
            for leave in calendar.global_leave_ids
        )

    def _days(self):
        """The days of the pattern between the two dates, without public holidays."""
        self.ensure_one()
        chosen = {index for index, name in enumerate(WEEKDAYS) if self[name]}
        day, days = self.date_from, []
        while day <= self.date_to:
            if day.weekday() in chosen and not self._is_holiday(day):
                days.append(day)
            day += timedelta(days=1)
        return days

    def action_plan(self):
        self.ensure_one()
        if self.date_to < self.date_from:
            raise UserError(self.env._("The end of the period is before its start."))
        if not any(self[name] for name in WEEKDAYS):
            raise UserError(self.env._("Choose the weekdays of the lessons."))
        Lesson = self.env["training.lesson"]
        existing = Lesson.search(
            [("course_id", "=", self.course_id.id), ("cancelled", "=", False)]
        )
        taken = set(existing.mapped("date"))
        number = max(existing.mapped("lesson_number"), default=0)
        vals_list = []
        for day in self._days():
            if day in taken:
                continue
            number += 1
            vals_list.append(
                {
                    "course_id": self.course_id.id,
                    "date": day,
                    "lesson_number": number,
                    "teacher_id": self.teacher_id.id,
                }
            )
        Lesson.create(vals_list)
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Lessons of %s", self.course_id.name),
            "res_model": "training.lesson",
            "view_mode": "list,calendar,form",
            "domain": [("course_id", "=", self.course_id.id)],
            "context": {"search_default_to_record": 1},
        }

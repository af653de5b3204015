"""Shared set-up of the feedback tests: the archive suite's company, calendar, users
per role and courses (:class:`TrainingArchiveCommon`), plus a service manager, a portal
student with an archive, and helpers that run the ticket flow as the people who do it.
"""

from odoo.tests import new_test_user

from odoo.addons.training_student_archive.tests.common import (
    TZ,
    TrainingArchiveCommon,
    group,
)


class TrainingFeedbackCommon(TrainingArchiveCommon):
    """Li Lei (``cls.student``) and Han Meimei are enrolled in English A1, taught by
    ``user_teacher``: both have an archive. ``student_portal_user`` is Li Lei's portal
    login. ``user_service_manager`` (management) receives escalations."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.user_service_manager = new_test_user(
            cls.env,
            login="fb_manager",
            groups=group("management"),
            company_id=cls.company.id,
            tz=TZ,
            context={"no_reset_password": True},
        )
        cls.company.training_feedback_manager_id = cls.user_service_manager
        cls.enrollment = cls._enrol_and_confirm(cls.student, cls.course_a)
        cls.enrollment_b = cls._enrol_and_confirm(cls.student_b, cls.course_a)
        cls.archive = cls.enrollment.archive_id
        cls.archive_b = cls.enrollment_b.archive_id
        cls.student_portal_user = new_test_user(
            cls.env,
            login="fb_student",
            groups="base.group_portal",
            partner_id=cls.student.id,
            name=cls.student.name,
            email=cls.student.email,
            context={"no_reset_password": True},
        )
        cls.other_portal_user = new_test_user(
            cls.env,
            login="fb_other_student",
            groups="base.group_portal",
            context={"no_reset_password": True},
        )
        cls.Feedback = cls.env["training.feedback"]
        cls.cat_teaching = cls.env.ref(
            "training_feedback.training_feedback_category_teaching"
        )
        cls.cat_facilities = cls.env.ref(
            "training_feedback.training_feedback_category_facilities"
        )

    @classmethod
    def _set_problem_thresholds(cls):
        """A course or a teacher is a problem (FB-07) with at least 4 tickets in 90
        days of which 60 % or more are complaints, or rated 2.5 or less on average."""
        cls.company.write(
            {
                "training_feedback_problem_days": 90,
                "training_feedback_problem_min": 4,
                "training_feedback_problem_share": 60.0,
                "training_feedback_problem_rating": 2.5,
            }
        )

    @classmethod
    def _phone_ticket(cls, partner=None, **vals):
        """A phone call entered by the service team (FB-01)."""
        return (
            cls.Feedback.with_user(cls.user_customer_service)
            .create(
                {
                    "name": "The teacher is often late",
                    "channel": "phone",
                    "submitter_id": (partner or cls.student).id,
                    "course_id": cls.course_a.id,
                    "category_id": cls.cat_teaching.id,
                    **vals,
                }
            )
            .with_env(cls.env)
        )

    def _tickets(self, count, kind="complaint", course=None, rating=0, **vals):
        """``count`` phone tickets, rated ``rating`` by their student if given."""
        tickets = self.Feedback
        for _i in range(count):
            ticket = self._phone_ticket(
                kind=kind, course_id=(course or self.course_a).id, **vals
            )
            if rating:
                # As the rating link of the result e-mail does.
                token = ticket.sudo()._rating_get_access_token()
                ticket.sudo().rating_apply(rating, token=token)
            tickets |= ticket
        return tickets

    def _plan(self, feedback, owner=None):
        """Review, then the valid ticket gets a plan and an owner (FB-03, FB-04)."""
        feedback = feedback.with_user(self.user_customer_service)
        feedback.action_review()
        feedback.write(
            {
                "plan": "<p>We talk to the teacher this week.</p>",
                "user_id": (owner or self.user_customer_service).id,
            }
        )
        feedback.action_plan()
        return feedback.with_env(self.env)

"""Fixed data set of the attrition analytics tests (RET-08, RET-09).

The data set (enrolled = day the enrolment counts from; loss = type and date):

=====  ======  ============  ==========  ===========================================
enrol  course  channel       enrolled    end
=====  ======  ============  ==========  ===========================================
E1     A       Web           2024-12-10  still active
E2     A       Web           2024-12-15  completed 2025-03-20 (never a loss)
E3     A       Web           2025-01-10  withdrawn 2025-03-05, no case: withdrawal
E4     A       Web           2025-02-03  arrears case effective 2025-03-18, enrolment
                                         closed 2025-04-02: loss dated 2025-03-18
E5     A       Web           2025-03-03  still active
E6     B       Referral      2025-01-06  transfer case effective 2025-02-14
E7     B       Referral      2025-01-20  disciplinary case (closed) eff. 2025-04-10
E8     B       Referral      2025-03-10  force majeure case effective 2025-03-31
E9     B       Referral      2025-02-20  active; force majeure case *suspending* it
E10    B       Referral      (draft)     never counts
E11    A       Web           (cancelled) never counts
E12    A       Referral      2025-03-15  withdrawn 2025-03-20; its arrears case was
                                         rejected: a withdrawal
E13    A       Web           2025-03-20  still active
=====  ======  ============  ==========  ===========================================

Course A is a foundation course, course B an advanced one.
"""

from odoo import Command

from odoo.addons.training_student_archive.tests.common import TrainingArchiveCommon


class AttritionDataCommon(TrainingArchiveCommon):
    """Enrolments E1 .. E13 and their attrition cases, for the analytics tests."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.stage_foundation = cls.env.ref(
            "training_student_archive.course_stage_foundation"
        )
        cls.stage_advanced = cls.env.ref(
            "training_student_archive.course_stage_advanced"
        )
        cls.course_a.stage_id = cls.stage_foundation
        cls.course_b.stage_id = cls.stage_advanced
        Source = cls.env["utm.source"]
        cls.web = Source.create({"name": "Analytics test: web"})
        cls.referral = Source.create({"name": "Analytics test: referral"})
        cls.e = {}
        rows = [
            ("E1", "a", "web", "2024-12-10", "active", None),
            ("E2", "a", "web", "2024-12-15", "completed", "2025-03-20"),
            ("E3", "a", "web", "2025-01-10", "withdrawn", "2025-03-05"),
            ("E4", "a", "web", "2025-02-03", "withdrawn", "2025-04-02"),
            ("E5", "a", "web", "2025-03-03", "active", None),
            ("E6", "b", "referral", "2025-01-06", "transferred", "2025-02-20"),
            ("E7", "b", "referral", "2025-01-20", "withdrawn", "2025-04-12"),
            ("E8", "b", "referral", "2025-03-10", "withdrawn", "2025-04-03"),
            ("E9", "b", "referral", "2025-02-20", "active", None),
            ("E10", "b", "referral", "2025-02-01", "draft", None),
            ("E11", "a", "web", "2025-02-01", "cancel", None),
            ("E12", "a", "referral", "2025-03-15", "withdrawn", "2025-03-20"),
            ("E13", "a", "web", "2025-03-20", "active", None),
        ]
        Partner = cls.env["res.partner"]
        Enrollment = cls.env["training.enrollment"]
        for key, course, source, enrolled, state, closed in rows:
            cls.e[key] = Enrollment.create(
                {
                    "partner_id": Partner.create({"name": f"Student {key}"}).id,
                    "course_id": (cls.course_a if course == "a" else cls.course_b).id,
                    "source_id": (cls.web if source == "web" else cls.referral).id,
                    "start_date": enrolled,
                    "state": state,
                    "confirm_date": f"{enrolled} 09:00:00"
                    if state not in ("draft", "cancel")
                    else False,
                    "closed_date": closed,
                }
            )
        cases = [
            ("E4", "arrears", "approved", "2025-03-18", False),
            ("E6", "transfer", "approved", "2025-02-14", False),
            ("E7", "disciplinary", "done", "2025-04-10", False),
            ("E8", "force_majeure", "approved", "2025-03-31", False),
            ("E9", "force_majeure", "approved", "2025-04-01", True),
            ("E12", "arrears", "rejected", "2025-03-16", False),
        ]
        for key, case_type, state, effective, suspend in cases:
            enrollment = cls.e[key]
            # Past decisions, as the flow recorded them (X-03: the state and the
            # approval date are the flow's to write).
            cls.env["training.attrition.case"]._create_system(
                {
                    "partner_id": enrollment.partner_id.id,
                    "enrollment_ids": [Command.set(enrollment.ids)],
                    "case_type": case_type,
                    "state": state,
                    "effective_date": effective,
                    "application_date": effective,
                    "approval_date": f"{effective} 10:00:00",
                    "suspend": suspend,
                    "comeback_deadline": "2025-06-30" if suspend else False,
                }
            )
        # the scheduled refresh of the (materialised) rate report
        cls.env["training.attrition.report.rate"]._refresh()

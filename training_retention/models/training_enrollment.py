from collections import defaultdict

from odoo import Command, api, fields, models


class TrainingEnrollment(models.Model):
    _inherit = "training.enrollment"

    attrition_case_ids = fields.Many2many(
        "training.attrition.case",
        "training_attrition_case_enrollment_rel",
        "enrollment_id",
        "case_id",
        string="Attrition Cases",
        copy=False,
    )

    def action_view_attrition_cases(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "training_retention.training_attrition_case_action"
        )
        action["domain"] = [("enrollment_ids", "in", self.ids)]
        action["context"] = {"default_partner_id": self.partner_id.id}
        return action

    def action_new_attrition_case(self):
        """With this module, a withdrawal or a transfer goes through an attrition case
        (verification, approvals, refund) instead of ending the enrolment at once."""
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": "training.attrition.case",
            "view_mode": "form",
            "views": [(False, "form")],
            "context": {
                "default_partner_id": self.partner_id.id,
                "default_enrollment_ids": [Command.set(self.ids)],
                "default_case_type": self.env.context.get("case_type", "withdrawal"),
            },
        }

    def _training_enrolled_on(self):
        """The day the student enrolled: confirmation, else creation."""
        self.ensure_one()
        moment = self.confirm_date or self.create_date or fields.Datetime.now()
        return min(fields.Date.to_date(moment), self.start_date or moment.date())

    @api.model
    def _cron_flag_at_risk(self):
        """RET-12: students who missed their last lessons in a row tend to leave:
        plan a retention contact for customer service, once while it is open; the
        outcome is logged when the activity is marked done."""
        activity_type = self.env.ref(
            "training_retention.mail_activity_type_retention_contact"
        )
        enrollments = self.search([("state", "=", "active")])
        records = self.env["training.learning.record"].search_fetch(
            [
                ("enrollment_id", "in", enrollments.ids),
                ("record_type", "=", "lesson"),
                ("attendance", "!=", False),
            ],
            ["enrollment_id", "attendance"],
            order="date desc, id desc",
        )
        recent = defaultdict(list)
        for record in records:
            recent[record.enrollment_id.id].append(record.attendance)
        open_contacts = set(
            self.env["mail.activity"]
            .search(
                [
                    ("res_model", "=", self._name),
                    ("res_id", "in", enrollments.ids),
                    ("activity_type_id", "=", activity_type.id),
                ]
            )
            .mapped("res_id")
        )
        flagged = self.browse()
        for enrollment in enrollments:
            limit = enrollment.company_id.training_risk_absences
            last = recent[enrollment.id][:limit]
            if (
                not limit
                or enrollment.id in open_contacts
                or len(last) < limit
                or any(attendance != "absent" for attendance in last)
            ):
                continue
            user = (
                enrollment.company_id.training_retention_user_id
                or enrollment.user_id
                or self.env.user
            )
            enrollment.activity_schedule(
                "training_retention.mail_activity_type_retention_contact",
                user_id=user.id,
                note=self.env._(
                    "%(student)s missed the last %(count)s lessons of %(course)s: "
                    "call to understand why and record what was agreed.",
                    student=enrollment.partner_id.name,
                    count=limit,
                    course=enrollment.course_id.display_name,
                ),
            )
            flagged |= enrollment
        self.env["ir.cron"]._notify_progress(done=len(enrollments), remaining=0)
        return flagged

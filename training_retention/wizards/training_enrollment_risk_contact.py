from odoo import fields, models


class TrainingEnrollmentRiskContact(models.TransientModel):
    """Customer service logs a call to a student at risk of leaving (RET-12): the
    outcome goes into the archive's chatter, the open retention-contact activities
    of the enrolment are marked done."""

    _name = "training.enrollment.risk.contact"
    _description = "Retention Contact"

    enrollment_id = fields.Many2one(
        "training.enrollment", required=True, ondelete="cascade"
    )
    outcome = fields.Selection(
        [
            ("staying", "Staying"),
            ("thinking", "Considering Leaving"),
            ("leaving", "Wants to Leave"),
            ("unreachable", "Not Reached"),
        ],
        required=True,
        default="staying",
    )
    note = fields.Text(string="What Was Said", required=True)

    def action_confirm(self):
        self.ensure_one()
        enrollment = self.enrollment_id
        outcome = dict(self._fields["outcome"]._description_selection(self.env))[
            self.outcome
        ]
        body = self.env._(
            "Retention contact about %(course)s (risk %(score)s): %(outcome)s. "
            "%(note)s",
            course=enrollment.course_id.display_name,
            score=enrollment.risk_score,
            outcome=outcome,
            note=self.note,
        )
        # Customer service reads the archive but does not edit it: the log is
        # written by the system, in the name of the caller.
        target = enrollment.archive_id or enrollment
        target.sudo().message_post(
            body=body,
            author_id=self.env.user.partner_id.id,
            subtype_xmlid="mail.mt_note",
        )
        enrollment.sudo().risk_contact_date = fields.Date.context_today(self)
        # The call also follows up the absences still waiting for one (ARC-06).
        enrollment.sudo().learning_record_ids.filtered(
            "absence_activity_id"
        ).absence_followed_up = True
        activities = enrollment.sudo().activity_ids.filtered(
            lambda a: (
                a.activity_type_id
                == self.env.ref(
                    "training_retention.mail_activity_type_retention_contact"
                )
            )
        )
        if activities:
            # Marking the activity done recomputes the score (RET-12).
            activities.action_feedback(feedback=body)
        else:
            enrollment._recompute_risk()
        return {"type": "ir.actions.act_window_close"}

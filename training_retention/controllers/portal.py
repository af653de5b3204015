from odoo import Command, fields, http
from odoo.exceptions import UserError, ValidationError
from odoo.http import request

from odoo.addons.portal.controllers.portal import CustomerPortal


class RetentionPortal(CustomerPortal):
    """The student's side of RET-02 and RET-07: read the refund policy, apply for a
    withdrawal, follow the application and its refund statement.

    Portal users have no access right on the cases: every read and write below goes
    through :meth:`_student_cases`, restricted to the student's own records."""

    def _student_partner(self):
        return request.env.user.partner_id

    def _student_cases(self):
        return (
            request.env["training.attrition.case"]
            .sudo()
            .search([("partner_id", "=", self._student_partner().id)])
        )

    def _active_enrollments(self):
        return (
            request.env["training.enrollment"]
            .sudo()
            .search(
                [
                    ("partner_id", "=", self._student_partner().id),
                    ("state", "=", "active"),
                ]
            )
        )

    def _refund_policy(self, case_type="withdrawal", company=None):
        return (
            request.env["training.refund.policy"]
            .sudo()
            ._get_policy(case_type, company or request.env.company)
        )

    def _prepare_home_portal_values(self, counters):
        values = super()._prepare_home_portal_values(counters)
        if "attrition_case_count" in counters:
            # Only decides whether the entry shows (the number is not displayed):
            # students with a case or a running course see it.
            values["attrition_case_count"] = len(self._student_cases()) + len(
                self._active_enrollments()
            )
        return values

    @http.route("/training/refund-policy", type="http", auth="public", website=True)
    def portal_refund_policy(self, **kw):
        """RET-07: the refund policy, told to students before they enrol."""
        return request.render(
            "training_retention.portal_refund_policy",
            {"policy": self._refund_policy(), "page_name": "refund_policy"},
        )

    @http.route("/my/attrition", type="http", auth="user", website=True)
    def portal_my_attrition_cases(self, **kw):
        values = self._prepare_portal_layout_values()
        values.update(
            {
                "cases": self._student_cases(),
                "enrollments": self._active_enrollments(),
                "page_name": "attrition",
            }
        )
        return request.render("training_retention.portal_my_attrition_cases", values)

    @http.route(
        "/my/attrition/new", type="http", auth="user", methods=["GET"], website=True
    )
    def portal_withdrawal_form(self, error=None, **kw):
        enrollments = self._active_enrollments()
        values = self._prepare_portal_layout_values()
        values.update(
            {
                "enrollments": enrollments,
                "reasons": request.env["training.attrition.reason"]
                .sudo()
                .search([("case_type", "=", "withdrawal")]),
                # The version the student enrolled under applies (RET-07).
                "policy": enrollments.sudo().refund_policy_id[:1]
                or self._refund_policy(
                    company=enrollments[:1].company_id or request.env.company
                ),
                "today": fields.Date.context_today(request.env.user),
                "error": error,
                "page_name": "attrition",
            }
        )
        return request.render("training_retention.portal_withdrawal_form", values)

    @http.route(
        "/my/attrition/new", type="http", auth="user", methods=["POST"], website=True
    )
    def portal_withdrawal_submit(self, **post):
        """Create the application and send it to the approval tiers (RET-02)."""
        enrollments = self._active_enrollments()
        chosen = enrollments.filtered(
            lambda e: str(e.id) in request.httprequest.form.getlist("enrollment_ids")
        )
        if not chosen:
            return self.portal_withdrawal_form(
                error=request.env._("Select the courses you want to leave.")
            )
        reason = (
            request.env["training.attrition.reason"]
            .sudo()
            .browse(int(post.get("reason_id") or 0))
            .exists()
        )
        try:
            with request.env.cr.savepoint():
                case = (
                    request.env["training.attrition.case"]
                    .sudo()
                    .with_company(chosen[0].company_id)
                    ._create_system(
                        {
                            "case_type": "withdrawal",
                            "origin": "portal",
                            "partner_id": self._student_partner().id,
                            "company_id": chosen[0].company_id.id,
                            "enrollment_ids": [Command.set(chosen.ids)],
                            "reason_id": reason.id
                            if reason.case_type == "withdrawal"
                            else False,
                            "effective_date": post.get("effective_date")
                            or fields.Date.context_today(request.env.user),
                            "description": post.get("description"),
                            "user_id": False,
                        }
                    )
                )
                case.action_submit()
        except (UserError, ValidationError) as error:
            return self.portal_withdrawal_form(error=error.args[0])
        case.message_post(
            body=request.env._("Withdrawal application sent from the student portal."),
            author_id=self._student_partner().id,
            subtype_xmlid="mail.mt_note",
        )
        return request.redirect(f"/my/attrition/{case.id}")

    @http.route("/my/attrition/<int:case_id>", type="http", auth="user", website=True)
    def portal_my_attrition_case(self, case_id, **kw):
        case = self._student_cases().filtered(lambda c: c.id == case_id)
        if not case:
            return request.redirect("/my")
        values = self._prepare_portal_layout_values()
        values.update({"case": case, "page_name": "attrition"})
        return request.render("training_retention.portal_my_attrition_case", values)

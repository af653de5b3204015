from odoo import http
from odoo.exceptions import AccessError, MissingError, ValidationError
from odoo.http import request

from odoo.addons.portal.controllers.portal import CustomerPortal
from odoo.addons.portal.controllers.portal import pager as portal_pager


class TrainingFeedbackPortal(CustomerPortal):
    """Student pages of FB-01 / FB-04 / FB-06: submit feedback, follow its progress,
    read the result (``/my/feedback``)."""

    def _feedback_domain(self):
        """The tickets the user submitted (searched as superuser: ``submitter_id`` is
        the service team's field), still filtered by the user's own access rules."""
        partner = request.env.user.partner_id.commercial_partner_id
        mine = (
            request.env["training.feedback"]
            .sudo()
            ._search([("submitter_id", "child_of", partner.id)])
        )
        return [("id", "in", mine)]

    def _prepare_home_portal_values(self, counters):
        values = super()._prepare_home_portal_values(counters)
        if "feedback_count" in counters:
            Feedback = request.env["training.feedback"]
            values["feedback_count"] = (
                Feedback.search_count(self._feedback_domain())
                if Feedback.has_access("read")
                else 0
            )
        return values

    @http.route(
        ["/my/feedback", "/my/feedback/page/<int:page>"],
        type="http",
        auth="user",
        website=True,
    )
    def portal_my_feedback(self, page=1, **kw):
        Feedback = request.env["training.feedback"]
        domain = self._feedback_domain()
        count = Feedback.search_count(domain)
        pager = portal_pager(
            url="/my/feedback", total=count, page=page, step=self._items_per_page
        )
        feedbacks = Feedback.search(
            domain, order="id desc", limit=self._items_per_page, offset=pager["offset"]
        )
        request.session["my_feedback_history"] = feedbacks.ids[:100]
        return request.render(
            "training_feedback.portal_my_feedback",
            {
                "feedbacks": feedbacks,
                "page_name": "feedback",
                "pager": pager,
                "default_url": "/my/feedback",
            },
        )

    @http.route(
        ["/my/feedback/<int:feedback_id>"], type="http", auth="public", website=True
    )
    def portal_my_feedback_detail(self, feedback_id, access_token=None, **kw):
        try:
            feedback = self._document_check_access(
                "training.feedback", feedback_id, access_token
            )
        except (AccessError, MissingError):
            return request.redirect("/my")
        values = self._get_page_view_values(
            feedback,
            access_token,
            {"feedback": feedback, "page_name": "feedback"},
            "my_feedback_history",
            False,
        )
        return request.render("training_feedback.portal_my_feedback_page", values)

    def _feedback_form_values(self, error=None, values=None):
        partner = request.env.user.partner_id
        archives = (
            request.env["training.student.archive"]
            .sudo()
            .search([("partner_id", "=", partner.id)])
        )
        return {
            "page_name": "feedback_new",
            "categories": request.env["training.feedback.category"].sudo().search([]),
            "courses": archives.enrollment_ids.course_id,
            "error": error or {},
            "values": values or {},
        }

    @http.route(
        ["/my/feedback/new"], type="http", auth="user", website=True, methods=["GET"]
    )
    def portal_feedback_new(self, **kw):
        return request.render(
            "training_feedback.portal_feedback_new", self._feedback_form_values()
        )

    @http.route(
        ["/my/feedback/new"], type="http", auth="user", website=True, methods=["POST"]
    )
    def portal_feedback_submit(self, **post):
        """Create the ticket for the logged-in student (FB-01).

        Created as the superuser so that neither its creator nor its first message
        points at an anonymous submitter; only the service team reads
        ``submitter_id``."""
        form = self._feedback_form_values(values=post)
        error = form["error"]
        if not (post.get("name") or "").strip():
            error["name"] = request.env._("Give your feedback a subject.")
        category = form["categories"].filtered(
            lambda c: str(c.id) == post.get("category_id")
        )
        if not category:
            error["category_id"] = request.env._("Choose a category.")
        course = form["courses"].filtered(lambda c: str(c.id) == post.get("course_id"))
        if error:
            return request.render("training_feedback.portal_feedback_new", form)
        Feedback = request.env["training.feedback"]
        values = Feedback._portal_submit_values(
            request.env.user.partner_id,
            dict(
                post,
                name=post["name"].strip(),
                category_id=category.id,
                course_id=course.id,
            ),
        )
        try:
            feedback = (
                Feedback.with_user(request.env.ref("base.user_root"))
                .with_context(mail_create_nolog=True)
                .sudo()
                .create(values)
            )
        except ValidationError as e:
            error["form"] = e.args[0]
            return request.render("training_feedback.portal_feedback_new", form)
        return request.redirect(f"/my/feedback/{feedback.id}")


class TrainingFeedbackOpinionController(http.Controller):
    """The link of a change announcement (FB-05): the student gives an opinion."""

    def _opinion(self, token):
        return (
            request.env["training.feedback.opinion"]
            .sudo()
            .search([("access_token", "=", token)], limit=1)
        )

    @http.route(
        "/feedback/opinion/<string:token>",
        type="http",
        auth="public",
        website=True,
        methods=["GET", "POST"],
    )
    def feedback_opinion(self, token, answer=None, comment=None, **kw):
        opinion = self._opinion(token)
        if not opinion:
            return request.not_found()
        answers = dict(opinion._fields["answer"]._description_selection(request.env))
        saved = False
        if request.httprequest.method == "POST" and answer in answers:
            opinion._record_answer(answer, (comment or "").strip())
            saved = True
        return request.render(
            "training_feedback.feedback_opinion_page",
            {"opinion": opinion, "answers": answers, "saved": saved},
        )

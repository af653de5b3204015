from odoo import http, tools
from odoo.exceptions import AccessError, MissingError, UserError, ValidationError
from odoo.http import request

from odoo.addons.portal.controllers.portal import CustomerPortal
from odoo.addons.portal.controllers.portal import pager as portal_pager

# Files a student may attach to the portal form, and their largest size (bytes) when
# the system parameter training_feedback.portal_attachment_max_size is not set.
MAX_ATTACHMENTS = 5
DEFAULT_ATTACHMENT_MAX_SIZE = 10 * 1024 * 1024


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
        companies = archives.company_id or request.env.user.company_id
        return {
            "page_name": "feedback_new",
            "categories": request.env["training.feedback.category"]
            .sudo()
            .search([("company_id", "in", [False, *companies.ids])]),
            "courses": archives.enrollment_ids.course_id,
            "archives": archives,
            "max_attachments": MAX_ATTACHMENTS,
            "error": error or {},
            "values": values or {},
        }

    def _feedback_company(self, archives, course):
        """The company of the student's ticket: the course's, else the one of the
        student's archive, else the student's own; never the server's default
        company, whoever creates the ticket."""
        user = request.env.user
        if course:
            return course.company_id
        if len(archives.company_id) == 1:
            return archives.company_id
        return user.partner_id.company_id or user.company_id

    def _feedback_attachment_max_size(self):
        """Largest file a student may attach, in bytes (system parameter
        ``training_feedback.portal_attachment_max_size``, 10 MB by default)."""
        value = (
            request.env["ir.config_parameter"]
            .sudo()
            .get_param("training_feedback.portal_attachment_max_size")
        )
        try:
            return int(value or 0) or DEFAULT_ATTACHMENT_MAX_SIZE
        except ValueError:
            return DEFAULT_ATTACHMENT_MAX_SIZE

    def _feedback_read_attachments(self, error):
        """The files attached to the form, as [(name, content)]; too many files or
        a file too large is an error of the form."""
        files = [
            f for f in request.httprequest.files.getlist("attachments") if f.filename
        ]
        if len(files) > MAX_ATTACHMENTS:
            error["attachments"] = request.env._(
                "Attach at most %s files.", MAX_ATTACHMENTS
            )
            return []
        max_size = self._feedback_attachment_max_size()
        attachments = []
        for storage in files:
            content = storage.read(max_size + 1)
            if len(content) > max_size:
                error["attachments"] = request.env._(
                    "%(file)s is larger than %(size)s.",
                    file=storage.filename,
                    size=tools.misc.human_size(max_size),
                )
                return []
            attachments.append((storage.filename, content))
        return attachments

    def _feedback_pick(self, records, value):
        """The record of ``records`` whose id is the posted ``value``; empty when
        the value is no id of them (unknown, foreign, not a number)."""
        value = (value or "").strip()
        if not value.isdigit():
            return records[:0]
        return records.filtered(lambda r: r.id == int(value))

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
        ``submitter_id``. The ticket is in the student's company
        (``_feedback_company``), its files become its attachments. Any value no form
        of ours sends (unknown or foreign ids, an unknown type or result channel)
        brings the form back with a message: never a server error, nothing
        created."""
        post.pop("attachments", None)
        form = self._feedback_form_values(values=post)
        error = form["error"]
        Feedback = request.env["training.feedback"]
        if not (post.get("name") or "").strip():
            error["name"] = request.env._("Give your feedback a subject.")
        course = self._feedback_pick(form["courses"], post.get("course_id"))
        if (post.get("course_id") or "").strip() and not course:
            error["course_id"] = request.env._("Choose one of your courses.")
        company = self._feedback_company(form["archives"], course)
        category = self._feedback_pick(
            form["categories"].filtered(
                lambda c: not c.company_id or c.company_id == company
            ),
            post.get("category_id"),
        )
        if not category:
            error["category_id"] = request.env._("Choose a category.")
        for fname, message in (
            ("kind", request.env._("Choose the type of your feedback.")),
            ("contact_by", request.env._("Choose how to receive the result.")),
        ):
            allowed = dict(Feedback._fields[fname]._description_selection(request.env))
            if post.get(fname) and post[fname] not in allowed:
                error[fname] = message
        attachments = self._feedback_read_attachments(error)
        if error:
            return request.render("training_feedback.portal_feedback_new", form)
        values = Feedback._portal_submit_values(
            request.env.user.partner_id,
            dict(
                post,
                name=post["name"].strip(),
                category_id=category.id,
                course_id=course.id,
            ),
        )
        values["company_id"] = company.id
        root = request.env.ref("base.user_root")
        try:
            with request.env.cr.savepoint():
                feedback = (
                    Feedback.with_user(root)
                    .with_company(company)
                    .with_context(mail_create_nolog=True)
                    .sudo()
                    .create(values)
                )
                # Stored by the superuser too (anonymity); HTML and SVG are kept
                # as plain text, never served as a page.
                request.env["ir.attachment"].with_user(root).with_company(
                    company
                ).with_context(attachments_mime_plainxml=True).create(
                    [
                        {
                            "name": name,
                            "raw": content,
                            "res_model": feedback._name,
                            "res_id": feedback.id,
                        }
                        for name, content in attachments
                    ]
                )
        except (UserError, ValidationError) as e:
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

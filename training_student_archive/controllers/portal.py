from werkzeug.exceptions import NotFound

from odoo import fields
from odoo.exceptions import AccessError, MissingError, ValidationError
from odoo.http import request, route

from odoo.addons.portal.controllers.portal import CustomerPortal

from ..models.training_archive_change_request_line import CHANGEABLE_FIELDS
from ..models.training_student_archive import CLOSED_STATES


class TrainingArchivePortal(CustomerPortal):
    """The student's (and the guardian's) self-service on their archive (ARC-16,
    ARC-08, ARC-14, X-02).

    Portal users have no access right on archive models: every page reads as
    superuser *after* :meth:`_archives_of_user` proved the archive is the user's own
    or their ward's, so an archive id typed in the URL that is not theirs is a 404.
    A guardian's access ends when the student comes of age (company setting), unless
    the adult student lets them see it again (``guardian_has_access``, ARC-16).
    """

    # -- Access -----------------------------------------------------------------------

    def _archives_of_user(self):
        partner = request.env.user.partner_id
        archives = (
            request.env["training.student.archive"]
            .sudo()
            .search(
                [
                    "|",
                    ("partner_id", "=", partner.id),
                    ("guardian_id", "=", partner.id),
                    ("state", "!=", "destroyed"),
                ]
            )
        )
        return archives.filtered(
            lambda a: a.partner_id == partner or a.guardian_has_access
        )

    def _archive_or_404(self, archive_id):
        archive = self._archives_of_user().filtered(lambda a: a.id == archive_id)
        if not archive:
            raise NotFound()
        return archive

    def _prepare_home_portal_values(self, counters):
        values = super()._prepare_home_portal_values(counters)
        if "training_archive_count" in counters:
            values["training_archive_count"] = len(self._archives_of_user())
        return values

    # -- Pages ------------------------------------------------------------------------

    @route("/my/archive", type="http", auth="user", website=True)
    def portal_my_archives(self, **kw):
        archives = self._archives_of_user()
        if len(archives) == 1:
            return request.redirect(f"/my/archive/{archives.id}")
        values = self._prepare_portal_layout_values()
        values.update({"archives": archives, "page_name": "training_archive"})
        return request.render("training_student_archive.portal_my_archives", values)

    @route("/my/archive/<int:archive_id>", type="http", auth="user", website=True)
    def portal_my_archive(self, archive_id, message=None, **kw):
        archive = self._archive_or_404(archive_id)
        values = self._prepare_portal_layout_values()
        records = (
            request.env["training.learning.record"]
            .sudo()
            .search([("archive_id", "=", archive.id)])
        )
        destruction = (
            request.env["training.archive.destruction"]
            .sudo()
            .search(
                [("archive_ids", "in", archive.ids), ("state", "=", "draft")], limit=1
            )
        )
        archive_fields = request.env["training.student.archive"]._fields
        values.update(
            {
                "archive": archive,
                "records": records,
                "documents": archive.document_ids,
                "change_requests": request.env["training.archive.change.request"]
                .sudo()
                .search([("archive_id", "=", archive.id)]),
                "changeable_fields": [
                    (name, archive_fields[name]._description_string(request.env))
                    for name in CHANGEABLE_FIELDS
                    if name != "paper_location"
                ],
                "can_request_destruction": archive.state in (*CLOSED_STATES, "sealed")
                and not destruction,
                "destruction": destruction,
                "message": message,
                "page_name": "training_archive",
                "is_student": archive.partner_id == request.env.user.partner_id,
            }
        )
        return request.render("training_student_archive.portal_my_archive", values)

    @route(
        "/my/archive/<int:archive_id>/guardian",
        type="http",
        auth="user",
        website=True,
        methods=["POST"],
    )
    def portal_my_archive_guardian(self, archive_id, allow=None, **kw):
        """The adult student lets their guardian see the archive, or stops it
        (ARC-16). Only the student decides: for the guardian it is a 404."""
        archive = self._archive_or_404(archive_id)
        if archive.partner_id != request.env.user.partner_id:
            raise NotFound()
        archive.guardian_access_granted = allow == "1"
        return request.redirect(f"/my/archive/{archive.id}")

    @route("/my/archive/<int:archive_id>/data", type="http", auth="user", website=True)
    def portal_my_archive_data(self, archive_id, **kw):
        """Download my data (ARC-16): everything the personal-data map holds about
        the student, as a zip of JSON and files."""
        archive = self._archive_or_404(archive_id)
        content = (
            request.env["training.personal.data"]
            .sudo()
            ._personal_data_package(archive.partner_id)
        )
        filename = f"my-data-{archive.archive_number}.zip"
        return request.make_response(
            content,
            headers=[
                ("Content-Type", "application/zip"),
                ("Content-Length", len(content)),
                ("Content-Disposition", f'attachment; filename="{filename}"'),
            ],
        )

    @route(
        "/my/archive/<int:archive_id>/certificate",
        type="http",
        auth="user",
        website=True,
    )
    def portal_my_archive_certificate(self, archive_id, **kw):
        archive = self._archive_or_404(archive_id)
        pdf, _type = (
            request.env["ir.actions.report"]
            .sudo()
            ._render_qweb_pdf(
                "training_student_archive.action_report_learning_certificate",
                archive.ids,
            )
        )
        filename = f"learning-certificate-{archive.archive_number}.pdf"
        return request.make_response(
            pdf,
            headers=[
                ("Content-Type", "application/pdf"),
                ("Content-Length", len(pdf)),
                ("Content-Disposition", f'attachment; filename="{filename}"'),
            ],
        )

    @route(
        "/my/archive/<int:archive_id>/document/<int:document_id>",
        type="http",
        auth="user",
        website=True,
    )
    def portal_my_archive_document(self, archive_id, document_id, **kw):
        archive = self._archive_or_404(archive_id)
        document = archive.document_ids.filtered(lambda d: d.id == document_id)
        if not document or not document.file:
            raise NotFound()
        return (
            request.env["ir.binary"]
            ._get_stream_from(document, "file", filename_field="file_name")
            .get_response(as_attachment=True)
        )

    # -- Requests ---------------------------------------------------------------------

    @route(
        "/my/archive/<int:archive_id>/correction",
        type="http",
        auth="user",
        website=True,
        methods=["POST"],
    )
    def portal_my_archive_correction(
        self, archive_id, field_name=None, new_value=None, reason=None, **kw
    ):
        """The student asks for a correction: a change request for the archivist's
        tier (ARC-08, ARC-16)."""
        archive = self._archive_or_404(archive_id)
        proof = kw.get("proof")
        if field_name not in CHANGEABLE_FIELDS or not (reason or "").strip():
            return request.redirect(f"/my/archive/{archive.id}?message=incomplete")
        try:
            with request.env.cr.savepoint():
                change = (
                    request.env["training.archive.change.request"]
                    .sudo()
                    .create(
                        {
                            "archive_id": archive.id,
                            "origin": "portal",
                            "requested_by_id": request.env.user.id,
                            "reason": reason,
                            "line_ids": [
                                fields.Command.create(
                                    {"field_name": field_name, "new_value": new_value}
                                )
                            ],
                        }
                    )
                )
        except ValidationError:
            return request.redirect(f"/my/archive/{archive.id}?message=invalid")
        if proof and getattr(proof, "filename", None):
            attachment = (
                request.env["ir.attachment"]
                .sudo()
                .create(
                    {
                        "name": proof.filename,
                        "raw": proof.read(),
                        "res_model": change._name,
                        "res_id": change.id,
                    }
                )
            )
            change.attachment_ids = [fields.Command.link(attachment.id)]
        change.message_post(
            body=request.env._(
                "Requested from the portal by %s.", request.env.user.name
            ),
            subtype_xmlid="mail.mt_note",
        )
        change.request_validation()
        return request.redirect(f"/my/archive/{archive.id}?message=correction_sent")

    @route(
        "/my/archive/<int:archive_id>/destruction",
        type="http",
        auth="user",
        website=True,
        methods=["POST"],
    )
    def portal_my_archive_destruction(self, archive_id, reason=None, **kw):
        """The student asks for the destruction of their data once they left
        (资料销毁申请表, ARC-14): a destruction for the institution head's tier."""
        archive = self._archive_or_404(archive_id)
        if archive.state not in (*CLOSED_STATES, "sealed"):
            raise NotFound()
        Destruction = request.env["training.archive.destruction"].sudo()
        if not Destruction.search_count(
            [("archive_ids", "in", archive.ids), ("state", "=", "draft")]
        ):
            destruction = Destruction.create(
                {
                    "origin": "student",
                    "archive_ids": [fields.Command.set(archive.ids)],
                    "company_id": archive.company_id.id,
                    "responsible_id": (
                        archive.user_id or archive.company_id.training_archivist_id
                    ).id
                    or request.env.ref("base.user_admin").id,
                    "reason": reason
                    or request.env._("Requested by the student from the portal."),
                }
            )
            destruction.request_validation()
        return request.redirect(f"/my/archive/{archive.id}?message=destruction_sent")

    @route(
        "/my/archive/change/<int:request_id>", type="http", auth="public", website=True
    )
    def portal_my_change_request(self, request_id, access_token=None, **kw):
        change = self._change_request_or_404(request_id, access_token)
        values = self._prepare_portal_layout_values()
        values.update(
            {
                "change": change,
                "access_token": access_token,
                "page_name": "training_archive",
            }
        )
        return request.render(
            "training_student_archive.portal_my_change_request", values
        )

    @route(
        "/my/archive/change/<int:request_id>/confirm",
        type="http",
        auth="public",
        website=True,
        methods=["POST"],
    )
    def portal_my_change_request_confirm(self, request_id, access_token=None, **kw):
        """The student confirms the applied change (ARC-08)."""
        change = self._change_request_or_404(request_id, access_token)
        if change.state == "applied":
            change.action_student_confirm()
            change.message_post(
                body=request.env._("The student confirmed the change."),
                subtype_xmlid="mail.mt_note",
            )
        suffix = f"?access_token={access_token}" if access_token else ""
        return request.redirect(f"/my/archive/change/{change.id}{suffix}")

    def _change_request_or_404(self, request_id, access_token):
        """The change request of the logged-in student (or guardian), or the one the
        e-mailed link's token opens."""
        change = (
            request.env["training.archive.change.request"].sudo().browse(request_id)
        )
        if change.exists() and change.archive_id in self._archives_of_user():
            return change
        try:
            return self._document_check_access(
                "training.archive.change.request", request_id, access_token
            )
        except (AccessError, MissingError) as error:
            raise NotFound() from error

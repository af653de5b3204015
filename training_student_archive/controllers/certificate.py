from odoo import http
from odoo.http import request


class TrainingCertificateVerification(http.Controller):
    """Public verification of a learning certificate (ARC-17, issue 15).

    The QR code of the printed certificate leads here with the certificate number
    and its secret token. The page shows what the certificate shows (student's
    name, birth date, courses, periods, results, number) and nothing else; a wrong
    token, an unknown number or a number without its token all get the same "not a
    genuine certificate" page with HTTP 404, so numbers cannot be tried one by one.
    """

    @http.route(
        "/training/certificate/<string:number>",
        type="http",
        auth="public",
        methods=["GET"],
        sitemap=False,
        readonly=True,
    )
    def training_certificate_verify(self, number, token=None, **kw):
        archive = request.env["training.student.archive"]._certificate_by_token(
            number, token
        )
        if not archive:
            return request.render(
                "training_student_archive.certificate_verification_page",
                {"genuine": False},
                status=404,
            )
        return request.render(
            "training_student_archive.certificate_verification_page",
            {
                "genuine": True,
                "student_name": archive.name,
                "birthdate": archive.birthdate,
                "company_name": archive.company_id.name,
                "certificate_number": archive.certificate_number,
                "lines": archive._get_certificate_lines(),
            },
        )

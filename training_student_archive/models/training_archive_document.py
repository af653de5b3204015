from odoo import api, fields, models
from odoo.tools.translate import LazyTranslate

_lt = LazyTranslate(__name__)


class TrainingArchiveDocument(models.Model):
    """A document kept with the archive (ARC-04): registration form, identity proof,
    payment voucher, signed training agreement. The file is an attachment of this
    record, so it follows the record's access rules; the paper original's place is noted
    too. Enrolment staff upload them, the archivist keeps them.
    """

    _name = "training.archive.document"
    _description = "Archive Document"
    _order = "archive_id, document_type, id"
    _inherit = ["training.archive.read.log.mixin", "training.personal.data"]
    _check_company_auto = True
    _training_log_part = "documents"
    _personal_data_purpose = _lt(
        "Documents of the archive: identity proof, contracts, vouchers"
    )
    _personal_data_retention = _lt("Destroyed with the archive")

    archive_id = fields.Many2one(
        "training.student.archive",
        required=True,
        index=True,
        ondelete="cascade",
        check_company=True,
    )
    company_id = fields.Many2one(
        related="archive_id.company_id", store=True, index=True
    )
    document_type = fields.Selection(
        [
            ("registration_form", "Registration Form"),
            ("identity_proof", "Identity Proof"),
            ("payment_voucher", "Payment Voucher"),
            ("training_agreement", "Signed Training Agreement"),
            ("other", "Other"),
        ],
        string="Type",
        required=True,
        default="registration_form",
    )
    name = fields.Char(required=True)
    file = fields.Binary(attachment=True, copy=False)
    file_name = fields.Char()
    received_date = fields.Date(default=fields.Date.context_today)
    paper_location = fields.Char(
        help="Where the paper original is filed, e.g. cabinet C2, box B14."
    )
    note = fields.Text()

    @api.model
    def _personal_data_domain(self, partners):
        return [("archive_id.partner_id", "in", partners.ids)]

    @api.model_create_multi
    def create(self, vals_list):
        documents = super().create(vals_list)
        documents.archive_id._check_not_sealed()
        return documents

    def write(self, vals):
        self.archive_id._check_not_sealed()
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_except_sealed(self):
        self.archive_id._check_not_sealed()

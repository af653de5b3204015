from odoo import fields, models


class ProductTemplate(models.Model):
    _inherit = "product.template"

    training_refundable = fields.Boolean(
        string="Refunded When a Student Leaves",
        help="For invoice lines other than the course's lessons (registration fee, "
        "deposit, materials): refunded in full when the student leaves. Lessons are "
        "always refunded pro rata; other lines are kept unless the student gets a "
        "full refund (RET-07).",
    )

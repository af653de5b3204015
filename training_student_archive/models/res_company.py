from odoo import fields, models


class ResCompany(models.Model):
    _inherit = "res.company"

    training_archivist_id = fields.Many2one(
        "res.users",
        string="Default Archivist",
        help="Archivist put in charge of new archives and of their deadlines.",
    )

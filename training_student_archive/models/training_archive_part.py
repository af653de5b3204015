from odoo import fields, models


class TrainingArchivePart(models.Model):
    """A part of the archive that access is requested, granted and logged for (ARC-09,
    ARC-11): registration data, learning records, documents, sensitive data. The codes
    are used by the access rules; the names are what people choose from."""

    _name = "training.archive.part"
    _description = "Archive Part"
    _order = "sequence, id"

    name = fields.Char(required=True, translate=True)
    code = fields.Char(required=True, readonly=True)
    sequence = fields.Integer(default=10)
    description = fields.Text(translate=True)

    _sql_constraints = [
        ("code_uniq", "unique(code)", "An archive part code must be unique."),
    ]

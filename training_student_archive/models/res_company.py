from odoo import fields, models


class ResCompany(models.Model):
    _inherit = "res.company"

    training_archivist_id = fields.Many2one(
        "res.users",
        string="Default Archivist",
        help="Archivist put in charge of new archives and of their deadlines.",
    )
    training_absence_user_id = fields.Many2one(
        "res.users",
        string="Absence Follow-up",
        help="Customer service officer who contacts a student absent from a lesson "
        "(default: whoever enrolled the student).",
    )
    training_retention_years = fields.Integer(
        string="Archive Retention (years)",
        default=5,
        help="Years an archive is kept after the student completed, withdrew or "
        "transferred; then it may be destroyed (ARC-13).",
    )

    training_age_of_majority = fields.Integer(
        string="Age of Majority",
        default=18,
        help="From this age a student's guardian no longer reads the archive, "
        "unless the student lets them (ARC-16).",
    )

    _sql_constraints = [
        (
            "training_retention_years_positive",
            "CHECK(training_retention_years > 0)",
            "The archive retention period must be at least one year.",
        ),
        (
            "training_age_of_majority_positive",
            "CHECK(training_age_of_majority > 0)",
            "The age of majority must be positive.",
        ),
    ]

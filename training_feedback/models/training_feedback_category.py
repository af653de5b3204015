from odoo import api, fields, models


class TrainingFeedbackCategory(models.Model):
    """Category of feedback and complaints (FB-02), configured by management.

    The defaults of the policy (course content, teaching staff, learning resources,
    facilities and equipment, service attitude, other) are seeded as data. A category
    may own an e-mail alias (FB-01): mail sent to it becomes a ticket of the category.
    The alias sits on the category, not on the ticket: ``mail.alias.mixin`` on the
    ticket itself would give every ticket its own address.
    """

    _name = "training.feedback.category"
    _description = "Feedback Category"
    _inherit = ["mail.alias.mixin.optional"]
    _order = "sequence, id"

    name = fields.Char(required=True, translate=True)
    code = fields.Char(required=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    description = fields.Text(translate=True)
    company_id = fields.Many2one("res.company", index=True)
    user_id = fields.Many2one(
        "res.users",
        string="Default Owner",
        domain="[('share', '=', False)]",
        help="Owner given to the new tickets of this category.",
    )

    concerns_teacher = fields.Boolean(
        string="About the Teacher",
        compute="_compute_concerns_teacher",
        store=True,
        readonly=False,
        help="Tickets of this category are about a teacher: the course's teacher is "
        "proposed as the teacher concerned and the ticket counts in the teacher's "
        "figures (FB-07). Tickets of other categories name a teacher only when the "
        "service team does.",
    )

    _sql_constraints = [
        ("code_uniq", "unique(code, company_id)", "A category code must be unique."),
    ]

    @api.depends("code")
    def _compute_concerns_teacher(self):
        # The policy's "teaching staff" category; management may flag others.
        for category in self:
            category.concerns_teacher = category.code == "teaching"

    def _alias_get_creation_values(self):
        values = super()._alias_get_creation_values()
        values["alias_model_id"] = self.env["ir.model"]._get_id("training.feedback")
        if self.id:
            values["alias_defaults"] = repr(
                {"category_id": self.id, "channel": "email"}
            )
        return values

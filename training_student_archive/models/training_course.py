from odoo import api, fields, models


class TrainingCourse(models.Model):
    """A course the institution sells: what is taught, by whom, in how many lessons, and
    the service product it is invoiced with. Maintained by the administrative
    supervisor; teachers see the courses they teach and the students enrolled in them.
    """

    _name = "training.course"
    _description = "Training Course"
    _inherit = ["mail.thread"]
    _order = "name, id"
    _check_company_auto = True

    name = fields.Char(required=True, translate=True, tracking=True)
    code = fields.Char(required=True, tracking=True)
    active = fields.Boolean(default=True)
    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda self: self.env.company
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    stage_id = fields.Many2one(
        "training.course.stage",
        default=lambda self: self.env["training.course.stage"].search([], limit=1),
        tracking=True,
    )
    product_id = fields.Many2one(
        "product.product",
        string="Invoiced As",
        domain="[('type', '=', 'service')]",
        check_company=True,
        help="Service product on the customer invoices of this course's enrolments.",
    )
    lesson_count = fields.Integer(string="Lessons", default=1, tracking=True)
    list_price = fields.Monetary(
        string="Price",
        currency_field="currency_id",
        tracking=True,
        help="Price of the whole course; an enrolment starts from it.",
    )
    teacher_ids = fields.Many2many(
        "res.users",
        "training_course_teacher_rel",
        "course_id",
        "user_id",
        string="Teachers",
        domain="[('share', '=', False)]",
    )
    requires_health_notes = fields.Boolean(
        help="Students of this course must give health notes (e.g. sports, diving)."
    )
    description = fields.Html(translate=True)
    enrollment_ids = fields.One2many(
        "training.enrollment", "course_id", string="Enrolments"
    )
    enrollment_count = fields.Integer(compute="_compute_enrollment_count")

    _sql_constraints = [
        (
            "code_company_uniq",
            "unique(code, company_id)",
            "A course code must be unique per company.",
        ),
        (
            "lesson_count_positive",
            "CHECK(lesson_count > 0)",
            "A course has at least one lesson.",
        ),
        (
            "list_price_positive",
            "CHECK(list_price >= 0)",
            "A course price cannot be negative.",
        ),
    ]

    @api.depends("enrollment_ids")
    def _compute_enrollment_count(self):
        counts = dict(
            self.env["training.enrollment"]._read_group(
                [("course_id", "in", self.ids)], ["course_id"], ["__count"]
            )
        )
        for course in self:
            course.enrollment_count = counts.get(course, 0)

    @api.depends("code", "name")
    def _compute_display_name(self):
        for course in self:
            course.display_name = (
                f"[{course.code}] {course.name}" if course.code else course.name
            )

    def action_view_enrollments(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "training_student_archive.training_enrollment_action"
        )
        action["domain"] = [("course_id", "=", self.id)]
        action["context"] = {"default_course_id": self.id}
        return action

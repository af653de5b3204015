from odoo import fields, models


class TrainingCourseStage(models.Model):
    """Ordered stages a course belongs to (Foundation, Advanced, Graduation).

    Attrition rates are reported per stage (RET-08), so the stage is stored on each
    enrolment as well. Configured by the administrative supervisor.
    """

    _name = "training.course.stage"
    _description = "Course Stage"
    _order = "sequence, id"

    name = fields.Char(required=True, translate=True)
    code = fields.Char(
        help="Stable technical code used by reports (foundation, advanced, graduation)."
    )
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    description = fields.Text(translate=True)

    _sql_constraints = [
        ("code_uniq", "unique(code)", "The code of a course stage must be unique."),
    ]

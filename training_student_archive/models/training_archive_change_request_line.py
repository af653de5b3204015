from odoo import api, fields, models
from odoo.exceptions import ValidationError

# Archive fields a change request may correct (ARC-08). Sensitive fields (health
# notes, identity numbers) are corrected by the archivist directly: a request line
# would show their old value to whoever reads the request.
CHANGEABLE_FIELDS = (
    "name",
    "email",
    "phone",
    "mobile",
    "gender",
    "birthdate",
    "education",
    "learning_history",
    "learning_goals",
    "emergency_contact_relation",
    "paper_location",
)


class TrainingArchiveChangeRequestLine(models.Model):
    """One field of the archive to change: the new value as typed by the requester,
    and the value it replaced once applied (ARC-08)."""

    _name = "training.archive.change.request.line"
    _description = "Archive Change Request Line"
    _order = "request_id, id"

    request_id = fields.Many2one(
        "training.archive.change.request",
        required=True,
        index=True,
        ondelete="cascade",
    )
    field_name = fields.Selection(
        selection="_selection_field_name", string="Field", required=True
    )
    field_label = fields.Char(compute="_compute_field_label")
    old_value = fields.Char(readonly=True, copy=False)
    new_value = fields.Char(
        help="Dates as YYYY-MM-DD; choices by their label, e.g. Female."
    )

    @api.model
    def _selection_field_name(self):
        archive_fields = self.env["training.student.archive"]._fields
        return [
            (name, archive_fields[name]._description_string(self.env))
            for name in CHANGEABLE_FIELDS
        ]

    @api.depends("field_name")
    def _compute_field_label(self):
        for line in self:
            line.field_label = line.field_name and line._field_label()

    @api.constrains("field_name", "new_value")
    def _check_new_value(self):
        for line in self:
            if line.field_name not in CHANGEABLE_FIELDS:
                raise ValidationError(
                    self.env._(
                        "%s cannot be changed by a change request.", line.field_name
                    )
                )
            line._converted_value()

    def _field(self):
        return self.env["training.student.archive"]._fields[self.field_name]

    def _field_label(self):
        return self._field()._description_string(self.env)

    def _converted_value(self):
        """The typed value in the field's type, or a ValidationError naming it."""
        self.ensure_one()
        field = self._field()
        value = (self.new_value or "").strip()
        if not value:
            if field.name == "name":
                raise ValidationError(self.env._("A student's name cannot be empty."))
            return False
        if field.type == "date":
            try:
                return fields.Date.to_date(value)
            except ValueError:
                raise ValidationError(
                    self.env._("%s is not a date (YYYY-MM-DD).", value)
                ) from None
        if field.type == "selection":
            choices = field._description_selection(self.env)
            for key, label in choices:
                if value.lower() in (key.lower(), label.lower()):
                    return key
            raise ValidationError(
                self.env._(
                    "%(value)s is not a choice of %(field)s (%(choices)s).",
                    value=value,
                    field=self._field_label(),
                    choices=", ".join(label for _key, label in choices),
                )
            )
        return value

    def _format_value(self, value):
        field = self._field()
        if field.type == "selection":
            return dict(field._description_selection(self.env)).get(value, "")
        return str(value) if value else ""

    def _printed_old_value(self):
        """The old value on the printed form (issue 15): the value the change
        replaced once applied, else the archive's current value (read with the
        printing user's rights)."""
        self.ensure_one()
        if self.request_id.state in ("applied", "confirmed"):
            return self.old_value or ""
        return self._format_value(self.request_id.archive_id[self.field_name])

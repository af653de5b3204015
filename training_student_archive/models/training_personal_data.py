import io
import json
import zipfile

from odoo import api, models

# How the records about a destroyed student are erased.
DELETE = "delete"  # the record goes
BLANK = "blank"  # the record stays (statistics, accounts), its personal fields empty


class TrainingPersonalData(models.AbstractModel):
    """The personal-data map (ARC-13, ARC-14, ARC-16): every model of the suite
    that holds a student's personal data inherits this mixin and declares, on
    itself, where the data is and how it is erased:

    * :meth:`_personal_data_domain`: its records about given students;
    * ``_personal_data_erasure``: ``"delete"`` or ``"blank"`` (the record is kept,
      e.g. for the statistics or the accounts, with the values of
      :meth:`_personal_data_blank_values` written over its personal fields);
    * ``_personal_data_purpose`` and ``_personal_data_retention``: why the suite
      keeps it and for how long (the record of processing).

    The map is the single source of the destruction (with the records' chatter,
    attachments, activities and followers), of the student's "Download my data"
    and of the record of processing: a model that is not in the map is not
    erased, and the whole-database scan of the destruction test finds it.
    """

    _name = "training.personal.data"
    _description = "Student Personal Data (map)"

    _personal_data_erasure = DELETE
    _personal_data_purpose = ""
    _personal_data_retention = ""

    @api.model
    def _personal_data_domain(self, partners):
        """The records about the students ``partners``."""
        return [("partner_id", "in", partners.ids)]

    @api.model
    def _personal_data_models(self):
        """Every model of the map (concrete models inheriting this mixin)."""
        names = self.env.registry.descendants([self._name], "_inherit")
        return [
            self.env[name]
            for name in sorted(names)
            if not self.env[name]._abstract and not self.env[name]._transient
        ]

    @api.model
    def _personal_data_find(self, partners):
        """``{model name: records}`` about ``partners`` over the whole map."""
        found = {}
        for Model in self._personal_data_models():
            records = (
                Model.sudo()
                .with_context(active_test=False)
                .search(Model._personal_data_domain(partners))
            )
            if records:
                found[Model._name] = records
        return found

    @api.model
    def _on_threads(self, threads, model_field="res_model"):
        """Domain of the records (messages, activities, followers, attachments)
        attached to ``threads``: ``{model: ids}``."""
        domain = [("id", "=", 0)]
        for model, ids in threads.items():
            if ids:
                domain = [
                    "|",
                    "&",
                    (model_field, "=", model),
                    ("res_id", "in", ids),
                    *domain,
                ]
        return domain

    @api.model
    def _attachment_domain(self, threads):
        """Attachments of the given records, binary fields' included."""
        return [
            "&",
            "|",
            ("res_field", "=", False),
            ("res_field", "!=", False),
            *self._on_threads(threads),
        ]

    @api.model
    def _personal_data_processing(self):
        """The record of processing: one entry per model of the map."""
        erasure = {
            DELETE: self.env._("Deleted"),
            BLANK: self.env._("Kept without the personal data"),
        }
        return [
            {
                "model": Model._name,
                "name": Model._description,
                "purpose": str(Model._personal_data_purpose),
                "retention": str(Model._personal_data_retention),
                "erasure": erasure[Model._personal_data_erasure],
                "kept": Model._personal_data_erasure == BLANK,
            }
            for Model in self._personal_data_models()
        ]

    def _personal_data_blank_values(self):
        """``{field: value}`` written over the personal fields of a kept record
        (``"blank"`` erasure). Modules extending a model add their fields."""
        return {}

    def _personal_data_erase(self, partners):
        """Erase these records about the students ``partners`` as the map says
        (called as superuser)."""
        if self._personal_data_erasure == DELETE:
            self.unlink()
        elif values := self._personal_data_blank_values():
            self.with_context(tracking_disable=True).write(values)

    def _personal_data_export(self):
        """These records as plain values for "Download my data": the declared
        personal fields, or every stored field a reader of the record sees."""
        names = [
            name
            for name, field in self._fields.items()
            if field.store
            # Lists of other records (students of a collective ticket) would name
            # other people: left out.
            and field.type not in ("binary", "one2many", "many2many")
            and not name.startswith(("message_", "activity_", "website_message"))
            and name not in ("create_uid", "write_uid", "access_token")
        ]
        return self.sudo().read(names)

    @api.model
    def _personal_data_package(self, partners):
        """ "Download my data" (ARC-16, PIPL Art. 45, GDPR Art. 15/20): a zip of
        ``data.json`` (every record of the map about ``partners``, by kind) and the
        files attached to those records."""
        found = self._personal_data_find(partners)
        data = {
            self.env[model]._description: records._personal_data_export()
            for model, records in found.items()
        }
        attachments = (
            self.env["ir.attachment"]
            .sudo()
            .search(
                self._attachment_domain(
                    {model: records.ids for model, records in found.items()}
                )
            )
        )
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as package:
            package.writestr(
                "data.json",
                json.dumps(data, ensure_ascii=False, indent=2, default=str),
            )
            for attachment in attachments.filtered("raw"):
                package.writestr(
                    f"files/{attachment.res_model}/{attachment.id}-{attachment.name}",
                    attachment.raw,
                )
        return buffer.getvalue()

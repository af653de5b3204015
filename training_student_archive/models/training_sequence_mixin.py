from odoo import api, models


class TrainingSequenceMixin(models.AbstractModel):
    """Numbers a new record from the sequence whose code is the model's name, in
    the record's company: its ``_sequence_field`` left empty or "New" is given the
    next number."""

    _name = "training.sequence.mixin"
    _description = "Training Numbered Record"

    _sequence_field = "name"

    @api.model_create_multi
    def create(self, vals_list):
        new = self.env._("New")
        for vals in vals_list:
            if vals.get(self._sequence_field, new) == new:
                company = (
                    self.env["res.company"].browse(vals.get("company_id"))
                    or self.env.company
                )
                vals[self._sequence_field] = (
                    self.env["ir.sequence"]
                    .with_company(company)
                    .next_by_code(self._name)
                )
        return super().create(vals_list)

from odoo import models

from .training_archive_read_log_mixin import LOGGED


class IrBinary(models.AbstractModel):
    _inherit = "ir.binary"

    def _record_to_stream(self, record, field_name):
        """Downloading an archive document's file is a read (ARC-11). A record's
        binary field is streamed through its attachment, a nested call: the context
        mark keeps it to one log row."""
        binary = self
        if not self.env.context.get(LOGGED):
            target = record
            if record._name == "ir.attachment" and record.res_field and record.res_id:
                Model = self.env.get(record.res_model)
                if Model is not None:
                    target = Model.browse(record.res_id)
            if hasattr(target, "_training_log_read"):
                target._training_log_read(None, "download", parts={"documents"})
                binary = self.with_context(**{LOGGED: True})
        return super(IrBinary, binary)._record_to_stream(record, field_name)

from odoo import models


class IrActionsReport(models.Model):
    _inherit = "ir.actions.report"

    def _render_qweb_html(self, report_ref, docids, data=None):
        """A printed report of archive data is a read (ARC-11): PDF rendering comes
        through here too, once per print. The records of the training suite are
        checked first (issue 15): whoever may not read a record may not print it,
        with an AccessError rather than a template error."""
        report = self._get_report(report_ref)
        Model = self.env.get(report.model)
        if docids and Model is not None and report.model.startswith("training."):
            Model.browse(docids).check_access("read")
        if docids and Model is not None and hasattr(Model, "_training_log_read"):
            Model.browse(docids)._training_log_read(
                None, "report", parts=Model._training_log_report_parts()
            )
        return super()._render_qweb_html(report_ref, docids, data=data)

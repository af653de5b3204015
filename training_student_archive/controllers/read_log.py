"""Requests that write the read log run on a read/write cursor.

Odoo 18 serves downloads (``/web/content``, ``/web/image``) and report pages
(``/report/<converter>/...``) as read-only requests: with a replica
(``db_replica_host``) they run there, and a write fails, is logged as an error and
the whole request is retried on the primary. The read log writes one row for every
staff read of archive data (ARC-11), in the same transaction as the read, so that a
read that fails leaves no row; those requests are therefore declared read/write
when, and only when, they read a model that logs its reads. Everything else stays on
the replica.
"""

from odoo import http
from odoo.http import request

from odoo.addons.web.controllers.binary import Binary
from odoo.addons.web.controllers.report import ReportController

READ_LOG_MIXIN = "training.archive.read.log.mixin"


def _logged_models():
    return request.registry.descendants([READ_LOG_MIXIN], "_inherit")


def _content_readonly(controller):
    """``/web/content/<model>/<id>/<field>`` or ``?model=``: read/write for a model
    that logs its reads."""
    httprequest = request.httprequest
    parts = httprequest.path.split("/")
    model = httprequest.args.get("model") or (parts[3] if len(parts) >= 6 else None)
    return model not in _logged_models()


def _report_readonly(controller):
    """The reports of the training suite print archive data: read/write."""
    parts = request.httprequest.path.split("/")
    return not (len(parts) > 3 and parts[3].startswith("training_"))


class TrainingBinary(Binary):
    @http.route(readonly=_content_readonly)
    def content_common(self, *args, **kwargs):
        return super().content_common(*args, **kwargs)

    @http.route(readonly=_content_readonly)
    def content_image(self, *args, **kwargs):
        return super().content_image(*args, **kwargs)


class TrainingReportController(ReportController):
    @http.route(readonly=_report_readonly)
    def report_routes(self, *args, **kwargs):
        return super().report_routes(*args, **kwargs)

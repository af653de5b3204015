from odoo import models
from odoo.tools.translate import LazyTranslate

from odoo.addons.training_student_archive.models.training_personal_data import BLANK

_lt = LazyTranslate(__name__)


class RatingRating(models.Model):
    """Ratings of feedback tickets: the value stays for the statistics, the
    student's comment goes (ARC-13)."""

    _name = "rating.rating"
    _inherit = ["rating.rating", "training.personal.data"]
    _personal_data_erasure = BLANK
    _personal_data_purpose = _lt("Ratings of the handling of feedback (FB-08)")
    _personal_data_retention = _lt("The rating stays, anonymised; its comment goes")

    def _personal_data_blank_values(self):
        return {"feedback": False}

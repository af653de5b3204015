from . import training_feedback_report
from . import training_feedback_review_xlsx

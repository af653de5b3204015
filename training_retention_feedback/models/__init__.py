from . import res_company
from . import res_config_settings
from . import training_enrollment
from . import training_feedback
from . import survey_user_input

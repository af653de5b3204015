from . import test_feedback_flow
from . import test_feedback_access
from . import test_feedback_sla
from . import test_feedback_mail
from . import test_feedback_portal
from . import test_feedback_survey_reward
from . import test_feedback_analysis
from . import test_ui

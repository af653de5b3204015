from . import test_core_apps
from . import test_student_journey
from . import test_personal_data
from . import test_cron_workers
from . import test_consistency_check
from . import test_click_everywhere
from . import test_portal_phone
from . import test_menus

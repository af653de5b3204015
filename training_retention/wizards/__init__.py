from . import training_enrollment_risk_contact
from . import training_attrition_report_print
from . import account_payment_register

from . import training_enrollment_risk_contact

from . import test_risk_feedback

from . import test_student_journey

from . import training_lesson_plan

from . import training_attrition_report_xlsx

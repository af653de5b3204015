{
    "name": "Training: Retention and Refunds",
    "summary": "Attrition cases (withdrawal, transfer, arrears, disciplinary, force "
    "majeure) with tiered approvals, refund policy and statement, credit notes and "
    "refund payments",
    "version": "18.0.1.0.0",
    "category": "Education",
    "website": "https://github.com/training-suite/training",
    "author": "Training Suite Authors",
    "license": "AGPL-3",
    "depends": [
        "training_student_archive",
        "base_tier_validation",
        "sms",
    ],
    "data": [
        "security/ir.model.access.csv",
        "security/training_retention_security.xml",
        "data/ir_sequence_data.xml",
        "data/mail_activity_type_data.xml",
        "data/training_attrition_reason_data.xml",
        "data/training_refund_policy_data.xml",
        "data/tier_definition_data.xml",
        "data/mail_template_data.xml",
        "data/training_arrears_step_data.xml",
        "data/ir_cron_data.xml",
        "report/training_refund_policy_report.xml",
        "views/training_attrition_reason_views.xml",
        "views/training_refund_policy_views.xml",
        "views/training_attrition_case_views.xml",
        "views/training_violation_views.xml",
        "views/training_arrears_step_views.xml",
        "views/training_arrears_reminder_views.xml",
        "views/training_student_archive_views.xml",
        "views/training_enrollment_views.xml",
        "views/portal_templates.xml",
        "views/training_retention_menus.xml",
    ],
    "demo": [
        "demo/training_retention_demo.xml",
    ],
    "assets": {
        "web.assets_tests": [
            "training_retention/static/tests/tours/**/*",
        ],
    },
    "installable": True,
}

{
    "name": "Training: Feedback in the Retention Risk Score",
    "summary": "Open complaints, low ratings of their handling and low satisfaction "
    "survey answers raise the risk score of students at risk of leaving",
    "version": "18.0.1.0.0",
    "category": "Education",
    "website": "https://github.com/training-suite/training",
    "author": "Training Suite Authors",
    "license": "AGPL-3",
    "depends": [
        "training_feedback",
        "training_retention",
    ],
    "data": [
        "views/res_config_settings_views.xml",
    ],
    "auto_install": True,
    "installable": True,
}

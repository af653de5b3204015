{
    "name": "Training Suite: Integration Tests",
    "summary": "Test-only addon: flows that cross the training modules. "
    "Never install in production.",
    "version": "18.0.1.0.0",
    "category": "Hidden/Tests",
    "author": "Training Suite Authors",
    "website": "https://github.com/training-suite/training",
    "license": "AGPL-3",
    # l10n_cn: the refund tests also run on China's chart of accounts, in CNY.
    "depends": [
        "training_student_archive",
        "training_feedback",
        "training_retention",
        "l10n_cn",
    ],
    "installable": True,
}

"""X-02, issue 15: the Training app has one menu a newcomer understands.

Its top level is Archives, Lessons, Feedback, Retention, Reporting and Configuration,
each once and in that order, whatever modules of the suite add to it; no two menus of
the app share a name, in English or in Chinese; each role sees some of these six, in
the same order, and nothing else at the top.
"""

from odoo.tests import TransactionCase, new_test_user, tagged

ROOT = "training_student_archive.training_student_archive_menu_root"
TOP_LEVEL = [
    "Archives",
    "Lessons",
    "Feedback",
    "Retention",
    "Reporting",
    "Configuration",
]


@tagged("post_install", "-at_install")
class TestTrainingMenus(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.root = cls.env.ref(ROOT)

    def _app_menus(self, lang="en_US"):
        """Every menu of the Training app below its root, at any depth, whoever may
        see it (the full list, not the current user's)."""
        return (
            self.env["ir.ui.menu"]
            .with_context(lang=lang, **{"ir.ui.menu.full_list": True})
            .search(
                [
                    ("parent_path", "=like", f"{self.root.parent_path}%"),
                    ("id", "!=", self.root.id),
                ]
            )
        )

    def _assert_unique_names(self, menus, lang):
        by_name = {}
        for menu in menus:
            by_name.setdefault(menu.name, []).append(menu.complete_name)
        shared = {name: paths for name, paths in by_name.items() if len(paths) > 1}
        self.assertFalse(shared, f"menus sharing a name in {lang}: {shared}")

    def test_top_level_and_unique_names(self):
        """X-02, issue 15: the app's top level is exactly the six menus, in order of
        sequence; no two menus of the app, at any depth, share a name."""
        menus = self._app_menus()
        top = menus.filtered(lambda m: m.parent_id == self.root).sorted(
            lambda m: (m.sequence, m.id)
        )
        self.assertEqual(top.mapped("name"), TOP_LEVEL)
        self.assertTrue(all(m.child_id for m in top), "a top-level menu is empty")
        self._assert_unique_names(menus, "en_US")

    def test_unique_names_in_chinese(self):
        """X-02, X-05, issue 15: with zh_CN active and the terms of the app's modules
        loaded, every menu of the app has a Chinese name, and no two share one."""
        if not self.env["res.lang"]._lang_get("zh_CN"):
            # Not installed on this database: load it here as the translation tests
            # of the modules do, so the check never goes unchecked.
            self.env["res.lang"]._activate_lang("zh_CN")
        modules = set(
            self.env["ir.model.data"]
            .search(
                [("model", "=", "ir.ui.menu"), ("res_id", "in", self._app_menus().ids)]
            )
            .mapped("module")
        )
        self.env["ir.module.module"]._load_module_terms(
            sorted(modules), ["zh_CN"], overwrite=True
        )
        self.env.invalidate_all()
        menus = self._app_menus(lang="zh_CN")
        self.assertEqual(
            menus.filtered(lambda m: m.parent_id == self.root)
            .sorted(lambda m: (m.sequence, m.id))
            .mapped("name"),
            ["档案", "课时", "反馈", "流失管理", "报表", "配置"],
        )
        untranslated = [
            m.name
            for m in menus
            if m.name == m.with_context(lang="en_US").name and m.name.isascii()
        ]
        self.assertFalse(untranslated, "menus without a Chinese name")
        self._assert_unique_names(menus, "zh_CN")

    def test_places_of_moved_menus(self):
        """X-02, issue 15: lessons have their own menu, governance is part of the
        archives, the reports of every module are under Reporting and their
        configuration under Configuration; the feedback and retention menus keep the
        daily work only."""
        sa, fb, rt = (
            "training_student_archive",
            "training_feedback",
            "training_retention",
        )
        expected = {
            f"{sa}.training_student_archive_menu": "Archives",
            f"{sa}.training_student_archive_menu_governance": "Archives",
            f"{sa}.training_student_archive_menu_destruction_eligible": "Archives",
            f"{sa}.training_learning_record_menu": "Lessons",
            f"{sa}.training_learning_record_menu_lesson_entry": "Lessons",
            f"{fb}.training_feedback_menu": "Feedback",
            f"{fb}.training_feedback_problem_menu": "Feedback",
            f"{rt}.training_attrition_case_menu": "Retention",
            f"{rt}.training_attrition_alert_menu": "Retention",
            f"{sa}.training_enrollment_menu_report": "Reporting",
            f"{sa}.training_learning_record_menu_attendance": "Reporting",
            f"{fb}.training_feedback_report_menu": "Reporting",
            f"{fb}.training_feedback_review_menu": "Reporting",
            f"{rt}.training_attrition_case_menu_report": "Reporting",
            f"{rt}.training_attrition_report_type_menu": "Reporting",
            f"{rt}.training_refund_reconciliation_menu": "Reporting",
            f"{sa}.training_course_menu": "Configuration",
            f"{fb}.training_feedback_sla_menu": "Configuration",
            f"{rt}.training_refund_policy_menu": "Configuration",
            f"{rt}.training_arrears_step_menu": "Configuration",
        }
        root_path = self.root.parent_path
        for xmlid, heading in expected.items():
            menu = self.env.ref(xmlid)
            top_id = int(menu.parent_path[len(root_path) :].split("/")[0])
            self.assertEqual(self.env["ir.ui.menu"].browse(top_id).name, heading, xmlid)
        self.assertEqual(
            self.env.ref(
                f"{sa}.training_student_archive_menu_destruction_eligible"
            ).name,
            "Due for Destruction",
        )

    def test_each_role_sees_the_same_order(self):
        """X-02, issue 15: for a user of each role of the suite, the Training app the
        web client loads has top-level menus among the six, in their order; every
        member of staff finds the archives (the governance requests are for all)."""
        groups = self.env["ir.model.data"].search(
            [
                ("module", "=", "training_student_archive"),
                ("model", "=", "res.groups"),
                ("name", "=like", "training_student_archive_group_%"),
            ]
        )
        self.assertGreaterEqual(len(groups), 8)
        for data in groups:
            xmlid = f"{data.module}.{data.name}"
            user = new_test_user(
                self.env,
                login=f"menu_{data.name}",
                groups=f"base.group_user,{xmlid}",
            )
            menus = self.env["ir.ui.menu"].with_user(user).load_menus(False)
            if data.name == "training_student_archive_group_granted":
                # A reader by grant only, without a staff role, has no Training app.
                self.assertNotIn(self.root.id, menus, xmlid)
                continue
            top = [menus[child]["name"] for child in menus[self.root.id]["children"]]
            with self.subTest(group=xmlid):
                self.assertTrue(top)
                self.assertLessEqual(set(top), set(TOP_LEVEL), xmlid)
                self.assertEqual(top, [n for n in TOP_LEVEL if n in top], xmlid)
                self.assertEqual(top[0], "Archives", xmlid)

"""X-05: the retention user interface in Simplified Chinese (zh_CN) and English.

The Chinese terms come from ``i18n/zh_CN.po``; the words follow the institution's
attrition policy (退学, 转学, 欠费, 违规违纪, 不可抗力, 退费政策, 退费明细) and
reuse the archive module's translation (学员档案, 客服, 财务, 管理层).
"""

from odoo.tests import TransactionCase, tagged

MODULE = "training_retention"


@tagged("post_install", "-at_install")
class TestTranslation(TransactionCase):
    """X-05: with zh_CN active and the module's terms loaded, the case types, the
    seeded attrition reasons and the retention menu read in Chinese, while an
    English session keeps the English words."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["res.lang"]._activate_lang("zh_CN")
        cls.env["ir.module.module"]._load_module_terms(
            [MODULE], ["zh_CN"], overwrite=True
        )
        cls.env.invalidate_all()

    def test_case_type_labels(self):
        """X-05: the attrition case types carry the policy's words in zh_CN."""
        Case = self.env["training.attrition.case"].with_context(lang="zh_CN")
        description = Case.fields_get(["case_type"], ["string", "selection"])[
            "case_type"
        ]
        self.assertEqual(description["string"], "类型")
        self.assertEqual(
            dict(description["selection"]),
            {
                "withdrawal": "退学",
                "transfer": "转学",
                "arrears": "欠费",
                "disciplinary": "违规违纪",
                "force_majeure": "不可抗力",
            },
        )
        english = Case.with_context(lang="en_US").fields_get(["case_type"])
        self.assertEqual(
            dict(english["case_type"]["selection"])["withdrawal"], "Withdrawal"
        )

    def test_seeded_reason_name(self):
        """X-05: the attrition reasons seeded by the module are translated."""
        reason = self.env.ref(f"{MODULE}.reason_withdrawal_schedule")
        self.assertEqual(
            reason.with_context(lang="zh_CN").name, "时间冲突（工作、学业）"
        )
        health = self.env.ref(f"{MODULE}.reason_force_majeure_health")
        self.assertEqual(health.with_context(lang="zh_CN").name, "疾病或意外")
        self.assertEqual(
            reason.with_context(lang="en_US").name, "Schedule conflict (work, school)"
        )

    def test_retention_menu(self):
        """X-05: the retention menu and its attrition case menu are translated."""
        menu = self.env.ref(f"{MODULE}.training_retention_menu")
        cases = self.env.ref(f"{MODULE}.training_attrition_case_menu")
        self.assertEqual(menu.with_context(lang="zh_CN").name, "流失管理")
        self.assertEqual(cases.with_context(lang="zh_CN").name, "流失案例")
        self.assertEqual(menu.with_context(lang="en_US").name, "Retention")

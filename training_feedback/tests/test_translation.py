"""X-05: the feedback module's user interface in Simplified Chinese (zh_CN).

The Chinese terms come from ``i18n/zh_CN.po``; the words follow the feedback policy
[003] (反馈与投诉, 课程内容, 教学人员, 学习资源, 设施设备, 服务态度, 其他).
"""

from odoo.tests import TransactionCase, tagged

MODULE = "training_feedback"


@tagged("post_install", "-at_install")
class TestFeedbackTranslation(TransactionCase):
    """X-05: with zh_CN active and the module's terms loaded, the seeded categories,
    the ticket states and the menu read in Chinese, and stay English in en_US."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["res.lang"]._activate_lang("zh_CN")
        cls.env["ir.module.module"]._load_module_terms(
            [MODULE], ["zh_CN"], overwrite=True
        )
        cls.env.invalidate_all()

    def test_category_names(self):
        """X-05, FB-02: the seeded feedback categories carry the policy's Chinese
        names for a zh_CN reader and keep their English names in en_US."""
        expected = {
            "training_feedback_category_course": ("Course Content", "课程内容"),
            "training_feedback_category_teaching": ("Teaching Staff", "教学人员"),
            "training_feedback_category_resources": ("Learning Resources", "学习资源"),
            "training_feedback_category_facilities": (
                "Facilities and Equipment",
                "设施设备",
            ),
            "training_feedback_category_service": ("Service Attitude", "服务态度"),
            "training_feedback_category_other": ("Other", "其他"),
        }
        for xmlid, (english, chinese) in expected.items():
            category = self.env.ref(f"{MODULE}.{xmlid}")
            self.assertEqual(category.with_context(lang="zh_CN").name, chinese)
            self.assertEqual(category.with_context(lang="en_US").name, english)

    def test_state_selection(self):
        """X-05, FB-04: the ticket states are labelled in Chinese through
        ``fields_get`` in a zh_CN context."""
        Feedback = self.env["training.feedback"].with_context(lang="zh_CN")
        state = Feedback.fields_get(["state"], ["string", "selection"])["state"]
        self.assertEqual(state["string"], "状态")
        labels = dict(state["selection"])
        self.assertEqual(labels["new"], "新建")
        self.assertEqual(labels["review"], "审核中")
        self.assertEqual(labels["progress"], "处理中")
        self.assertEqual(labels["resolved"], "已解决")
        english = Feedback.with_context(lang="en_US").fields_get(["state"])["state"]
        self.assertEqual(dict(english["selection"])["resolved"], "Resolved")

    def test_root_menu(self):
        """X-05: the module's root menu and its ticket menu are translated."""
        root = self.env.ref(f"{MODULE}.training_feedback_menu_root")
        tickets = self.env.ref(f"{MODULE}.training_feedback_menu")
        self.assertEqual(root.with_context(lang="zh_CN").name, "反馈")
        self.assertEqual(tickets.with_context(lang="zh_CN").name, "反馈与投诉")
        self.assertEqual(root.with_context(lang="en_US").name, "Feedback")

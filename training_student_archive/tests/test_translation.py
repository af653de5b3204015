"""X-05: the archive's user interface in Simplified Chinese (zh_CN) and English.

The Chinese terms come from ``i18n/zh_CN.po``; the words follow the institution's
policies (学员档案, 档案管理员, 待审核, 在读, 已结课, 退学, 转学, 封存, 已销毁).
"""

from lxml import etree

from odoo.exceptions import UserError
from odoo.tests import freeze_time, tagged

from .common import MODULE, TrainingArchiveCommon


@tagged("post_install", "-at_install")
@freeze_time("2025-03-07 07:00:00")  # Friday 15:00 in Shanghai
class TestTranslation(TrainingArchiveCommon):
    """X-05: with zh_CN active and the module's terms loaded, an archivist whose
    language is zh_CN sees Chinese labels, menus, buttons and error messages, while an
    English session keeps the English ones."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["res.lang"]._activate_lang("zh_CN")
        cls.env["ir.module.module"]._load_module_terms(
            [MODULE], ["zh_CN"], overwrite=True
        )
        cls.env.invalidate_all()
        cls.user_archivist.lang = "zh_CN"

    def _as_archivist(self, model):
        """``model`` in the archivist's own session: their user and their context."""
        user = self.user_archivist
        env = self.env(user=user)
        return env[model].with_context(**env["res.users"].context_get())

    def test_archive_state_labels(self):
        """X-05, ARC-07: the archive status classes are shown with the policies'
        Chinese words to a zh_CN user, and in English to an en_US session."""
        Archive = self._as_archivist("training.student.archive")
        self.assertEqual(Archive.env.lang, "zh_CN")
        description = Archive.fields_get(["state"], ["string", "selection"])["state"]
        self.assertEqual(description["string"], "状态")
        self.assertEqual(
            dict(description["selection"]),
            {
                "pending": "待审核",
                "active": "在读",
                "completed": "已结课",
                "withdrawn": "退学",
                "transferred": "转学",
                "sealed": "封存",
                "destroyed": "已销毁",
            },
        )
        english = Archive.with_context(lang="en_US").fields_get(["state"])["state"]
        self.assertEqual(dict(english["selection"])["pending"], "Pending Review")

    def test_menu_and_button(self):
        """X-05: the module's root menu, the archive menu and the review button of the
        archive form are translated."""
        root = self.env.ref(f"{MODULE}.training_student_archive_menu_root")
        archives = self.env.ref(f"{MODULE}.training_student_archive_menu")
        self.assertEqual(root.with_context(lang="zh_CN").name, "培训")
        self.assertEqual(archives.with_context(lang="zh_CN").name, "学员档案")
        self.assertEqual(root.with_context(lang="en_US").name, "Training")

        Archive = self._as_archivist("training.student.archive")
        arch = etree.fromstring(Archive.get_view(view_type="form")["arch"])
        self.assertEqual(
            arch.xpath("//button[@name='action_review']/@string"), ["审核"]
        )

    def test_user_error_in_chinese(self):
        """X-05, ARC-03: the review of an archive without contact details is refused
        with a Chinese message to a zh_CN archivist, with the archive number in it;
        a refused state change names the translated action."""
        enrollment = self._enrol_and_confirm(self.student_no_contact, self.course_a)
        archive = enrollment.archive_id
        archive.with_user(self.user_enrolment).action_hand_over()
        self._end_request()
        number = archive.archive_number
        zh_archive = self._as_archivist("training.student.archive").browse(archive.id)

        with self.assertRaises(UserError) as caught:
            zh_archive.action_review()
        self.assertEqual(
            str(caught.exception),
            f"档案 {number} 没有联系方式（电话、手机或电子邮件）："
            "请先完善报名登记信息。",
        )

        with self.assertRaises(UserError) as caught:
            zh_archive.action_reopen()
        self.assertEqual(
            str(caught.exception),
            f"档案 {number} 在当前状态下不允许执行此操作：重新开启。",
        )

        with self.assertRaises(UserError) as caught:
            archive.with_user(self.user_archivist).with_context(
                lang="en_US"
            ).action_review()
        self.assertIn("has no contact details", str(caught.exception))
        self.assertEqual(archive.state, "pending")

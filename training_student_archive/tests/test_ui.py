"""Browser tests: the archivist reviews an archive in the web client, on a desktop
screen and on a phone screen (tour ``training_student_archive_review_tour`` in
``static/tests/tours/``).

The data is created here, never read from demo data.
"""

from odoo.tests import HttpCase, new_test_user, tagged

ARCHIVIST_GROUPS = (
    "base.group_user,training_student_archive.training_student_archive_group_archivist"
)


class ArchiveReviewTourMixin:
    """A pending archive of "Tour Student" (with contact details, so it can be
    reviewed) enrolled in "Tour Course", and an archivist to review it."""

    def setUp(self):
        super().setUp()
        self.archivist = new_test_user(
            self.env,
            login="tour_archivist",
            name="Tour Archivist",
            groups=ARCHIVIST_GROUPS,
        )
        course = self.env["training.course"].create(
            {
                "name": "Tour Course",
                "code": "TOUR",
                "lesson_count": 10,
                "list_price": 500.0,
            }
        )
        student = self.env["res.partner"].create(
            {
                "name": "Tour Student",
                "email": "tour.student@example.com",
                "phone": "+86 138 0000 0001",
            }
        )
        enrollment = self.env["training.enrollment"].create(
            {"partner_id": student.id, "course_id": course.id}
        )
        enrollment.action_confirm()
        self.archive = enrollment.archive_id

    def _review_in_browser(self):
        self.assertEqual(self.archive.state, "pending")
        self.start_tour(
            "/odoo", "training_student_archive_review_tour", login=self.archivist.login
        )
        self.archive.invalidate_recordset()
        self.assertEqual(self.archive.state, "active")
        self.assertEqual(self.archive.reviewed_by_id, self.archivist)
        self.assertTrue(self.archive.review_date)


@tagged("post_install", "-at_install")
class TestArchiveReviewTourDesktop(ArchiveReviewTourMixin, HttpCase):
    def test_review_archive_desktop(self):
        """ARC-03, ARC-07, X-02: the archivist opens Training > Archives > Student
        Archives, opens a pending archive, sees its tabs (registration, enrolments,
        learning records, documents, deadlines, paper archive) and reviews it: the
        archive is active."""
        self._review_in_browser()


@tagged("post_install", "-at_install")
class TestArchiveReviewTourMobile(ArchiveReviewTourMixin, HttpCase):
    browser_size = "375x667"
    touch_enabled = True

    def test_review_archive_mobile(self):
        """ARC-03, ARC-07, X-02: the same review on a phone-sized screen: the side
        menu, the archive kanban, the form tabs and the review from the action menu
        work."""
        self._review_in_browser()


@tagged("post_install", "-at_install")
class TestGovernanceTour(ArchiveReviewTourMixin, HttpCase):
    def test_governance_menus_and_change_approval(self):
        """ARC-08, ARC-09, ARC-11, ARC-13, ARC-15, X-02, X-03: the archivist opens
        every Governance menu, then requests and gives the approval of a change request
        with the tier buttons of its form: the new phone is written to the archive."""
        self.archive.action_review()
        self.env["training.archive.change.request"].create(
            {
                "archive_id": self.archive.id,
                "reason": "New phone",
                "line_ids": [
                    (0, 0, {"field_name": "phone", "new_value": "+86 138 0000 0002"})
                ],
            }
        )
        self.start_tour(
            "/odoo",
            "training_student_archive_governance_tour",
            login=self.archivist.login,
        )
        self.assertEqual(self.archive.phone, "+86 138 0000 0002")

from odoo.exceptions import AccessError
from odoo.tests import freeze_time, tagged

from .common import TrainingFeedbackCommon


@tagged("post_install", "-at_install")
@freeze_time("2026-03-09 02:00:00")
class TestFeedbackAccess(TrainingFeedbackCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.named = cls._phone_ticket()
        cls.anonymous = cls._phone_ticket(
            name="The teacher shouts at us", is_anonymous=True
        )
        cls.other = cls._phone_ticket(
            partner=cls.student_b,
            name="Projector broken",
            category_id=cls.cat_facilities.id,
        )
        cls._end_request()

    def test_teacher_sees_only_shared_tickets_and_no_anonymous_identity(self):
        """FB-07, FB-09, privacy: a teacher reads no ticket until the service team
        shares one; on a shared anonymous ticket nothing tells who complained (no
        student, no archive, the submitter field is the service team's only), in the
        form, search_read, read_group and export alike."""
        Feedback = self.Feedback.with_user(self.user_teacher)
        self.assertFalse(Feedback.search([]))
        self.assertFalse(Feedback.search_read([], ["name"]))
        self.assertFalse(Feedback.read_group([], ["priority"], ["priority"]))
        with self.assertRaises(AccessError):
            self.anonymous.with_user(self.user_teacher).read(["name"])

        for ticket in self.named | self.anonymous:
            ticket.with_user(self.user_customer_service).action_share_with_teacher()
        self._end_request()
        self.assertEqual(Feedback.search([]), self.named | self.anonymous)
        rows = {
            r["id"]: r
            for r in Feedback.search_read([], ["name", "partner_id", "archive_ids"])
        }
        self.assertEqual(rows[self.named.id]["partner_id"][0], self.student.id)
        self.assertFalse(rows[self.anonymous.id]["partner_id"])
        self.assertFalse(rows[self.anonymous.id]["archive_ids"])
        self.assertFalse(self.anonymous.sudo().archive_ids)
        with self.assertRaises(AccessError):
            self.anonymous.with_user(self.user_teacher).read(["submitter_id"])
        # The teacher opens the form of the shared ticket without an access error:
        # the view leaves out what the service team only reads.
        as_teacher = self.anonymous.with_user(self.user_teacher)
        arch = as_teacher.get_views([(False, "form")])["views"]["form"]["arch"]
        self.assertNotIn('name="submitter_id"', arch)
        fields_in_form = as_teacher.get_views([(False, "form")])["models"][
            "training.feedback"
        ]["fields"]
        values = as_teacher.web_read({name: {} for name in fields_in_form})
        self.assertEqual(values[0]["name"], "The teacher shouts at us")
        # Even a teacher allowed to export cannot export who submitted.
        self.user_teacher.groups_id |= self.env.ref("base.group_allow_export")
        with self.assertRaises(AccessError):
            self.anonymous.with_user(self.user_teacher).export_data(["submitter_id"])
        export = self.anonymous.with_user(self.user_teacher).export_data(
            ["name", "partner_id"]
        )
        self.assertEqual(export["datas"], [["The teacher shouts at us", ""]])
        # The plan reaches the anonymous student privately: the teacher reads
        # neither the notification nor a follower entry naming them.
        self._plan(self.anonymous)
        self._end_request()
        Message = self.env["mail.message"]
        notified = [
            ("model", "=", "training.feedback"),
            ("res_id", "=", self.anonymous.id),
            ("partner_ids", "in", self.student.ids),
        ]
        self.assertEqual(Message.search_count(notified), 1)
        self.assertFalse(Message.with_user(self.user_teacher).search(notified))
        self.assertNotIn(
            self.student,
            self.anonymous.with_user(self.user_teacher).message_partner_ids,
        )
        # The anonymous complaint is not in the student's archive.
        self.assertNotIn(self.anonymous, self.archive.feedback_ids)
        # The service team knows who wrote.
        self.assertEqual(
            self.anonymous.with_user(self.user_customer_service).submitter_id,
            self.student,
        )

    def test_teacher_reads_aggregate_results_about_themselves(self):
        """FB-07, privacy: the analysis gives a teacher the counts about their own
        courses only, with no ticket or student in it; the service team sees all."""
        self.other.teacher_id = self.user_teacher2
        self._end_request()
        Report = self.env["training.feedback.report"]
        mine = Report.with_user(self.user_teacher).read_group(
            [], ["feedback_count:sum", "negative_count:sum"], ["teacher_id"]
        )
        self.assertEqual(len(mine), 1)
        self.assertEqual(mine[0]["teacher_id"][0], self.user_teacher.id)
        self.assertEqual(mine[0]["feedback_count"], 2)
        self.assertNotIn("partner_id", Report._fields)
        self.assertEqual(Report.with_user(self.user_teacher2).search_count([]), 1)
        # The service team reads the figures of every teacher (demo data aside).
        courses = [("course_id", "in", (self.course_a | self.course_b).ids)]
        self.assertEqual(
            Report.with_user(self.user_customer_service).search_count(courses), 3
        )
        with self.assertRaises(AccessError):
            Report.with_user(self.user_finance).search([])

    def test_owner_and_other_roles(self):
        """FB-04, privacy: the owner of a ticket reads and works on it but cannot
        take the service team's decisions; finance or enrolment staff without a
        ticket read none; management reads all."""
        self.other.with_user(self.user_customer_service).user_id = self.user_finance
        self._end_request()
        self.assertEqual(
            self.Feedback.with_user(self.user_finance).search([]), self.other
        )
        self.assertFalse(self.Feedback.with_user(self.user_enrolment).search([]))
        tickets = self.named | self.anonymous | self.other
        self.assertEqual(
            self.Feedback.with_user(self.user_management).search(
                [("id", "in", tickets.ids)]
            ),
            tickets,
        )
        # The owner works on the ticket, but the service team's decisions stay
        # theirs: review, plan, sharing, owner, state.
        as_owner = self.other.with_user(self.user_finance)
        with self.assertRaises(AccessError):
            as_owner.action_review()
        with self.assertRaises(AccessError):
            as_owner.write({"shared_user_ids": [(4, self.user_teacher.id)]})
        with self.assertRaises(AccessError):
            as_owner.write({"state": "closed"})
        with self.assertRaises(AccessError):
            as_owner.write({"user_id": self.user_enrolment.id})
        self.assertEqual(self.other.state, "new")
        as_owner.action_wait()
        self.assertTrue(self.other.waiting)
        with self.assertRaises(AccessError):
            self.named.with_user(self.user_finance).action_wait()
        with self.assertRaises(AccessError):
            self.Feedback.with_user(self.user_teacher).create(
                {"name": "x", "channel": "phone"}
            )

    def test_portal_student_sees_own_tickets(self):
        """FB-04, privacy: a student reads their own tickets (anonymous ones
        included) on the portal, never another student's; ratings of tickets are
        read by the service team only."""
        Feedback = self.Feedback.with_user(self.student_portal_user)
        self.assertEqual(Feedback.search([]), self.named | self.anonymous)
        self.assertFalse(self.Feedback.with_user(self.other_portal_user).search([]))
        with self.assertRaises(AccessError):
            self.other.with_user(self.student_portal_user).read(["name"])
        rating = self.env["rating.rating"].create(
            {
                "res_model_id": self.env["ir.model"]._get_id("training.feedback"),
                "res_id": self.named.id,
                "partner_id": self.student.id,
                "rating": 2,
                "consumed": True,
            }
        )
        self._end_request()
        Rating = self.env["rating.rating"]
        self.assertFalse(
            Rating.with_user(self.user_teacher).search([("id", "=", rating.id)])
        )
        self.assertTrue(
            Rating.with_user(self.user_customer_service).search(
                [("id", "=", rating.id)]
            )
        )

    def test_multi_company(self):
        """FB-07, privacy across companies: a ticket of another company is
        invisible to the service team of this one, in search, read_group and the
        analysis."""
        other_company = self.env["res.company"].create({"name": "Branch School"})
        ticket = self.Feedback.create(
            {
                "name": "Branch ticket",
                "channel": "phone",
                "company_id": other_company.id,
            }
        )
        self._end_request()
        Feedback = self.Feedback.with_user(self.user_customer_service)
        self.assertFalse(Feedback.search([("id", "=", ticket.id)]))
        groups = Feedback.read_group([], ["company_id"], ["company_id"])
        self.assertEqual([g["company_id"][0] for g in groups], [self.company.id])
        self.assertFalse(
            self.env["training.feedback.report"]
            .with_user(self.user_customer_service)
            .search([("id", "=", ticket.id)])
        )

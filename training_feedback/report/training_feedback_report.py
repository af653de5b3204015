from odoo import fields, models, tools


class TrainingFeedbackReport(models.Model):
    """Feedback analysis (FB-07): counts, negative share and ratings by category,
    course, teacher, channel and period.

    It carries no student and no ticket: teachers read it for their own courses
    (record rule on ``teacher_id``) and learn the aggregate results about themselves,
    never who complained.
    """

    _name = "training.feedback.report"
    _description = "Feedback Analysis"
    _auto = False
    _order = "date desc"

    date = fields.Datetime(readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    category_id = fields.Many2one("training.feedback.category", readonly=True)
    course_id = fields.Many2one("training.course", readonly=True)
    teacher_id = fields.Many2one("res.users", readonly=True)
    channel = fields.Selection(
        lambda self: self.env["training.feedback"]._fields["channel"].selection,
        readonly=True,
    )
    kind = fields.Selection(
        lambda self: self.env["training.feedback"]._fields["kind"].selection,
        readonly=True,
    )
    priority = fields.Selection([("0", "Normal"), ("1", "Urgent")], readonly=True)
    state = fields.Selection(
        lambda self: self.env["training.feedback"]._fields["state"].selection,
        readonly=True,
    )
    sla_state = fields.Selection(
        lambda self: self.env["training.feedback"]._fields["sla_state"].selection,
        string="SLA",
        readonly=True,
    )
    feedback_count = fields.Integer(string="Tickets", readonly=True, aggregator="sum")
    negative_count = fields.Integer(
        string="Complaints", readonly=True, aggregator="sum"
    )
    rated_count = fields.Integer(string="Rated", readonly=True, aggregator="sum")
    rating = fields.Float(
        string="Average Rating",
        readonly=True,
        aggregator="avg",
        help="Average of the rated tickets' ratings (1-5).",
    )
    resolution_hours = fields.Float(
        string="Hours to Result", readonly=True, aggregator="avg"
    )

    def init(self):
        tools.drop_view_if_exists(self.env.cr, self._table)
        self.env.cr.execute(
            f"""
            CREATE OR REPLACE VIEW {self._table} AS (
                SELECT
                    f.id AS id,
                    f.received_date AS date,
                    f.company_id,
                    f.category_id,
                    f.course_id,
                    f.teacher_id,
                    f.channel,
                    f.kind,
                    f.priority,
                    f.state,
                    f.sla_state,
                    1 AS feedback_count,
                    CASE WHEN f.kind = 'complaint' THEN 1 ELSE 0 END
                        AS negative_count,
                    CASE WHEN f.rating_score > 0 THEN 1 ELSE 0 END AS rated_count,
                    NULLIF(f.rating_score, 0) AS rating,
                    EXTRACT(EPOCH FROM (f.result_date - f.received_date)) / 3600.0
                        AS resolution_hours
                FROM training_feedback f
                WHERE f.state != 'invalid'
            )
            """
        )

from odoo import fields, models


class TrainingArrearsStep(models.Model):
    """One rung of the arrears reminder ladder (RET-04), configured by finance: how
    many days after the due date, through which channel (e-mail template, SMS,
    phone-call activity), with which deadline and offer. The reminder of the final
    rung states the consequence: when its deadline passes unpaid, an arrears case
    opens for approval."""

    _name = "training.arrears.step"
    _description = "Arrears Reminder Step"
    _order = "company_id, days_overdue, sequence, id"
    _check_company_auto = True

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda self: self.env.company
    )
    days_overdue = fields.Integer(
        string="Days After Due Date",
        required=True,
        help="The reminder goes out once the invoice is this many days overdue.",
    )
    deadline_days = fields.Integer(
        string="Deadline (days)",
        default=7,
        help="Days the student is given to pay, stated in the reminder.",
    )
    channel = fields.Selection(
        [("email", "E-mail"), ("sms", "SMS"), ("call", "Phone Call")],
        required=True,
        default="email",
    )
    mail_template_id = fields.Many2one(
        "mail.template",
        string="E-mail Template",
        domain="[('model', '=', 'training.arrears.reminder')]",
    )
    sms_template_id = fields.Many2one(
        "sms.template",
        string="SMS Template",
        domain="[('model', '=', 'training.arrears.reminder')]",
    )
    user_id = fields.Many2one(
        "res.users",
        string="Caller",
        domain="[('share', '=', False)]",
        help="Who makes the phone call (default: the enrolment's salesperson).",
    )
    offer_instalments = fields.Boolean(
        help="The reminder offers to spread the amount due over instalments."
    )
    instalment_term_id = fields.Many2one(
        "account.payment.term",
        string="Instalment Plan",
        check_company=True,
        help="Payment terms of the new payment schedule offered on the invoice.",
    )
    is_final = fields.Boolean(
        string="Final Reminder",
        help="When the deadline of this reminder passes unpaid, an arrears case "
        "opens for management approval.",
    )
    consequence = fields.Text(
        translate=True,
        help="What happens if the student does not pay by the deadline; quoted in "
        "the reminder.",
    )

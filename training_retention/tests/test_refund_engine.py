"""The refund rule (RET-07) on a table of worked examples, without a database.

Unless said otherwise: a course of 40 lessons invoiced 4,000 (100 a lesson), the
student enrolled on 2025-03-01, the course runs 2025-03-07 .. 2025-07-31, the student
leaves on 2025-04-15; policy: full refund before the start, 7 cooling-off days,
administrative fee 5 % of the lessons' value capped at 200. Every expected amount is
worked out by hand in the comment above it.
"""

import unittest
from datetime import date

from odoo.addons.training_retention.refund_engine import (
    KEPT,
    REFUNDABLE,
    Case,
    Enrollment,
    Invoice,
    Line,
    Rules,
    compute_refund,
)

POLICY = Rules("Standard", cooling_off_days=7, admin_fee_percent=5.0, admin_fee_cap=200)


def invoice(key=1, total=4000.0, paid=None, credited=0.0, payee="student", lines=()):
    paid = total - credited if paid is None else paid
    return Invoice(
        key,
        f"INV/{key}",
        total,
        paid=paid,
        credited=credited,
        residual=round(total - paid - credited, 2),
        payee=payee,
        lines=lines or (Line(key * 10, "English B1", total),),
    )


def enrollment(key=1, consumed=0, lessons=40, invoices=None, rules=POLICY, **dates):
    values = {
        "enrolled_on": date(2025, 3, 1),
        "start": date(2025, 3, 7),
        "end": date(2025, 7, 31),
        "last_attended": date(2025, 4, 10) if consumed else None,
    }
    values.update(dates)
    return Enrollment(
        key,
        f"Li Lei - course {key}",
        rules,
        lessons,
        consumed,
        invoices=tuple(invoices or (invoice(key),)),
        **values,
    )


def refund(*enrollments, effective=date(2025, 4, 15), **case):
    return compute_refund(
        Case(effective, tuple(enrollments), **case), lambda a: round(a, 2)
    )


class TestRefundEngine(unittest.TestCase):
    def check(self, result, **amounts):
        for name, expected in amounts.items():
            self.assertAlmostEqual(getattr(result, name), expected, 2, name)
        # The credit notes carry exactly the statement's credit plus the forgiveness.
        credited = sum(
            a for lines in result.credit_by_line.values() for a in lines.values()
        )
        self.assertAlmostEqual(credited, result.credit + result.forgiven, 2)

    def test_before_start_without_lessons(self):
        """RET-07: leaves 2025-04-15, course starts 2025-05-01, nothing attended:
        everything invoiced comes back, no fee: 4,000."""
        result = refund(enrollment(start=date(2025, 5, 1)))
        self.check(result, gross=4000, deductions=0, credit=4000, refund=4000)

    def test_before_start_with_lessons(self):
        """RET-07: the course starts 2025-05-01 but 2 trial lessons were attended:
        no full refund. 38 x 100 = 3,800, fee 5 % = 190: 3,610."""
        result = refund(
            enrollment(
                consumed=2, start=date(2025, 5, 1), last_attended=date(2025, 4, 1)
            )
        )
        self.check(result, gross=3800, deductions=190, credit=3610, refund=3610)

    def test_cooling_off(self):
        """RET-07: enrolled 2025-03-01, leaves 2025-03-05 (4 days <= 7), nothing
        attended: 4,000. With one lesson attended: 39 x 100 = 3,900 - 195 = 3,705."""
        result = refund(enrollment(start=date(2025, 3, 2)), effective=date(2025, 3, 5))
        self.check(result, credit=4000, refund=4000)
        result = refund(
            enrollment(
                consumed=1, start=date(2025, 3, 2), last_attended=date(2025, 3, 3)
            ),
            effective=date(2025, 3, 5),
        )
        self.check(result, gross=3900, deductions=195, credit=3705, refund=3705)

    def test_backdated_date(self):
        """RET-07: 30 of 40 attended, last on 2025-04-10, date typed 2025-03-04 (before
        the start): the date is taken as 2025-04-10; 10 x 100 = 1,000 - 50 = 950, not
        the full 4,000."""
        result = refund(enrollment(consumed=30), effective=date(2025, 3, 4))
        self.check(result, gross=1000, deductions=50, credit=950, refund=950)
        self.assertIn("last attended lesson", result.lines[1][0])

    def test_ten_consumed_materials_capped_fee(self):
        """RET-07: 10 consumed: 30 x 100 = 3,000; materials 300; fee 5 % = 150:
        2,550. At 10 % the fee is 300, capped at 200: 3,000 - 200 - 300 = 2,500."""
        result = refund(enrollment(consumed=10), materials=(("Textbook set", 300.0),))
        self.check(result, gross=3000, deductions=450, credit=2550, refund=2550)
        rules = Rules(
            "Ten", cooling_off_days=7, admin_fee_percent=10, admin_fee_cap=200
        )
        result = refund(
            enrollment(consumed=10, rules=rules), materials=(("Textbook set", 300.0),)
        )
        self.check(result, deductions=500, credit=2500, refund=2500)
        self.assertIn("capped at 200", " ".join(text for text, *__ in result.lines))

    def test_discount(self):
        """RET-07: 20 % discount, invoiced 3,200: unit 80; 30 x 80 = 2,400; fee 120:
        2,280."""
        result = refund(enrollment(consumed=10, invoices=[invoice(total=3200.0)]))
        self.check(result, gross=2400, deductions=120, credit=2280, refund=2280)

    def test_partly_paid_arrears_netted(self):
        """RET-07, RET-04: 4,000 invoiced, 1,000 paid, 3,000 owed; 10 consumed:
        3,000 - 150 = 2,850 credited, all of it pays the arrears: refund 0, 150 still
        owed. Paid 3,000 (1,000 owed): 2,850 - 1,000 = 1,850 refunded."""
        result = refund(enrollment(consumed=10, invoices=[invoice(paid=1000.0)]))
        self.check(result, arrears=3000, credit=2850, netted=2850, refund=0)
        self.assertIn("150.0", " ".join(text for text, *__ in result.lines))
        result = refund(enrollment(consumed=10, invoices=[invoice(paid=3000.0)]))
        self.check(result, arrears=1000, credit=2850, netted=1000, refund=1850)

    def test_arrears_forgiven(self):
        """RET-07: as above (1,000 paid, 3,000 owed, 2,850 credited) with 150 forgiven
        by finance: credit note 2,850 + 150 = 3,000, nothing owed, refund 0. Paid
        3,000 and the 1,000 owed forgiven: credit note 3,850, the policy's 2,850 is
        paid back in full."""
        result = refund(
            enrollment(consumed=10, invoices=[invoice(paid=1000.0)]), forgiven=150.0
        )
        self.check(result, credit=2850, forgiven=150, netted=2850, refund=0)
        self.assertEqual(result.credit_by_line, {1: {10: 3000.0}})
        result = refund(
            enrollment(consumed=10, invoices=[invoice(paid=3000.0)]), forgiven=1000.0
        )
        self.check(result, credit=2850, forgiven=1000, netted=0, refund=2850)

    def test_registration_fee_and_deposit(self):
        """RET-07: lessons 4,000 + registration fee 200 (kept) + deposit 100
        (refundable), 4,300 paid; 10 consumed: 3,000 - 150 + 100 = 2,950, the fee is
        kept. Before the start with nothing attended: all 4,300."""
        lines = (
            Line(10, "English B1", 4000.0),
            Line(11, "Registration fee", 200.0, KEPT),
            Line(12, "Deposit", 100.0, REFUNDABLE),
        )
        inv = invoice(total=4300.0, lines=lines)
        result = refund(enrollment(consumed=10, invoices=[inv]))
        self.check(result, gross=3100, deductions=150, credit=2950, refund=2950)
        self.assertEqual(result.credit_by_line, {1: {10: 2850.0, 12: 100.0}})
        result = refund(enrollment(invoices=[inv], start=date(2025, 5, 1)))
        self.check(result, credit=4300, refund=4300)

    def test_earlier_credit_note(self):
        """RET-07: a goodwill credit note of 400 was made before: 3,600 paid for 40
        lessons, unit 90; 10 consumed: 30 x 90 = 2,700 - 135 = 2,565. Already credited
        4,000 (a first refund): nothing left."""
        result = refund(enrollment(consumed=10, invoices=[invoice(credited=400.0)]))
        self.check(result, gross=2700, deductions=135, credit=2565, refund=2565)
        result = refund(enrollment(consumed=10, invoices=[invoice(credited=4000.0)]))
        self.check(result, credit=0, refund=0)

    def test_override_is_capped(self):
        """RET-07: finance sets the refundable value to 5,000 on a 4,000 invoice
        (1,000 owed): the invoice can be credited 4,000 at most; 1,000 pays the
        arrears, 3,000 is paid back — never more than the 3,000 paid."""
        result = refund(
            enrollment(consumed=10, invoices=[invoice(paid=3000.0)]), override=5000.0
        )
        self.check(result, credit=4000, netted=1000, refund=3000)

    def test_two_enrolments(self):
        """RET-07: course 1: 4,000, 10 of 40 consumed: 3,000 - 150 = 2,850; course 2:
        20 lessons for 3,000 (150 each), 15 consumed: 5 x 150 = 750 - 37.50 = 712.50.
        Materials 300 spread by credit: 300 x 2,850 / 3,562.50 = 240 and 60. Credit
        notes: 2,610 on course 1's invoice, 652.50 on course 2's: 3,262.50."""
        first = enrollment(1, consumed=10)
        second = enrollment(2, consumed=15, lessons=20, invoices=[invoice(2, 3000.0)])
        result = refund(first, second, materials=(("Textbook set", 300.0),))
        self.check(result, gross=3750, deductions=487.5, credit=3262.5, refund=3262.5)
        self.assertEqual(result.credit_by_line, {1: {10: 2610.0}, 2: {20: 652.5}})

    def test_guardian_paid(self):
        """RET-07: course 1 billed to and paid by the guardian (4,000), 10
        consumed: 2,850 back to the guardian. Course 2 billed to the student, unpaid
        (3,000), 15 of 20 consumed: 712.50 credited, which pays the student's own
        arrears only: the student still owes 2,287.50 and the guardian gets 2,850."""
        first = enrollment(1, consumed=10, invoices=[invoice(1, payee="guardian")])
        second = enrollment(
            2, consumed=15, lessons=20, invoices=[invoice(2, 3000.0, paid=0.0)]
        )
        result = refund(first, second)
        self.check(result, credit=3562.5, netted=712.5, refund=2850)
        self.assertIn("2287.5", " ".join(text for text, *__ in result.lines))

    def test_policy_limits(self):
        """RET-07: pro rata only up to 60 % attended: 30 of 40 (75 %) -> nothing. No
        refund after 50 % of the course: 2025-03-07 .. 2025-07-31 is 146 days, leaving
        2025-06-01 is 86 days (58.9 %) -> nothing. Refund rate 80 %: 30 x 100 x 0.8 =
        2,400, no fee."""
        rules = Rules("Limit", prorata_max_attended_percent=60)
        self.check(refund(enrollment(consumed=30, rules=rules)), credit=0)
        rules = Rules("Time", no_refund_after_percent=50)
        self.check(
            refund(enrollment(consumed=10, rules=rules), effective=date(2025, 6, 1)),
            credit=0,
        )
        rules = Rules("Rate", refund_rate=80)
        self.check(refund(enrollment(consumed=10, rules=rules)), credit=2400)

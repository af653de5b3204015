"""The refund of an attrition case (RET-07) as one pure function: plain values in,
statement lines and amounts out, no database. Finance and reviewers read
:func:`compute_refund`; ``tests/test_refund_engine.py`` checks it against a table of
worked examples; ``training.attrition.case`` gathers the values from the accounts and
turns the result into the statement and the credit notes.

Every amount is in the currency of the invoices (the document's currency) and
rounded by the caller's ``round_amount`` (the currency's rounding).
"""

from dataclasses import dataclass, field
from datetime import date

# Kinds of invoice lines: the lessons of the course are refunded pro rata; other
# lines (registration fee, materials, deposit) follow their product's rule.
LESSON = "lesson"
REFUNDABLE = "refundable"
KEPT = "kept"


@dataclass(frozen=True)
class Rules:
    """One version of a refund policy (``training.refund.policy``)."""

    name: str
    full_refund_before_start: bool = True
    cooling_off_days: int = 0
    refund_rate: float = 100.0
    admin_fee_percent: float = 0.0
    admin_fee_cap: float = 0.0  # 0 = no cap
    no_refund_after_percent: float = 0.0  # 0 = never
    prorata_max_attended_percent: float = 0.0  # 0 = no limit


@dataclass(frozen=True)
class Line:
    """An invoice line: its total with taxes, after discounts."""

    key: object
    name: str
    amount: float
    kind: str = LESSON


@dataclass(frozen=True)
class Invoice:
    """A posted customer invoice of an enrolment. ``paid`` is what payments
    actually settled (cash), ``credited`` what credit notes already took off,
    ``residual`` what is still owed; ``payee`` is who was billed (and is refunded)."""

    key: object
    name: str
    total: float
    paid: float = 0.0
    credited: float = 0.0
    residual: float = 0.0
    payee: object = None
    lines: tuple = ()


@dataclass(frozen=True)
class Enrollment:
    key: object
    name: str
    rules: Rules
    lessons: int
    consumed: int
    enrolled_on: date
    start: date = None
    end: date = None
    last_attended: date = None
    invoices: tuple = ()


@dataclass(frozen=True)
class Case:
    effective_date: date
    enrollments: tuple
    materials: tuple = ()  # (name, value) of the materials not handed back
    deduct_materials: bool = True
    override: float = None  # refundable value set by finance instead of the policy's
    forgiven: float = 0.0  # arrears forgiven by finance


@dataclass
class Refund:
    lines: list = field(default_factory=list)  # (text, amount or None, line type)
    invoiced: float = 0.0
    paid: float = 0.0
    arrears: float = 0.0
    gross: float = 0.0
    deductions: float = 0.0
    credit: float = 0.0  # credited by the policy (or finance's override)
    forgiven: float = 0.0  # credited on top: arrears forgiven
    netted: float = 0.0  # part of the credit that pays the arrears
    refund: float = 0.0  # paid back to the payees
    # {invoice key: {line key: amount credited}}, forgiveness included
    credit_by_line: dict = field(default_factory=dict)


def _format(text, **params):
    return text % params if params else text


def _spread(amount, weights, round_amount):
    """``amount`` split in proportion to ``weights`` ({key: weight}), rounded, the
    rounding difference on the last key."""
    total = sum(weights.values())
    shares = {}
    if not weights or total <= 0:
        return shares
    left = amount
    keys = list(weights)
    for key in keys[:-1]:
        shares[key] = round_amount(amount * weights[key] / total)
        left -= shares[key]
    shares[keys[-1]] = round_amount(left)
    return shares


def compute_refund(case, round_amount, _=_format, fmt=str, fmt_date=str):  # noqa: C901
    """The refund of ``case``, in this order:

    1. Each invoice can be credited at most what earlier credit notes left of it:
       ``total - credited``; every line shares that reduction alike.
    2. The effective date is never before the last attended lesson.
    3. Full refund of everything invoiced, fees included, when no lesson was
       attended and the student leaves before the course starts (if the policy
       says so) or within the cooling-off period after enrolling. A single
       attended lesson rules the full refund out: consumption always counts.
    4. Otherwise, per enrolment with its own policy version:
       a. no refund of the lessons once the policy's share of the course's duration
          has passed, or once more than its share of the lessons was attended;
       b. else the unconsumed lessons at the unit price actually paid (the lesson
          lines net of discounts and earlier credit notes / lessons purchased), at
          the policy's refund rate;
       c. the administrative fee: its percentage of (b), capped;
       d. other lines: refundable ones in full, kept ones (registration fee) not.
    5. Materials not handed back are deducted (unless the policy or the case
       waives it), spread over the enrolments in proportion to their credit.
    6. Finance may set the refundable value instead (override); it is still spread
       and capped as in 7.
    7. The credit on each invoice never exceeds what it can still be credited:
       neither ``total - credited`` nor ``paid + residual``.
    8. Arrears are netted: the credit first pays what each payee still owes; finance
       may forgive arrears explicitly, which credits them on top.
    9. What remains is paid back to each payee, never more than the payee paid.
    """
    out = Refund()

    def add(text, amount=None, line_type="info"):
        out.lines.append((text, amount, line_type))

    invoices = [inv for enr in case.enrollments for inv in enr.invoices]
    out.invoiced = round_amount(sum(inv.total for inv in invoices))
    out.paid = round_amount(sum(inv.paid for inv in invoices))
    out.arrears = round_amount(sum(inv.residual for inv in invoices))
    creditable = {
        inv.key: round_amount(max(inv.total - inv.credited, 0.0)) for inv in invoices
    }
    # Net amount of each line after earlier credit notes (rule 1).
    net = {}
    for inv in invoices:
        ratio = creditable[inv.key] / inv.total if inv.total else 0.0
        for line in inv.lines:
            net[inv.key, line.key] = line.amount * ratio

    credit_lines = {}  # {(invoice key, line key): amount} before materials/override
    policy_credit = {}  # per enrolment, after its fee, before materials
    fees = 0.0
    fee_lines = []  # shown with the other deductions, after the refundable value
    for enr in case.enrollments:
        rules = enr.rules
        add(
            _(
                "%(enrollment)s: invoiced %(invoiced)s, paid %(paid)s, credited "
                "before %(credited)s, outstanding %(residual)s",
                enrollment=enr.name,
                invoiced=fmt(sum(i.total for i in enr.invoices)),
                paid=fmt(sum(i.paid for i in enr.invoices)),
                credited=fmt(sum(i.credited for i in enr.invoices)),
                residual=fmt(sum(i.residual for i in enr.invoices)),
            )
        )
        keys = [(inv.key, line) for inv in enr.invoices for line in inv.lines]
        if not keys or sum(creditable[inv.key] for inv in enr.invoices) <= 0:
            add(_("Nothing left to credit on these invoices."), 0.0, "base")
            policy_credit[enr.key] = 0.0
            continue
        leaves_on = case.effective_date  # rule 2
        if enr.last_attended and leaves_on < enr.last_attended:
            leaves_on = enr.last_attended
            add(
                _(
                    "Effective date taken as the last attended lesson, %(date)s.",
                    date=fmt_date(leaves_on),
                )
            )
        before_start = bool(
            rules.full_refund_before_start and enr.start and leaves_on < enr.start
        )
        cooling_off = bool(
            rules.cooling_off_days
            and (leaves_on - enr.enrolled_on).days <= rules.cooling_off_days
        )
        if not enr.consumed and (before_start or cooling_off):  # rule 3
            if before_start:
                text = _(
                    "Full refund: no lesson attended and the student leaves on "
                    "%(date)s, before the course starts on %(start)s.",
                    date=fmt_date(leaves_on),
                    start=fmt_date(enr.start),
                )
            else:
                text = _(
                    "Full refund: no lesson attended and cancelled on %(date)s, "
                    "within the cooling-off period of %(days)s days after the "
                    "enrolment on %(enrolled)s.",
                    date=fmt_date(leaves_on),
                    days=rules.cooling_off_days,
                    enrolled=fmt_date(enr.enrolled_on),
                )
            full = {
                (ik, line.key): round_amount(net[ik, line.key]) for ik, line in keys
            }
            add(text, round_amount(sum(full.values())), "base")
            credit_lines.update(full)
            policy_credit[enr.key] = sum(full.values())
            continue
        if enr.consumed and (before_start or cooling_off):
            add(
                _(
                    "No full refund: %(consumed)s lesson(s) already attended.",
                    consumed=enr.consumed,
                )
            )
        # Rule 4: the lessons.
        total = enr.lessons
        consumed = min(enr.consumed, total)
        remaining = total - consumed
        attended_pct = consumed * 100.0 / total if total else 100.0
        add(
            _(
                "Lessons: %(total)s purchased, %(consumed)s consumed (%(pct)s %%), "
                "%(remaining)s remaining.",
                total=total,
                consumed=consumed,
                pct=round(attended_pct, 1),
                remaining=remaining,
            )
        )
        lesson_keys = [(ik, line) for ik, line in keys if line.kind == LESSON]
        lesson_net = sum(net[ik, line.key] for ik, line in lesson_keys)
        if enr.start and enr.end and enr.end > enr.start:
            elapsed = (leaves_on - enr.start).days * 100.0 / (enr.end - enr.start).days
        else:
            elapsed = attended_pct
        value = 0.0
        if rules.no_refund_after_percent and elapsed > rules.no_refund_after_percent:
            add(
                _(
                    "No refund of the lessons: %(elapsed)s %% of the course has "
                    "passed, the policy refunds nothing after %(limit)s %%.",
                    elapsed=round(elapsed, 1),
                    limit=rules.no_refund_after_percent,
                ),
                0.0,
                "base",
            )
        elif (
            rules.prorata_max_attended_percent
            and attended_pct > rules.prorata_max_attended_percent
        ):
            add(
                _(
                    "No refund of the lessons: %(pct)s %% attended, the policy "
                    "refunds pro-rata only up to %(limit)s %%.",
                    pct=round(attended_pct, 1),
                    limit=rules.prorata_max_attended_percent,
                ),
                0.0,
                "base",
            )
        elif lesson_keys and total:
            unit = lesson_net / total
            value = round_amount(unit * remaining * rules.refund_rate / 100.0)
            add(
                _(
                    "Unit price actually paid: %(net)s / %(total)s lessons = %(unit)s.",
                    net=fmt(round_amount(lesson_net)),
                    total=total,
                    unit=fmt(round_amount(unit)),
                )
            )
            rate = "" if rules.refund_rate == 100.0 else f" x {rules.refund_rate} %"
            add(
                _(
                    "Unconsumed lessons: %(remaining)s x %(unit)s%(rate)s",
                    remaining=remaining,
                    unit=fmt(round_amount(unit)),
                    rate=rate,
                ),
                value,
                "base",
            )
        fee = 0.0
        if value and rules.admin_fee_percent:  # rule 4c
            fee = round_amount(value * rules.admin_fee_percent / 100.0)
            if rules.admin_fee_cap and fee > rules.admin_fee_cap:
                fee = round_amount(rules.admin_fee_cap)
                text = _(
                    "Administrative fee: %(percent)s %% of %(base)s, capped at %(cap)s",
                    percent=rules.admin_fee_percent,
                    base=fmt(value),
                    cap=fmt(fee),
                )
            else:
                text = _(
                    "Administrative fee: %(percent)s %% of %(base)s",
                    percent=rules.admin_fee_percent,
                    base=fmt(value),
                )
            fee_lines.append((text, -fee, "deduction"))
            fees += fee
        lessons_credit = round_amount(value - fee)
        credit_lines.update(
            _spread(
                lessons_credit,
                {(ik, line.key): net[ik, line.key] for ik, line in lesson_keys},
                round_amount,
            )
        )
        for ik, line in keys:  # rule 4d
            if line.kind == LESSON:
                continue
            amount = round_amount(net[ik, line.key])
            if line.kind == REFUNDABLE:
                add(_("Refundable: %(line)s", line=line.name), amount, "base")
                credit_lines[ik, line.key] = amount
            else:
                add(
                    _(
                        "Not refundable: %(line)s (%(amount)s)",
                        line=line.name,
                        amount=fmt(amount),
                    )
                )
        policy_credit[enr.key] = lessons_credit + sum(
            credit_lines.get((ik, line.key), 0.0)
            for ik, line in keys
            if line.kind != LESSON
        )

    out.gross = round_amount(
        sum(amount for __, amount, kind in out.lines if kind == "base")
    )
    add(_("Refundable value"), out.gross, "subtotal")

    # Rule 5: materials, taken off the lines in proportion to their credit.
    materials = round_amount(sum(value for __, value in case.materials))
    if case.materials and case.deduct_materials:
        for name, value in case.materials:
            add(_("Material not handed back: %(name)s", name=name), -value, "deduction")
    elif case.materials:
        add(_("Materials kept by the student free of charge."))
        materials = 0.0
    out.lines += fee_lines
    out.deductions = round_amount(fees + materials)
    credit = max(round_amount(sum(credit_lines.values()) - materials), 0.0)
    if materials and credit == 0.0:
        add(_("The deductions exceed the refundable value: nothing is credited."))

    if case.override is not None:  # rule 6
        add(
            _(
                "Refundable value set by finance instead of the policy's %(policy)s",
                policy=fmt(credit),
            ),
            round_amount(case.override),
            "info",
        )
        credit = round_amount(case.override)
        weights = {k: v for k, v in credit_lines.items() if v > 0} or dict(net)
    else:
        weights = {k: v for k, v in credit_lines.items() if v > 0}
    by_line = _spread(credit, weights, round_amount)

    # Rule 8 (first part): forgiven arrears, invoice by invoice.
    forgiven_left = round_amount(min(case.forgiven, out.arrears))
    forgiven = {}
    for inv in invoices:
        share = round_amount(min(forgiven_left, inv.residual))
        if share > 0:
            forgiven[inv.key] = share
            forgiven_left = round_amount(forgiven_left - share)

    # Rule 7: never more than an invoice can still be credited.
    capped = 0.0
    for inv in invoices:
        lines = {k: v for k, v in by_line.items() if k[0] == inv.key}
        room = round_amount(
            min(creditable[inv.key], inv.paid + inv.residual)
            - forgiven.get(inv.key, 0.0)
        )
        over = round_amount(sum(lines.values()) - room)
        if over > 0:
            capped += over
            lines = _spread(room, lines, round_amount)
        forgiven_lines = _spread(
            forgiven.get(inv.key, 0.0),
            {(inv.key, line.key): net[inv.key, line.key] for line in inv.lines},
            round_amount,
        )
        merged = {}
        for (__, line_key), amount in list(lines.items()) + list(
            forgiven_lines.items()
        ):
            merged[line_key] = round_amount(merged.get(line_key, 0.0) + amount)
        merged = {k: v for k, v in merged.items() if v}
        if merged:
            out.credit_by_line[inv.key] = merged
        out.credit += sum(lines.values())
    out.credit = round_amount(out.credit)
    out.forgiven = round_amount(sum(forgiven.values()))
    if capped:
        add(
            _(
                "Limited to what the invoices can still be credited: %(amount)s less.",
                amount=fmt(round_amount(capped)),
            )
        )
    add(_("Credited on the invoices"), out.credit, "subtotal")

    # Rules 8 and 9, payee by payee.
    payees = {}
    for inv in invoices:
        entry = payees.setdefault(inv.payee, [0.0, 0.0, 0.0])
        entry[0] += sum(out.credit_by_line.get(inv.key, {}).values())
        entry[1] += inv.residual
        entry[2] += forgiven.get(inv.key, 0.0)
    # A payee's credit notes pay what the payee still owes first (the forgiven part
    # included); since an invoice is credited at most paid + residual (rule 7), what
    # is left is at most what the payee paid (rule 9).
    for credit_p, arrears_p, forgiven_p in payees.values():
        applied = round_amount(min(arrears_p, credit_p))
        out.netted += applied - forgiven_p
        out.refund += round_amount(credit_p - applied)
    out.netted = round_amount(out.netted)
    out.refund = round_amount(out.refund)
    if out.forgiven:
        add(_("Arrears forgiven by finance"), out.forgiven, "subtotal")
    if out.arrears:
        add(_("Arrears netted (still owed on the invoices)"), -out.netted, "deduction")
        still_owed = round_amount(out.arrears - out.forgiven - out.netted)
        if still_owed > 0:
            add(
                _(
                    "Still owed by the student after the netting: %(amount)s",
                    amount=fmt(still_owed),
                )
            )
    add(
        _("Refund to pay (paid so far: %(paid)s)", paid=fmt(out.paid)),
        out.refund,
        "total",
    )
    return out

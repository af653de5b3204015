"""The refund of an attrition case (RET-07) as one pure function: plain values in,
statement lines and amounts out, no database. Finance and reviewers read
:func:`compute_refund`; ``tests/test_refund_engine.py`` checks it against a table of
worked examples; ``training.attrition.case`` gathers the values from the accounts and
turns the result into the statement and the credit notes.

Every amount is in the currency of the invoices (the document's currency) and
rounded by the caller's ``round_amount`` (the currency's rounding). The texts are
translated by the ``_`` the caller passes (``env._``): there is no environment here.
"""
# pylint: disable=prefer-env-translation

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


def compute_refund(case, round_amount, _=_format, fmt=str, fmt_date=str):
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
    return _Refund(case, round_amount, _, fmt, fmt_date).compute()


class _Refund:
    """The steps of :func:`compute_refund`, one method per rule."""

    def __init__(self, case, round_amount, _, fmt, fmt_date):
        self.case = case
        self.round = round_amount
        self._ = _
        self.fmt = fmt
        self.fmt_date = fmt_date
        self.out = Refund()
        self.invoices = [inv for enr in case.enrollments for inv in enr.invoices]
        # Rule 1: what each invoice, and each of its lines, can still be credited.
        self.creditable = {
            inv.key: self.round(max(inv.total - inv.credited, 0.0))
            for inv in self.invoices
        }
        self.net = {
            (inv.key, line.key): line.amount * self.creditable[inv.key] / inv.total
            if inv.total
            else 0.0
            for inv in self.invoices
            for line in inv.lines
        }
        self.credit_lines = {}  # {(invoice, line): credit} before materials
        self.fee_lines = []  # shown after the refundable value
        self.fees = 0.0

    def add(self, text, amount=None, line_type="info"):
        self.out.lines.append((text, amount, line_type))

    def compute(self):
        out, _ = self.out, self._
        out.invoiced = self.round(sum(inv.total for inv in self.invoices))
        out.paid = self.round(sum(inv.paid for inv in self.invoices))
        out.arrears = self.round(sum(inv.residual for inv in self.invoices))
        for enr in self.case.enrollments:
            self.enrollment(enr)
        out.gross = self.round(
            sum(amount for __, amount, kind in out.lines if kind == "base")
        )
        self.add(_("Refundable value"), out.gross, "subtotal")
        credit = self.deductions()
        by_line = self.override(credit)
        forgiven = self.forgiveness()
        self.cap(by_line, forgiven)
        self.add(_("Credited on the invoices"), out.credit, "subtotal")
        self.netting(forgiven)
        self.add(
            _("Refund to pay (paid so far: %(paid)s)", paid=self.fmt(out.paid)),
            out.refund,
            "total",
        )
        return out

    # -- rules 2 to 4: one enrolment -----------------------------------------------

    def enrollment(self, enr):
        _, fmt = self._, self.fmt
        self.add(
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
        if not keys or sum(self.creditable[inv.key] for inv in enr.invoices) <= 0:
            self.add(_("Nothing left to credit on these invoices."), 0.0, "base")
            return
        leaves_on = self.leaving_date(enr)
        rules = enr.rules
        before_start = bool(
            rules.full_refund_before_start and enr.start and leaves_on < enr.start
        )
        cooling_off = bool(
            rules.cooling_off_days
            and (leaves_on - enr.enrolled_on).days <= rules.cooling_off_days
        )
        if before_start or cooling_off:
            if not enr.consumed:
                self.full_refund(enr, keys, leaves_on, before_start)
                return
            self.add(
                _(
                    "No full refund: %(consumed)s lesson(s) already attended.",
                    consumed=enr.consumed,
                )
            )
        self.lessons(enr, keys, leaves_on)
        self.other_lines(keys)

    def leaving_date(self, enr):
        """Rule 2."""
        if enr.last_attended and self.case.effective_date < enr.last_attended:
            self.add(
                self._(
                    "Effective date taken as the last attended lesson, %(date)s.",
                    date=self.fmt_date(enr.last_attended),
                )
            )
            return enr.last_attended
        return self.case.effective_date

    def full_refund(self, enr, keys, leaves_on, before_start):
        """Rule 3."""
        _, fmt_date = self._, self.fmt_date
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
                days=enr.rules.cooling_off_days,
                enrolled=fmt_date(enr.enrolled_on),
            )
        full = {(ik, line.key): self.round(self.net[ik, line.key]) for ik, line in keys}
        self.add(text, self.round(sum(full.values())), "base")
        self.credit_lines.update(full)

    def lessons(self, enr, keys, leaves_on):
        """Rule 4 a to c."""
        _, fmt, rules = self._, self.fmt, enr.rules
        total = enr.lessons
        consumed = min(enr.consumed, total)
        remaining = total - consumed
        attended_pct = consumed * 100.0 / total if total else 100.0
        self.add(
            _(
                "Lessons: %(total)s purchased, %(consumed)s consumed (%(pct)s %%), "
                "%(remaining)s remaining.",
                total=total,
                consumed=consumed,
                pct=round(attended_pct, 1),
                remaining=remaining,
            )
        )
        lesson_net = {
            (ik, line.key): self.net[ik, line.key]
            for ik, line in keys
            if line.kind == LESSON
        }
        if enr.start and enr.end and enr.end > enr.start:
            elapsed = (leaves_on - enr.start).days * 100.0 / (enr.end - enr.start).days
        else:
            elapsed = attended_pct
        if rules.no_refund_after_percent and elapsed > rules.no_refund_after_percent:
            self.add(
                _(
                    "No refund of the lessons: %(elapsed)s %% of the course has "
                    "passed, the policy refunds nothing after %(limit)s %%.",
                    elapsed=round(elapsed, 1),
                    limit=rules.no_refund_after_percent,
                ),
                0.0,
                "base",
            )
            return
        if (
            rules.prorata_max_attended_percent
            and attended_pct > rules.prorata_max_attended_percent
        ):
            self.add(
                _(
                    "No refund of the lessons: %(pct)s %% attended, the policy "
                    "refunds pro-rata only up to %(limit)s %%.",
                    pct=round(attended_pct, 1),
                    limit=rules.prorata_max_attended_percent,
                ),
                0.0,
                "base",
            )
            return
        if not lesson_net or not total:
            return
        unit = sum(lesson_net.values()) / total
        value = self.round(unit * remaining * rules.refund_rate / 100.0)
        self.add(
            _(
                "Unit price actually paid: %(net)s / %(total)s lessons = %(unit)s.",
                net=fmt(self.round(sum(lesson_net.values()))),
                total=total,
                unit=fmt(self.round(unit)),
            )
        )
        rate = "" if rules.refund_rate == 100.0 else f" x {rules.refund_rate} %"
        self.add(
            _(
                "Unconsumed lessons: %(remaining)s x %(unit)s%(rate)s",
                remaining=remaining,
                unit=fmt(self.round(unit)),
                rate=rate,
            ),
            value,
            "base",
        )
        fee = self.admin_fee(rules, value)
        self.credit_lines.update(
            _spread(self.round(value - fee), lesson_net, self.round)
        )

    def admin_fee(self, rules, value):
        """Rule 4c."""
        if not value or not rules.admin_fee_percent:
            return 0.0
        _, fmt = self._, self.fmt
        fee = self.round(value * rules.admin_fee_percent / 100.0)
        if rules.admin_fee_cap and fee > rules.admin_fee_cap:
            fee = self.round(rules.admin_fee_cap)
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
        self.fee_lines.append((text, -fee, "deduction"))
        self.fees += fee
        return fee

    def other_lines(self, keys):
        """Rule 4d."""
        for ik, line in keys:
            if line.kind == LESSON:
                continue
            amount = self.round(self.net[ik, line.key])
            if line.kind == REFUNDABLE:
                self.add(self._("Refundable: %(line)s", line=line.name), amount, "base")
                self.credit_lines[ik, line.key] = amount
            else:
                self.add(
                    self._(
                        "Not refundable: %(line)s (%(amount)s)",
                        line=line.name,
                        amount=self.fmt(amount),
                    )
                )

    # -- rules 5 to 9: the case ------------------------------------------------------

    def deductions(self):
        """Rule 5; returns the credit of the policy."""
        case, _ = self.case, self._
        materials = self.round(sum(value for __, value in case.materials))
        if case.materials and case.deduct_materials:
            for name, value in case.materials:
                self.add(
                    _("Material not handed back: %(name)s", name=name),
                    -value,
                    "deduction",
                )
        elif case.materials:
            self.add(_("Materials kept by the student free of charge."))
            materials = 0.0
        self.out.lines += self.fee_lines
        self.out.deductions = self.round(self.fees + materials)
        credit = max(self.round(sum(self.credit_lines.values()) - materials), 0.0)
        if materials and credit == 0.0:
            self.add(
                _("The deductions exceed the refundable value: nothing is credited.")
            )
        return credit

    def override(self, credit):
        """Rule 6; returns ``{(invoice, line): credit}``."""
        weights = {k: v for k, v in self.credit_lines.items() if v > 0}
        if self.case.override is not None:
            self.add(
                self._(
                    "Refundable value set by finance instead of the policy's "
                    "%(policy)s",
                    policy=self.fmt(credit),
                ),
                self.round(self.case.override),
            )
            credit = self.round(self.case.override)
            weights = weights or dict(self.net)
        return _spread(credit, weights, self.round)

    def forgiveness(self):
        """Rule 8, first part: ``{invoice: arrears forgiven}``."""
        left = self.round(min(self.case.forgiven, self.out.arrears))
        forgiven = {}
        for inv in self.invoices:
            share = self.round(min(left, inv.residual))
            if share > 0:
                forgiven[inv.key] = share
                left = self.round(left - share)
        self.out.forgiven = self.round(sum(forgiven.values()))
        return forgiven

    def cap(self, by_line, forgiven):
        """Rule 7: the credit notes' lines, invoice by invoice."""
        out = self.out
        capped = 0.0
        for inv in self.invoices:
            lines = {k: v for k, v in by_line.items() if k[0] == inv.key}
            room = self.round(
                min(self.creditable[inv.key], inv.paid + inv.residual)
                - forgiven.get(inv.key, 0.0)
            )
            over = self.round(sum(lines.values()) - room)
            if over > 0:
                capped += over
                lines = _spread(room, lines, self.round)
            forgiven_lines = _spread(
                forgiven.get(inv.key, 0.0),
                {
                    (inv.key, line.key): self.net[inv.key, line.key]
                    for line in inv.lines
                },
                self.round,
            )
            merged = {}
            for (__, line_key), amount in [*lines.items(), *forgiven_lines.items()]:
                merged[line_key] = self.round(merged.get(line_key, 0.0) + amount)
            merged = {k: v for k, v in merged.items() if v}
            if merged:
                out.credit_by_line[inv.key] = merged
            out.credit += sum(lines.values())
        out.credit = self.round(out.credit)
        if capped:
            self.add(
                self._(
                    "Limited to what the invoices can still be credited: %(amount)s "
                    "less.",
                    amount=self.fmt(self.round(capped)),
                )
            )

    def netting(self, forgiven):
        """Rules 8 and 9, payee by payee: a payee's credit notes pay what the payee
        still owes first (the forgiven part included); since an invoice is credited
        at most paid + residual (rule 7), what is left is at most what the payee
        paid."""
        out, _ = self.out, self._
        payees = {}
        for inv in self.invoices:
            entry = payees.setdefault(inv.payee, [0.0, 0.0, 0.0])
            entry[0] += sum(out.credit_by_line.get(inv.key, {}).values())
            entry[1] += inv.residual
            entry[2] += forgiven.get(inv.key, 0.0)
        for credit, arrears, forgiven_part in payees.values():
            applied = self.round(min(arrears, credit))
            out.netted += applied - forgiven_part
            out.refund += self.round(credit - applied)
        out.netted = self.round(out.netted)
        out.refund = self.round(out.refund)
        if out.forgiven:
            self.add(_("Arrears forgiven by finance"), out.forgiven, "subtotal")
        if out.arrears:
            self.add(
                _("Arrears netted (still owed on the invoices)"),
                -out.netted,
                "deduction",
            )
            still_owed = self.round(out.arrears - out.forgiven - out.netted)
            if still_owed > 0:
                self.add(
                    _(
                        "Still owed by the student after the netting: %(amount)s",
                        amount=self.fmt(still_owed),
                    )
                )

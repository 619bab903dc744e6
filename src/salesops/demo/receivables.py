"""The demo company's year of receivables: orders with lines, invoices from what shipped,
receipts and their allocations, credit notes, refunds, write-offs and the customer ledger.

Rows are built in Python and written with `bulk.RowWriter` (no service call per row: the
medium size makes about 1,000,000 invoices), account by account, so every figure obeys the
same rules the services keep (tests/demo/test_demo_receivables.py checks them for every
account with the invariant checker of tests/receivables/test_invariants.py):

- invoice open amount = amount - allocations - credit applications - approved write-offs;
- payment unallocated = amount - allocations - approved refunds; credit note likewise;
- the ledger (invoice +, payment -, approved credit note -, write-off -, refund +, reversals
  opposite) sums to the open items per account and currency.

Dates run over the 365 days up to today (so aging and the 24-hour booking queue look alive);
amounts and counts depend only on the seed.
"""

from __future__ import annotations

import bisect
import datetime as dt
import time
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from .bulk import RowWriter, reset_sequences
from .context import DemoContext

CENT = Decimal("0.01")
ZERO = Decimal(0)
DAYS = 365
# (behaviour, weight): how an account pays
PROFILES = [("prompt", 60), ("late", 25), ("batch", 15)]
REASONS = ["price", "return", "damage", "rebate", "billing", "goodwill"]


def _cents(value: Decimal) -> Decimal:
    return value.quantize(CENT, ROUND_HALF_UP)


class _Fx:
    """Rates to the reporting currency on a date, from the FX rates already generated."""

    def __init__(self, reporting: str):
        from salesops.masterdata.models import FxRate

        self.reporting = reporting
        self.table: dict[str, tuple[list, list]] = {}
        rows = defaultdict(list)
        for base, rate, valid_from in FxRate.objects.filter(quote=reporting).values_list(
            "base", "rate", "valid_from"
        ):
            rows[base].append((valid_from, rate))
        for base, pairs in rows.items():
            pairs.sort()
            self.table[base] = ([d for d, _ in pairs], [r for _, r in pairs])

    def rate(self, currency: str, on: dt.date) -> Decimal:
        if currency == self.reporting:
            return Decimal(1)
        dates, rates = self.table[currency]
        return rates[max(0, bisect.bisect_right(dates, on) - 1)]


@dataclass
class _Batch:
    """Rows of a chunk of accounts; child rows point at parent row dicts until written."""

    orders: list = field(default_factory=list)
    lines: list = field(default_factory=list)
    invoices: list = field(default_factory=list)
    payments: list = field(default_factory=list)
    notes: list = field(default_factory=list)
    allocations: list = field(default_factory=list)
    applications: list = field(default_factory=list)
    refunds: list = field(default_factory=list)
    write_offs: list = field(default_factory=list)
    ledger: list = field(default_factory=list)

    def size(self) -> int:
        return sum(len(v) for v in self.__dict__.values())


class _Maker:
    def __init__(self, ctx: DemoContext, *, today: dt.date, now: dt.datetime):
        from django.conf import settings
        from django.db import connection

        from salesops.core.models import User
        from salesops.masterdata.models import PriceBookEntry

        self.ctx = ctx
        self.rng = ctx.rng("receivables")
        self.today = today
        self.now = now
        self.start = today - dt.timedelta(days=DAYS)
        self.fx = _Fx(settings.REPORTING_CURRENCY)
        self.threshold = Decimal(settings.CREDIT_NOTE_APPROVAL_ABOVE)
        self.tolerance = Decimal(settings.WRITE_OFF_TOLERANCE)
        self.coordinator = User.objects.get(username="coordinator").pk
        self.finance = User.objects.get(username="finance").pk
        self.sqlite = connection.vendor != "postgresql"
        self.adapt_dt = connection.ops.adapt_datetimefield_value
        prices = defaultdict(list)
        for product_id, valid_from, price in (
            PriceBookEntry.objects.filter(price_book__is_standard=True)
            .order_by("product_id", "valid_from")
            .values_list("product_id", "valid_from", "unit_price")
        ):
            prices[product_id].append((valid_from, price))
        self.products = [(p.pk, p.name) for p in ctx.products if p.pk in prices]
        self.prices = prices

    # ------------------------------------------------------------------ small helpers
    def ts(self, day: dt.date, minutes: int) -> object:
        """An aware UTC datetime on `day` (minutes after midnight), adapted for the database."""
        value = dt.datetime.combine(day, dt.time(), tzinfo=dt.UTC) + dt.timedelta(minutes=minutes)
        return self.adapt_dt(value) if self.sqlite else value

    def moment(self, value: dt.datetime) -> object:
        return self.adapt_dt(value) if self.sqlite else value

    def price(self, product_id: int, on: dt.date, currency: str) -> Decimal:
        pairs = self.prices[product_id]
        price = pairs[0][1]
        for valid_from, p in pairs:
            if valid_from <= on:
                price = p
        if currency != self.fx.reporting:
            price = _cents(price / self.fx.rate(currency, on))
        return max(price, CENT)

    def reporting(self, amount: Decimal, rate: Decimal) -> Decimal:
        return _cents(amount * rate)

    # ------------------------------------------------------------------ one account's year
    def account_year(self, b: _Batch, acct: tuple, n_invoices: int, *, showcase: int = 0):
        """Orders, invoices, payments and credits of one account over the year. `showcase`
        (1 or 2: the demo partner logins) forces every case to appear at least once."""
        rng = self.rng
        account_id, currency, net_days = acct
        profile = "prompt" if showcase else _weighted(rng, PROFILES)
        days = sorted(rng.randrange(DAYS) for _ in range(n_invoices))
        paid_by_day: dict[dt.date, list] = defaultdict(list)  # pay day -> [(invoice, amount)]
        extra_by_day: dict[dt.date, Decimal] = defaultdict(Decimal)
        open_orders = 0
        for k, offset in enumerate(days):
            cur = currency
            if showcase == 1 and k % 4 == 3:
                cur = "USD"  # the first demo partner also buys in USD
            order_date = self.start + dt.timedelta(days=offset)
            recent = (self.today - order_date).days < 45
            # some recent orders are still open or partly shipped (the order board)
            r = rng.random()
            state = "shipped"
            if recent and r < 0.30:
                state = "open"
            elif recent and r < 0.45:
                state = "partial"
            elif r > 0.985:
                state = "cancelled"
            if showcase and k >= n_invoices - 3:
                state = ["open", "partial", "partial"][k - (n_invoices - 3)]
            order, shipped_value = self.order(b, account_id, cur, order_date, state)
            if state in ("open", "cancelled") or shipped_value <= 0:
                open_orders += state == "open"
                continue
            issue = min(self.today, order_date + dt.timedelta(days=rng.randrange(1, 12)))
            self.invoice_year(
                b, account_id, cur, order, issue, net_days, shipped_value, profile,
                paid_by_day, extra_by_day, showcase=showcase, k=k,
            )  # fmt: skip
        self.payments(b, account_id, paid_by_day, extra_by_day, profile)
        if showcase:
            self.showcase_extras(b, account_id, currency)

    def order(self, b: _Batch, account_id, currency, order_date, state):
        rng = self.rng
        order = {
            "account_id": account_id,
            "currency": currency,
            "order_date": order_date,
            "customer_reference": f"PO{rng.randrange(10**6):06d}",
            "status": state,
            "created_by_id": self.coordinator,
        }
        b.orders.append(order)
        shipped_value = ZERO
        n_lines = 1 if rng.random() < 0.55 else rng.randint(2, 3)
        for line_no in range(1, n_lines + 1):
            product_id, name = self.products[rng.randrange(len(self.products))]
            qty = Decimal(rng.choice([1, 1, 2, 2, 3, 5, 10, 20]))
            price = self.price(product_id, order_date, currency)
            requested = order_date + dt.timedelta(days=rng.randrange(5, 30))
            shipped = qty
            cancelled = False
            if state == "open":
                shipped = ZERO
            elif state == "partial":
                # the first line ships (in part when it can), the rest waits
                shipped = (qty // 2 if qty > 1 else qty) if line_no == 1 else ZERO
            elif state == "cancelled":
                shipped, cancelled = ZERO, True
            b.lines.append(
                {
                    "order": order,
                    "line_no": line_no,
                    "product_id": product_id,
                    "description": name,
                    "quantity": qty,
                    "unit_price": price,
                    "shipped_quantity": shipped,
                    "requested_date": requested,
                    "promised_date": requested + dt.timedelta(days=rng.randrange(0, 10)),
                    "cancelled": cancelled,
                }
            )
            shipped_value += shipped * price
        return order, shipped_value

    def invoice_year(
        self, b, account_id, cur, order, issue, net_days, amount, profile,
        paid_by_day, extra_by_day, *, showcase, k,
    ):  # fmt: skip
        rng = self.rng
        today = self.today
        rate = self.fx.rate(cur, issue)
        due = issue + dt.timedelta(days=net_days)
        inv = {
            "account_id": account_id,
            "order": order,
            "currency": cur,
            "issue_date": issue,
            "due_date": due,
            "amount": amount,
            "open_amount": amount,
            "fx_rate": rate,
            "status": "open",
            "created_by_id": self.coordinator,
        }
        b.invoices.append(inv)
        self.ledger(b, account_id, cur, issue, "invoice", inv, amount, invoice=inv)
        if rng.random() < 0.003 and (today - issue).days > 2:  # posted in error, reversed
            inv["open_amount"], inv["status"] = ZERO, "reversed"
            self.ledger(
                b, account_id, cur, issue + dt.timedelta(days=1), "invoice_reversal", inv,
                -amount, invoice=inv,
            )  # fmt: skip
            return
        # a credit note against the invoice now and then (price, returns ...)
        r = rng.random()
        if r < 0.05 or (showcase and k % 9 == 4):
            self.credit_note(b, account_id, cur, inv, issue, showcase=showcase)
        remaining = inv["open_amount"]
        if remaining <= 0:
            return
        # when and how it is paid
        r = rng.random()
        if profile == "prompt" and not (showcase and k % 5 == 1):  # showcase: some late
            pay_day = due - dt.timedelta(days=rng.randrange(0, 10))
        else:
            pay_day = due + dt.timedelta(days=rng.randrange(5, 60))
        if profile == "batch":  # pays on the 25th of the month
            pay_day = pay_day.replace(day=25) if pay_day.day <= 25 else _next_25th(pay_day)
        pay_day = max(pay_day, issue)  # prepayment terms: paid the day it is invoiced
        if pay_day >= today or r < 0.02:
            return  # not due or not paid yet (or never: a dispute)
        kind = rng.random()
        if showcase:  # every case for the demo partners: part, short, over-paid
            kind = {5: 0.01, 2: 0.92, 6: 0.97}.get(k % 13, kind)
        if kind < 0.05:  # part now, the rest still open
            paid = max(CENT, _cents(remaining * Decimal(rng.randrange(30, 90)) / 100))
            paid_by_day[pay_day].append((inv, paid))
        elif kind < 0.88:
            paid_by_day[pay_day].append((inv, remaining))
        elif kind < 0.94:  # short by bank charges: a small write-off
            short = min(remaining - CENT, Decimal(rng.randrange(1, 3000)) / 100)
            if short <= 0 or self.reporting(short, rate) > self.tolerance:
                paid_by_day[pay_day].append((inv, remaining))
                return
            paid_by_day[pay_day].append((inv, remaining - short))
            applied = pay_day + dt.timedelta(days=rng.randrange(1, 6))
            pending = applied >= today or rng.random() < 0.1 or showcase
            self.write_off(b, inv, short, applied, pending=pending)
        else:  # paid a little more: the rest stays on account
            paid_by_day[pay_day].append((inv, remaining))
            extra_by_day[pay_day, cur] += _cents(remaining * Decimal(rng.randrange(1, 8)) / 100)

    def credit_note(self, b, account_id, cur, inv, issue, *, showcase):
        rng = self.rng
        note_day = issue + dt.timedelta(days=rng.randrange(3, 30))
        if note_day >= self.today:
            return
        amount = max(CENT, _cents(inv["amount"] * Decimal(rng.randrange(3, 25)) / 100))
        rate = self.fx.rate(cur, note_day)
        large = self.reporting(amount, rate) > self.threshold
        status = "approved"
        if large:
            recent = (self.today - note_day).days < 30
            u = rng.random()
            status = "pending" if recent and u < 0.6 else ("rejected" if u > 0.93 else "approved")
        note = {
            "account_id": account_id,
            "invoice": inv,
            "currency": cur,
            "amount": amount,
            "open_amount": ZERO if status == "rejected" else amount,
            "reason": REASONS[rng.randrange(len(REASONS))],
            "memo": "",
            "issue_date": note_day,
            "fx_rate": rate,
            "status": status,
            "requested_by_id": self.coordinator,
            "decided_by_id": self.finance if large and status != "pending" else None,
            "decided_at": None
            if status == "pending"
            else self.ts(note_day, 600 + rng.randrange(300)),
            "decision_note": "" if large else "within the approval threshold",
        }
        b.notes.append(note)
        if status != "approved":
            return
        self.ledger(b, account_id, cur, note_day, "credit_note", note, -amount, credit_note=note)
        applied = min(amount, inv["open_amount"])
        if applied > 0:
            note["open_amount"] -= applied
            self.settle(inv, applied)
            b.applications.append(
                {
                    "credit_note": note,
                    "invoice": inv,
                    "amount": applied,
                    "applied_on": note_day,
                    "created_by_id": self.coordinator,
                }
            )

    def write_off(self, b, inv, amount, applied, *, pending):
        rng = self.rng
        applied = min(applied, self.today)
        wo = {
            "invoice": inv,
            "amount": amount,
            "reason": "bank charges deducted by the payer",
            "status": "pending" if pending else "approved",
            "requested_by_id": self.coordinator,
            "decided_by_id": None if pending else self.finance,
            "decided_at": None if pending else self.ts(applied, 540 + rng.randrange(400)),
            "applied_on": None if pending else applied,
        }
        # the write-off settles after the payment that left the difference, so it is
        # recorded here and applied in payments() once the invoice is paid down
        inv.setdefault("_write_offs", []).append(wo)
        b.write_offs.append(wo)

    def settle(self, inv: dict, amount: Decimal) -> None:
        inv["open_amount"] -= amount
        inv["status"] = "paid" if inv["open_amount"] == 0 else "open"

    def payments(self, b, account_id, paid_by_day, extra_by_day, profile):
        """One receipt per pay day (a batch payer's covers several invoices)."""
        rng = self.rng
        for day in sorted(paid_by_day):
            items = paid_by_day[day]
            cur_groups = defaultdict(list)
            for inv, amount in items:
                cur_groups[inv["currency"]].append((inv, amount))
            for cur, group in sorted(cur_groups.items()):
                extra = extra_by_day.pop((day, cur), ZERO)
                total = sum((a for _, a in group), ZERO) + extra
                late_booking = rng.random() < 0.04
                received = dt.datetime.combine(day, dt.time(1), tzinfo=dt.UTC) + dt.timedelta(
                    minutes=rng.randrange(600)
                )
                booked = received + dt.timedelta(
                    minutes=rng.randrange(24 * 60, 40 * 60)
                    if late_booking
                    else rng.randrange(10, 20 * 60)
                )
                pay = self.payment(b, account_id, cur, total, day, received, booked)
                for inv, amount in group:
                    self.allocate(b, pay, inv, amount, day)
                    for wo in inv.pop("_write_offs", []):
                        if wo["status"] == "approved":
                            self.settle(inv, wo["amount"])
                            self.ledger(
                                b, account_id, cur, wo["applied_on"], "write_off", wo,
                                -wo["amount"], write_off=wo,
                            )  # fmt: skip
                if extra > 0 and rng.random() < 0.15:  # the over-payment is paid back
                    paid_on = day + dt.timedelta(days=rng.randrange(5, 30))
                    self.refund(b, pay, extra, paid_on)
        # now and then a receipt bounces: booked, then reversed the next day
        if paid_by_day and rng.random() < 0.02:
            day = min(paid_by_day) + dt.timedelta(days=3)
            received = dt.datetime.combine(day, dt.time(3), tzinfo=dt.UTC)
            pay = self.payment(
                b, account_id, paid_by_day[min(paid_by_day)][0][0]["currency"],
                Decimal(rng.randrange(100, 10_000)), day, received,
                received + dt.timedelta(hours=2),
            )  # fmt: skip
            pay["status"], pay["unallocated_amount"] = "reversed", ZERO
            self.ledger(
                b, account_id, pay["currency"], day + dt.timedelta(days=1), "payment_reversal",
                pay, pay["amount"], payment=pay,
            )  # fmt: skip

    def payment(self, b, account_id, cur, amount, day, received, booked, *, status="booked"):
        rng = self.rng
        pay = {
            "account_id": account_id,
            "currency": cur,
            "amount": amount,
            "unallocated_amount": amount,
            "received_at": self.moment(received),
            "value_date": day,
            "booked_at": self.moment(booked) if status == "booked" else None,
            "booked_by_id": self.coordinator if status == "booked" else None,
            "method": "transfer" if rng.random() < 0.9 else "cheque",
            "reference": "",
            "payer_name": "",
            "fx_rate": self.fx.rate(cur, day),
            "status": status,
            "created_by_id": self.coordinator,
        }
        b.payments.append(pay)
        if status == "booked":
            self.ledger(b, account_id, cur, day, "payment", pay, -amount, payment=pay)
        return pay

    def allocate(self, b, pay, inv, amount, day):
        pay["unallocated_amount"] -= amount
        self.settle(inv, amount)
        pay_rate, inv_rate = pay["fx_rate"], inv["fx_rate"]
        b.allocations.append(
            {
                "payment": pay,
                "invoice": inv,
                "amount": amount,
                "fx_difference": self.reporting(amount, pay_rate)
                - self.reporting(amount, inv_rate),
                "applied_on": day,
                "created_by_id": self.coordinator,
            }
        )

    def refund(self, b, pay, amount, paid_on):
        rng = self.rng
        pending = paid_on >= self.today
        refund = {
            "account_id": pay["account_id"],
            "payment": pay,
            "currency": pay["currency"],
            "amount": amount,
            "reason": "over-payment paid back",
            "status": "pending" if pending else "approved",
            "requested_by_id": self.coordinator,
            "decided_by_id": None if pending else self.finance,
            "decided_at": None if pending else self.ts(paid_on, 540 + rng.randrange(400)),
            "paid_on": None if pending else paid_on,
        }
        b.refunds.append(refund)
        if not pending:
            pay["unallocated_amount"] -= amount
            self.ledger(
                b, pay["account_id"], pay["currency"], paid_on, "refund", refund, amount,
                refund=refund,
            )  # fmt: skip

    def ledger(self, b, account_id, cur, posted_on, kind, doc, amount, **refs):
        b.ledger.append(
            {
                "account_id": account_id,
                "currency": cur,
                "posted_on": posted_on,
                "kind": kind,
                "doc": doc,
                "amount": amount,
                **refs,
            }
        )

    def showcase_extras(self, b, account_id, currency):
        """What a demo partner should see on top of a normal year: money on account, a large
        credit note awaiting finance, two receipts from the last hours not booked yet."""
        rng = self.rng
        day = self.today - dt.timedelta(days=6)
        received = dt.datetime.combine(day, dt.time(2), tzinfo=dt.UTC)
        # booked, never allocated: money on account
        self.payment(
            b, account_id, currency, Decimal("3000.00"), day, received,
            received + dt.timedelta(hours=3),
        )  # fmt: skip
        note_day = self.today - dt.timedelta(days=2)
        b.notes.append(
            {
                "account_id": account_id,
                "invoice": None,
                "currency": currency,
                "amount": Decimal("12000.00"),
                "open_amount": Decimal("12000.00"),
                "reason": "rebate",
                "memo": "Q3 volume rebate",
                "issue_date": note_day,
                "fx_rate": self.fx.rate(currency, note_day),
                "status": "pending",
                "requested_by_id": self.coordinator,
                "decision_note": "",
            }
        )
        for hours in (2 + rng.randrange(3), 19 + rng.randrange(3)):
            received = self.now - dt.timedelta(hours=hours, minutes=rng.randrange(60))
            self.payment(
                b, account_id, currency, Decimal(rng.randrange(2_000, 90_000)), received.date(),
                received, None, status="received",
            )  # fmt: skip


def _next_25th(day: dt.date) -> dt.date:
    first_next = (day.replace(day=1) + dt.timedelta(days=32)).replace(day=1)
    return first_next.replace(day=25)


def _weighted(rng, pairs):
    total = sum(w for _, w in pairs)
    x = rng.uniform(0, total)
    for value, w in pairs:
        x -= w
        if x <= 0:
            return value
    return pairs[-1][0]


# ---------------------------------------------------------------------- writing a batch
class _Writers:
    def __init__(self):
        from salesops.receivables.models import (
            Allocation,
            CreditApplication,
            CreditNote,
            Invoice,
            LedgerEntry,
            Payment,
            Refund,
            SalesOrder,
            SalesOrderLine,
            WriteOff,
        )

        self.models = [
            SalesOrder, SalesOrderLine, Invoice, Payment, CreditNote, Allocation,
            CreditApplication, Refund, WriteOff, LedgerEntry,
        ]  # fmt: skip
        self.orders = RowWriter(SalesOrder)
        self.lines = RowWriter(SalesOrderLine)
        self.invoices = RowWriter(Invoice)
        self.payments = RowWriter(Payment)
        self.notes = RowWriter(CreditNote)
        self.allocations = RowWriter(Allocation)
        self.applications = RowWriter(CreditApplication)
        self.refunds = RowWriter(Refund)
        self.write_offs = RowWriter(WriteOff)
        self.ledger = RowWriter(LedgerEntry)

    def flush(self, b: _Batch, ctx: DemoContext) -> None:
        from salesops.core.services import number_series_reserve

        def numbers(kind: str, prefix: str, rows: list) -> None:
            if rows:
                got = number_series_reserve(
                    name=f"receivables.{kind}", count=len(rows), prefix=prefix
                )
                for row, number in zip(rows, got, strict=True):
                    row["number"] = number

        numbers("order", "SO-", b.orders)
        numbers("invoice", "INV-", b.invoices)
        numbers("payment", "RCP-", b.payments)
        numbers("credit_note", "CN-", b.notes)
        numbers("refund", "RF-", b.refunds)
        numbers("write_off", "WO-", b.write_offs)
        for allocation in b.allocations:  # the remittance names the first invoice paid
            pay = allocation["payment"]
            if not pay["reference"]:
                pay["reference"] = allocation["invoice"]["number"]

        def link(rows, *names):
            for row in rows:
                for name in names:
                    parent = row.pop(name, None)
                    row[f"{name}_id"] = parent["id"] if parent is not None else None

        self.orders.write(b.orders)
        link(b.lines, "order")
        self.lines.write(b.lines)
        link(b.invoices, "order")
        for inv in b.invoices:
            inv.pop("_write_offs", None)
        self.invoices.write(b.invoices)
        self.payments.write(b.payments)
        link(b.notes, "invoice")
        self.notes.write(b.notes)
        link(b.allocations, "payment", "invoice")
        self.allocations.write(b.allocations)
        link(b.applications, "credit_note", "invoice")
        self.applications.write(b.applications)
        link(b.refunds, "payment")
        self.refunds.write(b.refunds)
        link(b.write_offs, "invoice")
        self.write_offs.write(b.write_offs)
        for entry in b.ledger:
            entry["document_number"] = entry.pop("doc")["number"]
        link(b.ledger, "invoice", "payment", "credit_note", "refund", "write_off")
        self.ledger.write(b.ledger)
        for what, rows in (
            ("sales orders", b.orders),
            ("order lines", b.lines),
            ("invoices", b.invoices),
            ("payments", b.payments),
            ("allocations", b.allocations),
            ("credit notes", b.notes),
            ("credit applications", b.applications),
            ("refunds", b.refunds),
            ("write-offs", b.write_offs),
            ("ledger entries", b.ledger),
        ):
            ctx.count(what, len(rows))


# ---------------------------------------------------------------------- the step
def receivables(ctx: DemoContext) -> None:
    """A year of orders, invoices, receipts, credit notes, refunds and write-offs: about
    `size.invoices` invoices over a sample of the customers and partners, and a full year with
    every case for the two demo partner logins."""
    from django.utils import timezone

    from salesops.masterdata.models import Account, Contact

    target = ctx.size.invoices
    if not target:
        return
    today = timezone.localdate()
    maker = _Maker(ctx, today=today, now=timezone.now())
    rng = maker.rng
    showcase = list(
        Contact.objects.filter(user__username__in=["partner", "partner2"])
        .order_by("user__username")
        .values_list("account_id", flat=True)
    )
    eligible = list(
        Account.objects.filter(
            type__in=["customer", "partner"], status__in=["active", "on_hold", "closed"]
        )
        .exclude(pk__in=showcase)
        .order_by("pk")
        .values_list("pk", "currency", "payment_term__net_days")
    )
    n_accounts = min(len(eligible), max(1, target // 12))
    chosen = sorted(rng.sample(range(len(eligible)), n_accounts))
    mean = max(1.0, (target - 100 * len(showcase)) / max(n_accounts, 1))
    writers = _Writers()
    batch = _Batch()
    t0 = last = time.perf_counter()
    showcase_rows = dict(
        Account.objects.filter(pk__in=showcase).values_list("pk", "payment_term__net_days")
    )
    for n, account_id in enumerate(showcase, 1):
        net_days = showcase_rows.get(account_id)
        acct = (account_id, "CNY", 30 if net_days is None else net_days)
        maker.account_year(batch, acct, 100, showcase=n)
    for done, i in enumerate(chosen, 1):
        account_id, currency, net_days = eligible[i]
        # invoices (from shipped orders) per account: around the mean, some much busier
        k = max(1, int(rng.expovariate(1 / mean) * 0.7 + mean * 0.3 + 0.5))
        maker.account_year(batch, (account_id, currency, 30 if net_days is None else net_days), k)
        if batch.size() >= 50_000:
            writers.flush(batch, ctx)
            batch = _Batch()
            now = time.perf_counter()
            if now - last > 5:
                last = now
                made = ctx.counts.get("invoices", 0)
                ctx.say(
                    f"  receivables: {done:,}/{n_accounts:,} accounts, {made:,} invoices "
                    f"({made / (now - t0):,.0f} invoices/s)"
                )
    # the coordinator's 24-hour queue: receipts from the last hours, a few from payers the
    # bank file did not name (to be matched), some close to the deadline
    for j in range(min(12, n_accounts)):
        account_id, currency, _ = eligible[chosen[rng.randrange(n_accounts)]]
        received = maker.now - dt.timedelta(minutes=rng.randrange(20, 23 * 60 + 30))
        pay = maker.payment(
            batch, None if j % 4 == 3 else account_id, currency,
            Decimal(rng.randrange(500, 200_000)), received.date(), received, None,
            status="received",
        )  # fmt: skip
        pay["payer_name"] = f"Remitter {j + 1}" if j % 4 == 3 else ""
    writers.flush(batch, ctx)
    reset_sequences(*writers.models)

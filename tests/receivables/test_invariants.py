"""The receivables invariants hold after any sequence of operations through the real services on
the real database (Hypothesis state machine):

- an invoice's open amount = amount - allocations - credit applications - approved write-offs
  (0 once reversed), never negative;
- a payment's allocations never exceed it; unallocated = amount - allocations - approved
  refunds (0 once reversed); a credit note's unapplied amount likewise;
- per account and currency the ledger balance (`account_balance`) equals the sum of the open
  items (`account_open_items_total`);
- an operation the rules refuse changes nothing, and the rules refuse exactly what a small
  model of them predicts (allocations, credit applications, refunds, write-offs).

Two accounts, two currencies (CNY and USD at 7.10), amounts from one cent up. Each example runs
in a savepoint that is rolled back, so examples do not see each other's data.
"""

from __future__ import annotations

import datetime as dt
import os
from collections import Counter, defaultdict
from decimal import ROUND_HALF_UP, Decimal

import pytest
from django.db import transaction
from django.db.models import F
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from salesops.core.errors import DomainError, PermissionDenied
from salesops.core.models import AuditEvent, NumberSeries
from salesops.receivables import errors, selectors, services
from salesops.receivables.models import (
    Allocation,
    CreditApplication,
    CreditNote,
    Invoice,
    LedgerEntry,
    Payment,
    Refund,
    WriteOff,
)

D = Decimal
CENT = D("0.01")
CURRENCIES = ("CNY", "USD")
DAYS = [dt.date(2026, 9, 1) + dt.timedelta(days=7 * i) for i in range(10)]

cents = st.integers(min_value=1, max_value=2_000_000)  # 0.01 .. 20,000.00
pick = st.integers(min_value=0, max_value=10_000)
# how an amount relates to what is available: all of it, part, one cent too much, anything
modes = st.sampled_from(["all", "part", "over", "any"])
# mostly (4 in 5) pick among the records the operation could apply to, else among all of them
live = st.integers(min_value=0, max_value=4).map(bool)
# (account, currency): mostly the first partner in CNY, so documents meet often enough to
# allocate; the other three pairs keep the mismatches and the per-currency balances honest
where = st.sampled_from([(0, "CNY"), (0, "CNY"), (0, "CNY"), (1, "CNY"), (0, "USD"), (1, "USD")])


def _money(n: int) -> Decimal:
    return (D(n) * CENT).quantize(CENT)


def _amount(mode: str, available: Decimal, n: int) -> Decimal:
    if mode == "all":
        return available if available > 0 else CENT
    if mode == "part":
        return max(CENT, (available * D(n % 100) / 100).quantize(CENT))
    if mode == "over":
        return available + CENT
    return _money(n % 1_000_000 + 1)


def _snapshot():
    """Everything an operation could change."""
    return (
        list(Invoice.objects.order_by("pk").values_list("pk", "open_amount", "status")),
        list(
            Payment.objects.order_by("pk").values_list(
                "pk", "unallocated_amount", "status", "account_id", "booked_at"
            )
        ),
        list(CreditNote.objects.order_by("pk").values_list("pk", "open_amount", "status")),
        list(Refund.objects.order_by("pk").values_list("pk", "status")),
        list(WriteOff.objects.order_by("pk").values_list("pk", "status")),
        Allocation.objects.count(),
        CreditApplication.objects.count(),
        LedgerEntry.objects.count(),
        AuditEvent.objects.count(),
        list(NumberSeries.objects.order_by("name").values_list("name", "next_value")),
    )


def _nonzero(balances: dict) -> dict:
    return {c: v for c, v in balances.items() if v != 0}


# SALESOPS_INVARIANT_STATS=1 prints what the examples did and what was refused, to see that
# the strategies reach every path.
STATS = {"refused": Counter(), "done": Counter()} if os.getenv("SALESOPS_INVARIANT_STATS") else None


class ReceivablesMachine(RuleBasedStateMachine):
    company = None  # set by the test before the machine runs

    def __init__(self):
        super().__init__()
        self.atomic = None
        c = type(self).company
        self.accounts = [c.partner1, c.partner2]
        self.coord = c.users["coordinator"]
        self.finance = c.users["finance"]
        self.admin = c.users["admin"]
        self.refused = defaultdict(int)  # error code -> how often (STATS below)

    # ------------------------------------------------------------------ set-up and clean-up
    @initialize(amounts=st.lists(cents, min_size=8, max_size=8))
    def begin(self, amounts):
        """Open the example's savepoint; start from one invoice and one booked payment for
        each account in CNY, and one USD invoice and payment of the second partner."""
        self.atomic = transaction.atomic()
        self.atomic.__enter__()
        pairs = [(0, "CNY"), (1, "CNY"), (0, "CNY"), (1, "USD")]
        for (a, cur), n, m in zip(pairs, amounts[:4], amounts[4:], strict=True):
            services.invoice_post(
                account=self.accounts[a],
                amount=_money(n),
                currency=cur,
                issue_date=DAYS[0],
                by=self.coord,
            )
            pay = services.payment_receive(
                amount=_money(m),
                currency=cur,
                account=self.accounts[a],
                value_date=DAYS[1],
                by=self.coord,
            )
            services.payment_book(payment=pay, by=self.coord)

    def teardown(self):
        if STATS is not None:
            STATS["refused"].update(self.refused)
            STATS["done"].update(
                {
                    "invoices": Invoice.objects.count(),
                    "allocations": Allocation.objects.count(),
                    "credit applications": CreditApplication.objects.count(),
                    "approved refunds": Refund.objects.filter(status="approved").count(),
                    "write-offs": WriteOff.objects.count(),
                    "approved write-offs": WriteOff.objects.filter(status="approved").count(),
                    "credit notes": CreditNote.objects.count(),
                    "pending credit notes": CreditNote.objects.filter(status="pending").count(),
                    "reversed invoices": Invoice.objects.filter(status="reversed").count(),
                    "reversed payments": Payment.objects.filter(status="reversed").count(),
                }
            )
        if self.atomic is not None:
            transaction.set_rollback(True)
            self.atomic.__exit__(None, None, None)
            self.atomic = None

    # ------------------------------------------------------------------ helpers
    def _try(self, call, *, ok: bool | None = None):
        """Run a service call. A refusal must be a domain error and change nothing; when the
        model predicts the outcome (`ok`), the service must agree."""
        before = _snapshot()
        try:
            with transaction.atomic():
                result = call()
        except DomainError as exc:
            self.refused[exc.code] += 1
            assert ok is not True, f"refused what the rules allow: {exc.code} {exc.message}"
            assert _snapshot() == before, f"refused ({exc.code}) but something changed"
            return None
        assert ok is not False, "allowed what the rules refuse"
        return result

    @staticmethod
    def _pick(qs, i: int, model=None):
        """Row number i (mod count) of `qs`; of all `model` rows when qs is None or empty."""
        rows = list(qs.order_by("pk")) if qs is not None else []
        if not rows and model is not None:
            rows = list(model.objects.order_by("pk"))
        return rows[i % len(rows)] if rows else None

    def _approver(self, i: int):
        # finance decides most; the coordinator (not an approver) and admin now and then
        return [self.finance, self.finance, self.admin, self.coord][i % 4]

    # ------------------------------------------------------------------ invoices
    @rule(ac=where, n=cents, day=pick)
    def post_invoice(self, ac, n, day):
        a, cur = ac
        inv = self._try(
            lambda: services.invoice_post(
                account=self.accounts[a % 2],
                amount=_money(n),
                currency=cur,
                issue_date=DAYS[day % len(DAYS)],
                by=self.coord,
            ),
            ok=True,
        )
        assert inv.open_amount == inv.amount == _money(n)

    @precondition(lambda self: Invoice.objects.exists())
    @rule(i=pick, live=live)
    def reverse_invoice(self, i, live):
        unsettled = Invoice.objects.filter(status="open", open_amount=F("amount"))
        inv = self._pick(unsettled if live else Invoice.objects.all(), i, Invoice)
        ok = inv.status != Invoice.Status.REVERSED and inv.open_amount == inv.amount
        self._try(
            lambda: services.invoice_reverse(invoice=inv, reason="posted in error", by=self.coord),
            ok=ok,
        )

    # ------------------------------------------------------------------ payments
    @rule(ac=where, n=cents, book=live, day=pick, anonymous=st.integers(0, 4))
    def receive_payment(self, ac, n, book, day, anonymous):
        a, cur = ac
        pay = self._try(
            lambda: services.payment_receive(
                amount=_money(n),
                currency=cur,
                account=None if anonymous == 4 else self.accounts[a],  # some come without one
                value_date=DAYS[day % len(DAYS)],
                by=self.coord,
            ),
            ok=True,
        )
        if book:
            self._book(pay, a)

    def _book(self, pay, a):
        account = None if pay.account_id else self.accounts[a % 2]
        ok = pay.status == Payment.Status.RECEIVED
        self._try(lambda: services.payment_book(payment=pay, account=account, by=self.coord), ok=ok)

    @precondition(lambda self: Payment.objects.exists())
    @rule(i=pick, a=pick, live=live)
    def book_payment(self, i, a, live):
        received = Payment.objects.filter(status="received")
        self._book(self._pick(received if live else Payment.objects.all(), i, Payment), a)

    @precondition(lambda self: Payment.objects.exists() and Invoice.objects.exists())
    @rule(i=pick, j=pick, live=live, mode=modes, n=cents)
    def allocate(self, i, j, live, mode, n):
        # mostly an open invoice and a booked payment of its account and currency with money
        # left; now and then any two, which the rules must refuse unless they fit
        inv = self._pick(Invoice.objects.filter(status="open") if live else None, i, Invoice)
        payments = Payment.objects.filter(
            status="booked",
            unallocated_amount__gt=0,
            account=inv.account_id,
            currency=inv.currency,
        )
        pay = self._pick(payments if live else None, j, Payment)
        amount = _amount(mode, min(pay.unallocated_amount, inv.open_amount), n)
        ok = (
            pay.status == Payment.Status.BOOKED
            and pay.account_id == inv.account_id
            and pay.currency == inv.currency
            and inv.status != Invoice.Status.REVERSED
            and amount <= pay.unallocated_amount
            and amount <= inv.open_amount
        )
        self._try(
            lambda: services.payment_allocate(
                payment=pay, invoice=inv, amount=amount, by=self.coord
            ),
            ok=ok,
        )

    @precondition(lambda self: Payment.objects.exists() and Invoice.objects.exists())
    @rule(j=pick, k=st.integers(min_value=1, max_value=4), over=st.booleans())
    def allocate_over_several_invoices(self, j, k, over):
        """One payment clears the oldest open invoices of its account and currency, the last
        one partly; with `over`, one cent more than the payment has is asked on the last."""
        with_money = Payment.objects.filter(status="booked", unallocated_amount__gt=0)
        pay = self._pick(with_money, j)
        if pay is None:
            return
        invoices = Invoice.objects.filter(
            status="open", account=pay.account_id, currency=pay.currency
        ).order_by("issue_date", "pk")[:k]
        left = pay.unallocated_amount
        for n, inv in enumerate(invoices, 1):
            if left <= 0:
                break
            amount = min(left, inv.open_amount)
            if over and n == len(invoices) and amount == left and left < inv.open_amount:
                amount = left + CENT
            self._try(
                lambda inv=inv, amount=amount: services.payment_allocate(
                    payment=pay, invoice=inv, amount=amount, by=self.coord
                ),
                ok=amount <= left,
            )
            left -= amount if amount <= left else 0

    @precondition(lambda self: Allocation.objects.exists())
    @rule(i=pick, live=live)
    def reverse_allocation(self, i, live):
        unreversed = Allocation.objects.filter(reverses__isnull=True, reversed_by__isnull=True)
        allocation = self._pick(unreversed if live else None, i, Allocation)
        ok = allocation.reverses_id is None and not hasattr(allocation, "reversed_by")
        self._try(
            lambda: services.allocation_reverse(
                allocation=allocation, reason="wrong invoice", by=self.coord
            ),
            ok=ok,
        )

    @precondition(lambda self: Payment.objects.exists())
    @rule(i=pick, live=live)
    def reverse_payment(self, i, live):
        pay = self._pick(Payment.objects.exclude(status="reversed") if live else None, i, Payment)
        ok = (
            pay.status != Payment.Status.REVERSED
            and not pay.refunds.exclude(status=Refund.Status.REJECTED).exists()
        )
        self._try(
            lambda: services.payment_reverse(payment=pay, reason="returned by bank", by=self.coord),
            ok=ok,
        )

    # ------------------------------------------------------------------ credit notes
    @rule(ac=where, large=st.booleans(), n=cents, i=pick, live=live)
    def request_credit_note(self, ac, large, n, i, live):
        a, cur = ac
        # the threshold is 5,000 CNY: small ones are approved at once, large ones wait; about
        # half against an invoice (applied on approval), the others on account
        amount = _money(600_000 + n % 1_000_000) if large else _money(n % 60_000 + 1)
        account = self.accounts[a]
        invoice = None
        if n % 2:
            same = Invoice.objects.filter(account=account, currency=cur, status="open")
            invoice = self._pick(same if live else Invoice.objects.filter(account=account), i)
        ok = invoice is None or (
            invoice.currency == cur and invoice.status != Invoice.Status.REVERSED
        )
        self._try(
            lambda: services.credit_note_request(
                account=account,
                amount=amount,
                currency=cur,
                reason="price",
                invoice=invoice,
                by=self.coord,
            ),
            ok=ok,
        )

    @precondition(lambda self: CreditNote.objects.exists())
    @rule(i=pick, who=pick, approve=st.booleans(), live=live)
    def decide_credit_note(self, i, who, approve, live):
        pending = CreditNote.objects.filter(status="pending")
        note = self._pick(pending if live else None, i, CreditNote)
        by = self._approver(who)
        ok = note.status == CreditNote.Status.PENDING and by.role in ("admin", "finance")
        if approve:
            self._try(lambda: services.credit_note_approve(credit_note=note, by=by), ok=ok)
        else:
            self._try(
                lambda: services.credit_note_reject(credit_note=note, reason="no", by=by), ok=ok
            )

    @precondition(lambda self: CreditNote.objects.exists() and Invoice.objects.exists())
    @rule(i=pick, j=pick, live=live, mode=modes, n=cents)
    def apply_credit(self, i, j, live, mode, n):
        usable = CreditNote.objects.filter(status="approved", open_amount__gt=0)
        note = self._pick(usable if live else None, i, CreditNote)
        invoices = Invoice.objects.filter(
            status="open", account=note.account_id, currency=note.currency
        )
        inv = self._pick(invoices if live else None, j, Invoice)
        amount = _amount(mode, min(note.open_amount, inv.open_amount), n)
        ok = (
            note.status == CreditNote.Status.APPROVED
            and note.account_id == inv.account_id
            and note.currency == inv.currency
            and inv.status != Invoice.Status.REVERSED
            and amount <= note.open_amount
            and amount <= inv.open_amount
        )
        self._try(
            lambda: services.credit_note_apply(
                credit_note=note, invoice=inv, amount=amount, by=self.coord
            ),
            ok=ok,
        )

    @precondition(lambda self: CreditApplication.objects.exists())
    @rule(i=pick, live=live)
    def reverse_credit_application(self, i, live):
        unreversed = CreditApplication.objects.filter(
            reverses__isnull=True, reversed_by__isnull=True
        )
        app = self._pick(unreversed if live else None, i, CreditApplication)
        ok = app.reverses_id is None and not hasattr(app, "reversed_by")
        self._try(
            lambda: services.credit_application_reverse(
                application=app, reason="wrong invoice", by=self.coord
            ),
            ok=ok,
        )

    # ------------------------------------------------------------------ refunds
    @precondition(lambda self: Payment.objects.exists() or CreditNote.objects.exists())
    @rule(i=pick, from_payment=st.booleans(), live=live, mode=modes, n=cents)
    def request_refund(self, i, from_payment, live, mode, n):
        if (from_payment and Payment.objects.exists()) or not CreditNote.objects.exists():
            with_money = Payment.objects.filter(status="booked", unallocated_amount__gt=0)
            source = self._pick(with_money if live else None, i, Payment)
            available, usable = source.unallocated_amount, source.status == Payment.Status.BOOKED
            kwargs = {"payment": source}
        else:
            with_money = CreditNote.objects.filter(status="approved", open_amount__gt=0)
            source = self._pick(with_money if live else None, i, CreditNote)
            available, usable = source.open_amount, source.status == CreditNote.Status.APPROVED
            kwargs = {"credit_note": source}
        amount = _amount(mode, available, n)
        self._try(
            lambda: services.refund_request(
                amount=amount, reason="customer asked", by=self.coord, **kwargs
            ),
            ok=usable and amount <= available,
        )

    @precondition(lambda self: Refund.objects.exists())
    @rule(i=pick, who=pick, approve=st.booleans(), live=live)
    def decide_refund(self, i, who, approve, live):
        refund = self._pick(Refund.objects.filter(status="pending") if live else None, i, Refund)
        by = self._approver(who)
        ok = refund.status == Refund.Status.PENDING and by.role in ("admin", "finance")
        if approve:
            source = refund.payment or refund.credit_note
            available = source.unallocated_amount if refund.payment_id else source.open_amount
            usable = source.status in (Payment.Status.BOOKED, CreditNote.Status.APPROVED)
            ok = ok and usable and refund.amount <= available
            self._try(lambda: services.refund_approve(refund=refund, by=by), ok=ok)
        else:
            self._try(lambda: services.refund_reject(refund=refund, reason="no", by=by), ok=ok)

    # ------------------------------------------------------------------ write-offs
    @precondition(lambda self: Invoice.objects.exists())
    @rule(i=pick, n=st.integers(min_value=1, max_value=6_000), mode=modes, live=live)
    def request_write_off(self, i, n, mode, live):
        inv = self._pick(Invoice.objects.filter(status="open") if live else None, i, Invoice)
        # mostly small differences; the whole open amount (often above tolerance) or a cent
        # more than it now and then
        amount = {"all": inv.open_amount, "over": inv.open_amount + CENT}.get(mode, _money(n))
        amount = max(amount, CENT)
        # within settings.WRITE_OFF_TOLERANCE (50 CNY) at the invoice's rate
        within = (amount * inv.fx_rate).quantize(CENT, ROUND_HALF_UP) <= D(50)
        ok = within and inv.status != Invoice.Status.REVERSED and amount <= inv.open_amount
        self._try(
            lambda: services.write_off_request(
                invoice=inv, amount=amount, reason="bank charges", by=self.coord
            ),
            ok=ok,
        )

    @precondition(lambda self: WriteOff.objects.exists())
    @rule(i=pick, who=pick, approve=st.booleans(), live=live)
    def decide_write_off(self, i, who, approve, live):
        wo = self._pick(WriteOff.objects.filter(status="pending") if live else None, i, WriteOff)
        inv = Invoice.objects.get(pk=wo.invoice_id)
        by = self._approver(who)
        ok = wo.status == WriteOff.Status.PENDING and by.role in ("admin", "finance")
        if approve:
            ok = ok and inv.status != Invoice.Status.REVERSED and wo.amount <= inv.open_amount
            self._try(lambda: services.write_off_approve(write_off=wo, by=by), ok=ok)
        else:
            self._try(lambda: services.write_off_reject(write_off=wo, reason="no", by=by), ok=ok)

    # ------------------------------------------------------------------ the invariants
    @invariant()
    def open_items_agree_with_what_cleared_them(self):
        if self.atomic is None:
            return
        check_invariants(user=self.admin)


def check_invariants(*, user, account_ids=None) -> int:
    """Assert every invariant over the receivables tables (all accounts, or `account_ids`);
    returns how many accounts were checked. Sums are done here in Python over the rows, the
    balances by the selectors under test. Shared with the demo company's test."""
    scope = {} if account_ids is None else {"account_id__in": account_ids}
    via_invoice = {} if account_ids is None else {"invoice__account_id__in": account_ids}

    alloc_by_inv: defaultdict = defaultdict(Decimal)
    alloc_by_pay: defaultdict = defaultdict(Decimal)
    for inv_id, pay_id, amount, inv_acct, pay_acct, inv_cur, pay_cur in Allocation.objects.filter(
        **via_invoice
    ).values_list(
        "invoice_id",
        "payment_id",
        "amount",
        "invoice__account_id",
        "payment__account_id",
        "invoice__currency",
        "payment__currency",
    ):
        # settlements only ever join documents of one account and one currency
        assert (inv_acct, inv_cur) == (pay_acct, pay_cur), (inv_id, pay_id)
        alloc_by_inv[inv_id] += amount
        alloc_by_pay[pay_id] += amount
    credit_by_inv: defaultdict = defaultdict(Decimal)
    credit_by_note: defaultdict = defaultdict(Decimal)
    for (
        inv_id,
        note_id,
        amount,
        inv_acct,
        note_acct,
        inv_cur,
        note_cur,
    ) in CreditApplication.objects.filter(**via_invoice).values_list(
        "invoice_id",
        "credit_note_id",
        "amount",
        "invoice__account_id",
        "credit_note__account_id",
        "invoice__currency",
        "credit_note__currency",
    ):
        assert (inv_acct, inv_cur) == (note_acct, note_cur), (inv_id, note_id)
        credit_by_inv[inv_id] += amount
        credit_by_note[note_id] += amount
    wo_by_inv: defaultdict = defaultdict(Decimal)
    for inv_id, amount in WriteOff.objects.filter(
        status=WriteOff.Status.APPROVED, **via_invoice
    ).values_list("invoice_id", "amount"):
        wo_by_inv[inv_id] += amount
    refund_by_pay: defaultdict = defaultdict(Decimal)
    refund_by_note: defaultdict = defaultdict(Decimal)
    for pay_id, note_id, amount in Refund.objects.filter(
        status=Refund.Status.APPROVED, **scope
    ).values_list("payment_id", "credit_note_id", "amount"):
        if pay_id:
            refund_by_pay[pay_id] += amount
        else:
            refund_by_note[note_id] += amount

    for inv_id, amount, open_amount, status in Invoice.objects.filter(**scope).values_list(
        "pk", "amount", "open_amount", "status"
    ):
        settled = alloc_by_inv[inv_id] + credit_by_inv[inv_id] + wo_by_inv[inv_id]
        if status == Invoice.Status.REVERSED:
            assert open_amount == 0 and settled == 0, inv_id
        else:
            assert open_amount == amount - settled, (inv_id, amount, open_amount, settled)
            assert (status == Invoice.Status.PAID) == (open_amount == 0), (inv_id, status)
        assert open_amount >= 0, inv_id

    for pay_id, amount, unallocated, status in Payment.objects.filter(**scope).values_list(
        "pk", "amount", "unallocated_amount", "status"
    ):
        allocated = alloc_by_pay[pay_id]
        assert 0 <= allocated <= amount, (pay_id, allocated, amount)
        if status == Payment.Status.REVERSED:
            assert unallocated == 0 and allocated == 0, pay_id
        else:
            assert unallocated == amount - allocated - refund_by_pay[pay_id], pay_id
            assert unallocated >= 0, pay_id
        if status == Payment.Status.RECEIVED:
            assert allocated == 0 and unallocated == amount, pay_id

    for note_id, amount, open_amount, status in CreditNote.objects.filter(**scope).values_list(
        "pk", "amount", "open_amount", "status"
    ):
        applied = credit_by_note[note_id]
        assert 0 <= applied <= amount, note_id
        if status == CreditNote.Status.APPROVED:
            assert open_amount == amount - applied - refund_by_note[note_id], note_id
        elif status == CreditNote.Status.PENDING:
            assert open_amount == amount and applied == 0, note_id
        else:
            assert open_amount == 0 and applied == 0, note_id

    ids = (
        account_ids
        if account_ids is not None
        else sorted(set(LedgerEntry.objects.values_list("account_id", flat=True).distinct()))
    )
    for account_id in ids:
        balance = selectors.account_balance(user=user, account_id=account_id)
        open_items = selectors.account_open_items_total(account_id=account_id)
        assert _nonzero(balance) == _nonzero(open_items), (account_id, balance, open_items)
    return len(ids)


# ---------------------------------------------------------------------- the tests
@pytest.mark.django_db
def test_invariants_hold_after_any_sequence_of_receivables_operations(fx):
    ReceivablesMachine.company = fx
    run_state_machine_as_test(
        ReceivablesMachine,
        settings=settings(
            max_examples=int(os.environ.get("SALESOPS_INVARIANT_EXAMPLES", "15")),
            stateful_step_count=40,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
        ),
    )
    if STATS is not None:
        print(dict(STATS["done"]), dict(STATS["refused"]))


@pytest.mark.django_db
def test_a_refused_over_allocation_changes_nothing(fx):
    """The state machine's `_try` in one plain example, so a reader sees what it checks."""
    c = fx
    by = c.users["coordinator"]
    inv = services.invoice_post(
        account=c.partner1, amount="100.00", currency="CNY", issue_date=DAYS[0], by=by
    )
    pay = services.payment_book(
        payment=services.payment_receive(
            amount="80.00", currency="CNY", account=c.partner1, value_date=DAYS[1], by=by
        ),
        by=by,
    )
    before = _snapshot()
    with pytest.raises(errors.AllocationExceedsPayment):
        services.payment_allocate(payment=pay, invoice=inv, amount="80.01", by=by)
    with pytest.raises(PermissionDenied):
        services.payment_allocate(payment=pay, invoice=inv, amount="1.00", by=c.users["rep"])
    assert _snapshot() == before
    check_invariants(user=c.users["admin"])


@pytest.mark.django_db
def test_balance_and_open_items_are_exact_sums_also_on_sqlite(fx):
    """Found by the state machine: SQLite adds DECIMAL columns as floats, so a ledger of
    2.02 - 2.02 - 0.01 summed to -0.00999999999999979 while the open items said -0.01."""
    c = fx
    by = c.users["coordinator"]
    inv = services.invoice_post(
        account=c.partner1, amount="2.02", currency="CNY", issue_date=DAYS[0], by=by
    )
    services.invoice_reverse(invoice=inv, reason="posted in error", by=by)
    services.payment_book(
        payment=services.payment_receive(
            amount="0.01", currency="CNY", account=c.partner1, value_date=DAYS[0], by=by
        ),
        by=by,
    )
    balance = selectors.account_balance(user=by, account_id=c.partner1.pk)
    assert balance == {"CNY": D("-0.01")}
    assert selectors.account_open_items_total(account_id=c.partner1.pk) == balance

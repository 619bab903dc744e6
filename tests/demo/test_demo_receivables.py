"""The demo company's year of receivables: written in bulk, yet every account obeys the same
invariants the services keep, and the demo partners see every case."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db.models import F
from django.utils import timezone

from salesops.core.models import User
from salesops.receivables import selectors
from salesops.receivables.models import (
    Allocation,
    CreditNote,
    Invoice,
    LedgerEntry,
    Payment,
    Refund,
    SalesOrder,
    WriteOff,
)
from tests.receivables.test_invariants import check_invariants

pytestmark = pytest.mark.django_db


def _partner_account(username: str) -> int:
    return User.objects.get(username=username).portal_contact.account_id


def test_small_demo_has_a_few_thousand_invoices_over_the_last_year(demo):
    today = timezone.localdate()
    assert 2_000 <= Invoice.objects.count() <= 4_000
    first = Invoice.objects.order_by("issue_date").first().issue_date
    assert today - dt.timedelta(days=366) <= first <= today - dt.timedelta(days=300)
    assert Invoice.objects.filter(currency="USD").exists()
    assert Invoice.objects.filter(currency="EUR").exists()
    statuses = set(Invoice.objects.values_list("status", flat=True).distinct())
    assert {"open", "paid"} <= statuses
    assert Payment.objects.filter(status="booked").count() > 1_000


def test_every_demo_account_obeys_the_receivables_invariants(demo):
    accounts = sorted(set(LedgerEntry.objects.values_list("account_id", flat=True)))
    assert len(accounts) > 200
    checked = check_invariants(user=User.objects.get(username="admin"), account_ids=accounts)
    assert checked == len(accounts)
    # nothing was written outside an account that has a ledger (the unnamed receipts aside)
    assert not Invoice.objects.exclude(account_id__in=accounts).exists()
    assert not Payment.objects.exclude(account_id__in=accounts).exclude(account=None).exists()


def test_due_dates_follow_each_accounts_payment_terms(demo):
    sample = Invoice.objects.select_related("account__payment_term").order_by("pk")[:300]
    for inv in sample:
        days = inv.account.payment_term.net_days if inv.account.payment_term_id else 30
        assert inv.due_date == inv.issue_date + dt.timedelta(days=days), inv.number


@pytest.mark.parametrize("username", ["partner", "partner2"])
def test_each_demo_partner_has_a_realistic_year(demo, username):
    account_id = _partner_account(username)
    user = User.objects.get(username=username)
    now = timezone.now()
    orders = SalesOrder.objects.filter(account_id=account_id)
    assert orders.count() >= 50
    assert orders.filter(status="open").exists() and orders.filter(status="partial").exists()
    assert selectors.order_board_lines(user=user).exists()  # the partner's own order board
    invoices = Invoice.objects.filter(account_id=account_id)
    assert invoices.filter(status="open").exists() and invoices.filter(status="paid").count() > 20
    allocations = Allocation.objects.filter(invoice__account_id=account_id)
    assert allocations.filter(applied_on__lte=F("invoice__due_date")).count() > 10  # on time
    assert allocations.filter(applied_on__gt=F("invoice__due_date")).exists()  # late
    assert invoices.filter(status="open", open_amount__lt=F("amount")).exists()  # part-paid
    payments = Payment.objects.filter(account_id=account_id)
    on_account = payments.filter(status="booked", unallocated_amount__gt=0)
    assert on_account.filter(allocations=None).exists()  # one never allocated
    assert on_account.filter(allocations__isnull=False).exists()  # over-paid
    notes = CreditNote.objects.filter(account_id=account_id)
    assert notes.filter(status="approved").exists()
    pending = notes.filter(status="pending")
    threshold = Decimal("5000")  # settings.CREDIT_NOTE_APPROVAL_ABOVE, CNY
    assert any(n.amount * n.fx_rate > threshold for n in pending)
    assert WriteOff.objects.filter(invoice__account_id=account_id, status="pending").exists()
    unbooked = payments.filter(status="received")
    assert unbooked.count() == 2
    for receipt in unbooked:
        assert now - dt.timedelta(hours=24) < receipt.received_at < now
    # the partner sees its balance; the ledger and the open items agree
    balance = selectors.account_balance(user=user, account_id=account_id)
    open_items = selectors.account_open_items_total(account_id=account_id)
    assert {c: v for c, v in balance.items() if v} == {c: v for c, v in open_items.items() if v}


def test_the_first_demo_partner_also_buys_in_usd(demo):
    account_id = _partner_account("partner")
    usd = Invoice.objects.filter(account_id=account_id, currency="USD")
    assert usd.count() >= 10
    partner = User.objects.get(username="partner")
    assert set(selectors.account_balance(user=partner, account_id=account_id)) >= {"USD", "CNY"}
    fx = Allocation.objects.filter(invoice__in=usd).exclude(fx_difference=0)
    assert fx.exists()  # realised FX differences on USD receipts


def test_the_coordinators_24_hour_queue_has_live_receipts(demo):
    coordinator = User.objects.get(username="coordinator")
    queue = list(selectors.receipts_unbooked(user=coordinator))
    assert len(queue) >= 10
    now = timezone.now()
    assert all(now - dt.timedelta(hours=24) < p.received_at < now for p in queue)
    assert any(p.account_id is None for p in queue)  # payer still to be identified
    # historical receipts were booked, most within 24 hours, a few late
    booked = Payment.objects.filter(status="booked", booked_at__isnull=False)
    late = [p for p in booked if p.booked_at - p.received_at > dt.timedelta(hours=24)]
    assert 0 < len(late) < 0.1 * booked.count()


def test_refunds_and_write_offs_are_approved_by_finance_not_the_requester(demo):
    finance = User.objects.get(username="finance")
    for model in (Refund, WriteOff):
        approved = model.objects.filter(status="approved")
        assert approved.exists(), model
        assert not approved.exclude(decided_by=finance).exists()
        assert not approved.filter(requested_by=F("decided_by")).exists()


def test_demo_partners_get_their_documents_on_schedule(demo):
    from salesops.reports.models import Schedule

    kinds = sorted(Schedule.objects.filter(active=True).values_list("kind", flat=True))
    assert kinds == ["order_board", "payment_sheet", "statement"]


def test_demo_inbox_has_open_queries_from_partners_and_the_rep(demo):
    from salesops.receivables.models import Query

    raised_by = set(
        Query.objects.filter(status="open").values_list("raised_by__username", flat=True)
    )
    assert {"partner", "partner2", "rep"} <= raised_by

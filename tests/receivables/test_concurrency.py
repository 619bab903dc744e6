"""Two coordinators act on the same money at the same moment (PostgreSQL, two real connections
from two threads): one wins, the other is refused, nothing is over-allocated or over-credited.

The services lock the payment or credit note and then the invoice (`select_for_update`, always
in that order), so the second writer waits for the first to commit, re-reads, and is refused.
SQLite has no row locks (one writer at a time for the whole file), so these run on PostgreSQL
only: `.ci/run` runs the suite with DATABASE_URL pointing at a PostgreSQL server.
"""

from __future__ import annotations

import os
import threading
import time
from decimal import Decimal

import pytest
from django.db import connection, connections, transaction

from salesops.core.errors import DomainError
from salesops.core.services import user_create
from salesops.receivables import services
from salesops.receivables.models import Allocation, CreditApplication, Invoice, Payment

from .test_invariants import DAYS, check_invariants

D = Decimal

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(
        not os.environ.get("DATABASE_URL", "").startswith("postgres"),
        reason="row locks need PostgreSQL: set DATABASE_URL to a PostgreSQL URL (see .ci/run)",
    ),
    pytest.mark.django_db(transaction=True),
]


def _race(*calls) -> list[str]:
    """Run each call in its own thread (own database connection), all released together by a
    barrier; returns "ok" or the domain error code per call."""
    barrier = threading.Barrier(len(calls))
    results: list[str] = [""] * len(calls)

    def run(i, call):
        try:
            barrier.wait(timeout=30)
            call()
            results[i] = "ok"
        except DomainError as exc:
            results[i] = exc.code
        except Exception as exc:
            results[i] = repr(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not any(t.is_alive() for t in threads), "a thread hung (deadlock?)"
    return results


def _coordinators(company):
    second = user_create(username="coordinator2", password="x-pass-123", role="coordinator")
    return company.users["coordinator"], second


def _booked(company, amount, by):
    pay = services.payment_receive(
        amount=amount, currency="CNY", account=company.partner1, value_date=DAYS[1], by=by
    )
    return services.payment_book(payment=pay, by=by)


def _invoice(company, amount, by):
    return services.invoice_post(
        account=company.partner1, amount=amount, currency="CNY", issue_date=DAYS[0], by=by
    )


def test_two_coordinators_allocating_one_payment_at_once_one_wins(fx):
    assert connection.vendor == "postgresql"
    c1, c2 = _coordinators(fx)
    for _round in range(5):  # the barrier makes them collide; a few rounds, either may win
        pay = _booked(fx, "1000.00", c1)
        inv_a, inv_b = _invoice(fx, "800.00", c1), _invoice(fx, "800.00", c1)
        results = _race(
            lambda pay=pay, inv=inv_a: services.payment_allocate(
                payment=pay, invoice=inv, amount="800.00", by=c1
            ),
            lambda pay=pay, inv=inv_b: services.payment_allocate(
                payment=pay, invoice=inv, amount="800.00", by=c2
            ),
        )
        assert sorted(results) == ["ALLOCATION_EXCEEDS_PAYMENT", "ok"], results
        pay.refresh_from_db()
        assert pay.unallocated_amount == D("200.00")
        assert Allocation.objects.filter(payment=pay).count() == 1
        assert sum(a.amount for a in Allocation.objects.filter(payment=pay)) == D("800.00")
    check_invariants(user=fx.users["admin"])


def test_two_credit_notes_applied_to_one_invoice_at_once_one_wins(fx):
    c1, c2 = _coordinators(fx)
    for _round in range(5):
        inv = _invoice(fx, "1000.00", c1)
        notes = [
            services.credit_note_request(
                account=fx.partner1, amount="800.00", currency="CNY", reason="rebate", by=c1
            )
            for _ in range(2)
        ]
        assert {n.status for n in notes} == {"approved"}  # below the approval threshold
        results = _race(
            lambda note=notes[0], inv=inv: services.credit_note_apply(
                credit_note=note, invoice=inv, amount="800.00", by=c1
            ),
            lambda note=notes[1], inv=inv: services.credit_note_apply(
                credit_note=note, invoice=inv, amount="800.00", by=c2
            ),
        )
        assert sorted(results) == ["CREDIT_EXCEEDS_OPEN_AMOUNT", "ok"], results
        inv.refresh_from_db()
        assert inv.open_amount == D("200.00")
        assert CreditApplication.objects.filter(invoice=inv).count() == 1
    check_invariants(user=fx.users["admin"])


def test_the_second_allocation_really_waits_for_the_first_to_commit(fx):
    """Without the row lock both would read 1,000 unallocated and both succeed. Here the first
    coordinator holds their transaction open until PostgreSQL shows the second one waiting
    for a lock, so the test proves the waiting, not a lucky ordering."""
    c1, c2 = _coordinators(fx)
    pay = _booked(fx, "1000.00", c1)
    inv_a, inv_b = _invoice(fx, "800.00", c1), _invoice(fx, "800.00", c1)
    allocated = threading.Event()
    second_waits = threading.Event()
    second_pid: list[int] = []
    results: dict[str, str] = {}

    def first():
        try:
            with transaction.atomic():
                services.payment_allocate(payment=pay, invoice=inv_a, amount="800.00", by=c1)
                allocated.set()
                results["wait_seen"] = str(second_waits.wait(timeout=30))
            results["first"] = "ok"
        finally:
            connections.close_all()

    def second():
        try:
            allocated.wait(timeout=30)
            with connection.cursor() as cur:
                cur.execute("SELECT pg_backend_pid()")
                second_pid.append(cur.fetchone()[0])
            services.payment_allocate(payment=pay, invoice=inv_b, amount="800.00", by=c2)
            results["second"] = "ok"
        except DomainError as exc:
            results["second"] = exc.code
        finally:
            connections.close_all()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for t in threads:
        t.start()
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and not second_waits.is_set():
        if second_pid:
            with connection.cursor() as cur:
                cur.execute(
                    "SELECT count(*) FROM pg_locks WHERE pid = %s AND NOT granted", [second_pid[0]]
                )
                if cur.fetchone()[0]:
                    second_waits.set()
        time.sleep(0.02)
    for t in threads:
        t.join(timeout=60)
    assert results == {"wait_seen": "True", "first": "ok", "second": "ALLOCATION_EXCEEDS_PAYMENT"}
    assert Payment.objects.get(pk=pay.pk).unallocated_amount == D("200.00")
    assert Invoice.objects.get(pk=inv_b.pk).open_amount == D("800.00")

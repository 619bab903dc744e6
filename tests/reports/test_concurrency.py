"""Two workers run the same due slot at the same moment on PostgreSQL, where the database
lets them really run at once: exactly one e-mail. Real threads, each with its own database
connection. (The SQLite test database is an in-memory shared cache that refuses a second
writer instead of waiting, so the SQLite case runs real worker processes on a database file:
test_workers_sqlite.py.)"""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.db import connection, connections

from salesops.reports.models import Delivery
from salesops.reports.services import delivery_claim, schedules_run_due

from .conftest import MONDAY_SLOT


def _race(workers: int, target) -> list:
    barrier = threading.Barrier(workers)
    results, errors = [], []

    def run():
        try:
            barrier.wait(timeout=30)
            results.append(target())
        except Exception as exc:  # reported by the assertion below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(workers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert errors == []
    return results


def _two_workers_send_one_email_each(company, make_schedule, smtp_server):
    make_schedule(audience="account", account=company.partner1)
    results = _race(2, lambda: schedules_run_due(now=MONDAY_SLOT + dt.timedelta(seconds=3)))
    assert len(smtp_server.messages) == 1
    assert sum(r.sent for r in results) == 1
    d = Delivery.objects.get()
    assert d.status == "sent" and d.attempts == 1


pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs DATABASE_URL=postgres://"),
]


@pytest.mark.django_db(transaction=True)
def test_two_workers_at_once_send_exactly_one_email_on_postgresql(
    company, make_schedule, smtp_server
):
    assert connection.vendor == "postgresql"
    _two_workers_send_one_email_each(company, make_schedule, smtp_server)


@pytest.mark.django_db(transaction=True)
def test_eight_claims_of_one_delivery_only_one_wins_on_postgresql(company, make_schedule):
    make_schedule(audience="account", account=company.partner1)
    schedules_run_due(now=MONDAY_SLOT, send=False)
    d = Delivery.objects.get()
    tokens = _race(8, lambda: delivery_claim(d.pk, now=MONDAY_SLOT))
    assert len([t for t in tokens if t]) == 1
    d.refresh_from_db()
    assert d.status == "sending" and d.attempts == 1

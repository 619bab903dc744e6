"""Receivables fixtures: FX rates and a small ledger on the two partners of `company`."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

import pytest

from salesops.masterdata.models import FxRate
from salesops.receivables import services

D = Decimal


@pytest.fixture
def fx(company):
    """USD and EUR against the reporting currency (CNY), with a rate change on 2026-10-01."""
    FxRate.objects.create(base="USD", quote="CNY", rate=D("7.1000"), valid_from=dt.date(2026, 1, 1))
    FxRate.objects.create(
        base="USD", quote="CNY", rate=D("7.2000"), valid_from=dt.date(2026, 10, 1)
    )
    FxRate.objects.create(base="EUR", quote="CNY", rate=D("7.8000"), valid_from=dt.date(2026, 1, 1))
    return company


@dataclass
class Ledger:
    coordinator: object
    finance: object
    inv1: object  # partner1, CNY 11,300.00, 2026-09-05
    inv2: object  # partner1, CNY 5,650.00, 2026-10-10
    inv3: object  # partner2, CNY 2,260.00, 2026-10-12
    pay1: object  # partner1, CNY 8,000.00, booked, allocated 8,000 to inv1


@pytest.fixture
def ledger(fx) -> Ledger:
    c = fx
    coord, fin = c.users["coordinator"], c.users["finance"]
    inv1 = services.invoice_post(
        account=c.partner1,
        amount="11300.00",
        currency="CNY",
        issue_date=dt.date(2026, 9, 5),
        by=coord,
    )
    inv2 = services.invoice_post(
        account=c.partner1,
        amount="5650.00",
        currency="CNY",
        issue_date=dt.date(2026, 10, 10),
        by=coord,
    )
    inv3 = services.invoice_post(
        account=c.partner2,
        amount="2260.00",
        currency="CNY",
        issue_date=dt.date(2026, 10, 12),
        by=coord,
    )
    pay1 = services.payment_receive(
        amount="8000.00",
        currency="CNY",
        value_date=dt.date(2026, 10, 15),
        account=c.partner1,
        reference="INV-0000001 part",
        by=coord,
    )
    pay1 = services.payment_book(payment=pay1, by=coord)
    services.payment_allocate(payment=pay1, invoice=inv1, amount="8000.00", by=coord)
    for obj in (inv1, pay1):
        obj.refresh_from_db()
    return Ledger(coord, fin, inv1, inv2, inv3, pay1)

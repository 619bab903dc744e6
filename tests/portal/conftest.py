"""Portal fixtures: the receivables ledger of tests/receivables plus, for partner2, an order,
a booked payment, a credit note and a query, so every portal route can be tried with
partner2's ids while logged in as partner1."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

import pytest

from salesops.receivables import queries, services
from tests.receivables.conftest import fx, ledger  # noqa: F401 - fixtures reused


@dataclass
class Portal:
    ledger: object
    order1: object
    order2: object
    pay2: object
    cn1: object
    cn2: object
    q1: object
    q2: object
    secrets: list  # strings that only partner2 should ever see


@pytest.fixture
def portal(ledger, company) -> Portal:  # noqa: F811 - the imported fixture
    coord = company.users["coordinator"]
    line = services.OrderLineIn(
        quantity=Decimal("12"),
        unit_price=Decimal("150.00"),
        requested_date=dt.date(2026, 11, 20),
        description="Widget A, blue",
    )
    order1 = services.sales_order_create(
        account=company.partner1,
        currency="CNY",
        order_date=dt.date(2026, 10, 1),
        lines=[line],
        customer_reference="HD-PO-7781",
        by=coord,
    )
    line2 = services.OrderLineIn(
        quantity=Decimal("3"),
        unit_price=Decimal("999.00"),
        requested_date=dt.date(2026, 11, 21),
        description="Secret gadget for Jiangnan",
    )
    order2 = services.sales_order_create(
        account=company.partner2,
        currency="CNY",
        order_date=dt.date(2026, 10, 2),
        lines=[line2],
        customer_reference="JN-PO-SECRET-42",
        by=coord,
    )
    pay2 = services.payment_receive(
        amount="1234.56",
        currency="CNY",
        value_date=dt.date(2026, 10, 20),
        account=company.partner2,
        reference="JN-REMIT-SECRET",
        by=coord,
    )
    pay2 = services.payment_book(payment=pay2, by=coord)
    cn1 = services.credit_note_request(
        account=company.partner1,
        amount="50.00",
        currency="CNY",
        reason="price",
        invoice=ledger.inv2,
        issue_date=dt.date(2026, 10, 20),
        by=coord,
    )
    cn2 = services.credit_note_request(
        account=company.partner2,
        amount="77.00",
        currency="CNY",
        reason="damage",
        issue_date=dt.date(2026, 10, 21),
        by=coord,
    )
    q1 = queries.query_raise(
        by=company.users["partner"],
        category="payment",
        subject="Payment of October",
        body="Is our October payment booked?",
        invoice=ledger.inv1,
    )
    q2 = queries.query_raise(
        by=company.users["partner2"],
        category="credit_note",
        subject="Jiangnan private question",
        body="Confidential: our margin on the gadget.",
        invoice=ledger.inv3,
    )
    secrets = [
        company.partner2.name,
        company.partner2.number,
        ledger.inv3.number,
        order2.number,
        "JN-PO-SECRET-42",
        "Secret gadget",
        pay2.number,
        "JN-REMIT-SECRET",
        cn2.number,
        q2.number,
        "Jiangnan private question",
        "Confidential",
        "xu.tao@jiangnan.example",
    ]
    return Portal(ledger, order1, order2, pay2, cn1, cn2, q1, q2, secrets)

"""Receivables API scoping: a partner sees only its own account's records and gets 404 for
another partner's ids on every route; a rep only own accounts; a manager the subtree; only
staff may act (rep, partner, manager: 403 on records they can see, 404 on others)."""

from __future__ import annotations

import datetime as dt

import pytest

from salesops.core.services import api_token_issue
from salesops.receivables import services

API = "/api/v1/receivables"
D = dt.date


@pytest.fixture
def world(ledger, settings):
    """The ledger plus, on each partner: an order, a credit note awaiting approval, a
    refund and a write-off request, and a booked receipt with an allocation."""
    settings.CREDIT_NOTE_APPROVAL_ABOVE = "0"
    c = ledger
    coord = c.coordinator
    out = {}
    for key, inv in (("p1", c.inv2), ("p2", c.inv3)):
        account = inv.account
        order = services.sales_order_create(
            account=account,
            currency="CNY",
            order_date=D(2026, 10, 1),
            lines=[services.OrderLineIn(quantity=2, unit_price=10, requested_date=D(2026, 11, 1))],
            by=coord,
        )
        pay = services.payment_receive(amount="100.00", currency="CNY", account=account, by=coord)
        services.payment_book(payment=pay, by=coord)
        alloc = services.payment_allocate(payment=pay, invoice=inv, amount="10.00", by=coord)
        note = services.credit_note_request(
            account=account, amount="5.00", currency="CNY", reason="price", invoice=inv, by=coord
        )
        refund = services.refund_request(payment=pay, amount="1.00", reason="x", by=coord)
        write_off = services.write_off_request(invoice=inv, amount="1.00", reason="x", by=coord)
        out[key] = {
            "account": account.pk,
            "order": order.pk,
            "line": order.lines.get().pk,
            "invoice": inv.pk,
            "payment": pay.pk,
            "allocation": alloc.pk,
            "credit_note": note.pk,
            "refund": refund.pk,
            "write_off": write_off.pk,
        }
    return out


def _h(company, username):
    return {"Authorization": f"Bearer {api_token_issue(user=company.users[username])}"}


def _reads(ids):
    return [
        f"{API}/orders/{ids['order']}",
        f"{API}/invoices/{ids['invoice']}",
        f"{API}/payments/{ids['payment']}",
        f"{API}/credit-notes/{ids['credit_note']}",
        f"{API}/refunds/{ids['refund']}",
        f"{API}/write-offs/{ids['write_off']}",
        f"{API}/accounts/{ids['account']}/ledger",
        f"{API}/accounts/{ids['account']}/balance",
        f"{API}/accounts/{ids['account']}/open-items",
    ]


def _acts(ids):
    """Every POST route with a body that would pass validation."""
    reason = {"reason": "because"}
    return [
        (
            f"{API}/orders/{ids['order']}/ship",
            {"lines": [{"line_id": ids["line"], "quantity": "1"}]},
        ),
        (f"{API}/orders/{ids['order']}/cancel", reason),
        (f"{API}/invoices/{ids['invoice']}/reverse", reason),
        (f"{API}/payments/{ids['payment']}/book", {}),
        (
            f"{API}/payments/{ids['payment']}/allocate",
            {"allocations": [{"invoice_id": ids["invoice"], "amount": "1.00"}]},
        ),
        (f"{API}/payments/{ids['payment']}/reverse", reason),
        (f"{API}/allocations/{ids['allocation']}/reverse", reason),
        (f"{API}/credit-notes/{ids['credit_note']}/approve", {}),
        (f"{API}/credit-notes/{ids['credit_note']}/reject", reason),
        (
            f"{API}/credit-notes/{ids['credit_note']}/apply",
            {"invoice_id": ids["invoice"], "amount": "1.00"},
        ),
        (f"{API}/refunds/{ids['refund']}/approve", {}),
        (f"{API}/refunds/{ids['refund']}/reject", reason),
        (f"{API}/write-offs/{ids['write_off']}/approve", {}),
        (f"{API}/write-offs/{ids['write_off']}/reject", reason),
        (
            f"{API}/invoices",
            {
                "account_id": ids["account"],
                "amount": "1.00",
                "currency": "CNY",
                "issue_date": "2026-10-01",
            },
        ),
        (f"{API}/payments", {"amount": "1.00", "currency": "CNY", "account_id": ids["account"]}),
        (
            f"{API}/credit-notes",
            {"invoice_id": ids["invoice"], "amount": "1.00", "reason": "price"},
        ),
        (f"{API}/refunds", {"payment_id": ids["payment"], "amount": "1.00", "reason": "x"}),
        (f"{API}/write-offs", {"invoice_id": ids["invoice"], "amount": "1.00", "reason": "x"}),
        (
            f"{API}/orders",
            {
                "account_id": ids["account"],
                "currency": "CNY",
                "order_date": "2026-10-01",
                "lines": [{"quantity": "1", "unit_price": "1.00", "requested_date": "2026-11-01"}],
            },
        ),
    ]


NOT_FOUND_CODES = {
    "ORDER_NOT_FOUND",
    "INVOICE_NOT_FOUND",
    "PAYMENT_NOT_FOUND",
    "CREDIT_NOTE_NOT_FOUND",
    "REFUND_NOT_FOUND",
    "WRITE_OFF_NOT_FOUND",
    "ALLOCATION_NOT_FOUND",
    "ACCOUNT_NOT_FOUND",
}


@pytest.mark.parametrize("username", ["partner", "rep"])
def test_other_accounts_ids_are_404_on_every_read_route(client, company, world, username):
    """partner (partner1) and rep (owns partner1) must not reach partner2's records."""
    h = _h(company, username)
    for url in _reads(world["p2"]):
        r = client.get(url, headers=h)
        assert r.status_code == 404, url
        assert r.json()["code"] in NOT_FOUND_CODES, url
    for url in _reads(world["p1"]):
        assert client.get(url, headers=h).status_code == 200, url


@pytest.mark.parametrize("username", ["partner", "rep", "manager"])
def test_other_accounts_ids_are_404_on_every_act_route(client, company, world, username):
    """An act on a record outside the scope is 404, exactly like a missing one."""
    h = _h(company, username)
    ids = world["p2"] if username != "manager" else _outside(company, world)
    for url, body in _acts(ids):
        if url.endswith(f"{API}/payments") and "account_id" not in body:
            continue
        r = client.post(url, body, content_type="application/json", headers=h)
        assert r.status_code == 404, (url, r.json())
        assert r.json()["code"] in NOT_FOUND_CODES, url


def _outside(company, world):
    """For the manager: the same kinds of ids on the account outside the subtree."""
    coord = company.users["coordinator"]
    inv = services.invoice_post(
        account=company.outside,
        amount="50.00",
        currency="CNY",
        issue_date=D(2026, 10, 1),
        by=coord,
    )
    order = services.sales_order_create(
        account=company.outside,
        currency="CNY",
        order_date=D(2026, 10, 1),
        lines=[services.OrderLineIn(quantity=1, unit_price=1, requested_date=D(2026, 11, 1))],
        by=coord,
    )
    pay = services.payment_receive(amount="9.00", currency="CNY", account=company.outside, by=coord)
    services.payment_book(payment=pay, by=coord)
    alloc = services.payment_allocate(payment=pay, invoice=inv, amount="1.00", by=coord)
    note = services.credit_note_request(
        account=company.outside, amount="1.00", currency="CNY", reason="price", by=coord
    )
    refund = services.refund_request(payment=pay, amount="1.00", reason="x", by=coord)
    write_off = services.write_off_request(invoice=inv, amount="1.00", reason="x", by=coord)
    return {
        "account": company.outside.pk,
        "order": order.pk,
        "line": order.lines.get().pk,
        "invoice": inv.pk,
        "payment": pay.pk,
        "allocation": alloc.pk,
        "credit_note": note.pk,
        "refund": refund.pk,
        "write_off": write_off.pk,
    }


@pytest.mark.parametrize("username", ["partner", "rep", "manager"])
def test_non_staff_cannot_act_on_records_they_can_see(client, company, world, username):
    h = _h(company, username)
    for url, body in _acts(world["p1"]):
        r = client.post(url, body, content_type="application/json", headers=h)
        assert r.status_code == 403, (url, r.status_code, r.json())
        assert r.json()["code"] == "PERMISSION_DENIED"


def test_receiving_money_is_staff_only(client, company, world):
    for username in ("partner", "rep", "manager"):
        r = client.post(
            f"{API}/payments",
            {"amount": "1.00", "currency": "CNY"},
            content_type="application/json",
            headers=_h(company, username),
        )
        assert r.status_code == 403


@pytest.mark.parametrize(
    ("username", "expected"),
    [
        ("partner", {"p1"}),
        ("partner2", {"p2"}),
        ("rep", {"p1"}),  # rep owns partner1
        ("rep2", {"p2"}),
        ("manager", {"p1", "p2"}),  # both partners are in the manager's market
        ("coordinator", {"p1", "p2"}),
        ("finance", {"p1", "p2"}),
    ],
)
def test_lists_return_exactly_the_scope(client, company, world, username, expected):
    h = _h(company, username)
    want = {world[k]["account"] for k in expected}
    for kind in ("orders", "invoices", "payments", "credit-notes", "refunds", "write-offs"):
        r = client.get(f"{API}/{kind}", {"limit": 500}, headers=h)
        assert r.status_code == 200, kind
        seen = {item["account"]["id"] for item in r.json()["items"] if item["account"]}
        assert seen == want, (kind, seen)


def test_unbooked_receipts_are_internal(client, company, world):
    coord = company.users["coordinator"]
    unbooked = services.payment_receive(
        amount="3.00", currency="CNY", account=company.partner1, by=coord
    )
    for username in ("partner", "rep", "manager"):
        h = _h(company, username)
        assert client.get(f"{API}/payments/{unbooked.pk}", headers=h).status_code == 404
        assert client.get(f"{API}/payments/unbooked", headers=h).json()["items"] == []
    r = client.get(f"{API}/payments/unbooked", headers=_h(company, "coordinator")).json()
    assert [p["id"] for p in r["items"]] == [unbooked.pk]


def test_booking_report_is_for_staff(client, company, world):
    for username in ("partner", "rep", "manager"):
        r = client.get(f"{API}/booking-report", headers=_h(company, username))
        assert r.status_code == 403
    assert client.get(f"{API}/booking-report", headers=_h(company, "finance")).status_code == 200


def test_without_credentials_is_401(client, world):
    assert client.get(f"{API}/invoices").status_code == 401
    r = client.post(
        f"{API}/payments", {"amount": "1.00", "currency": "CNY"}, content_type="application/json"
    )
    assert r.status_code == 401

"""Receivables API: every act through /api/v1/receivables, money as decimal strings with
currency, errors as {code, message, detail}."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from salesops.core.services import api_token_issue
from salesops.receivables import services
from salesops.receivables.models import CreditNote, Invoice, LedgerEntry, Payment

API = "/api/v1/receivables"


@pytest.fixture
def as_user(client, company):
    def _headers(username: str) -> dict:
        return {"Authorization": f"Bearer {api_token_issue(user=company.users[username])}"}

    return _headers


def _post(client, url, body, headers):
    return client.post(url, body, content_type="application/json", headers=headers)


def test_receive_book_and_allocate_several_invoices_in_one_call(client, ledger, as_user):
    h = as_user("coordinator")
    r = _post(
        client,
        f"{API}/payments",
        {"amount": "7000.00", "currency": "CNY", "payer_name": "Huadong", "reference": "Sept"},
        h,
    )
    assert r.status_code == 201, r.json()
    receipt = r.json()
    assert receipt["status"] == "received"
    assert receipt["amount"] == {"amount": "7000.00", "currency": "CNY"}
    assert receipt["account"] is None
    r = _post(
        client,
        f"{API}/payments/{receipt['id']}/book",
        {
            "account_id": ledger.inv1.account_id,
            "allocations": [
                {"invoice_id": ledger.inv1.pk, "amount": "3300.00"},
                {"invoice_id": ledger.inv2.pk, "amount": "2000.00"},
            ],
        },
        h,
    )
    assert r.status_code == 200, r.json()
    body = r.json()
    assert body["status"] == "booked"
    assert body["unallocated_amount"] == {"amount": "1700.00", "currency": "CNY"}
    assert [a["invoice_number"] for a in body["allocations"]] == [
        ledger.inv1.number,
        ledger.inv2.number,
    ]
    inv1 = client.get(f"{API}/invoices/{ledger.inv1.pk}", headers=h).json()
    assert inv1["status"] == "paid"
    assert inv1["open_amount"]["amount"] == "0.00"
    balance = client.get(f"{API}/accounts/{ledger.inv1.account_id}/balance", headers=h).json()
    # 11,300 + 5,650 - 8,000 - 7,000
    assert balance["balances"] == [{"amount": "1950.00", "currency": "CNY"}]


def test_a_refused_allocation_undoes_the_booking_too(client, ledger, as_user):
    h = as_user("coordinator")
    pay = services.payment_receive(amount="1000.00", currency="CNY", by=ledger.coordinator)
    r = _post(
        client,
        f"{API}/payments/{pay.pk}/book",
        {
            "account_id": ledger.inv2.account_id,
            "allocations": [{"invoice_id": ledger.inv2.pk, "amount": "1500.00"}],
        },
        h,
    )
    assert r.status_code == 409
    assert r.json()["code"] == "ALLOCATION_EXCEEDS_PAYMENT"
    assert set(r.json()) == {"code", "message", "detail"}
    pay.refresh_from_db()
    assert pay.status == Payment.Status.RECEIVED
    assert not LedgerEntry.objects.filter(payment=pay).exists()


def test_allocate_then_reverse_the_allocation(client, ledger, as_user):
    h = as_user("coordinator")
    pay = services.payment_receive(
        amount="500.00", currency="CNY", account=ledger.inv2.account, by=ledger.coordinator
    )
    services.payment_book(payment=pay, by=ledger.coordinator)
    r = _post(
        client,
        f"{API}/payments/{pay.pk}/allocate",
        {"allocations": [{"invoice_id": ledger.inv2.pk, "amount": "500.00"}]},
        h,
    )
    assert r.status_code == 200
    alloc_id = r.json()["allocations"][0]["id"]
    r = _post(client, f"{API}/allocations/{alloc_id}/reverse", {"reason": "wrong invoice"}, h)
    assert r.status_code == 200, r.json()
    assert r.json()["amount"]["amount"] == "-500.00"
    assert r.json()["reverses_id"] == alloc_id
    again = _post(client, f"{API}/allocations/{alloc_id}/reverse", {"reason": "twice"}, h)
    assert again.status_code == 409 and again.json()["code"] == "ALREADY_REVERSED"
    inv2 = Invoice.objects.get(pk=ledger.inv2.pk)
    assert inv2.open_amount == Decimal("5650.00")


def test_amounts_must_be_decimal_strings_not_numbers(client, ledger, as_user):
    h = as_user("coordinator")
    r = _post(client, f"{API}/payments", {"amount": 100.5, "currency": "CNY"}, h)
    assert r.status_code == 422 and r.json()["code"] == "INVALID_INPUT"
    r = _post(client, f"{API}/payments", {"amount": "100.555", "currency": "CNY"}, h)
    assert r.status_code == 400 and r.json()["code"] == "AMOUNT_INVALID"
    assert r.json()["detail"]["decimals"] == 2


def test_invoice_post_and_reverse(client, fx, as_user):
    h = as_user("coordinator")
    r = _post(
        client,
        f"{API}/invoices",
        {
            "account_id": fx.partner1.pk,
            "amount": "100.00",
            "currency": "USD",
            "issue_date": "2026-10-02",
        },
        h,
    )
    assert r.status_code == 201, r.json()
    inv = r.json()
    assert inv["due_date"] == "2026-11-01"  # NET30
    assert inv["amount"] == {"amount": "100.00", "currency": "USD"}
    r = _post(client, f"{API}/invoices/{inv['id']}/reverse", {"reason": "posted twice"}, h)
    assert r.status_code == 200 and r.json()["status"] == "reversed"
    r = _post(client, f"{API}/invoices/{inv['id']}/reverse", {"reason": "again"}, h)
    assert r.status_code == 409 and r.json()["code"] == "ALREADY_REVERSED"


def test_dates_outside_the_accepted_range_are_refused_with_a_code(client, fx, as_user):
    h = as_user("coordinator")
    r = _post(
        client,
        f"{API}/invoices",
        {
            "account_id": fx.partner1.pk,
            "amount": "1.00",
            "currency": "CNY",
            "issue_date": "9999-12-31",
        },
        h,
    )
    assert r.status_code == 400 and r.json()["code"] == "DATE_INVALID"


def test_order_create_ship_and_cancel(client, fx, as_user):
    h = as_user("coordinator")
    r = _post(
        client,
        f"{API}/orders",
        {
            "account_id": fx.partner1.pk,
            "currency": "CNY",
            "order_date": "2026-10-01",
            "customer_reference": "PO-77",
            "lines": [
                {
                    "description": "Widget",
                    "quantity": "10",
                    "unit_price": "9.90",
                    "requested_date": "2026-10-20",
                },
                {
                    "description": "Gadget",
                    "quantity": "5",
                    "unit_price": "100.00",
                    "requested_date": "2026-10-25",
                },
            ],
        },
        h,
    )
    assert r.status_code == 201, r.json()
    order = r.json()
    assert order["backlog_value"] == {"amount": "599.00", "currency": "CNY"}
    line1, line2 = order["lines"]
    r = _post(
        client,
        f"{API}/orders/{order['id']}/ship",
        {"lines": [{"line_id": line1["id"], "quantity": "10"}]},
        h,
    )
    assert r.status_code == 200 and r.json()["status"] == "partial"
    too_much = _post(
        client,
        f"{API}/orders/{order['id']}/ship",
        {"lines": [{"line_id": line2["id"], "quantity": "6"}]},
        h,
    )
    assert too_much.status_code == 409 and too_much.json()["code"] == "SHIPMENT_EXCEEDS_ORDER"
    r = _post(client, f"{API}/orders/{order['id']}/cancel", {"reason": "customer withdrew"}, h)
    assert r.status_code == 200
    assert r.json()["status"] == "shipped"  # the shipped line stays, the rest is cancelled
    assert r.json()["backlog_value"]["amount"] == "0.00"


def test_credit_note_request_approve_four_eyes_and_apply(client, ledger, as_user, settings):
    settings.CREDIT_NOTE_APPROVAL_ABOVE = "1000"
    coord, fin = as_user("coordinator"), as_user("finance")
    r = _post(
        client,
        f"{API}/credit-notes",
        {"invoice_id": ledger.inv2.pk, "amount": "1650.00", "reason": "price", "memo": "promo"},
        coord,
    )
    assert r.status_code == 201, r.json()
    note = r.json()
    assert note["status"] == "pending" and note["invoice_number"] == ledger.inv2.number
    # the requester may not approve (coordinator role may not approve at all: 403)
    assert _post(client, f"{API}/credit-notes/{note['id']}/approve", {}, coord).status_code == 403
    r = _post(client, f"{API}/credit-notes/{note['id']}/approve", {"note": "ok"}, fin)
    assert r.status_code == 200 and r.json()["status"] == "approved"
    assert r.json()["open_amount"]["amount"] == "0.00"  # applied to its invoice on approval
    assert Invoice.objects.get(pk=ledger.inv2.pk).open_amount == Decimal("4000.00")
    again = _post(client, f"{API}/credit-notes/{note['id']}/approve", {}, fin)
    assert again.status_code == 409 and again.json()["code"] == "NOT_PENDING"


def test_finance_cannot_approve_its_own_credit_note(client, ledger, as_user, settings):
    settings.CREDIT_NOTE_APPROVAL_ABOVE = "0"
    fin = as_user("finance")
    r = _post(
        client,
        f"{API}/credit-notes",
        {"account_id": ledger.inv2.account_id, "amount": "10.00", "reason": "goodwill"},
        fin,
    )
    assert r.status_code == 201 and r.json()["invoice_id"] is None
    r = _post(client, f"{API}/credit-notes/{r.json()['id']}/approve", {}, fin)
    assert r.status_code == 409 and r.json()["code"] == "SELF_APPROVAL"


def test_credit_on_account_applied_later(client, ledger, as_user):
    coord = as_user("coordinator")
    r = _post(
        client,
        f"{API}/credit-notes",
        {"account_id": ledger.inv2.account_id, "amount": "50.00", "reason": "rebate"},
        coord,
    )
    note = r.json()
    assert note["status"] == "approved"  # within the threshold
    r = _post(
        client,
        f"{API}/credit-notes/{note['id']}/apply",
        {"invoice_id": ledger.inv2.pk, "amount": "50.00"},
        coord,
    )
    assert r.status_code == 200 and r.json()["amount"]["amount"] == "50.00"


def test_credit_note_reject_needs_a_reason(client, ledger, as_user, settings):
    settings.CREDIT_NOTE_APPROVAL_ABOVE = "0"
    note = services.credit_note_request(
        account=ledger.inv2.account,
        amount="20.00",
        currency="CNY",
        reason="billing",
        by=ledger.coordinator,
    )
    fin = as_user("finance")
    r = _post(client, f"{API}/credit-notes/{note.pk}/reject", {"reason": ""}, fin)
    assert r.status_code == 422
    r = _post(client, f"{API}/credit-notes/{note.pk}/reject", {"reason": "not agreed"}, fin)
    assert r.status_code == 200 and r.json()["status"] == "rejected"
    assert r.json()["decision_note"] == "not agreed"


def test_refund_request_approve_and_reject(client, ledger, as_user):
    coord, fin = as_user("coordinator"), as_user("finance")
    pay = services.payment_receive(
        amount="300.00", currency="CNY", account=ledger.inv2.account, by=ledger.coordinator
    )
    services.payment_book(payment=pay, by=ledger.coordinator)
    r = _post(
        client,
        f"{API}/refunds",
        {"payment_id": pay.pk, "amount": "100.00", "reason": "paid twice"},
        coord,
    )
    assert r.status_code == 201, r.json()
    refund = r.json()
    r = _post(client, f"{API}/refunds/{refund['id']}/approve", {"paid_on": "2026-10-20"}, fin)
    assert r.status_code == 200 and r.json()["status"] == "approved"
    assert r.json()["paid_on"] == "2026-10-20"
    r = _post(
        client,
        f"{API}/refunds",
        {"payment_id": pay.pk, "amount": "250.00", "reason": "too much"},
        coord,
    )
    assert r.status_code == 409 and r.json()["code"] == "REFUND_EXCEEDS_AVAILABLE"
    r = _post(
        client, f"{API}/refunds", {"payment_id": pay.pk, "amount": "50.00", "reason": "x"}, coord
    )
    r = _post(client, f"{API}/refunds/{r.json()['id']}/reject", {"reason": "keep it"}, fin)
    assert r.status_code == 200 and r.json()["status"] == "rejected"
    listed = client.get(f"{API}/refunds", {"status": "approved"}, headers=fin).json()
    assert [x["id"] for x in listed["items"]] == [refund["id"]]


def test_write_off_within_tolerance_then_approved(client, ledger, as_user):
    coord, fin = as_user("coordinator"), as_user("finance")
    r = _post(
        client,
        f"{API}/write-offs",
        {"invoice_id": ledger.inv1.pk, "amount": "100.00", "reason": "too big"},
        coord,
    )
    assert r.status_code == 400 and r.json()["code"] == "WRITE_OFF_ABOVE_TOLERANCE"
    r = _post(
        client,
        f"{API}/write-offs",
        {"invoice_id": ledger.inv1.pk, "amount": "12.00", "reason": "bank charges"},
        coord,
    )
    assert r.status_code == 201, r.json()
    r = _post(client, f"{API}/write-offs/{r.json()['id']}/approve", {}, fin)
    assert r.status_code == 200 and r.json()["status"] == "approved"
    assert Invoice.objects.get(pk=ledger.inv1.pk).open_amount == Decimal("3288.00")
    r2 = _post(
        client,
        f"{API}/write-offs",
        {"invoice_id": ledger.inv1.pk, "amount": "1.00", "reason": "rounding"},
        coord,
    )
    r2 = _post(client, f"{API}/write-offs/{r2.json()['id']}/reject", {"reason": "no"}, fin)
    assert r2.json()["status"] == "rejected"


def test_lists_filter_and_page(client, ledger, as_user):
    h = as_user("coordinator")
    page = client.get(f"{API}/invoices", {"limit": 2}, headers=h).json()
    assert len(page["items"]) == 2 and page["has_more"] is True
    rest = client.get(f"{API}/invoices", {"limit": 2, "offset": 2}, headers=h).json()
    assert len(rest["items"]) == 1 and rest["has_more"] is False
    paid = client.get(f"{API}/invoices", {"account": ledger.inv1.account_id}, headers=h).json()
    assert {i["number"] for i in paid["items"]} == {ledger.inv1.number, ledger.inv2.number}
    overdue = client.get(f"{API}/invoices", {"overdue": True}, headers=h).json()
    today = dt.date.today()
    assert all(dt.date.fromisoformat(i["due_date"]) < today for i in overdue["items"])
    assert client.get(f"{API}/invoices", {"limit": 501}, headers=h).status_code == 422
    items = client.get(f"{API}/accounts/{ledger.inv1.account_id}/open-items", headers=h).json()
    assert [i["number"] for i in items["items"]] == [ledger.inv1.number, ledger.inv2.number]
    led = client.get(f"{API}/accounts/{ledger.inv1.account_id}/ledger", headers=h).json()
    assert [e["kind"] for e in led["items"]] == ["invoice", "invoice", "payment"]
    assert led["items"][2]["amount"] == {"amount": "-8000.00", "currency": "CNY"}


def test_unbooked_receipts_least_time_left_first(client, fx, as_user):
    coord = fx.users["coordinator"]
    now = dt.datetime.now(dt.UTC)
    newer = services.payment_receive(
        amount="1.00", currency="CNY", received_at=now - dt.timedelta(hours=1), by=coord
    )
    older = services.payment_receive(
        amount="2.00", currency="CNY", received_at=now - dt.timedelta(hours=22), by=coord
    )
    r = client.get(f"{API}/payments/unbooked", headers=as_user("coordinator")).json()
    assert [p["id"] for p in r["items"]] == [older.pk, newer.pk]
    deadline = dt.datetime.fromisoformat(r["items"][0]["booking_deadline"])
    # JSON carries milliseconds
    assert abs(deadline - (older.received_at + dt.timedelta(hours=24))) < dt.timedelta(seconds=1)


def test_credit_note_reason_codes_are_the_models(client, ledger, as_user):
    h = as_user("coordinator")
    r = _post(
        client,
        f"{API}/credit-notes",
        {"invoice_id": ledger.inv2.pk, "amount": "1.00", "reason": "because"},
        h,
    )
    assert r.status_code == 422
    schema = client.get("/api/v1/openapi.json").json()
    reason = schema["components"]["schemas"]["CreditNoteIn"]["properties"]["reason"]
    assert set(reason["enum"]) == set(CreditNote.Reason.values)

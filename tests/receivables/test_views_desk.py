"""The desk pages: receipts with the 24-hour clock, book and allocate, approvals with four
eyes, invoice/payment/order pages, the account-360 panel, navigation and home queues."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from salesops.receivables import services
from salesops.receivables.models import CreditNote, Invoice, Payment

D = dt.date


def _receipt(by, hours_ago, amount="100.00", **kw):
    return services.payment_receive(
        amount=amount,
        currency="CNY",
        received_at=timezone.now() - dt.timedelta(hours=hours_ago),
        by=by,
        **kw,
    )


def test_receipts_page_shows_time_left_red_inside_the_warning_and_overdue(login, fx):
    coord = fx.users["coordinator"]
    ok = _receipt(coord, 1, payer_name="Early Payer")
    warn = _receipt(coord, 21, payer_name="Close Payer")
    late = _receipt(coord, 26, payer_name="Late Payer")
    html = login("coordinator").get("/receivables/receipts/").content.decode()
    # oldest (least time left) first
    assert html.index(late.number) < html.index(warn.number) < html.index(ok.number)
    assert 'class="rcv-left rcv-left-ok">22:5' in html or "rcv-left-ok" in html
    assert "rcv-left-warn" in html and "rcv-left-overdue" in html
    assert "overdue by 2:0" in html
    fragment = login("coordinator").get(
        "/receivables/receipts/", {"fragment": "rows"}, headers={"HX-Request": "true"}
    )
    assert "<html" not in fragment.content.decode() and late.number in fragment.content.decode()


def test_record_a_receipt_then_book_and_allocate_oldest_first(login, ledger):
    client = login("coordinator")
    r = client.post(
        "/receivables/receipts/new/",
        {"amount": "4,000.00", "currency": "CNY", "payer_name": "Huadong", "method": "transfer"},
    )
    pay = Payment.objects.get(payer_name="Huadong")
    assert r.status_code == 302 and r["Location"] == f"/receivables/receipts/{pay.pk}/book/"
    # the account picker searches accounts (the account list's search)
    pick = client.get("/receivables/account-search/", {"payment": pay.pk, "q": "huadong"})
    assert ledger.inv1.account.name in pick.content.decode()
    assert "Jiangnan" not in pick.content.decode()
    url = f"/receivables/receipts/{pay.pk}/book/"
    page = client.get(url, {"account": ledger.inv1.account_id, "suggest": "oldest"})
    html = page.content.decode()
    # inv1 has 3,300 open, inv2 5,650: 4,000 oldest first is 3,300 + 700
    assert f'name="alloc_{ledger.inv1.pk}" value="3300.00"' in html
    assert f'name="alloc_{ledger.inv2.pk}" value="700.00"' in html
    r = client.post(
        url,
        {
            "account": ledger.inv1.account_id,
            f"alloc_{ledger.inv1.pk}": "3300.00",
            f"alloc_{ledger.inv2.pk}": "500.00",  # edited: 200 stays on account
        },
    )
    assert r.status_code == 302
    pay.refresh_from_db()
    assert pay.status == Payment.Status.BOOKED
    assert pay.unallocated_amount == Decimal("200.00")
    assert Invoice.objects.get(pk=ledger.inv1.pk).status == Invoice.Status.PAID
    detail = client.get(r["Location"]).content.decode()
    assert "stays on account" in detail


def test_booking_too_much_shows_a_friendly_error_and_books_nothing(login, ledger):
    client = login("coordinator")
    pay = _receipt(ledger.coordinator, 1, amount="100.00")
    r = client.post(
        f"/receivables/receipts/{pay.pk}/book/",
        {"account": ledger.inv1.account_id, f"alloc_{ledger.inv1.pk}": "150.00"},
    )
    assert r.status_code == 400
    assert "more than the receipt has left" in r.content.decode()
    pay.refresh_from_db()
    assert pay.status == Payment.Status.RECEIVED


def test_book_page_of_another_scope_is_404_and_desk_is_staff_only(login, ledger):
    pay = _receipt(ledger.coordinator, 1)
    assert login("rep").get(f"/receivables/receipts/{pay.pk}/book/").status_code == 403
    assert login("partner").get("/receivables/receipts/").status_code == 403
    assert login("partner").get("/receivables/invoices/").status_code == 403
    rep = login("rep")
    assert rep.get(f"/receivables/invoices/{ledger.inv3.pk}/").status_code == 404  # partner2
    assert rep.get(f"/receivables/invoices/{ledger.inv1.pk}/").status_code == 200
    assert rep.get(f"/receivables/payments/{ledger.pay1.pk}/").status_code == 200
    html = rep.get("/receivables/invoices/").content.decode()
    assert ledger.inv1.number in html and ledger.inv3.number not in html


@pytest.fixture
def pending_note(ledger, settings):
    settings.CREDIT_NOTE_APPROVAL_ABOVE = "1000"
    return services.credit_note_request(
        account=ledger.inv2.account,
        amount="1500.00",
        currency="CNY",
        reason="return",
        invoice=ledger.inv2,
        by=ledger.coordinator,
    )


def test_finance_approves_a_pending_credit_note(login, ledger, pending_note):
    client = login("finance")
    page = client.get("/receivables/approvals/").content.decode()
    assert pending_note.number in page
    r = client.post(f"/receivables/approvals/credit_note/{pending_note.pk}/", {"action": "approve"})
    assert r.status_code == 302
    pending_note.refresh_from_db()
    assert pending_note.status == CreditNote.Status.APPROVED
    assert Invoice.objects.get(pk=ledger.inv2.pk).open_amount == Decimal("4150.00")


def test_reject_without_a_reason_is_refused_with_a_message(login, ledger, pending_note):
    client = login("finance")
    r = client.post(
        f"/receivables/approvals/credit_note/{pending_note.pk}/",
        {"action": "reject"},
        follow=True,
    )
    assert "Please give a reason." in r.content.decode()
    pending_note.refresh_from_db()
    assert pending_note.status == CreditNote.Status.PENDING
    client.post(
        f"/receivables/approvals/credit_note/{pending_note.pk}/",
        {"action": "reject", "reason": "not agreed with sales"},
    )
    pending_note.refresh_from_db()
    assert pending_note.status == CreditNote.Status.REJECTED


def test_four_eyes_is_a_friendly_message(login, ledger, settings):
    settings.CREDIT_NOTE_APPROVAL_ABOVE = "0"
    own = services.credit_note_request(
        account=ledger.inv2.account,
        amount="5.00",
        currency="CNY",
        reason="price",
        by=ledger.finance,
    )
    client = login("finance")
    page = client.get("/receivables/approvals/").content.decode()
    assert "Your own request: someone else decides." in page
    r = client.post(
        f"/receivables/approvals/credit_note/{own.pk}/", {"action": "approve"}, follow=True
    )
    assert "someone else in finance has to approve" in r.content.decode()
    assert login("coordinator").get("/receivables/approvals/").status_code == 403


def test_credit_note_request_form_against_an_invoice(login, ledger, settings):
    settings.CREDIT_NOTE_APPROVAL_ABOVE = "1000"
    client = login("coordinator")
    page = client.get("/receivables/credit-notes/new/", {"invoice": ledger.inv2.pk})
    assert ledger.inv2.number in page.content.decode()
    r = client.post(
        "/receivables/credit-notes/new/",
        {"invoice": ledger.inv2.pk, "amount": "2000.00", "reason": "damage", "memo": "broken"},
        follow=True,
    )
    note = CreditNote.objects.get(memo="broken")
    assert note.status == CreditNote.Status.PENDING
    assert "waiting for finance" in r.content.decode()
    bad = client.post(
        "/receivables/credit-notes/new/",
        {"invoice": ledger.inv2.pk, "amount": "2000.00", "reason": ""},
    )
    assert bad.status_code == 400


def test_order_board_and_ship_action(login, fx):
    coord = fx.users["coordinator"]
    order = services.sales_order_create(
        account=fx.partner1,
        currency="CNY",
        order_date=D(2026, 10, 1),
        lines=[services.OrderLineIn(quantity=4, unit_price=25, requested_date=D(2026, 11, 1))],
        by=coord,
    )
    client = login("coordinator")
    board = client.get("/receivables/orders/").content.decode()
    assert order.number in board and "100.00 CNY" in board
    line = order.lines.get()
    client.post(f"/receivables/orders/{order.pk}/", {f"ship_{line.pk}": "4"})
    order.refresh_from_db()
    assert order.status == "shipped"
    assert order.number not in client.get("/receivables/orders/").content.decode()
    assert login("partner2").get(f"/receivables/orders/{order.pk}/").status_code == 403
    assert login("rep2").get(f"/receivables/orders/{order.pk}/").status_code == 404


def test_account_360_panel_shows_balance_open_items_payments(login, ledger):
    client = login("coordinator")
    page = client.get(f"/accounts/{ledger.inv1.account_id}/").content.decode()
    assert f"/receivables/account-panel/{ledger.inv1.account_id}/" in page
    panel = client.get(f"/receivables/account-panel/{ledger.inv1.account_id}/").content.decode()
    assert "8,950.00 CNY" in panel  # 11,300 + 5,650 - 8,000
    assert ledger.inv1.number in panel and ledger.inv2.number in panel
    assert ledger.pay1.number in panel
    # the partner sees its own panel, and not the other partner's
    assert (
        login("partner").get(f"/receivables/account-panel/{ledger.inv1.account_id}/").status_code
        == 200
    )
    assert (
        login("partner").get(f"/receivables/account-panel/{ledger.inv3.account_id}/").status_code
        == 404
    )


def test_nav_link_for_staff_only_and_home_queues(login, fx):
    _receipt(fx.users["coordinator"], 22, payer_name="Nearly Late Ltd")
    home = login("coordinator").get("/").content.decode()
    assert 'href="/receivables/"' in home
    assert "Receipts to book" in home and "Nearly Late Ltd" in home and "left" in home
    assert 'href="/receivables/"' not in login("rep").get("/").content.decode()
    assert 'href="/receivables/"' not in login("partner").get("/").content.decode()
    fin = login("finance").get("/").content.decode()
    assert "Waiting for your approval" in fin
    assert login("finance").get("/receivables/")["Location"] == "/receivables/approvals/"


def test_invoice_list_filters(login, ledger):
    client = login("coordinator")
    html = client.get("/receivables/invoices/", {"status": "paid"}).content.decode()
    assert ledger.inv1.number not in html  # still open (3,300)
    html = client.get(
        "/receivables/invoices/", {"account": ledger.inv3.account_id}
    ).content.decode()
    assert ledger.inv3.number in html and ledger.inv1.number not in html
    html = client.get("/receivables/invoices/", {"overdue": "1"}).content.decode()
    for inv in Invoice.objects.filter(status="open"):
        assert (inv.number in html) == (inv.due_date < timezone.localdate())
    detail = client.get(f"/receivables/invoices/{ledger.inv1.pk}/").content.decode()
    assert ledger.pay1.number in detail and "Invoice posted" in detail

"""Browser tests of the receivables desk: a coordinator records a receipt, books it to a
partner and allocates it oldest first; finance approves a pending credit note."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

from playwright.sync_api import expect

from salesops.receivables import services
from salesops.receivables.models import CreditNote, Invoice, Payment
from tests.ui.conftest import ui_login

SHOTS = Path(os.environ.get("SALESOPS_DESK_SHOTS", "/tmp/shots_desk"))


def _shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def test_coordinator_records_books_and_allocates_a_receipt_oldest_first(page, live_app):
    c = live_app.company
    coord = c.users["coordinator"]
    old = services.invoice_post(
        account=c.partner1,
        amount="1130.00",
        currency="CNY",
        issue_date=dt.date(2026, 9, 1),
        by=coord,
    )
    newer = services.invoice_post(
        account=c.partner1,
        amount="565.00",
        currency="CNY",
        issue_date=dt.date(2026, 10, 1),
        by=coord,
    )
    ui_login(page, live_app.url, "coordinator")
    page.locator("nav.mainnav").get_by_role("link", name="Receivables").click()
    expect(page.locator("h1")).to_have_text("Receipts to book")
    page.fill("#receipt-amount", "1300.00")
    page.fill("#receipt-payer", "Huadong Distribution")
    page.get_by_role("button", name="Record receipt").click()
    expect(page.locator(".messages")).to_contain_text("recorded")
    _shot(page, "01_book_pick_account")
    # the picker is pre-filled with the payer's name and lists matching accounts
    page.fill("#account-q", "huadong")
    page.locator("#picker-results").get_by_role("link", name=c.partner1.name).click()
    expect(page.locator("#chosen-account")).to_have_text(c.partner1.name)
    page.get_by_role("link", name="Allocate oldest first").click()
    expect(page.locator(f"input[name=alloc_{old.pk}]")).to_have_value("1130.00")
    expect(page.locator(f"input[name=alloc_{newer.pk}]")).to_have_value("170.00")
    _shot(page, "02_allocate_oldest_first")
    page.get_by_role("button", name="Book and allocate").click()
    expect(page.locator(".messages")).to_contain_text("fully allocated")
    expect(page.locator("#payment-unallocated")).to_contain_text("0.00 CNY")
    _shot(page, "03_payment_booked")
    page.locator("#allocations").get_by_role("link", name=old.number).click()
    expect(page.locator("#invoice-status")).to_have_text("Cleared")
    expect(page.locator("#invoice-open")).to_have_text("0.00 CNY")
    _shot(page, "04_invoice_cleared")
    pay = Payment.objects.get(payer_name="Huadong Distribution")
    assert pay.status == Payment.Status.BOOKED and pay.booked_by_id == coord.pk
    assert Invoice.objects.get(pk=newer.pk).open_amount == 395


def test_finance_approves_a_pending_credit_note(page, live_app, settings):
    settings.CREDIT_NOTE_APPROVAL_ABOVE = "100"
    c = live_app.company
    coord = c.users["coordinator"]
    inv = services.invoice_post(
        account=c.partner2,
        amount="2260.00",
        currency="CNY",
        issue_date=dt.date(2026, 10, 12),
        by=coord,
    )
    note = services.credit_note_request(
        account=c.partner2,
        amount="260.00",
        currency="CNY",
        reason="damage",
        invoice=inv,
        memo="two cartons crushed",
        by=coord,
    )
    assert note.status == CreditNote.Status.PENDING
    ui_login(page, live_app.url, "finance")
    queue = page.locator("#queue-approvals_waiting")
    expect(queue).to_contain_text(note.number)
    queue.get_by_role("link", name="Waiting for your approval").click()
    row = page.locator(f"#credit_notes-{note.pk}")
    expect(row).to_contain_text("two cartons crushed")
    _shot(page, "05_approvals")
    row.get_by_role("button", name="Approve").click()
    expect(page.locator(".messages")).to_contain_text(f"{note.number} approved")
    expect(page.locator("#credit-notes")).to_contain_text("No credit notes are waiting.")
    _shot(page, "06_approved")
    note.refresh_from_db()
    assert note.status == CreditNote.Status.APPROVED
    assert Invoice.objects.get(pk=inv.pk).open_amount == 2000

"""The desk's acts beyond booking: request a refund (receipt left on account, unapplied credit
note), write off a small difference, apply credit on account to an invoice. Staff only;
rules refused by the services come back as messages and write nothing."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from salesops.receivables import services
from salesops.receivables.models import CreditApplication, CreditNote, Invoice, Refund, WriteOff


def _on_account_receipt(ledger, amount="500.00"):
    """A booked receipt on partner1 with `amount` left unallocated."""
    pay = services.payment_receive(
        amount=amount,
        currency="CNY",
        value_date=dt.date(2026, 10, 20),
        account=ledger.inv1.account,
        reference="overpaid",
        by=ledger.coordinator,
    )
    return services.payment_book(payment=pay, by=ledger.coordinator)


def _credit_on_account(ledger, amount="1000.00"):
    """An approved credit note on partner1's account (within the approval limit)."""
    note = services.credit_note_request(
        account=ledger.inv1.account,
        amount=amount,
        currency="CNY",
        reason=CreditNote.Reason.REBATE,
        by=ledger.coordinator,
    )
    assert note.status == CreditNote.Status.APPROVED and note.invoice_id is None
    return note


def _nearly_paid(ledger, left="30.00"):
    """inv2 (5,650.00) paid but for `left`."""
    pay = services.payment_receive(
        amount=str(Decimal("5650.00") - Decimal(left)),
        currency="CNY",
        account=ledger.inv2.account,
        by=ledger.coordinator,
    )
    pay = services.payment_book(payment=pay, by=ledger.coordinator)
    services.payment_allocate(
        payment=pay, invoice=ledger.inv2, amount=pay.amount, by=ledger.coordinator
    )
    ledger.inv2.refresh_from_db()
    assert ledger.inv2.open_amount == Decimal(left)
    return ledger.inv2


def test_payment_page_requests_a_refund_of_what_is_on_account(login, ledger):
    pay = _on_account_receipt(ledger)
    client = login("coordinator")
    html = client.get(f"/receivables/payments/{pay.pk}/").content.decode()
    assert 'id="refund-form"' in html and 'name="amount" value="500.00"' in html
    r = client.post(
        f"/receivables/payments/{pay.pk}/refund/", {"amount": "500.00", "reason": "Paid twice"}
    )
    assert r.status_code == 302 and r["Location"] == f"/receivables/payments/{pay.pk}/"
    refund = Refund.objects.get(payment=pay)
    assert refund.status == Refund.Status.PENDING
    assert refund.amount == Decimal("500.00") and refund.reason == "Paid twice"
    assert refund.requested_by == ledger.coordinator
    page = client.get(r["Location"]).content.decode()
    assert refund.number in page and "waiting for finance" in page
    # a fully allocated receipt offers no refund
    assert (
        'id="refund-form"'
        not in client.get(f"/receivables/payments/{ledger.pay1.pk}/").content.decode()
    )


def test_refund_above_what_is_on_account_shows_the_error_and_writes_nothing(login, ledger):
    pay = _on_account_receipt(ledger)
    client = login("finance")
    r = client.post(
        f"/receivables/payments/{pay.pk}/refund/",
        {"amount": "500.01", "reason": "Paid twice"},
        follow=True,
    )
    assert "That is more than is available to refund." in r.content.decode()
    # no reason: refused as well
    r = client.post(f"/receivables/payments/{pay.pk}/refund/", {"amount": "10", "reason": " "})
    assert "Please give a reason." in client.get(r["Location"]).content.decode()
    assert not Refund.objects.exists()
    pay.refresh_from_db()
    assert pay.unallocated_amount == Decimal("500.00")


def test_credit_note_page_applies_to_an_invoice_and_requests_a_refund(login, ledger):
    note = _credit_on_account(ledger)
    client = login("coordinator")
    # the credit note list links to the new page
    assert (
        f"/receivables/credit-notes/{note.pk}/"
        in client.get("/receivables/credit-notes/").content.decode()
    )
    html = client.get(f"/receivables/credit-notes/{note.pk}/").content.decode()
    # partner1's open invoices in CNY are offered (inv1 3,300 open): min(1,000, open)
    assert f'id="apply-{ledger.inv1.pk}"' in html and 'value="1000.00"' in html
    assert f'id="apply-{ledger.inv3.pk}"' not in html  # partner2's invoice
    r = client.post(
        f"/receivables/credit-notes/{note.pk}/apply/",
        {"invoice": ledger.inv1.pk, "amount": "600.00"},
    )
    assert r.status_code == 302 and r["Location"] == f"/receivables/credit-notes/{note.pk}/"
    note.refresh_from_db()
    ledger.inv1.refresh_from_db()
    assert note.open_amount == Decimal("400.00")
    assert ledger.inv1.open_amount == Decimal("2700.00")
    assert CreditApplication.objects.get(credit_note=note).amount == Decimal("600.00")
    r = client.post(
        f"/receivables/credit-notes/{note.pk}/refund/", {"amount": "400.00", "reason": "Pay out"}
    )
    refund = Refund.objects.get(credit_note=note)
    assert refund.amount == Decimal("400.00") and refund.status == Refund.Status.PENDING
    page = client.get(r["Location"]).content.decode()
    assert ledger.inv1.number in page and refund.number in page


def test_invoice_page_applies_credit_on_account(login, ledger):
    note = _credit_on_account(ledger, amount="4000.00")
    other = services.credit_note_request(
        account=ledger.inv1.account,
        amount="100.00",
        currency="USD",
        reason=CreditNote.Reason.REBATE,
        by=ledger.coordinator,
    )
    client = login("finance")
    html = client.get(f"/receivables/invoices/{ledger.inv1.pk}/").content.decode()
    # min(unapplied 4,000, open 3,300); the USD credit is not offered on a CNY invoice
    assert f'id="credit-available-{note.pk}"' in html and 'value="3300.00"' in html
    assert f'id="credit-available-{other.pk}"' not in html
    r = client.post(
        f"/receivables/credit-notes/{note.pk}/apply/",
        {"invoice": ledger.inv1.pk, "amount": "3300.00", "back": "invoice"},
    )
    assert r["Location"] == f"/receivables/invoices/{ledger.inv1.pk}/"
    ledger.inv1.refresh_from_db()
    note.refresh_from_db()
    assert ledger.inv1.status == Invoice.Status.PAID and ledger.inv1.open_amount == 0
    assert note.open_amount == Decimal("700.00")
    # too much is refused with a message and changes nothing
    r = client.post(
        f"/receivables/credit-notes/{note.pk}/apply/",
        {"invoice": ledger.inv2.pk, "amount": "700.01", "back": "invoice"},
        follow=True,
    )
    assert "That is more than the credit note has left." in r.content.decode()
    note.refresh_from_db()
    assert note.open_amount == Decimal("700.00")
    assert CreditApplication.objects.filter(invoice=ledger.inv2).count() == 0


def test_invoice_page_writes_off_a_small_difference_only(login, ledger):
    client = login("coordinator")
    # 3,300 open on inv1 is far above the tolerance (50 CNY): no offer
    html = client.get(f"/receivables/invoices/{ledger.inv1.pk}/").content.decode()
    assert 'id="write-off-form"' not in html
    inv = _nearly_paid(ledger, left="30.00")
    html = client.get(f"/receivables/invoices/{inv.pk}/").content.decode()
    assert 'id="write-off-form"' in html and 'name="amount" value="30.00"' in html
    # above the tolerance when posted by hand: refused, nothing written
    r = client.post(
        f"/receivables/invoices/{inv.pk}/write-off/",
        {"amount": "60.00", "reason": "Bank charges"},
        follow=True,
    )
    assert "above the write-off tolerance" in r.content.decode()
    assert not WriteOff.objects.exists()
    r = client.post(
        f"/receivables/invoices/{inv.pk}/write-off/", {"amount": "30.00", "reason": "Bank charges"}
    )
    assert r["Location"] == f"/receivables/invoices/{inv.pk}/"
    wo = WriteOff.objects.get(invoice=inv)
    assert wo.status == WriteOff.Status.PENDING and wo.amount == Decimal("30.00")
    html = client.get(r["Location"]).content.decode()
    assert wo.number in html and 'id="write-off-form"' not in html  # one pending at a time
    inv.refresh_from_db()
    assert inv.open_amount == Decimal("30.00")  # moves only when finance approves


@pytest.mark.parametrize("username", ["rep", "partner", "manager"])
def test_non_staff_cannot_post_the_acts_and_nothing_changes(login, ledger, username):
    pay = _on_account_receipt(ledger)
    note = _credit_on_account(ledger)
    inv = _nearly_paid(ledger, left="30.00")
    client = login(username)
    posts = [
        (f"/receivables/payments/{pay.pk}/refund/", {"amount": "10", "reason": "x"}),
        (f"/receivables/credit-notes/{note.pk}/refund/", {"amount": "10", "reason": "x"}),
        (
            f"/receivables/credit-notes/{note.pk}/apply/",
            {"invoice": ledger.inv1.pk, "amount": "10"},
        ),
        (f"/receivables/invoices/{inv.pk}/write-off/", {"amount": "10", "reason": "x"}),
    ]
    for url, data in posts:
        assert client.post(url, data).status_code in (403, 404), url
    assert not Refund.objects.exists() and not WriteOff.objects.exists()
    assert not CreditApplication.objects.filter(credit_note=note).exists()
    note.refresh_from_db()
    assert note.open_amount == Decimal("1000.00")
    if username != "partner":
        # internal non-staff may look but are offered no forms
        html = client.get(f"/receivables/payments/{pay.pk}/").content.decode()
        assert client.get(f"/receivables/payments/{pay.pk}/").status_code == 200
        assert 'id="refund-form"' not in html
        html = client.get(f"/receivables/invoices/{inv.pk}/").content.decode()
        assert 'id="write-off-form"' not in html and "credits-available" not in html
        html = client.get(f"/receivables/credit-notes/{note.pk}/").content.decode()
        assert 'id="refund-form"' not in html and "apply-invoices" not in html


def test_staff_of_another_scope_cannot_reach_records_outside_it(login, ledger):
    """Staff see everything here; a partner2 contact gets 403 on partner1's credit note page,
    and an unknown id is 404 for staff."""
    note = _credit_on_account(ledger)
    assert login("partner2").get(f"/receivables/credit-notes/{note.pk}/").status_code == 403
    client = login("coordinator")
    assert (
        client.post(
            "/receivables/credit-notes/999999/refund/", {"amount": "1", "reason": "x"}
        ).status_code
        == 404
    )
    assert (
        client.post(
            f"/receivables/credit-notes/{note.pk}/apply/", {"invoice": 999999, "amount": "1"}
        ).status_code
        == 404
    )
    assert not Refund.objects.exists()

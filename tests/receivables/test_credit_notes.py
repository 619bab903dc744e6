"""Credit notes, refunds and write-offs: approval above a threshold, four eyes, reversals."""

from __future__ import annotations

from decimal import Decimal

import pytest

from salesops.core.errors import PermissionDenied
from salesops.receivables import errors, selectors, services

D = Decimal


def test_small_credit_note_against_invoice_is_approved_and_applied_at_once(ledger, fx):
    note = services.credit_note_request(
        account=fx.partner1,
        amount="300.00",
        currency="CNY",
        reason="price",
        invoice=ledger.inv1,
        by=ledger.coordinator,
    )
    ledger.inv1.refresh_from_db()
    assert note.status == "approved"
    assert ledger.inv1.open_amount == D("3000.00")


def test_credit_note_above_threshold_waits_for_finance(ledger, fx, settings):
    settings.CREDIT_NOTE_APPROVAL_ABOVE = "1000"
    note = services.credit_note_request(
        account=fx.partner1,
        amount="2000.00",
        currency="CNY",
        reason="return",
        invoice=ledger.inv2,
        by=ledger.coordinator,
    )
    assert note.status == "pending"
    assert selectors.account_balance(user=ledger.coordinator, account_id=fx.partner1.pk)[
        "CNY"
    ] == D("8950.00")
    with pytest.raises(PermissionDenied):
        services.credit_note_approve(credit_note=note, by=ledger.coordinator)
    services.credit_note_approve(credit_note=note, by=ledger.finance)
    ledger.inv2.refresh_from_db()
    assert ledger.inv2.open_amount == D("3650.00")
    assert selectors.account_balance(user=ledger.coordinator, account_id=fx.partner1.pk)[
        "CNY"
    ] == D("6950.00")


def test_credit_note_larger_than_invoice_leaves_rest_on_account(ledger, fx):
    note = services.credit_note_request(
        account=fx.partner1,
        amount="4000.00",
        currency="CNY",
        reason="rebate",
        invoice=ledger.inv1,
        by=ledger.coordinator,
    )
    note.refresh_from_db()
    assert note.open_amount == D("700.00")
    ledger.inv1.refresh_from_db()
    assert ledger.inv1.status == "paid"


def test_rejected_credit_note_changes_no_balance(ledger, fx, settings):
    settings.CREDIT_NOTE_APPROVAL_ABOVE = "0"
    before = selectors.account_balance(user=ledger.coordinator, account_id=fx.partner1.pk)
    note = services.credit_note_request(
        account=fx.partner1,
        amount="10.00",
        currency="CNY",
        reason="goodwill",
        by=ledger.coordinator,
    )
    services.credit_note_reject(credit_note=note, reason="not agreed", by=ledger.finance)
    assert selectors.account_balance(user=ledger.coordinator, account_id=fx.partner1.pk) == before
    with pytest.raises(errors.NotPending):
        services.credit_note_approve(credit_note=note, by=ledger.finance)


def test_refund_of_overpayment_needs_finance_and_posts_to_ledger(ledger, fx):
    by = ledger.coordinator
    pay = services.payment_book(
        payment=services.payment_receive(
            amount="500.00", currency="CNY", account=fx.partner1, by=by
        ),
        by=by,
    )
    refund = services.refund_request(payment=pay, amount="500.00", reason="paid twice", by=by)
    assert selectors.account_balance(user=by, account_id=fx.partner1.pk)["CNY"] == D("8450.00")
    services.refund_approve(refund=refund, by=ledger.finance)
    pay.refresh_from_db()
    assert pay.unallocated_amount == D("0.00")
    assert selectors.account_balance(user=by, account_id=fx.partner1.pk)["CNY"] == D("8950.00")


def test_refund_cannot_exceed_unallocated(ledger):
    with pytest.raises(errors.RefundExceedsAvailable):
        services.refund_request(
            payment=ledger.pay1, amount="0.01", reason="x", by=ledger.coordinator
        )


def test_write_off_within_tolerance_clears_small_difference_after_approval(ledger, fx):
    by = ledger.coordinator
    pay = services.payment_book(
        payment=services.payment_receive(
            amount="3280.00", currency="CNY", account=fx.partner1, by=by
        ),
        by=by,
    )
    services.payment_allocate(payment=pay, invoice=ledger.inv1, amount="3280.00", by=by)
    wo = services.write_off_request(
        invoice=ledger.inv1, amount="20.00", reason="bank charges", by=by
    )
    ledger.inv1.refresh_from_db()
    assert ledger.inv1.open_amount == D("20.00")  # pending: nothing moves yet
    services.write_off_approve(write_off=wo, by=ledger.finance)
    ledger.inv1.refresh_from_db()
    assert ledger.inv1.status == "paid"


def test_write_off_above_tolerance_is_refused(ledger):
    with pytest.raises(errors.WriteOffAboveTolerance):
        services.write_off_request(
            invoice=ledger.inv1, amount="50.01", reason="x", by=ledger.coordinator
        )


def test_invoice_with_payments_cannot_be_reversed_until_they_are(ledger):
    with pytest.raises(errors.InvoiceHasSettlements):
        services.invoice_reverse(
            invoice=ledger.inv1, reason="wrong customer", by=ledger.coordinator
        )
    services.invoice_reverse(invoice=ledger.inv2, reason="wrong customer", by=ledger.coordinator)
    ledger.inv2.refresh_from_db()
    assert ledger.inv2.status == "reversed"


def test_payment_reversal_reopens_what_it_paid(ledger, fx):
    services.payment_reverse(payment=ledger.pay1, reason="cheque bounced", by=ledger.coordinator)
    ledger.inv1.refresh_from_db()
    assert ledger.inv1.open_amount == D("11300.00")
    assert selectors.account_balance(user=ledger.coordinator, account_id=fx.partner1.pk)[
        "CNY"
    ] == D("16950.00")
    assert selectors.account_open_items_total(account_id=fx.partner1.pk)["CNY"] == D("16950.00")


def test_finance_may_not_approve_its_own_request(ledger, fx, settings):
    settings.CREDIT_NOTE_APPROVAL_ABOVE = "0"
    note = services.credit_note_request(
        account=fx.partner1, amount="10.00", currency="CNY", reason="price", by=ledger.finance
    )
    with pytest.raises(errors.SelfApproval):
        services.credit_note_approve(credit_note=note, by=ledger.finance)
    services.credit_note_approve(credit_note=note, by=fx.users["admin"])

"""Allocating payments to invoices: partial, several invoices, over- and under-payment."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from salesops.core.errors import PermissionDenied
from salesops.receivables import errors, selectors, services
from salesops.receivables.models import Invoice

D = Decimal


def _booked(company, amount, currency="CNY", account=None, by=None, value_date=None):
    by = by or company.users["coordinator"]
    pay = services.payment_receive(
        amount=amount,
        currency=currency,
        account=account or company.partner1,
        value_date=value_date or dt.date(2026, 10, 20),
        by=by,
    )
    return services.payment_book(payment=pay, by=by)


def test_partial_allocation_leaves_invoice_open(ledger):
    assert ledger.inv1.open_amount == D("3300.00")
    assert ledger.inv1.status == Invoice.Status.OPEN
    assert ledger.pay1.unallocated_amount == D("0.00")


def test_one_payment_clears_several_invoices_and_rest_stays_on_account(ledger, fx):
    pay = _booked(fx, "10000.00")
    by = ledger.coordinator
    services.payment_allocate(payment=pay, invoice=ledger.inv1, amount="3300.00", by=by)
    services.payment_allocate(payment=pay, invoice=ledger.inv2, amount="5650.00", by=by)
    pay.refresh_from_db()
    ledger.inv1.refresh_from_db()
    ledger.inv2.refresh_from_db()
    assert (ledger.inv1.status, ledger.inv2.status) == ("paid", "paid")
    assert pay.unallocated_amount == D("1050.00")  # over-payment stays on account
    assert selectors.account_balance(user=by, account_id=fx.partner1.pk) == {"CNY": D("-1050.00")}


def test_allocation_cannot_exceed_open_amount(ledger, fx):
    pay = _booked(fx, "5000.00")
    with pytest.raises(errors.AllocationExceedsOpenAmount):
        services.payment_allocate(
            payment=pay, invoice=ledger.inv1, amount="3300.01", by=ledger.coordinator
        )


def test_allocation_cannot_exceed_payment(ledger, fx):
    pay = _booked(fx, "100.00")
    with pytest.raises(errors.AllocationExceedsPayment):
        services.payment_allocate(
            payment=pay, invoice=ledger.inv2, amount="100.01", by=ledger.coordinator
        )


def test_unbooked_receipt_cannot_be_allocated(ledger, fx):
    pay = services.payment_receive(
        amount="10.00", currency="CNY", account=fx.partner1, by=ledger.coordinator
    )
    with pytest.raises(errors.PaymentNotBooked):
        services.payment_allocate(
            payment=pay, invoice=ledger.inv2, amount="10.00", by=ledger.coordinator
        )


def test_payment_of_one_account_cannot_clear_anothers_invoice(ledger, fx):
    pay = _booked(fx, "100.00")
    with pytest.raises(errors.AccountMismatch):
        services.payment_allocate(
            payment=pay, invoice=ledger.inv3, amount="100.00", by=ledger.coordinator
        )


def test_amount_with_more_decimals_than_currency_is_refused(ledger, fx):
    pay = _booked(fx, "100.00")
    with pytest.raises(errors.AmountInvalid):
        services.payment_allocate(
            payment=pay, invoice=ledger.inv2, amount="1.005", by=ledger.coordinator
        )


def test_rep_may_not_allocate(ledger, fx):
    with pytest.raises(PermissionDenied):
        services.payment_allocate(
            payment=ledger.pay1, invoice=ledger.inv2, amount="1.00", by=fx.users["rep"]
        )


def test_reversed_allocation_reopens_invoice_and_frees_payment(ledger):
    allocation = ledger.pay1.allocations.get()
    services.allocation_reverse(
        allocation=allocation, reason="applied to wrong invoice", by=ledger.coordinator
    )
    ledger.inv1.refresh_from_db()
    ledger.pay1.refresh_from_db()
    assert ledger.inv1.open_amount == D("11300.00")
    assert ledger.pay1.unallocated_amount == D("8000.00")
    with pytest.raises(errors.AlreadyReversed):
        services.allocation_reverse(allocation=allocation, reason="again", by=ledger.coordinator)


def test_foreign_currency_allocation_realises_fx_difference(fx):
    by = fx.users["coordinator"]
    inv = services.invoice_post(
        account=fx.partner1, amount="1000.00", currency="USD", issue_date=dt.date(2026, 9, 1), by=by
    )
    pay = _booked(fx, "1000.00", currency="USD", value_date=dt.date(2026, 10, 5))
    allocation = services.payment_allocate(payment=pay, invoice=inv, amount="1000.00", by=by)
    # invoiced at 7.10, paid at 7.20: 1,000 USD brought 100 CNY more than booked
    assert allocation.fx_difference == D("100.00")


def test_currency_mismatch_is_refused(ledger, fx):
    pay = _booked(fx, "100.00", currency="USD")
    with pytest.raises(errors.CurrencyMismatch):
        services.payment_allocate(
            payment=pay, invoice=ledger.inv2, amount="100.00", by=ledger.coordinator
        )


def test_missing_fx_rate_is_a_clear_error(fx):
    with pytest.raises(errors.FxRateMissing):
        services.invoice_post(
            account=fx.partner1,
            amount="1.00",
            currency="JPY",
            issue_date=dt.date(2026, 9, 1),
            by=fx.users["coordinator"],
        )

"""Account lifecycle: requested -> active -> on_hold -> active ... -> closed, and no way back."""

from __future__ import annotations

import pytest

from salesops.core.errors import PermissionDenied
from salesops.masterdata import errors, services

pytestmark = pytest.mark.django_db


@pytest.fixture
def coord(company):
    return company.users["coordinator"]


@pytest.fixture
def requested(coord):
    return services.account_create(by=coord, name="Suzhou Optics Ltd")


def test_new_account_starts_requested(requested):
    assert requested.status == "requested"


def test_requested_account_can_be_activated(requested, coord):
    assert services.account_activate(account=requested, by=coord).status == "active"


def test_active_account_can_be_put_on_hold_and_released(company, coord):
    held = services.account_hold(account=company.acct_rep1, by=coord, reason="overdue")
    assert held.status == "on_hold"
    assert services.account_release(account=held, by=coord).status == "active"


def test_requested_account_cannot_be_put_on_hold(requested, coord):
    with pytest.raises(errors.AccountTransitionNotAllowed) as exc:
        services.account_hold(account=requested, by=coord)
    assert exc.value.code == "ACCOUNT_TRANSITION_NOT_ALLOWED"
    assert exc.value.detail["allowed"] == ["activate", "close"]


def test_active_account_cannot_be_activated_again(company, coord):
    with pytest.raises(errors.AccountTransitionNotAllowed):
        services.account_activate(account=company.acct_rep1, by=coord)


def test_release_needs_an_account_on_hold(company, coord):
    with pytest.raises(errors.AccountTransitionNotAllowed):
        services.account_release(account=company.acct_rep1, by=coord)


def test_closing_needs_a_reason(company, coord):
    with pytest.raises(errors.ReasonRequired):
        services.account_close(account=company.acct_rep1, by=coord, reason="   ")
    company.acct_rep1.refresh_from_db()
    assert company.acct_rep1.status == "active"


@pytest.mark.parametrize("path", [[], ["hold"]])
def test_active_and_held_accounts_can_be_closed_with_a_reason(company, coord, path):
    account = company.acct_rep1
    for step in path:
        account = getattr(services, f"account_{step}")(account=account, by=coord)
    closed = services.account_close(account=account, by=coord, reason="customer ceased trading")
    assert closed.status == "closed"


def test_a_requested_account_can_be_rejected_by_closing_it(requested, coord):
    assert services.account_close(account=requested, by=coord, reason="dup").status == "closed"


@pytest.mark.parametrize("action", ["activate", "hold", "release"])
def test_closed_account_cannot_be_reopened(company, coord, action):
    closed = services.account_close(account=company.acct_rep1, by=coord, reason="merged")
    with pytest.raises(errors.AccountClosedCannotReopen) as exc:
        getattr(services, f"account_{action}")(account=closed, by=coord)
    assert "new account" in exc.value.message
    closed.refresh_from_db()
    assert closed.status == "closed"


def test_finance_may_hold_but_not_close(company):
    finance = company.users["finance"]
    assert services.account_hold(account=company.acct_rep1, by=finance).status == "on_hold"
    with pytest.raises(PermissionDenied):
        services.account_close(account=company.acct_rep1, by=finance, reason="bad debt")


def test_new_accounts_never_reuse_a_taken_number(company, coord):
    """The fixture's accounts hold A0000001..5 outside the series; the series skips them."""
    numbers = {services.account_create(by=coord, name=f"N{i}").number for i in range(3)}
    assert len(numbers) == 3
    assert numbers.isdisjoint({f"A000000{i}" for i in range(1, 6)})

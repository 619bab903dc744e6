"""Every master-data write leaves one audit event: who, what, before -> after, why."""

from __future__ import annotations

import datetime as dt

import pytest

from salesops.core.errors import PermissionDenied
from salesops.core.models import AuditEvent
from salesops.masterdata import errors, services
from salesops.masterdata.models import Contact

pytestmark = pytest.mark.django_db


@pytest.fixture
def coord(company):
    return company.users["coordinator"]


def _last(obj) -> AuditEvent:
    return AuditEvent.objects.filter(
        object_type=obj._meta.label_lower, object_id=str(obj.pk)
    ).first()


def test_account_create_is_audited_with_the_new_values(coord):
    account = services.account_create(by=coord, name="Hangzhou Paper Co", currency="usd")
    event = _last(account)
    assert event.action == "account.create" and event.actor == coord
    assert event.before is None
    assert event.after["name"] == "Hangzhou Paper Co" and event.after["currency"] == "USD"


def test_account_update_records_only_changed_fields_before_and_after(company, coord):
    services.account_update(
        account=company.acct_rep1,
        by=coord,
        reason="new credit review",
        credit_limit="150000",
        phone="021-5555",
    )
    event = _last(company.acct_rep1)
    assert event.action == "account.update" and event.reason == "new credit review"
    assert event.before == {"credit_limit": "100000.0000", "phone": ""}
    assert event.after == {"credit_limit": "150000", "phone": "021-5555"}


def test_lifecycle_step_records_status_before_and_after_and_reason(company, coord):
    services.account_close(account=company.acct_rep2, by=coord, reason="merged into A0000001")
    event = _last(company.acct_rep2)
    assert (event.action, event.before, event.after) == (
        "account.close",
        {"status": "active"},
        {"status": "closed"},
    )
    assert event.reason == "merged into A0000001"


def test_refused_write_leaves_no_audit_event_and_no_change(company):
    before = AuditEvent.objects.count()
    with pytest.raises(PermissionDenied):
        services.account_update(account=company.acct_rep1, by=company.users["rep"], name="X")
    assert AuditEvent.objects.count() == before
    company.acct_rep1.refresh_from_db()
    assert company.acct_rep1.name != "X"


def test_invalid_value_leaves_no_audit_event(company, coord):
    before = AuditEvent.objects.count()
    with pytest.raises(errors.AccountInvalid):
        services.account_update(account=company.acct_rep1, by=coord, currency="XYZ")
    assert AuditEvent.objects.count() == before


def test_taken_external_id_is_refused(company, coord):
    services.account_update(account=company.acct_rep1, by=coord, sap_number="1000123")
    with pytest.raises(errors.ExternalIdTaken):
        services.account_update(account=company.acct_rep2, by=coord, sap_number="1000123")


def test_account_cannot_be_its_own_ancestor(company, coord):
    services.account_update(account=company.acct_rep2, by=coord, parent=company.acct_rep1)
    with pytest.raises(errors.AccountInvalid):
        services.account_update(account=company.acct_rep1, by=coord, parent=company.acct_rep2)


def test_contact_create_and_update_are_audited(company, coord):
    contact = services.contact_create(
        account=company.acct_rep1, by=coord, first_name="Ma", last_name="Lin", email="ma@x.cn"
    )
    assert _last(contact).action == "contact.create"
    services.contact_update(contact=contact, by=coord, title="Buyer")
    event = _last(contact)
    assert (event.action, event.before, event.after) == (
        "contact.update",
        {"title": ""},
        {"title": "Buyer"},
    )


def test_rep_may_keep_contacts_of_own_accounts_current(company):
    rep = company.users["rep"]
    contact = services.contact_create(account=company.acct_rep1, by=rep, last_name="Gao")
    assert _last(contact).actor == rep


def test_rep_may_not_touch_contacts_of_another_reps_account(company):
    with pytest.raises(PermissionDenied):
        services.contact_create(account=company.acct_rep2, by=company.users["rep"], last_name="X")


@pytest.mark.parametrize("username", ["manager", "finance", "partner"])
def test_other_roles_may_not_write_contacts(company, username):
    with pytest.raises(PermissionDenied):
        services.contact_create(account=company.partner1, by=company.users[username], last_name="X")


def test_portal_login_grant_is_audited_and_gives_the_partner_its_account(company, coord):
    from salesops.core.scoping import scope_for
    from salesops.core.services import user_create

    login = user_create(username="partner3", password="pw-123456", role="partner")
    contact = services.contact_create(account=company.partner2, by=coord, last_name="Qian")
    services.portal_login_grant(contact=contact, user=login, by=coord)
    event = _last(contact)
    assert event.action == "contact.portal_login_grant"
    assert (event.before, event.after) == ({"user_id": None}, {"user_id": login.pk})
    login.refresh_from_db()
    assert scope_for(login).account_id == company.partner2.pk


def test_portal_login_needs_a_partner_account_and_a_partner_login(company, coord):
    contact = Contact.objects.get(account=company.acct_rep1)
    from salesops.core.services import user_create

    login = user_create(username="partner3", password="pw-123456", role="partner")
    with pytest.raises(errors.PortalLoginNotAllowed):
        services.portal_login_grant(contact=contact, user=login, by=coord)
    other = services.contact_create(account=company.partner1, by=coord, last_name="Z")
    with pytest.raises(errors.PortalLoginNotAllowed):
        services.portal_login_grant(contact=other, user=company.users["rep"], by=coord)
    with pytest.raises(errors.PortalLoginNotAllowed):  # already the login of another contact
        services.portal_login_grant(contact=other, user=company.users["partner"], by=coord)


def test_price_cost_and_fx_writes_are_audited(coord, company):
    product = services.product_create(by=coord, sku="P-1", name="Pump")
    book = services.price_book_create(by=coord, name="List", currency="CNY")
    day = dt.date(2026, 1, 1)
    entry = services.price_set(
        price_book=book, product=product, unit_price="10", valid_from=day, by=coord
    )
    services.price_set(
        price_book=book, product=product, unit_price="11.50", valid_from=day, by=coord
    )
    event = _last(entry)
    assert (event.before, event.after) == ({"unit_price": "10.0000"}, {"unit_price": "11.50"})
    cost = services.cost_set(
        product=product, cost="6", currency="CNY", valid_from=day, by=company.users["finance"]
    )
    assert _last(cost).action == "cost.set"
    rate = services.fx_rate_set(base="USD", quote="CNY", rate="7.1", valid_from=day, by=coord)
    assert _last(rate).after["rate"] == "7.1"


def test_finance_may_not_set_list_prices(company, coord):
    product = services.product_create(by=coord, sku="P-2", name="Valve")
    book = services.price_book_create(by=coord, name="List", currency="CNY")
    with pytest.raises(PermissionDenied):
        services.price_set(
            price_book=book,
            product=product,
            unit_price="1",
            valid_from=dt.date(2026, 1, 1),
            by=company.users["finance"],
        )


def test_money_must_not_be_a_float(company, coord):
    product = services.product_create(by=coord, sku="P-3", name="Hose")
    with pytest.raises(errors.PriceInvalid):
        services.cost_set(
            product=product, cost=1.1, currency="CNY", valid_from=dt.date(2026, 1, 1), by=coord
        )

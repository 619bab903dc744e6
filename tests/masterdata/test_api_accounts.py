"""The accounts API: filters, offset and keyset paging, money as strings, error format."""

from __future__ import annotations

import pytest

from salesops.masterdata import services
from salesops.masterdata.models import Account
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(client, company):
    """api('coordinator') -> headers with a fresh bearer token for that login."""

    def _headers(username: str) -> dict:
        r = client.post(
            "/api/v1/auth/token",
            {"username": username, "password": PASSWORD},
            content_type="application/json",
        )
        assert r.status_code == 200, r.content
        return {"Authorization": f"Bearer {r.json()['token']}"}

    return _headers


def _numbers(response) -> list[str]:
    return [a["number"] for a in response.json()["items"]]


def test_filter_by_name_prefix_is_case_insensitive(client, api):
    r = client.get("/api/v1/accounts", {"q": "pudong"}, headers=api("coordinator"))
    assert _numbers(r) == ["A0000002"]


def test_filter_by_account_number(client, api):
    r = client.get("/api/v1/accounts", {"q": "a0000005"}, headers=api("coordinator"))
    assert _numbers(r) == ["A0000005"]


def test_filter_by_type_status_territory_owner_country(client, api, company):
    h = api("coordinator")
    assert sorted(_numbers(client.get("/api/v1/accounts", {"type": "partner"}, headers=h))) == [
        "A0000003",
        "A0000004",
    ]
    services.account_hold(account=company.acct_rep2, by=company.users["coordinator"])
    assert _numbers(client.get("/api/v1/accounts", {"status": "on_hold"}, headers=h)) == [
        "A0000002"
    ]
    r = client.get("/api/v1/accounts", {"territory": company.t2.pk, "type": "customer"}, headers=h)
    assert _numbers(r) == ["A0000002"]
    r = client.get("/api/v1/accounts", {"owner": company.rep1.pk}, headers=h)
    assert sorted(_numbers(r)) == ["A0000001", "A0000003"]
    Account.objects.filter(pk=company.outside.pk).update(billing_country="DE")
    assert _numbers(client.get("/api/v1/accounts", {"country": "de"}, headers=h)) == ["A0000005"]


def test_offset_pages_and_keyset_cursor_walk_all_accounts_once_in_name_order(client, api):
    h = api("coordinator")
    first = client.get("/api/v1/accounts", {"limit": 2}, headers=h).json()
    assert len(first["items"]) == 2 and first["next_cursor"]
    seen = [a["number"] for a in first["items"]]
    cursor = first["next_cursor"]
    while cursor:
        page = client.get("/api/v1/accounts", {"limit": 2, "cursor": cursor}, headers=h).json()
        seen += [a["number"] for a in page["items"]]
        cursor = page["next_cursor"]
    everything = client.get("/api/v1/accounts", {"limit": 200}, headers=h).json()
    assert seen == [a["number"] for a in everything["items"]]
    assert len(seen) == 5 and everything["next_cursor"] is None
    second = client.get("/api/v1/accounts", {"limit": 2, "offset": 2}, headers=h).json()
    assert [a["number"] for a in second["items"]] == seen[2:4]


def test_limit_above_200_is_refused_with_an_error_code(client, api):
    r = client.get("/api/v1/accounts", {"limit": 201}, headers=api("coordinator"))
    assert r.status_code == 422
    assert r.json()["code"] == "INVALID_INPUT" and r.json()["detail"]


def test_garbage_cursor_is_a_400_with_a_code_not_a_500(client, api):
    r = client.get("/api/v1/accounts", {"cursor": "not-a-cursor!"}, headers=api("coordinator"))
    assert r.status_code == 400
    assert r.json()["code"] == "INVALID_CURSOR"


def test_money_is_a_decimal_string_with_currency(client, api, company):
    r = client.get(f"/api/v1/accounts/{company.acct_rep1.pk}", headers=api("coordinator"))
    assert r.json()["credit_limit"] == {"amount": "100000.00", "currency": "CNY"}
    assert r.json()["created_at"][:4].isdigit() and "T" in r.json()["created_at"]


def test_unknown_account_is_404_with_account_not_found(client, api):
    r = client.get("/api/v1/accounts/999999", headers=api("coordinator"))
    assert r.status_code == 404
    assert set(r.json()) == {"code", "message", "detail"}
    assert r.json()["code"] == "ACCOUNT_NOT_FOUND"


def test_create_account_gets_a_series_number_and_starts_requested(client, api, company):
    r = client.post(
        "/api/v1/accounts",
        {
            "name": "Nanjing Tools Co.",
            "type": "customer",
            "territory_id": company.t1.pk,
            "owner_id": company.rep1.pk,
            "credit_limit": "25000.50",
            "payment_term": "NET30",
            "billing_country": "CN",
        },
        content_type="application/json",
        headers=api("coordinator"),
    )
    assert r.status_code == 201, r.content
    body = r.json()
    assert body["status"] == "requested"
    assert body["number"].startswith("A") and body["number"] not in {
        "A0000001",
        "A0000002",
        "A0000003",
        "A0000004",
        "A0000005",
    }
    assert body["credit_limit"] == {"amount": "25000.50", "currency": "CNY"}
    assert body["payment_term"] == "NET30" and body["owner"]["id"] == company.rep1.pk


def test_float_credit_limit_is_refused(client, api):
    r = client.post(
        "/api/v1/accounts",
        {"name": "Float Co", "credit_limit": 12.5},
        content_type="application/json",
        headers=api("coordinator"),
    )
    assert r.status_code == 422 and r.json()["code"] == "INVALID_INPUT"


def test_invalid_country_names_field_value_and_what_is_valid(client, api, company):
    r = client.patch(
        f"/api/v1/accounts/{company.acct_rep1.pk}",
        {"billing_country": "XX"},
        content_type="application/json",
        headers=api("coordinator"),
    )
    assert r.status_code == 400
    assert r.json()["code"] == "ACCOUNT_INVALID"
    assert r.json()["detail"]["field"] == "billing_country"
    assert r.json()["detail"]["value"] == "XX"
    assert "ISO 3166" in r.json()["detail"]["valid"]


def test_patch_changes_only_the_given_fields(client, api, company):
    r = client.patch(
        f"/api/v1/accounts/{company.acct_rep1.pk}",
        {"phone": "+86 21 5555 0000", "reason": "customer called"},
        content_type="application/json",
        headers=api("coordinator"),
    )
    assert r.status_code == 200, r.content
    assert r.json()["phone"] == "+86 21 5555 0000"
    assert r.json()["name"] == company.acct_rep1.name


def test_lifecycle_actions_through_the_api(client, api, company):
    h = api("coordinator")
    url = f"/api/v1/accounts/{company.acct_rep1.pk}"
    assert client.post(f"{url}/hold", {}, "application/json", headers=h).json()["status"] == (
        "on_hold"
    )
    assert client.post(f"{url}/release", {}, "application/json", headers=h).json()["status"] == (
        "active"
    )
    r = client.post(f"{url}/close", {}, "application/json", headers=h)
    assert r.status_code == 400 and r.json()["code"] == "REASON_REQUIRED"
    r = client.post(f"{url}/close", {"reason": "merged"}, "application/json", headers=h)
    assert r.json()["status"] == "closed"
    r = client.post(f"{url}/activate", {}, "application/json", headers=h)
    assert r.status_code == 409 and r.json()["code"] == "ACCOUNT_CLOSED_CANNOT_REOPEN"


def test_contacts_of_an_account(client, api, company):
    r = client.get(f"/api/v1/accounts/{company.acct_rep1.pk}/contacts", headers=api("coordinator"))
    assert [c["email"] for c in r.json()] == ["liu@dfmy.cn"]


def test_products_and_price_books_show_prices_as_strings(client, api, company):
    import datetime as dt

    coord = company.users["coordinator"]
    product = services.product_create(by=coord, sku="SKU-1", name="Widget")
    book = services.price_book_create(by=coord, name="Standard CNY", currency="CNY")
    services.price_set(
        price_book=book,
        product=product,
        unit_price="12.345",
        valid_from=dt.date(2026, 1, 1),
        by=coord,
    )
    services.cost_set(
        product=product, cost="7.10", currency="CNY", valid_from=dt.date(2026, 1, 1), by=coord
    )
    h = api("partner")
    assert [p["sku"] for p in client.get("/api/v1/products", headers=h).json()] == ["SKU-1"]
    detail = client.get(f"/api/v1/products/{product.pk}", headers=h).json()
    assert detail["prices"][0]["unit_price"] == {"amount": "12.35", "currency": "CNY"}
    assert detail["standard_costs"] == []  # costs are internal
    internal = client.get(f"/api/v1/products/{product.pk}", headers=api("rep")).json()
    assert internal["standard_costs"][0]["cost"]["amount"] == "7.10"
    books = client.get("/api/v1/price-books", headers=h).json()
    assert [b["name"] for b in books] == ["Standard CNY"]
    prices = client.get(f"/api/v1/price-books/{book.pk}/prices", headers=h).json()
    assert prices[0]["valid_from"] == "2026-01-01" and prices[0]["sku"] == "SKU-1"


def test_contact_create_and_update_through_the_api(client, api, company):
    h = api("coordinator")
    r = client.post(
        f"/api/v1/accounts/{company.acct_rep2.pk}/contacts",
        {"first_name": "Tang", "last_name": "Hui", "email": "tang@pdhw.example"},
        content_type="application/json",
        headers=h,
    )
    assert r.status_code == 201 and r.json()["portal_login"] is False
    r = client.patch(
        f"/api/v1/contacts/{r.json()['id']}",
        {"phone": "+86 21 6666 0000"},
        content_type="application/json",
        headers=h,
    )
    assert r.json()["phone"] == "+86 21 6666 0000" and r.json()["last_name"] == "Hui"


def test_contact_with_a_bad_email_is_refused_with_the_field(client, api, company):
    r = client.post(
        f"/api/v1/accounts/{company.acct_rep2.pk}/contacts",
        {"last_name": "Hui", "email": "not-an-email"},
        content_type="application/json",
        headers=api("coordinator"),
    )
    assert r.status_code == 400
    assert r.json()["code"] == "CONTACT_INVALID" and r.json()["detail"]["field"] == "email"

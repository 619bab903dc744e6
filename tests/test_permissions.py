"""The proof that every role reaches only its own records, through the UI and the API.

Each role logs in and asks for every account of the company by id -- the detail page, the
API detail and its contacts -- and lists accounts through both. What is outside its scope
is 404 (its existence is not disclosed), never the data. Writes are refused (403) for roles
the master-data rules do not allow (see masterdata.services).
"""

from __future__ import annotations

import pytest

from salesops.core.services import api_token_issue, job_create

pytestmark = pytest.mark.django_db

ALL = {"acct_rep1", "acct_rep2", "partner1", "partner2", "outside"}
VISIBLE = {
    "admin": ALL,
    "coordinator": ALL,
    "finance": ALL,
    "manager": ALL - {"outside"},
    "rep": {"acct_rep1", "partner1"},
    "rep2": {"acct_rep2", "partner2"},
    "partner": {"partner1"},
    "partner2": {"partner2"},
}
ROLES = sorted(VISIBLE)


def _bearer(company, username: str) -> dict:
    return {"Authorization": f"Bearer {api_token_issue(user=company.users[username])}"}


@pytest.mark.parametrize("username", ROLES)
def test_account_pages_by_id_show_only_accounts_in_scope(company, login, username):
    client = login(username)
    for attr in sorted(ALL):
        account = getattr(company, attr)
        r = client.get(f"/accounts/{account.pk}/")
        if attr in VISIBLE[username]:
            assert r.status_code == 200, (username, attr)
            assert account.name in r.content.decode()
        else:
            assert r.status_code == 404, (username, attr)
            assert account.name not in r.content.decode()
            assert account.number not in r.content.decode()


@pytest.mark.parametrize("username", ROLES)
def test_api_account_and_contacts_by_id_only_in_scope(client, company, username):
    headers = _bearer(company, username)
    for attr in sorted(ALL):
        account = getattr(company, attr)
        for url in (f"/api/v1/accounts/{account.pk}", f"/api/v1/accounts/{account.pk}/contacts"):
            r = client.get(url, headers=headers)
            if attr in VISIBLE[username]:
                assert r.status_code == 200, (username, url)
            else:
                assert r.status_code == 404, (username, url)
                assert r.json()["code"] == "ACCOUNT_NOT_FOUND"
                assert account.name not in r.content.decode()


@pytest.mark.parametrize("username", ROLES)
def test_api_account_list_returns_exactly_the_scope(client, company, username):
    r = client.get("/api/v1/accounts", {"limit": 200}, headers=_bearer(company, username))
    assert r.status_code == 200
    expected = {getattr(company, attr).pk for attr in VISIBLE[username]}
    assert {a["id"] for a in r.json()["items"]} == expected


@pytest.mark.parametrize("username", ROLES)
def test_ui_account_list_shows_exactly_the_scope(company, login, username):
    page = login(username).get("/accounts/").content.decode()
    for attr in sorted(ALL):
        name = getattr(company, attr).name
        assert (name in page) == (attr in VISIBLE[username]), (username, attr)


@pytest.mark.parametrize("username", ["partner", "partner2"])
def test_partner_sees_exactly_one_account_its_own(client, company, login, username):
    own = company.partner1 if username == "partner" else company.partner2
    r = client.get("/api/v1/accounts", headers=_bearer(company, username))
    assert [a["id"] for a in r.json()["items"]] == [own.pk]
    page = login(username).get("/accounts/").content.decode()
    names = [getattr(company, a).name for a in sorted(ALL)]
    assert [n for n in names if n in page] == [own.name]


@pytest.mark.parametrize("username", ["partner", "partner2"])
def test_partner_sees_no_people_and_no_org_units(client, company, username):
    headers = _bearer(company, username)
    assert client.get("/api/v1/people", headers=headers).json() == []
    assert client.get("/api/v1/org-units", headers=headers).json() == []


def test_rep_sees_only_themselves_among_people(client, company):
    r = client.get("/api/v1/people", headers=_bearer(company, "rep"))
    assert [p["id"] for p in r.json()] == [company.rep1.pk]


def test_manager_sees_people_of_the_subtree_only(client, company):
    r = client.get("/api/v1/people", headers=_bearer(company, "manager"))
    names = {p["name"] for p in r.json()}
    assert names == {"Li Wei", "Wang Fang", "Chen Jing"}  # not Zhao Lei (Puxi), not Sun Mei


def test_someone_elses_job_is_404(client, company):
    job = job_create(kind="import", params={}, by=company.users["coordinator"])
    assert client.get(f"/api/v1/jobs/{job.pk}", headers=_bearer(company, "rep")).status_code == 404
    own = client.get(f"/api/v1/jobs/{job.pk}", headers=_bearer(company, "coordinator"))
    assert own.status_code == 200 and own.json()["status"] == "queued"


@pytest.mark.parametrize(
    "url",
    ["/api/v1/accounts", "/api/v1/me", "/api/v1/people", "/api/v1/org-units", "/api/v1/products"],
)
def test_api_without_credentials_is_401(client, company, url):
    r = client.get(url)
    assert r.status_code == 401
    assert r.json()["code"] == "NOT_AUTHENTICATED"


def test_api_account_by_id_without_credentials_is_401_without_data(client, company):
    r = client.get(f"/api/v1/accounts/{company.acct_rep1.pk}")
    assert r.status_code == 401 and company.acct_rep1.name not in r.content.decode()


@pytest.mark.parametrize("url", ["/accounts/", "/accounts/{id}/", "/accounts/products/"])
def test_ui_without_login_redirects_to_login(client, company, url):
    r = client.get(url.format(id=company.acct_rep1.pk))
    assert r.status_code == 302 and "/login/" in r["Location"]


WRITERS = {"admin", "coordinator"}


@pytest.mark.parametrize("username", ROLES)
def test_only_coordinator_and_admin_create_accounts(client, company, username):
    r = client.post(
        "/api/v1/accounts",
        {"name": f"New by {username}"},
        content_type="application/json",
        headers=_bearer(company, username),
    )
    if username in WRITERS:
        assert r.status_code == 201
    else:
        assert r.status_code == 403 and r.json()["code"] == "PERMISSION_DENIED"


@pytest.mark.parametrize("username", ROLES)
def test_account_edits_refused_outside_writers_even_on_own_accounts(client, company, username):
    """A rep's or partner's own account is visible to them, yet they may not edit it."""
    own = next(iter(sorted(VISIBLE[username])))
    account = getattr(company, own)
    r = client.patch(
        f"/api/v1/accounts/{account.pk}",
        {"name": "Hijacked"},
        content_type="application/json",
        headers=_bearer(company, username),
    )
    assert r.status_code == (200 if username in WRITERS else 403), username
    account.refresh_from_db()
    assert (account.name == "Hijacked") == (username in WRITERS)


@pytest.mark.parametrize("username", ["rep", "partner", "manager"])
def test_edit_of_an_account_outside_scope_is_404_not_403(client, company, username):
    r = client.patch(
        f"/api/v1/accounts/{company.outside.pk}",
        {"name": "Hijacked"},
        content_type="application/json",
        headers=_bearer(company, username),
    )
    assert r.status_code == 404 and r.json()["code"] == "ACCOUNT_NOT_FOUND"


@pytest.mark.parametrize(
    ("username", "status"),
    [
        ("admin", 200),
        ("coordinator", 200),
        ("finance", 200),
        ("manager", 403),
        ("rep", 403),
    ],
)
def test_credit_hold_is_for_coordinator_admin_and_finance(client, company, username, status):
    r = client.post(
        f"/api/v1/accounts/{company.acct_rep1.pk}/hold",
        {},
        content_type="application/json",
        headers=_bearer(company, username),
    )
    assert r.status_code == status


@pytest.mark.parametrize("username", ["finance", "manager", "rep"])
def test_closing_an_account_is_refused_for_non_writers(client, company, username):
    r = client.post(
        f"/api/v1/accounts/{company.acct_rep1.pk}/close",
        {"reason": "not mine to close"},
        content_type="application/json",
        headers=_bearer(company, username),
    )
    assert r.status_code == 403
    company.acct_rep1.refresh_from_db()
    assert company.acct_rep1.status == "active"


@pytest.mark.parametrize(
    ("username", "status"),
    [
        ("admin", 201),
        ("coordinator", 201),
        ("rep", 201),  # the rep who owns the account keeps its contacts current
        ("manager", 403),
        ("finance", 403),
        ("partner", 403),
        ("rep2", 404),  # another rep's account does not exist for them
        ("partner2", 404),
    ],
)
def test_who_may_add_a_contact_to_a_reps_partner_account(client, company, username, status):
    r = client.post(
        f"/api/v1/accounts/{company.partner1.pk}/contacts",
        {"last_name": "Feng", "email": "feng@huadong.example"},
        content_type="application/json",
        headers=_bearer(company, username),
    )
    assert r.status_code == status, r.content
    created = company.partner1.contacts.filter(last_name="Feng").exists()
    assert created == (status == 201)


@pytest.mark.parametrize(("username", "status"), [("rep", 200), ("rep2", 404), ("partner", 404)])
def test_contact_edits_by_id_are_scoped(client, company, username, status):
    contact = company.acct_rep1.contacts.get()
    r = client.patch(
        f"/api/v1/contacts/{contact.pk}",
        {"title": "Purchasing"},
        content_type="application/json",
        headers=_bearer(company, username),
    )
    assert r.status_code == status
    if status == 404:
        assert r.json()["code"] == "CONTACT_NOT_FOUND" and "liu@" not in r.content.decode()

"""API authentication: bearer tokens from username + password, throttled like the login page."""

from __future__ import annotations

import pytest

from salesops.core.models import ApiToken
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def _token(client, username, password=PASSWORD):
    return client.post(
        "/api/v1/auth/token",
        {"username": username, "password": password},
        content_type="application/json",
    )


def test_valid_credentials_issue_a_token_that_authenticates(client, company):
    r = _token(client, "rep")
    assert r.status_code == 200
    me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {r.json()['token']}"})
    assert me.status_code == 200
    assert (me.json()["username"], me.json()["role"], me.json()["scope"]) == ("rep", "rep", "own")


def test_only_the_hash_of_a_token_is_stored(client, company):
    token = _token(client, "rep").json()["token"]
    stored = ApiToken.objects.get(user=company.users["rep"])
    assert stored.key_hash != token and stored.key_hash == ApiToken.hash(token)


def test_bad_password_is_401_with_a_code(client, company):
    r = _token(client, "rep", "wrong")
    assert r.status_code == 401
    assert r.json()["code"] == "INVALID_CREDENTIALS"
    assert "token" not in r.json()


def test_unknown_user_is_401_like_a_bad_password(client, company):
    r = _token(client, "nobody", "wrong")
    assert r.status_code == 401 and r.json()["code"] == "INVALID_CREDENTIALS"


def test_repeated_failures_throttle_even_the_right_password(client, company, settings):
    settings.LOGIN_FAILURE_LIMIT = 3
    for _ in range(3):
        assert _token(client, "rep", "wrong").status_code == 401
    r = _token(client, "rep")
    assert r.status_code == 429
    assert r.json()["code"] == "LOGIN_THROTTLED"


def test_api_failures_count_towards_the_login_page_throttle(client, company, settings):
    settings.LOGIN_FAILURE_LIMIT = 2
    for _ in range(2):
        _token(client, "rep", "wrong")
    r = client.post("/login/", {"username": "rep", "password": PASSWORD})
    assert r.status_code == 429


def test_missing_fields_are_422_not_500(client, company):
    r = client.post("/api/v1/auth/token", {"username": "rep"}, content_type="application/json")
    assert r.status_code == 422 and r.json()["code"] == "INVALID_INPUT"


def test_revoked_token_no_longer_authenticates(client, company):
    headers = {"Authorization": f"Bearer {_token(client, 'rep').json()['token']}"}
    assert client.delete("/api/v1/auth/token", headers=headers).json() == {"revoked": True}
    r = client.get("/api/v1/me", headers=headers)
    assert r.status_code == 401 and r.json()["code"] == "NOT_AUTHENTICATED"


def test_token_of_a_deactivated_user_no_longer_authenticates(client, company):
    headers = {"Authorization": f"Bearer {_token(client, 'rep').json()['token']}"}
    company.users["rep"].is_active = False
    company.users["rep"].save()
    assert client.get("/api/v1/me", headers=headers).status_code == 401


def test_made_up_token_is_401(client, company):
    r = client.get("/api/v1/me", headers={"Authorization": "Bearer not-a-real-token"})
    assert r.status_code == 401


def test_session_login_also_works_for_the_api(company, login):
    r = login("partner").get("/api/v1/me")
    assert r.status_code == 200
    assert r.json()["account_id"] == company.partner1.pk and r.json()["scope"] == "account"


def test_openapi_schema_and_docs_are_served(client):
    schema = client.get("/api/v1/openapi.json")
    assert schema.status_code == 200
    assert "/api/v1/accounts" in schema.json()["paths"]
    assert client.get("/api/docs").status_code in (301, 302)

"""Security and safety basics: DEBUG off by default, the secret key, CSRF on the login and
logout forms, session cookies, password hashing, login throttling, security headers, and a
deployment check without errors."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys

import pytest
from django.conf import global_settings
from django.test import Client
from django.urls import reverse

from tests.conftest import PASSWORD


def _settings_in_subprocess(tmp_path, **env) -> dict:
    """Import the settings module in a fresh interpreter with the given environment."""
    clean = {k: v for k, v in os.environ.items() if k not in ("SECRET_KEY", "SALESOPS_DEBUG")}
    clean.update({"SALESOPS_DATA_DIR": str(tmp_path)}, **env)
    code = (
        "import json; from salesops.config import settings as s; "
        "print(json.dumps({'DEBUG': s.DEBUG, 'SECRET_KEY': s.SECRET_KEY}))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], env=clean, capture_output=True, text=True, check=True
    )
    return json.loads(out.stdout)


def test_debug_is_off_unless_salesops_debug_is_1(tmp_path):
    assert _settings_in_subprocess(tmp_path)["DEBUG"] is False
    assert _settings_in_subprocess(tmp_path, SALESOPS_DEBUG="true")["DEBUG"] is False
    assert _settings_in_subprocess(tmp_path, SALESOPS_DEBUG="1")["DEBUG"] is True


def test_secret_key_comes_from_the_environment_when_set(tmp_path):
    key = "a-key-from-the-environment-" + "x" * 40
    assert _settings_in_subprocess(tmp_path, SECRET_KEY=key)["SECRET_KEY"] == key
    assert not (tmp_path / "secret_key").exists()


def test_without_secret_key_one_is_generated_once_and_kept_private_in_the_data_dir(tmp_path):
    first = _settings_in_subprocess(tmp_path)["SECRET_KEY"]
    second = _settings_in_subprocess(tmp_path)["SECRET_KEY"]
    path = tmp_path / "secret_key"
    assert first == second == path.read_text().strip()
    assert len(first) >= 50
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


# -- CSRF ---------------------------------------------------------------------------------------
def _csrf_client_with_token() -> tuple[Client, str]:
    client = Client(enforce_csrf_checks=True)
    client.get(reverse("core:login"))
    return client, client.cookies["csrftoken"].value


@pytest.mark.django_db
def test_login_form_without_csrf_token_is_refused(company):
    client = Client(enforce_csrf_checks=True)
    response = client.post(reverse("core:login"), {"username": "rep", "password": PASSWORD})
    assert response.status_code == 403
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_login_form_with_csrf_token_logs_in(company):
    client, token = _csrf_client_with_token()
    response = client.post(
        reverse("core:login"),
        {"username": "rep", "password": PASSWORD, "csrfmiddlewaretoken": token},
    )
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(company.users["rep"].pk)


@pytest.mark.django_db
def test_logout_without_csrf_token_is_refused_and_the_session_stays(company):
    client, token = _csrf_client_with_token()
    client.post(
        reverse("core:login"),
        {"username": "rep", "password": PASSWORD, "csrfmiddlewaretoken": token},
    )
    response = client.post(reverse("core:logout"))
    assert response.status_code == 403
    assert "_auth_user_id" in client.session


@pytest.mark.django_db
def test_logout_with_csrf_token_ends_the_session(company):
    client, token = _csrf_client_with_token()
    client.post(
        reverse("core:login"),
        {"username": "rep", "password": PASSWORD, "csrfmiddlewaretoken": token},
    )
    token = client.cookies["csrftoken"].value  # rotated at login
    response = client.post(reverse("core:logout"), {"csrfmiddlewaretoken": token})
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session


# -- sessions and passwords --------------------------------------------------------------------
@pytest.mark.django_db
def test_session_cookie_is_http_only_and_same_site(company, client):
    response = client.post(reverse("core:login"), {"username": "rep", "password": PASSWORD})
    cookie = response.cookies["sessionid"]
    assert cookie["httponly"] is True
    assert cookie["samesite"] == "Lax"


@pytest.mark.django_db
def test_passwords_are_stored_as_slow_salted_hashes(settings):
    from salesops.config import settings as ours
    from salesops.core.services import user_create

    settings.PASSWORD_HASHERS = getattr(ours, "PASSWORD_HASHERS", global_settings.PASSWORD_HASHERS)
    user = user_create(username="hashme", password="correct horse 42", role="rep")
    assert user.password.split("$")[0] in ("pbkdf2_sha256", "argon2", "scrypt", "bcrypt_sha256")
    assert "correct horse 42" not in user.password
    assert user.check_password("correct horse 42")


# -- login throttling --------------------------------------------------------------------------
@pytest.mark.django_db
def test_five_failed_logins_block_the_user_even_with_the_right_password(company, client):
    url = reverse("core:login")
    for _ in range(5):
        assert client.post(url, {"username": "rep", "password": "wrong"}).status_code == 401
    response = client.post(url, {"username": "rep", "password": PASSWORD})
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_failed_logins_of_one_user_do_not_block_another(company, client):
    url = reverse("core:login")
    for _ in range(5):
        client.post(url, {"username": "rep", "password": "wrong"})
    response = client.post(url, {"username": "rep2", "password": PASSWORD})
    assert response.status_code == 302


# -- headers and deployment check --------------------------------------------------------------
@pytest.mark.django_db
def test_pages_carry_the_security_headers(client):
    response = client.get(reverse("core:login"))
    assert "default-src 'self'" in response["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in response["Content-Security-Policy"]
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"


def test_deploy_check_behind_https_has_no_errors(tmp_path):
    env = {
        **os.environ,
        "SALESOPS_DATA_DIR": str(tmp_path),
        "SALESOPS_HTTPS": "1",
        "DJANGO_SETTINGS_MODULE": "salesops.config.settings",
    }
    for name in ("SALESOPS_DEBUG", "DJANGO_ALLOW_ASYNC_UNSAFE"):  # the browser tests set the latter
        env.pop(name, None)
    proc = subprocess.run(
        [sys.executable, "-m", "salesops", "check", "--deploy", "--fail-level", "ERROR"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert "ERRORS:" not in proc.stderr

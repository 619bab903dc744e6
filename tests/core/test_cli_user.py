"""`salesops user create|list|set-password` through the real management command."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command

from salesops.core.models import AuditEvent, User
from salesops.core.scoping import scope_for

pytestmark = pytest.mark.django_db

STRONG = "Blue-Harbour-42"


def run(*args, stdin: str | None = None, monkeypatch=None) -> str:
    out = io.StringIO()
    if stdin is not None:
        monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    call_command("user", *args, stdout=out)
    return out.getvalue()


def test_create_coordinator_with_password_from_stdin(company, monkeypatch):
    out = run(
        "create",
        "ops2",
        "--role",
        "coordinator",
        "--password-stdin",
        stdin=STRONG + "\n",
        monkeypatch=monkeypatch,
    )
    assert "ops2" in out
    user = User.objects.get(username="ops2")
    assert user.role == "coordinator" and user.check_password(STRONG)
    assert AuditEvent.objects.filter(action="user.create", object_id=str(user.pk)).exists()


def test_create_rep_linked_to_a_person_sees_that_persons_accounts(company):
    from salesops.core.models import Person
    from salesops.masterdata.models import Account

    person = Person.objects.create(name="Hu Jun", kind="rep", org_unit=company.t2)
    Account.objects.filter(pk=company.acct_rep2.pk).update(owner=person)
    run("create", "rep3", "--role", "rep", "--password", STRONG, "--person-id", str(person.pk))
    user = User.objects.get(username="rep3")
    assert scope_for(user).person_id == person.pk


def test_person_who_already_has_a_login_is_refused(company):
    with pytest.raises(CommandError, match="already has a login"):
        run(
            "create",
            "rep3",
            "--role",
            "rep",
            "--password",
            STRONG,
            "--person-id",
            str(company.rep1.pk),
        )


def test_create_partner_links_a_portal_contact_on_the_account(company):
    run(
        "create",
        "jn-buyer",
        "--role",
        "partner",
        "--password",
        STRONG,
        "--email",
        "buyer@jiangnan.example",
        "--partner-account",
        company.partner2.number,
    )
    user = User.objects.get(username="jn-buyer")
    assert scope_for(user).account_id == company.partner2.pk
    assert user.portal_contact.account == company.partner2
    assert user.portal_contact.email == "buyer@jiangnan.example"


def test_partner_without_account_is_refused_and_nothing_is_created(company):
    with pytest.raises(CommandError, match="partner-account"):
        run("create", "lonely", "--role", "partner", "--password", STRONG)
    assert not User.objects.filter(username="lonely").exists()


def test_partner_on_a_customer_account_is_refused_and_nothing_is_created(company):
    with pytest.raises(CommandError, match="PORTAL_LOGIN_NOT_ALLOWED"):
        run(
            "create",
            "wrong",
            "--role",
            "partner",
            "--password",
            STRONG,
            "--partner-account",
            company.acct_rep1.number,
        )
    assert not User.objects.filter(username="wrong").exists()


def test_existing_username_is_refused(company):
    with pytest.raises(CommandError, match="USER_EXISTS"):
        run("create", "rep", "--role", "rep", "--password", STRONG)


def test_weak_password_is_refused(company):
    with pytest.raises(CommandError, match="too weak"):
        run("create", "weak", "--role", "rep", "--password", "123")
    assert not User.objects.filter(username="weak").exists()


def test_unknown_role_is_refused(company):
    with pytest.raises(CommandError):
        run("create", "x", "--role", "emperor", "--password", STRONG)


def test_list_shows_logins_with_role_and_link(company):
    out = run("list")
    assert "partner2" in out and "A0000004" in out
    assert "Li Wei" in out
    only_reps = run("list", "--role", "rep")
    assert "rep2" in only_reps and "coordinator" not in only_reps


def test_set_password_changes_it_and_is_audited_without_the_password(company, monkeypatch):
    run("set-password", "finance", "--password-stdin", stdin=STRONG + "\n", monkeypatch=monkeypatch)
    user = User.objects.get(username="finance")
    assert user.check_password(STRONG)
    event = AuditEvent.objects.get(action="user.set_password", object_id=str(user.pk))
    assert STRONG not in str(event.before) + str(event.after) + event.reason


def test_set_password_of_unknown_user_is_refused(company):
    with pytest.raises(CommandError, match="no user"):
        run("set-password", "ghost", "--password", STRONG)

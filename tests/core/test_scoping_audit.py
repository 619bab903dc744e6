"""Scoping (who may see what, per role) and the audit log (append-only, before -> after)."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser

from salesops.core.audit import audit_diff, audit_record, audit_snapshot
from salesops.core.models import AuditEvent, OrgUnit
from salesops.core.scoping import NOTHING, Scope, scope_for
from salesops.core.services import user_create
from salesops.masterdata.selectors import account_list

pytestmark = pytest.mark.django_db


# -- scoping -------------------------------------------------------------------------------------
@pytest.mark.parametrize("role", ["admin", "coordinator", "finance"])
def test_staff_roles_see_the_whole_company(company, role):
    assert scope_for(company.users[role]) == Scope("all")


def test_a_manager_sees_the_subtree_of_their_org_unit(company):
    scope = scope_for(company.users["manager"])
    assert scope == Scope(
        "subtree", org_path=company.market.path, person_id=company.manager_person.pk
    )


def test_a_rep_sees_their_own_records(company):
    assert scope_for(company.users["rep"]) == Scope("own", person_id=company.rep1.pk)


def test_a_partner_sees_only_their_own_account(company):
    assert scope_for(company.users["partner"]) == Scope("account", account_id=company.partner1.pk)
    assert scope_for(company.users["partner2"]) == Scope("account", account_id=company.partner2.pk)


def test_a_rep_without_a_person_sees_nothing(company):
    loose = user_create(username="loose-rep", password="x-pass-123", role="rep")
    assert scope_for(loose) == NOTHING
    assert not account_list(user=loose).exists()


def test_a_partner_login_without_a_portal_contact_sees_nothing(company):
    loose = user_create(username="loose-partner", password="x-pass-123", role="partner")
    assert scope_for(loose) == NOTHING
    assert not account_list(user=loose).exists()


def test_a_manager_whose_person_left_sees_nothing(company):
    company.manager_person.active = False
    company.manager_person.save()
    manager = company.users["manager"]
    manager.refresh_from_db()
    assert scope_for(manager) == NOTHING


def test_anonymous_and_inactive_users_see_nothing(company):
    assert scope_for(AnonymousUser()) == NOTHING
    assert scope_for(None) == NOTHING
    rep = company.users["rep"]
    rep.is_active = False
    assert scope_for(rep) == NOTHING


def test_scopes_decide_which_accounts_each_role_lists(company):
    seen = {
        name: set(account_list(user=company.users[name]).values_list("number", flat=True))
        for name in ("coordinator", "manager", "rep", "rep2", "partner")
    }
    assert seen["coordinator"] == {"A0000001", "A0000002", "A0000003", "A0000004", "A0000005"}
    assert seen["manager"] == {"A0000001", "A0000002", "A0000003", "A0000004"}
    assert seen["rep"] == {"A0000001", "A0000003"}
    assert seen["rep2"] == {"A0000002", "A0000004"}
    assert seen["partner"] == {"A0000003"}


# -- audit ---------------------------------------------------------------------------------------
def test_audit_events_are_append_only():
    event = audit_record(actor=None, action="test.act", object_type="x", object_id=1)
    event.reason = "rewriting history"
    with pytest.raises(ValueError, match="append-only"):
        event.save()
    assert AuditEvent.objects.get(pk=event.pk).reason == ""


def test_audit_diff_keeps_only_the_fields_that_changed():
    before = {"name": "Old", "credit_limit": "100.00", "currency": "CNY"}
    after = {"name": "New", "credit_limit": "100.00", "currency": "CNY"}
    assert audit_diff(before, after) == ({"name": "Old"}, {"name": "New"})


def test_audit_diff_of_a_creation_or_deletion_keeps_the_whole_record():
    record = {"name": "Only"}
    assert audit_diff(None, record) == (None, record)
    assert audit_diff(record, None) == (record, None)


def test_audit_record_says_who_what_which_record_before_after_and_why(company):
    unit = OrgUnit.objects.create(name="Before Name", code="AUD")
    before = audit_snapshot(unit)
    unit.name = "After Name"
    unit.save()
    coordinator = company.users["coordinator"]
    event = audit_record(
        actor=coordinator,
        action="org_unit.rename",
        obj=unit,
        before=before,
        after=audit_snapshot(unit),
        reason="typo in the name",
    )
    event.refresh_from_db()
    assert event.actor == coordinator
    assert (event.object_type, event.object_id) == ("core.orgunit", str(unit.pk))
    assert (event.before, event.after) == ({"name": "Before Name"}, {"name": "After Name"})
    assert event.reason == "typo in the name"
    assert event.at is not None


def test_rep_sees_only_their_own_unit_in_the_org_tree_with_its_full_head_count(company):
    from salesops.core.models import Person
    from salesops.core.selectors import org_tree

    Person.objects.create(name="Ma Li", kind="rep", org_unit=company.t1)
    units = org_tree(user=company.users["rep"])  # rep1 and Ma Li work in t1
    assert [(u.pk, u.headcount) for u in units] == [(company.t1.pk, 2)]

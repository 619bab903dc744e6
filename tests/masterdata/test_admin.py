"""The Django admin: every core and master-data model is there, accounts are picked with
autocomplete (never a <select> of every account), changes are audited, the audit log is
read-only and the account lifecycle moves only through the services."""

import pytest
from django.apps import apps
from django.contrib import admin

from salesops.core.models import AuditEvent
from salesops.masterdata.models import Account


@pytest.mark.parametrize("app_label", ["core", "masterdata"])
def test_every_model_of_core_and_masterdata_is_in_the_admin(app_label):
    models = apps.get_app_config(app_label).get_models()
    missing = [m.__name__ for m in models if m not in admin.site._registry]
    assert missing == []


def test_account_foreign_keys_use_autocomplete_not_a_select_of_all_accounts(login, company):
    body = login("admin").get(f"/admin/masterdata/account/{company.acct_rep1.pk}/change/")
    html = body.content.decode()
    assert body.status_code == 200
    assert "data-autocomplete-light" in html or "admin-autocomplete" in html
    # the other accounts' names are not rendered as <option>s of the parent field
    assert company.outside.name not in html


def test_account_autocomplete_searches_by_name_prefix(login, company):
    response = login("admin").get(
        "/admin/autocomplete/",
        {
            "term": "pudong",
            "app_label": "masterdata",
            "model_name": "account",
            "field_name": "parent",
        },
    )
    names = [r["text"] for r in response.json()["results"]]
    assert names == [company.acct_rep2.name]


def test_admin_changes_are_recorded_in_the_audit_log(login, company):
    client = login("admin")
    url = f"/admin/masterdata/paymentterm/{company.acct_rep1.payment_term_id}/change/"
    response = client.post(url, {"code": "NET30", "name": "30 days net", "net_days": "45"})
    assert response.status_code == 302
    event = AuditEvent.objects.get(action="paymentterm.admin_change")
    assert (event.before, event.after) == ({"net_days": 30}, {"net_days": 45})
    assert event.actor == company.users["admin"]


def test_audit_log_is_read_only_in_the_admin(login, company):
    client = login("admin")
    assert client.get("/admin/core/auditevent/").status_code == 200
    assert client.get("/admin/core/auditevent/add/").status_code == 403


def test_account_status_moves_only_through_lifecycle_actions(login, company):
    client = login("admin")
    response = client.post(
        "/admin/masterdata/account/",
        {"action": "hold_accounts", "_selected_action": [company.acct_rep1.pk]},
    )
    assert response.status_code == 302
    company.acct_rep1.refresh_from_db()
    assert company.acct_rep1.status == Account.Status.ON_HOLD
    assert AuditEvent.objects.filter(action="account.hold").count() == 1
    change = client.get(f"/admin/masterdata/account/{company.acct_rep1.pk}/change/")
    assert 'name="status"' not in change.content.decode()


def test_non_staff_roles_cannot_open_the_admin(login, company):
    response = login("coordinator").get("/admin/masterdata/account/")
    assert response.status_code == 302

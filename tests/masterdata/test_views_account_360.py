"""The account 360 page: details, contacts, hierarchy, readable audit history, and scoping."""

from salesops.masterdata import services
from salesops.masterdata.models import Account


def test_account_360_shows_details_and_contacts(login, company):
    body = login("coordinator").get(f"/accounts/{company.acct_rep1.pk}/").content.decode()
    assert company.acct_rep1.name in body
    assert "A0000001" in body
    assert "Li Wei" in body  # owner
    assert "Pudong North" in body  # territory
    assert "liu@dfmy.cn" in body  # contact


def test_account_360_shows_parent_chain_and_subsidiaries(login, company):
    Account.objects.filter(pk=company.acct_rep1.pk).update(parent=company.acct_rep2)
    Account.objects.filter(pk=company.partner1.pk).update(parent=company.acct_rep1)
    response = login("coordinator").get(f"/accounts/{company.acct_rep1.pk}/")
    assert [a.pk for a in response.context["parents"]] == [company.acct_rep2.pk]
    assert [a.pk for a in response.context["children"]] == [company.partner1.pk]
    body = response.content.decode()
    assert company.acct_rep2.name in body and company.partner1.name in body


def test_parent_chain_stops_at_accounts_outside_the_users_scope(login, company):
    Account.objects.filter(pk=company.acct_rep1.pk).update(parent=company.acct_rep2)
    response = login("rep").get(f"/accounts/{company.acct_rep1.pk}/")
    assert response.context["parents"] == []
    assert company.acct_rep2.name not in response.content.decode()


def test_history_shows_each_changed_field_before_and_after(login, company):
    by = company.users["coordinator"]
    services.account_update(
        account=company.acct_rep1, by=by, reason="customer moved", billing_city="Hangzhou"
    )
    services.account_hold(account=company.acct_rep1, by=by, reason="overdue invoices")
    response = login("coordinator").get(f"/accounts/{company.acct_rep1.pk}/")
    rows = response.context["history"]
    assert [r.action for r in rows] == ["Put on hold", "Changed"]
    hold, change = rows
    assert [(c.label, c.before, c.after) for c in hold.changes] == [("status", "Active", "On hold")]
    assert ("Billing city", "—", "Hangzhou") in [
        (c.label, c.before, c.after) for c in change.changes
    ]
    body = response.content.decode()
    assert "customer moved" in body and "overdue invoices" in body


def test_history_names_linked_records_instead_of_ids(login, company):
    services.account_update(
        account=company.acct_rep1, by=company.users["coordinator"], owner=company.rep2
    )
    rows = login("coordinator").get(f"/accounts/{company.acct_rep1.pk}/").context["history"]
    owner_change = next(c for c in rows[0].changes if c.label == "Owner")
    assert (owner_change.before, owner_change.after) == ("Li Wei", "Wang Fang")


def test_account_without_history_says_what_will_appear(login, company):
    body = login("coordinator").get(f"/accounts/{company.acct_rep2.pk}/").content.decode()
    assert "No changes recorded yet" in body


def test_partner_sees_own_account_without_internal_history(login, company):
    services.account_update(
        account=company.partner1, by=company.users["coordinator"], billing_city="Suzhou"
    )
    response = login("partner").get(f"/accounts/{company.partner1.pk}/")
    assert response.status_code == 200
    assert response.context["history"] == []
    assert 'id="history"' not in response.content.decode()


def test_account_360_loads_the_receivables_panel(login, company):
    body = login("coordinator").get(f"/accounts/{company.acct_rep1.pk}/").content.decode()
    assert f'hx-get="/receivables/account-panel/{company.acct_rep1.pk}/' in body


def test_account_outside_scope_is_404_on_the_360_page(login, company):
    assert login("rep").get(f"/accounts/{company.acct_rep2.pk}/").status_code == 404


def test_chinese_contact_names_read_family_name_first(login, company):
    from salesops.masterdata.models import Contact

    Contact.objects.create(account=company.acct_rep1, first_name="淑珍", last_name="高")
    body = login("coordinator").get(f"/accounts/{company.acct_rep1.pk}/").content.decode()
    assert "高淑珍" in body
    assert "Liu Yang" in body  # Latin names keep first-name-first


def test_amounts_are_grouped_by_thousands_in_chinese_too(login, company):
    client = login("coordinator")
    client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/"})
    body = client.get(f"/accounts/{company.acct_rep1.pk}/").content.decode()
    assert "100,000.00 CNY" in body

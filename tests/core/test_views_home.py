"""The home page shows each role its own work queues; empty queues say what will appear."""

from salesops.core.models import Job
from salesops.masterdata.models import Account


def _queue_keys(response) -> list[str]:
    return [q.key for q in response.context["queues"]]


def _queue(response, key):
    return next(q for q in response.context["queues"] if q.key == key)


def test_home_requires_login(client, company):
    response = client.get("/")
    assert response.status_code == 302
    assert "/login/" in response["Location"]


def test_coordinator_sees_requested_accounts_awaiting_activation(login, company):
    Account.objects.filter(pk=company.acct_rep2.pk).update(status=Account.Status.REQUESTED)
    response = login("coordinator").get("/")
    queue = _queue(response, "accounts_requested")
    assert queue.count == 1
    assert [it["label"] for it in queue.items] == [company.acct_rep2.name]
    assert company.acct_rep2.name in response.content.decode()


def test_coordinator_queues_start_with_the_24_hour_clock(login, company):
    response = login("coordinator").get("/")
    assert _queue_keys(response) == [
        "receipts_to_book",
        "accounts_requested",
        "accounts_on_hold",
        "imports",
        "queries_due",
    ]


def test_empty_requested_queue_says_what_will_appear_and_why(login, company):
    response = login("coordinator").get("/")
    assert _queue(response, "accounts_requested").count == 0
    assert "Requests to open customer accounts appear here" in response.content.decode()


def test_failed_and_running_imports_are_listed_for_the_coordinator(login, company):
    user = company.users["coordinator"]
    Job.objects.create(kind="import", status=Job.Status.FAILED, created_by=user, message="bad")
    Job.objects.create(kind="import", status=Job.Status.RUNNING, created_by=user)
    Job.objects.create(kind="import", status=Job.Status.SUCCEEDED, created_by=user)
    Job.objects.create(kind="report", status=Job.Status.FAILED, created_by=user)
    queue = _queue(login("coordinator").get("/"), "imports")
    assert queue.count == 2


def test_finance_sees_approvals_then_accounts_on_hold(login, company):
    Account.objects.filter(pk=company.acct_rep1.pk).update(status=Account.Status.ON_HOLD)
    response = login("finance").get("/")
    assert _queue_keys(response) == ["approvals_waiting", "accounts_on_hold", "queries_due"]
    assert _queue(response, "accounts_on_hold").count == 1


def test_rep_sees_own_accounts_missing_phone_email_or_tax_id(login, company):
    Account.objects.filter(pk=company.acct_rep1.pk).update(
        phone="+86 21 5555 0000", email="a@b.cn", tax_id="91310000MA1FL0000X"
    )
    response = login("rep").get("/")
    assert _queue_keys(response) == ["own_accounts_missing_data"]
    queue = _queue(response, "own_accounts_missing_data")
    # rep owns acct_rep1 (complete now) and partner1 (incomplete); never rep2's accounts
    assert [it["label"] for it in queue.items] == [company.partner1.name]
    assert "phone" in queue.items[0]["note"]


def test_rep_with_complete_accounts_gets_the_empty_text(login, company):
    Account.objects.filter(owner=company.rep1).update(
        phone="+86 21 5555 0000", email="a@b.cn", tax_id="91310000MA1FL0000X"
    )
    response = login("rep").get("/")
    assert _queue(response, "own_accounts_missing_data").count == 0
    assert "Accounts you own that lack a phone number" in response.content.decode()


def test_manager_sees_team_accounts_without_owner_but_not_outside_the_team(login, company):
    Account.objects.filter(pk__in=[company.acct_rep2.pk, company.outside.pk]).update(owner=None)
    response = login("manager").get("/")
    queue = _queue(response, "team_accounts_without_owner")
    assert [it["label"] for it in queue.items] == [company.acct_rep2.name]


def test_manager_sees_team_accounts_missing_data(login, company):
    queue = _queue(login("manager").get("/"), "team_accounts_missing_data")
    labels = {it["label"] for it in queue.items}
    assert company.acct_rep1.name in labels
    assert company.outside.name not in labels


def test_partner_home_is_a_card_with_their_own_account_and_contacts(login, company):
    response = login("partner").get("/")
    assert _queue_keys(response) == ["partner_portal", "partner_account"]
    body = response.content.decode()
    assert company.partner1.name in body
    assert "Zhou Min" in body
    assert company.partner2.name not in body
    assert "Xu Tao" not in body


def test_home_is_translated_to_simplified_chinese(login, company):
    client = login("coordinator")
    client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/"})
    body = client.get("/").content.decode()
    assert "等待开通的客户" in body


def test_a_long_queue_without_a_list_page_says_how_much_is_shown(login, company):
    from salesops.masterdata.models import Account as A

    for i in range(6):
        A.objects.create(number=f"A90000{i}", name=f"Extra {i}", owner=company.rep1)
    body = login("rep").get("/").content.decode()
    assert "Showing the first 5 of 8." in body


def test_home_greets_people_by_their_name(login, company):
    assert "Good day, Li Wei" in login("rep").get("/").content.decode()
    assert "Good day, partner" in login("partner").get("/").content.decode()

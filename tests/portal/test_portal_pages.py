"""The partner's own pages: each shows the partner's own data and nothing of partner2's."""

from __future__ import annotations

import pytest
from django.urls import reverse

from salesops.receivables.models import Query, QueryMessage

PAGES = [
    "portal:home",
    "portal:orders",
    "portal:invoices",
    "portal:payments",
    "portal:statements",
    "portal:queries",
    "portal:query_new",
]


def _no_secrets(body: str, secrets: list[str]) -> None:
    leaked = [s for s in secrets if s in body]
    assert leaked == [], f"partner2 data in the page: {leaked}"


@pytest.mark.parametrize("name", PAGES)
def test_every_portal_page_shows_own_account_and_nothing_of_partner2(name, portal, login):
    client = login("partner")
    r = client.get(reverse(name))
    assert r.status_code == 200
    body = r.content.decode()
    assert portal.ledger.inv1.account.name in body
    _no_secrets(body, portal.secrets)


def test_open_items_list_own_open_invoices_with_overdue_marked(portal, login):
    body = login("partner").get(reverse("portal:invoices")).content.decode()
    inv1, inv2 = portal.ledger.inv1, portal.ledger.inv2
    # inv1: 11,300.00 less 8,000.00 paid; inv2: 5,650.00 less the 50.00 credit note applied
    assert f'data-invoice="{inv1.number}"' in body and "3,300.00 CNY" in body
    assert f'data-invoice="{inv2.number}"' in body and "5,600.00 CNY" in body
    assert "overdue" in body  # the 2026 due dates are in the past for a test run after them
    assert "8,900.00 CNY" in body  # the balance = sum of the open items


def test_order_board_shows_lines_still_to_ship(portal, login):
    body = login("partner").get(reverse("portal:orders")).content.decode()
    assert portal.order1.number in body and "HD-PO-7781" in body
    assert "1,800.00 CNY" in body  # 12 x 150.00 still to ship


def test_payment_sheet_shows_what_each_payment_paid(portal, login):
    body = login("partner").get(reverse("portal:payments")).content.decode()
    led = portal.ledger
    assert f'data-payment="{led.pay1.number}"' in body
    assert led.inv1.number in body and "8,000.00 CNY" in body


def test_statement_has_opening_entries_and_closing_balance(portal, login):
    client = login("partner")
    body = client.get(reverse("portal:statements"), {"month": "2026-10"}).content.decode()
    led = portal.ledger
    assert "11,300.00 CNY" in body  # opening: inv1 posted in September
    assert led.inv2.number in body and led.pay1.number in body
    assert "8,900.00 CNY" in body  # closing: 11,300 + 5,650 - 8,000 - 50
    sept = client.get(reverse("portal:statements"), {"month": "2026-09"}).content.decode()
    assert led.inv2.number not in sept


def test_invoice_page_lists_payments_and_credits_applied(portal, login):
    led = portal.ledger
    body = login("partner").get(reverse("portal:invoice_detail", args=[led.inv1.pk])).content
    assert led.pay1.number in body.decode()
    body2 = login("partner").get(reverse("portal:invoice_detail", args=[led.inv2.pk])).content
    assert portal.cn1.number in body2.decode()


def test_partner_raises_a_query_about_own_invoice_and_it_reaches_the_inbox(portal, login):
    client = login("partner")
    inv2 = portal.ledger.inv2
    r = client.get(reverse("portal:query_new"), {"invoice": inv2.pk})
    assert r.status_code == 200 and f'value="{inv2.pk}" selected' in r.content.decode()
    r = client.post(
        reverse("portal:query_new"),
        {
            "category": "payment",
            "subject": "Due date of INV 2",
            "body": "Can we pay in two parts?",
            "invoice": inv2.pk,
        },
    )
    q = Query.objects.get(subject="Due date of INV 2")
    assert r.status_code == 302 and r["Location"] == reverse("portal:query_detail", args=[q.pk])
    assert q.account == inv2.account and q.invoice == inv2 and q.raised_by.username == "partner"
    inbox = login("coordinator").get(reverse("queries:list")).content.decode()
    assert q.number in inbox


def test_partner_thread_hides_internal_notes_and_reply_reopens(portal, login, company):
    from salesops.receivables import queries

    q = portal.q1
    queries.query_note(
        query=q, body="INTERNAL-ONLY check with finance", by=company.users["coordinator"]
    )
    queries.query_reply(query=q, body="Yes, booked on 15 October.", by=company.users["coordinator"])
    client = login("partner")
    body = client.get(reverse("portal:query_detail", args=[q.pk])).content.decode()
    assert "Yes, booked on 15 October." in body
    assert "INTERNAL-ONLY" not in body
    r = client.post(reverse("portal:query_detail", args=[q.pk]), {"body": "But the amount?"})
    assert r.status_code == 302
    q.refresh_from_db()
    assert q.status == Query.Status.OPEN
    assert q.messages.filter(kind=QueryMessage.Kind.QUESTION, body="But the amount?").exists()


def test_partner_home_card_leads_to_the_portal(portal, login):
    body = login("partner").get("/").content.decode()
    assert 'id="queue-partner_portal"' in body
    assert f'href="{reverse("portal:home")}"' in body
    assert f'href="{reverse("portal:invoices")}"' in body
    _no_secrets(body, portal.secrets)


def test_coordinator_home_shows_queries_due(portal, login):
    body = login("coordinator").get("/").content.decode()
    assert 'id="queue-queries_due"' in body
    assert portal.q1.number in body and portal.q2.number in body


def test_partner_without_a_linked_account_sees_an_explanation(db, client):
    from salesops.core.services import user_create
    from tests.conftest import PASSWORD

    user_create(username="lonely", password=PASSWORD, role="partner")
    assert client.login(username="lonely", password=PASSWORD)
    r = client.get(reverse("portal:home"))
    assert r.status_code == 200 and "not linked" in r.content.decode()

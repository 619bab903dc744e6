"""The query inbox pages: list with SLA clock and filters, thread, reply by e-mail, notes,
assign, close; reps raise queries by document number; partners are sent to the portal."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from salesops.receivables import queries
from salesops.receivables.models import Query, QueryMessage


@pytest.fixture
def q(ledger, company):
    return queries.query_raise(
        by=company.users["partner"],
        category="payment",
        subject="October payment",
        body="Is it booked?",
        invoice=ledger.inv1,
        payment=ledger.pay1,
    )


def test_inbox_lists_queries_with_clock_and_marks_overdue_red(q, company, login):
    other = queries.query_raise(
        by=company.users["partner2"], category="statement", subject="Statement", body="please"
    )
    Query.objects.filter(pk=q.pk).update(due_at=timezone.now() - dt.timedelta(hours=3))
    body = login("coordinator").get(reverse("queries:list")).content.decode()
    row_q = body[body.index(f'data-query="{q.number}"') - 40 :]
    assert 'class="overdue"' in row_q[:80]
    assert "overdue by 3" in body
    assert other.number in body and "left" in body
    overdue_only = login("coordinator").get(reverse("queries:list"), {"overdue": "1"})
    assert q.number in overdue_only.content.decode()
    assert other.number not in overdue_only.content.decode()
    by_cat = login("coordinator").get(reverse("queries:list"), {"category": "statement"})
    assert q.number not in by_cat.content.decode()


def test_detail_shows_thread_and_linked_documents_with_desk_links(q, login):
    body = login("coordinator").get(reverse("queries:detail", args=[q.pk])).content.decode()
    assert "Is it booked?" in body
    assert q.invoice.number in body and q.payment.number in body
    try:
        url = reverse("receivables:invoice_detail", args=[q.invoice.pk])
    except Exception:  # the desk's pages not mounted: numbers only
        url = None
    if url:
        assert f'href="{url}"' in body


def test_reply_from_the_inbox_is_emailed_and_shown(
    q, login, smtp_server, django_capture_on_commit_callbacks
):
    client = login("coordinator")
    with django_capture_on_commit_callbacks(execute=True):
        r = client.post(reverse("queries:reply", args=[q.pk]), {"body": "Booked on 15 Oct."})
    assert r.status_code == 302
    [mail] = smtp_server.messages
    assert mail["X-Envelope-To"] == "zhou.min@huadong.example"
    body = client.get(reverse("queries:detail", args=[q.pk])).content.decode()
    assert "Booked on 15 Oct." in body and "E-mailed to zhou.min@huadong.example" in body
    q.refresh_from_db()
    assert q.status == Query.Status.ANSWERED


def test_note_assign_close_reopen_from_the_inbox(q, login, company, smtp_server):
    client = login("coordinator")
    client.post(reverse("queries:note", args=[q.pk]), {"body": "ask finance"})
    assert q.messages.filter(kind=QueryMessage.Kind.NOTE, body="ask finance").exists()
    assert smtp_server.messages == []
    client.post(reverse("queries:assign", args=[q.pk]), {"owner": company.users["finance"].pk})
    q.refresh_from_db()
    assert q.owner == company.users["finance"]
    r = client.post(reverse("queries:assign", args=[q.pk]), {"owner": company.users["rep"].pk})
    q.refresh_from_db()
    assert q.owner == company.users["finance"]
    assert "Queries are owned by" in client.get(r["Location"]).content.decode()
    client.post(reverse("queries:close", args=[q.pk]), {"reason": "done"})
    q.refresh_from_db()
    assert q.status == Query.Status.CLOSED
    client.post(reverse("queries:reopen", args=[q.pk]), {"reason": "again"})
    q.refresh_from_db()
    assert q.status == Query.Status.OPEN


def test_rep_raises_a_query_by_document_number(ledger, login, company):
    client = login("rep")
    r = client.get(reverse("queries:new"), {"invoice": ledger.inv1.pk})
    assert r.status_code == 200 and ledger.inv1.number in r.content.decode()
    r = client.post(
        reverse("queries:new"),
        {
            "account": "",
            "category": "credit_note",
            "subject": "Customer asks for credit",
            "body": "Damaged goods on this invoice.",
            "invoice": ledger.inv1.number,
        },
    )
    q = Query.objects.get(subject="Customer asks for credit")
    assert r.status_code == 302
    assert q.account == company.partner1 and q.raised_by == company.users["rep"]


def test_rep_cannot_link_another_reps_invoice_or_open_its_queries(ledger, login, company):
    client = login("rep")
    r = client.post(
        reverse("queries:new"),
        {"category": "other", "subject": "x", "body": "y", "invoice": ledger.inv3.number},
    )
    assert r.status_code == 200 and "No document with this number" in r.content.decode()
    assert not Query.objects.exists()
    assert client.get(reverse("queries:new"), {"invoice": ledger.inv3.pk}).status_code == 404
    theirs = queries.query_raise(
        by=company.users["partner2"], category="other", subject="p2", body="b"
    )
    assert client.get(reverse("queries:detail", args=[theirs.pk])).status_code == 404


def test_rep_cannot_reply_close_or_assign(q, login, company):
    client = login("rep")  # partner1 is rep's account: the rep sees the query
    assert client.get(reverse("queries:detail", args=[q.pk])).status_code == 200
    client.post(reverse("queries:reply", args=[q.pk]), {"body": "I am not the coordinator"})
    client.post(reverse("queries:close", args=[q.pk]))
    client.post(reverse("queries:assign", args=[q.pk]), {"owner": company.users["rep"].pk})
    q.refresh_from_db()
    assert q.status == Query.Status.OPEN
    assert not q.messages.filter(body="I am not the coordinator").exists()

"""The query inbox through /api/v1/queries: scoped like the pages, same services."""

from __future__ import annotations

import json

from salesops.receivables.models import Query, QueryMessage


def _post(client, url, data):
    return client.post(url, json.dumps(data), content_type="application/json")


def test_partner_raises_and_reads_own_query_without_internal_notes(portal, login, company):
    from salesops.receivables import queries

    client = login("partner")
    r = _post(
        client,
        "/api/v1/queries",
        {
            "category": "payment",
            "subject": "API question",
            "body": "Through the API",
            "invoice_id": portal.ledger.inv2.pk,
        },
    )
    assert r.status_code == 201, r.content
    data = r.json()
    assert data["number"].startswith("Q-") and data["account_id"] == company.partner1.pk
    assert data["invoice"]["number"] == portal.ledger.inv2.number
    q = Query.objects.get(pk=data["id"])
    queries.query_note(query=q, body="SECRET NOTE", by=company.users["coordinator"])
    body = client.get(f"/api/v1/queries/{q.pk}").content.decode()
    assert "SECRET NOTE" not in body
    listed = client.get("/api/v1/queries").json()["items"]
    assert {i["number"] for i in listed} == {portal.q1.number, q.number}


def test_partner_gets_404_for_partner2_query_and_documents(portal, login):
    client = login("partner")
    assert client.get(f"/api/v1/queries/{portal.q2.pk}").status_code == 404
    r = _post(client, f"/api/v1/queries/{portal.q2.pk}/reply", {"body": "hi"})
    assert r.status_code == 404 and r.json()["code"] == "QUERY_NOT_FOUND"
    for field, pk in (
        ("invoice_id", portal.ledger.inv3.pk),
        ("payment_id", portal.pay2.pk),
        ("credit_note_id", portal.cn2.pk),
    ):
        r = _post(
            client, "/api/v1/queries", {"category": "other", "subject": "s", "body": "b", field: pk}
        )
        assert r.status_code == 404, (field, r.content)
    assert portal.q2.messages.count() == 1


def test_coordinator_replies_notes_assigns_closes_through_the_api(
    portal, login, company, smtp_server, django_capture_on_commit_callbacks
):
    client = login("coordinator")
    q = portal.q1
    with django_capture_on_commit_callbacks(execute=True):
        r = _post(client, f"/api/v1/queries/{q.pk}/reply", {"body": "Answered via API"})
    assert r.status_code == 200 and r.json()["status"] == "answered"
    assert len(smtp_server.messages) == 1
    assert _post(client, f"/api/v1/queries/{q.pk}/notes", {"body": "n"}).status_code == 200
    r = _post(client, f"/api/v1/queries/{q.pk}/assign", {"owner_id": company.users["rep"].pk})
    assert r.status_code == 400 and r.json()["code"] == "QUERY_OWNER_INVALID"
    r = _post(client, f"/api/v1/queries/{q.pk}/close", {"reason": "done"})
    assert r.status_code == 200 and r.json()["status"] == "closed"
    r = _post(client, f"/api/v1/queries/{q.pk}/reply", {"body": "again"})
    assert r.status_code == 409 and r.json()["code"] == "QUERY_CLOSED"
    kinds = list(q.messages.values_list("kind", flat=True))
    assert kinds == [QueryMessage.Kind.QUESTION, QueryMessage.Kind.REPLY, QueryMessage.Kind.NOTE]


def test_partner_cannot_close_or_note(portal, login):
    client = login("partner")
    assert _post(client, f"/api/v1/queries/{portal.q1.pk}/close", {}).status_code == 403
    assert _post(client, f"/api/v1/queries/{portal.q1.pk}/notes", {"body": "x"}).status_code == 403

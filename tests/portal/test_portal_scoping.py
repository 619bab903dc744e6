"""Nothing leaks: partner1 tries partner2's ids on every portal route, and the staff pages."""

from __future__ import annotations

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from salesops.receivables.models import Query


def _no_secrets(body: str, secrets: list[str]) -> None:
    leaked = [s for s in secrets if s in body]
    assert leaked == [], f"partner2 data in the response: {leaked}"


def _routes(p):
    led = p.ledger
    return [
        ("get", reverse("portal:invoice_detail", args=[led.inv3.pk]), {}),
        ("get", reverse("portal:query_detail", args=[p.q2.pk]), {}),
        ("post", reverse("portal:query_detail", args=[p.q2.pk]), {"body": "hello"}),
        ("get", reverse("portal:query_new") + f"?invoice={led.inv3.pk}", {}),
        ("get", reverse("portal:query_new") + f"?payment={p.pay2.pk}", {}),
        ("get", reverse("portal:query_new") + f"?credit_note={p.cn2.pk}", {}),
    ]


def test_partner2_ids_on_every_portal_route_are_not_found(portal, login):
    client = login("partner")
    for method, url, data in _routes(portal):
        r = getattr(client, method)(url, data)
        assert r.status_code == 404, (method, url, r.status_code)
        _no_secrets(r.content.decode(), portal.secrets)
    portal.q2.refresh_from_db()
    assert portal.q2.messages.count() == 1  # the POST added nothing


@pytest.mark.parametrize("field", ["invoice", "payment", "credit_note"])
def test_posting_partner2_document_ids_raises_nothing(field, portal, login):
    ids = {
        "invoice": portal.ledger.inv3.pk,
        "payment": portal.pay2.pk,
        "credit_note": portal.cn2.pk,
    }
    before = Query.objects.count()
    r = login("partner").post(
        reverse("portal:query_new"),
        {"category": "other", "subject": "sneaky", "body": "x", field: ids[field]},
    )
    assert r.status_code == 200  # the form refuses the choice
    assert Query.objects.count() == before
    _no_secrets(r.content.decode(), portal.secrets)


def test_document_downloads_take_no_account_id_and_refuse_unknown_kinds(portal, login):
    """Downloads take no account id: the account is always the partner's own."""
    client = login("partner")
    url = reverse("portal:document", args=["statement"])
    assert client.get(url, {"month": "2026-10", "fmt": "csv"}).status_code == 404
    assert (
        client.get(
            url, {"month": "2026-10", "account": portal.ledger.inv3.account_id, "fmt": "html"}
        ).status_code
        == 404
    )
    assert client.get(reverse("portal:document", args=["aging"]), {"fmt": "pdf"}).status_code == 404
    assert client.get(url, {"month": "nope", "fmt": "pdf"}).status_code == 404


@pytest.mark.parametrize("username", ["coordinator", "admin", "finance", "rep", "manager"])
def test_portal_is_not_found_for_staff_and_reps(username, portal, login):
    client = login(username)
    for name in ("portal:home", "portal:invoices", "portal:queries"):
        assert client.get(reverse(name)).status_code == 404


def test_portal_needs_a_login(portal, client):
    r = client.get(reverse("portal:home"))
    assert r.status_code == 302 and "/login/" in r["Location"]


def test_partner_cannot_open_the_query_inbox(portal, login):
    client = login("partner")
    for url in (
        reverse("queries:list"),
        reverse("queries:new"),
        reverse("queries:detail", args=[portal.q1.pk]),  # even its own query: the portal shows it
        reverse("queries:detail", args=[portal.q2.pk]),
    ):
        r = client.get(url)
        assert r.status_code == 404, url
        _no_secrets(r.content.decode(), portal.secrets)
    r = client.post(reverse("queries:reply", args=[portal.q2.pk]), {"body": "x"})
    assert r.status_code == 404


def test_partner_cannot_open_admin_or_partner2_account(portal, login, company):
    client = login("partner")
    r = client.get("/admin/")
    assert r.status_code == 302 and "/admin/login/" in r["Location"]
    r = client.get(reverse("masterdata:account_detail", args=[company.partner2.pk]))
    assert r.status_code == 404
    _no_secrets(client.get(reverse("masterdata:account_list")).content.decode(), portal.secrets)


ARG_VALUES = {}  # filled per test from the fixture: url kwarg name -> partner2's id


def _receivables_patterns():
    """Every route under /receivables/ (the desk, documents, reconciliation, queries)."""
    out = []

    def walk(patterns, prefix):
        for p in patterns:
            if isinstance(p, URLResolver):
                walk(p.url_patterns, prefix + str(p.pattern))
            elif isinstance(p, URLPattern):
                out.append((prefix + str(p.pattern), p))

    walk(get_resolver().url_patterns, "")
    return [(route, p) for route, p in out if route.startswith("receivables/")]


def test_no_receivables_page_leaks_partner2_data_to_a_partner(portal, login, company):
    """Every route under /receivables/, with partner2's ids for every id in the route: a
    partner gets 403/404/redirect, or (a page meant for partners) nothing of partner2's."""
    import re

    led = portal.ledger
    ids = {
        "invoice_id": led.inv3.pk,
        "payment_id": portal.pay2.pk,
        "order_id": portal.order2.pk,
        "credit_note_id": portal.cn2.pk,
        "account_id": company.partner2.pk,
        "query_id": portal.q2.pk,
        "pk": led.inv3.pk,
    }
    client = login("partner")
    client.raise_request_exception = False  # a crash is reported with the others, not alone
    tried, problems = 0, []
    for route, _p in _receivables_patterns():
        url = "/" + route
        ok = True

        def sub(m):
            nonlocal ok
            conv, name = m.group(1), m.group(2)
            if name in ids:
                return str(ids[name])
            if conv == "str" or conv is None:
                return "statement" if name == "kind" else "x"
            ok = False
            return "0"

        url = re.sub(r"<(?:(\w+):)?(\w+)>", sub, url)
        if not ok or "^" in url or "(?P" in url:
            continue
        tried += 1
        r = client.get(url)
        if r.status_code not in (200, 302, 400, 403, 404, 405):
            problems.append((url, r.status_code))
        elif r.status_code == 200:
            leaked = [s for s in portal.secrets if s in r.content.decode()]
            if leaked:
                problems.append((url, leaked))
    assert problems == []
    assert tried >= 5


def test_no_api_route_leaks_partner2_data_to_a_partner(portal, login, company):
    """Every GET operation of /api/v1 (from the OpenAPI schema), with partner2's ids for every
    path parameter: a partner gets 403/404 or, where the route is meant for it, nothing of
    partner2's. List routes are also asked with partner2's account as a filter."""
    import re

    from salesops.config.api import api

    led = portal.ledger
    ids = {
        "invoice_id": led.inv3.pk,
        "payment_id": portal.pay2.pk,
        "order_id": portal.order2.pk,
        "credit_note_id": portal.cn2.pk,
        "account_id": company.partner2.pk,
        "query_id": portal.q2.pk,
    }
    client = login("partner")
    client.raise_request_exception = False
    schema = api.get_openapi_schema()
    tried, problems = 0, []
    for path, ops in schema["paths"].items():
        if "get" not in ops:
            continue
        names = re.findall(r"{(\w+)}", path)
        if any(n not in ids and not n.endswith("_id") and n != "id" for n in names):
            continue
        url = path
        for n in names:
            url = url.replace("{" + n + "}", str(ids.get(n, led.inv3.pk)))
        for query in ({}, {"account_id": company.partner2.pk, "account": company.partner2.pk}):
            tried += 1
            r = client.get(url, query)
            if r.status_code >= 500:
                problems.append((url, query, r.status_code))
            elif r.status_code == 200:
                leaked = [s for s in portal.secrets if s in r.content.decode()]
                if leaked:
                    problems.append((url, query, leaked))
    assert tried >= 10
    assert problems == []

"""Schemathesis fuzzes the whole API from its own OpenAPI schema, in-process (WSGI), as a
logged-in coordinator: whatever it sends -- valid and deliberately invalid requests -- the
answer is never a 5xx and always matches the schema (status code, content type, body), so
bad input gets a JSON error with a code.

One pytest item per operation, each a bounded Hypothesis run (explicit parametrisation, so
the items keep distinct ids and report failures under pytest-xdist too)."""

from __future__ import annotations

import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from salesops.config.api import api
from salesops.core.services import api_token_issue

schema = schemathesis.openapi.from_dict(api.get_openapi_schema())
schema.app = get_wsgi_application()
OPERATIONS = [
    result.ok()
    for result in schema.get_all_operations()
    # revoking would log the fuzzer out for the rest of the run (tested in test_api_auth)
    if result.ok().label != "DELETE /api/v1/auth/token"
]
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


@pytest.fixture
def coordinator_token(company):
    """A coordinator's token. While the fuzzer calls the WSGI app directly, requests must not
    close the test's database connection (Django's test client does the same)."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield api_token_issue(user=company.users["coordinator"])
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


@pytest.fixture
def real_ids(company):
    import datetime as dt

    from salesops.core.services import job_create
    from salesops.masterdata import services

    coord = company.users["coordinator"]
    product = services.product_create(by=coord, sku="FZ-1", name="Fuzz widget")
    book = services.price_book_create(by=coord, name="Fuzz CNY", currency="CNY")
    services.price_set(
        price_book=book,
        product=product,
        unit_price="9.90",
        valid_from=dt.date(2026, 1, 1),
        by=coord,
    )
    return {
        "account_id": company.acct_rep1.pk,
        "contact_id": company.acct_rep1.contacts.get().pk,
        "product_id": product.pk,
        "price_book_id": book.pk,
        "job_id": job_create(kind="import", params={}, by=coord).pk,
    }


@pytest.mark.slow
@pytest.mark.django_db
@pytest.mark.parametrize("operation", OPERATIONS, ids=lambda op: op.label)
def test_api_never_answers_5xx_and_conforms_to_its_schema(operation, coordinator_token, real_ids):
    headers = {"Authorization": f"Bearer {coordinator_token}"}
    strategies = [
        operation.as_strategy(GenerationMode.POSITIVE),
        operation.as_strategy(GenerationMode.NEGATIVE),
    ]
    names = {p.name for p in operation.path_parameters}
    if names:  # also aim at records that exist, so bodies reach the services
        strategies.append(
            operation.as_strategy(
                GenerationMode.POSITIVE,
                path_parameters={n: real_ids[n] for n in names if n in real_ids},
            )
        )
    cases = st.one_of(*strategies)

    @given(case=cases)
    @settings(
        max_examples=10,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    def fuzz(case):
        response = case.call(headers=headers)
        case.validate_response(response, checks=CHECKS)

    fuzz()

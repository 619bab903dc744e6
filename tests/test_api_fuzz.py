"""Schemathesis fuzzes the whole API from its own OpenAPI schema, in-process (WSGI), as a
logged-in coordinator: whatever it sends, the answer is never a 5xx and always matches the
schema (status code, content type, body) -- bad input gets a JSON error with a code."""

from __future__ import annotations

import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
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


@pytest.mark.slow
@pytest.mark.django_db
@schema.parametrize()
@settings(
    max_examples=8,
    deadline=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)
def test_api_never_answers_5xx_and_conforms_to_its_schema(case, coordinator_token):
    if case.path == "/api/v1/auth/token" and case.method == "DELETE":
        return  # revoking would log the fuzzer out for the rest of the run
    response = case.call(headers={"Authorization": f"Bearer {coordinator_token}"})
    case.validate_response(response, checks=CHECKS)

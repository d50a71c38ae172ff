"""Schemathesis over every operation of the committed OpenAPI schema: whatever a client
sends, Haven answers without a server error and as the schema says.

Each operation is called by a supervisor's token, with records of agency A present (the
access matrix's targets), for a bounded number of generated requests (12 each in the suite;
`HAVEN_FUZZ_EXAMPLES=200` for a longer hunt).
"""

import os
from pathlib import Path

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from rest_framework.authtoken.models import Token
from schemathesis.specs.openapi.checks import response_schema_conformance

from tests.test_access_matrix import targets  # noqa: F401 (the records to call on)

SCHEMA = Path(__file__).resolve().parent.parent / "docs" / "api" / "openapi.yaml"
schema = schemathesis.openapi.from_path(SCHEMA)
schema.app = get_wsgi_application()
schema.config.update(base_url="http://localhost")

CHECKS = [
    schemathesis.checks.not_a_server_error,
    response_schema_conformance,
]


@pytest.fixture
def token(world, targets):  # noqa: F811
    # As Django's test client does: the test's transaction outlives each request.
    for signal in (request_started, request_finished):
        signal.disconnect(close_old_connections)
    yield Token.objects.create(user=world["supervisor"]).key
    for signal in (request_started, request_finished):
        signal.connect(close_old_connections)


@schema.parametrize()
@settings(
    max_examples=int(os.environ.get("HAVEN_FUZZ_EXAMPLES", "12")),
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
)
def test_no_operation_fails_or_breaks_its_schema(case, token):
    case.call_and_validate(headers={"Authorization": f"Token {token}"}, checks=CHECKS)

"""Signing in to the API with a token and keeping a browser session: who the caller is."""

from datetime import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.exceptions import AuthenticationFailed
from rest_framework.test import APIClient

from haven.accounts import policy
from haven.accounts.authentication import AgencyTokenAuthentication, UserWithAgencyBackend


def test_a_token_gives_its_user_agency_and_grants_in_one_round_trip(world):
    user = world["caseworker"]
    user.last_login = timezone.now()
    user.save(update_fields=["last_login"])
    token = Token.objects.create(user=user)
    with CaptureQueriesContext(connection) as queries:
        found_user, found_token = AgencyTokenAuthentication().authenticate_credentials(token.key)
        code = found_user.agency.code
    # PostgreSQL: token, user, agency and the grants (needed for the two-factor rule and by
    # every permission check after it) in one round trip; SQLite runs one statement a call.
    assert len(queries) == (1 if connection.vendor == "postgresql" else 2)
    with CaptureQueriesContext(connection) as later:
        policy.has_perm(found_user, "case.view")
    assert len(later) == 0
    assert found_token.key == token.key and found_user.pk == user.pk
    assert code == user.agency.code
    # Values come back with the types the ORM gives them, on every database.
    assert found_user.is_active is True
    assert isinstance(found_user.last_login, datetime) and found_user.last_login.tzinfo
    assert found_user.last_login == user.last_login


def test_an_unknown_token_is_refused(world):
    with pytest.raises(AuthenticationFailed, match="Invalid token"):
        AgencyTokenAuthentication().authenticate_credentials("0" * 40)


def test_the_token_of_a_deactivated_user_is_refused_by_the_api(world):
    user = world["caseworker"]
    token = Token.objects.create(user=user)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    assert client.get("/api/v1/users/me/").status_code == 200
    user.is_active = False
    user.save(update_fields=["is_active"])
    response = client.get("/api/v1/users/me/")
    assert response.status_code in (401, 403)
    assert "inactive" in response.json()["detail"]


def test_a_session_user_comes_with_their_agency(world):
    user = world["caseworker"]
    backend = UserWithAgencyBackend()
    with CaptureQueriesContext(connection) as queries:
        found = backend.get_user(user.pk)
        code = found.agency.code
    assert len(queries) == 1 and code == user.agency.code
    user.is_active = False
    user.save(update_fields=["is_active"])
    assert backend.get_user(user.pk) is None
    assert backend.get_user(10**9) is None

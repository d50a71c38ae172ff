import re

import pytest
from django.conf import settings
from django.test import Client

from tests.conftest import PASSWORD


def test_argon2_is_the_configured_password_hasher():
    from django.contrib.auth.hashers import Argon2PasswordHasher

    import haven.settings as configured

    # Tests swap in a fast hasher (conftest); the shipped settings must put Argon2 first.
    assert configured.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"
    encoded = Argon2PasswordHasher().encode("a passphrase", Argon2PasswordHasher().salt())
    assert encoded.startswith("argon2$") and Argon2PasswordHasher().verify("a passphrase", encoded)


def test_security_headers_on_pages(client, db):
    response = client.get("/login/", HTTP_HOST="localhost")
    assert response["X-Frame-Options"] == "DENY"
    assert "default-src 'self'" in response["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in response["Content-Security-Policy"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"


def test_lockout_after_repeated_failures(world, client):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post("/login/", {"username": "alice", "password": "nope"}, HTTP_HOST="localhost")
    response = client.post(
        "/login/", {"username": "alice", "password": PASSWORD}, HTTP_HOST="localhost"
    )
    assert response.status_code == 429
    assert "Too many failed sign-in attempts" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_csrf_is_enforced(world):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(world["caseworker"])
    response = client.post("/cases/new/", {}, HTTP_HOST="localhost")
    assert response.status_code == 403


def test_login_redirects_anonymous_users(client, db):
    response = client.get("/cases/", HTTP_HOST="localhost")
    assert response.status_code == 302 and response["Location"].startswith("/login/")


def test_health_and_readiness(client, db):
    assert client.get("/healthz", HTTP_HOST="localhost").json() == {"status": "ok"}
    assert client.get("/readyz", HTTP_HOST="localhost").json() == {"status": "ok"}


def test_readiness_fails_when_migrations_are_pending(client, db, monkeypatch):
    from django.db.migrations.executor import MigrationExecutor

    monkeypatch.setattr(MigrationExecutor, "migration_plan", lambda self, targets: [("x", False)])
    response = client.get("/readyz", HTTP_HOST="localhost")
    assert response.status_code == 503 and response.json()["reason"] == "migrations"


def test_secrets_are_generated_outside_the_repo(tmp_path, monkeypatch):
    from haven import envconfig

    monkeypatch.delenv("HAVEN_SECRET_KEY", raising=False)
    monkeypatch.delenv("HAVEN_FIELD_KEYS", raising=False)
    key = envconfig.secret_key(tmp_path)
    assert key == envconfig.secret_key(tmp_path) and len(key) > 40
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0
    assert len(envconfig.field_keys(tmp_path)) == 1


def test_bad_field_keys_are_refused_with_a_clear_message(tmp_path, monkeypatch):
    import pytest

    from haven import envconfig

    monkeypatch.setenv("HAVEN_FIELD_KEYS", "not-a-key")
    with pytest.raises(ValueError, match="Fernet keys"):
        envconfig.field_keys(tmp_path)


def _fail(client, username, address, times=1):
    for _ in range(times):
        client.post(
            "/login/",
            {"username": username, "password": "nope"},
            HTTP_HOST="localhost",
            REMOTE_ADDR=address,
        )


def _sign_in(client, username, address):
    return client.post(
        "/login/",
        {"username": username, "password": PASSWORD},
        HTTP_HOST="localhost",
        REMOTE_ADDR=address,
    )


def test_failures_from_elsewhere_do_not_lock_a_colleague_out(world, client):
    _fail(client, "alice", "203.0.113.9", settings.AXES_FAILURE_LIMIT)
    assert _sign_in(client, "alice", "203.0.113.9").status_code == 429
    # Alice, at her own desk, still signs in.
    assert _sign_in(Client(), "alice", "198.51.100.4").status_code == 302


def test_one_address_spraying_many_usernames_is_paused(world, client, settings):
    settings.HAVEN_LOGIN_ADDRESS_LIMIT = 6
    for name in ("bob", "carol", "cyril"):
        _fail(client, name, "203.0.113.7", 2)
    response = _sign_in(client, "alice", "203.0.113.7")
    assert response.status_code == 429 and "_auth_user_id" not in client.session
    assert _sign_in(Client(), "alice", "198.51.100.4").status_code == 302


def test_one_username_guessed_from_many_addresses_is_paused_until_unlocked(world, settings):
    from haven.accounts import actions

    settings.HAVEN_LOGIN_USERNAME_LIMIT = 6
    for n in range(3):
        _fail(Client(), "alice", f"203.0.113.{n + 1}", 2)
    assert _sign_in(Client(), "alice", "198.51.100.4").status_code == 429
    actions.unlock(world["agency_admin"], world["caseworker"])
    assert _sign_in(Client(), "alice", "198.51.100.4").status_code == 302


def test_free_text_has_a_limit_stated_in_the_refusal(world, api, client):
    from tests.test_api import NEW_CASE

    case = api("caseworker").post("/api/v1/cases/", NEW_CASE, format="json").json()
    huge = "x" * 100_000
    note = api("caseworker").post(
        f"/api/v1/cases/{case['id']}/notes/", {"body": huge}, format="json"
    )
    assert note.status_code == 400 and re.search(r"20,?000", str(note.json()))
    summary = api("caseworker").patch(
        f"/api/v1/cases/{case['id']}/", {"summary": huge, "version": 1}, format="json"
    )
    assert summary.status_code == 400 and re.search(r"20,?000", str(summary.json()))
    registered = api("caseworker").post(
        "/api/v1/cases/", {**NEW_CASE, "summary": huge}, format="json"
    )
    assert registered.status_code == 400
    from haven.cases.models import Case, Note

    assert Case.objects.count() == 1 and not Note.objects.exists()
    assert Case.objects.get().summary == ""
    # Through an action that saves without full_clean: refused all the same, with the limit.
    from django.core.exceptions import ValidationError

    from haven.cases import actions

    with pytest.raises(ValidationError, match="At most 20,000 characters"):
        actions.add_note(world["caseworker"], Case.objects.get(), huge)


def test_a_service_point_with_its_ages_the_wrong_way_round_is_refused(world, api):
    from haven.assistance.models import Provider

    provider = Provider.objects.create(name="Clinic", maintained_by=world["a"])
    body = {
        "provider": provider.pk,
        "name": "Desk",
        "services": ["shelter"],
        "min_age": 50,
        "max_age": 10,
    }
    refused = api("agency_admin").post("/api/v1/service-points/", body, format="json")
    assert refused.status_code == 400 and "below the minimum age" in str(refused.json())

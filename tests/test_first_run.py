"""A new installation: demo data only on an empty database (embedded or PostgreSQL), a clear
word when it is not loaded, and the first administrator made from the command line."""

import io

import pytest
from django.core.management import CommandError, call_command

from haven.accounts import policy
from haven.accounts.models import User
from haven.site.management.commands import haven_run


@pytest.fixture
def seeded(monkeypatch):
    calls = []
    monkeypatch.setattr(haven_run.demo, "seed_demo", lambda: calls.append(1))
    return calls


def _start(settings, demo_flag: bool) -> str:
    settings.HAVEN_DEMO = demo_flag
    out = io.StringIO()
    command = haven_run.Command(stdout=out)
    command._demo(asked=False)
    return out.getvalue()


def test_demo_data_loads_on_any_empty_database(db, settings, seeded):
    said = _start(settings, True)
    assert seeded == [1] and "empty database" in said


def test_demo_data_is_never_mixed_into_a_database_in_use(world, settings, seeded):
    said = _start(settings, True)
    assert seeded == [] and "already has users" in said


def test_an_empty_database_without_demo_says_how_to_begin(db, settings, seeded):
    said = _start(settings, False)
    assert seeded == [] and "haven create-admin" in said


def test_the_first_administrator_is_made_once(db, monkeypatch):
    monkeypatch.setattr("sys.stdin", io.StringIO("Long-enough-Passw0rd\n"))
    out = io.StringIO()
    call_command("create_admin", "root", password_stdin=True, stdout=out)
    root = User.objects.get(username="root")
    assert policy.has_perm(root, "system.manage") and policy.two_factor_required(root)
    assert root.check_password("Long-enough-Passw0rd")
    monkeypatch.setattr("sys.stdin", io.StringIO("Long-enough-Passw0rd\n"))
    with pytest.raises(CommandError, match="already has users"):
        call_command("create_admin", "second", password_stdin=True)


def test_a_weak_first_password_is_refused_with_the_reason(db, monkeypatch):
    monkeypatch.setattr("sys.stdin", io.StringIO("short\n"))
    with pytest.raises(CommandError, match="too short"):
        call_command("create_admin", "root", password_stdin=True)
    assert not User.objects.exists()

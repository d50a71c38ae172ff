import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction

from haven.audit.actions import record_access, record_event, verify_all
from haven.audit.models import AccessLog, AppendOnlyError, AuditEvent, ChainHead


@pytest.fixture
def chain(world):
    for i in range(5):
        record_event(world["caseworker"], "test.event", details={"i": i})
    # The events of this test (the database also holds those of the shipped forms).
    return list(AuditEvent.objects.filter(action="test.event").order_by("seq"))


def raw_sql(sql, params=()):
    """Tamper directly in the database, as an attacker with table access would."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # A superuser can switch triggers off for a session: the hash chain still tells.
            cursor.execute("SET session_replication_role = replica")
        cursor.execute(sql, params)
        if connection.vendor == "postgresql":
            cursor.execute("SET session_replication_role = DEFAULT")


def test_events_are_chained(chain):
    seqs = [e.seq for e in chain]
    assert seqs == list(range(seqs[0], seqs[0] + 5))
    for previous, event in zip(chain, chain[1:], strict=False):
        assert event.prev_hash == previous.hash
    assert ChainHead.objects.get(name="audit_event").hash == chain[-1].hash
    assert verify_all() == []


def test_application_cannot_change_or_delete_events(chain):
    event = chain[0]
    event.action = "forged"
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        event.delete()
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.filter(pk=event.pk).update(action="forged")
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.all().delete()


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the trigger exists on PostgreSQL only"
)
def test_postgresql_trigger_refuses_update_and_delete(chain, world):
    record_access(world["caseworker"], "case.summary", world["caseworker"])
    statements = (
        "UPDATE audit_auditevent SET action = 'x'",
        "DELETE FROM audit_auditevent",
        "UPDATE audit_accesslog SET view = 'x'",
        "DELETE FROM audit_accesslog",
    )
    for sql in statements:
        with (
            pytest.raises(DatabaseError, match="append-only"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(sql)


def test_verify_names_an_altered_event(chain):
    target = chain[2]
    raw_sql("UPDATE audit_auditevent SET details = %s WHERE id = %s", ['{"i": 99}', target.pk])
    problems = verify_all()
    assert [(p.seq, "altered" in p.what) for p in problems] == [(target.seq, True)]


def test_verify_names_a_deleted_event(chain):
    target = chain[1]
    raw_sql("DELETE FROM audit_auditevent WHERE id = %s", [target.pk])
    problems = verify_all()
    assert problems and problems[0].seq == chain[2].seq
    assert f"events {target.seq} are missing" in problems[0].what


def test_verify_detects_deleted_tail(chain):
    raw_sql("DELETE FROM audit_auditevent WHERE id = %s", [chain[-1].pk])
    problems = verify_all()
    assert len(problems) == 1 and "chain ends" in problems[0].what


def test_verify_detects_an_inserted_event(chain):
    forged = chain[2]
    raw_sql(
        "INSERT INTO audit_auditevent (seq, created_at, actor_username, agency_id, object_type, "
        "object_id, ip, channel, prev_hash, hash, action, details) "
        "VALUES (%s, %s, '', NULL, '', '', '', 'web', %s, %s, 'forged', '{}')",
        [forged.seq + 1000, forged.created_at, forged.hash, "f" * 64],
    )
    problems = verify_all()
    assert any(p.seq == forged.seq + 1000 for p in problems)


def test_audit_verify_command_exits_nonzero_on_tampering(chain, capsys):
    call_command("audit", "verify")
    assert "intact" in capsys.readouterr().out
    raw_sql("UPDATE audit_auditevent SET action = 'x' WHERE id = %s", [chain[0].pk])
    with pytest.raises(CommandError, match="NOT intact"):
        call_command("audit", "verify")
    assert f"seq {chain[0].seq}" in capsys.readouterr().err


def test_access_log_is_a_separate_chain(world, register):
    case = register(world["caseworker"])
    first = record_access(world["supervisor"], "case.summary", case)
    second = record_access(world["supervisor"], "case.notes", case)
    assert second.prev_hash == first.hash and second.seq == first.seq + 1
    assert AccessLog.objects.filter(object_type="case", object_id=str(case.pk)).count() == 2
    assert verify_all() == []


def test_login_and_failed_login_are_audited(world, client):
    client.post("/login/", {"username": "alice", "password": "wrong"}, HTTP_HOST="localhost")
    failed = AuditEvent.objects.get(action="auth.login_failed")
    assert failed.details == {"username": "alice"}
    from tests.conftest import PASSWORD

    client.post("/login/", {"username": "alice", "password": PASSWORD}, HTTP_HOST="localhost")
    assert AuditEvent.objects.filter(action="auth.login", actor=world["caseworker"]).exists()


def test_viewing_a_case_leaves_an_access_log_entry(world, register, client):
    case = register(world["caseworker"])
    client.force_login(world["supervisor"])
    client.get(f"/cases/{case.pk}/?tab=person", HTTP_HOST="localhost")
    entry = AccessLog.objects.get(object_id=str(case.pk))
    assert entry.actor == world["supervisor"] and entry.view == "case.person"
    assert entry.channel == "web" and entry.ip == "127.0.0.1"

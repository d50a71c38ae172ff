import json

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


def _rewrite_chain_from(target, details, key):
    """What a holder of the database does to hide an edit: change a record, then recompute
    every link after it and the head, as `haven audit` would (with `key`, or plain SHA-256)."""
    from haven.audit.chain import compute_hash

    events = list(AuditEvent.objects.filter(seq__gte=target.seq).order_by("seq"))
    prev_hash = target.prev_hash
    for event in events:
        if event.pk == target.pk:
            event.details = details
        event.prev_hash = prev_hash
        event.hash = compute_hash("audit_event", event, prev_hash, key)
        prev_hash = event.hash
        raw_sql(
            "UPDATE audit_auditevent SET details = %s, prev_hash = %s, hash = %s WHERE id = %s",
            [json.dumps(event.details), event.prev_hash, event.hash, event.pk],
        )
    raw_sql("UPDATE audit_chainhead SET hash = %s WHERE name = 'audit_event'", [prev_hash])


def test_a_chain_recomputed_without_the_key_does_not_verify(chain):
    _rewrite_chain_from(chain[2], {"i": 99}, key=None)
    problems = verify_all()
    assert problems and problems[0].seq == chain[2].seq and "altered" in problems[0].what


def test_a_chain_recomputed_with_the_key_is_caught_by_the_anchor_outside(chain, settings):
    from haven.audit import anchors

    anchors.write()
    assert settings.HAVEN_AUDIT_ANCHOR_FILE.exists() and verify_all() == []
    # An attacker who holds the database and the key: every link and MAC is right again...
    _rewrite_chain_from(chain[2], {"i": 99}, key=settings.HAVEN_AUDIT_KEY)
    problems = verify_all()
    # ...but the head written outside the database names the rewritten record.
    assert [p.chain for p in problems] == ["audit_event"]
    assert "rewritten since anchor line 1" in problems[0].what


def test_moving_the_first_keyed_record_or_altering_an_anchor_is_caught(chain, settings):
    from haven.audit import anchors

    anchors.write()
    raw_sql("UPDATE audit_chainhead SET keyed_from = 100000 WHERE name = 'audit_event'")
    assert any("first keyed record moved" in p.what for p in verify_all())
    raw_sql("UPDATE audit_chainhead SET keyed_from = 1 WHERE name = 'audit_event'")
    path = settings.HAVEN_AUDIT_ANCHOR_FILE
    path.write_text(path.read_text().replace('"seq": ', '"seq": 1', 1))
    assert any("anchor line 1 was altered" in p.what for p in verify_all())


def test_records_written_before_the_key_keep_their_plain_links():
    from types import SimpleNamespace

    from haven.audit.chain import GENESIS, compute_hash, verify_records

    records, prev = [], GENESIS
    for seq in (1, 2, 3):
        record = SimpleNamespace(
            pk=seq,
            seq=seq,
            created_at=None,
            actor_id=None,
            actor_username="",
            agency_id=None,
            object_type="",
            object_id="",
            ip="",
            channel="web",
            action="x",
            details={},
        )
        record.prev_hash = prev
        record.hash = compute_hash("audit_event", record, prev, "key" if seq >= 3 else None)
        prev = record.hash
        records.append(record)
    assert verify_records("audit_event", records, 3, prev, "key", keyed_from=3) == []
    # Claiming every record was keyed (or none) breaks the check.
    assert verify_records("audit_event", records, 3, prev, "key", keyed_from=1)
    assert verify_records("audit_event", records, 3, prev, "key", keyed_from=4)


def test_the_anchor_command(chain, settings, capsys):
    call_command("audit", "anchor")
    assert "Anchored" in capsys.readouterr().out
    line = json.loads(settings.HAVEN_AUDIT_ANCHOR_FILE.read_text().splitlines()[0])
    assert line["chains"]["audit_event"]["seq"] == chain[-1].seq
    with pytest.raises(CommandError, match="at least 60"):
        call_command("audit", "anchor", every=5)

"""Writing audit events and access-log entries: the only way into the audit tables.

Actions run inside `audited()`: their events are collected and appended together at the end
of the action's transaction, so the chain lock is held only for the last moment before
commit. Outside an action (a login, a view of a page) an event is appended at once.
"""

import json
from contextlib import contextmanager
from contextvars import ContextVar
from functools import wraps

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, transaction
from django.utils import timezone

from haven.audit import chain, context
from haven.audit.models import AccessLog, AuditEvent, ChainHead

_MODELS = {"audit_event": AuditEvent, "access_log": AccessLog}
_pending: ContextVar[list | None] = ContextVar("haven_audit_pending", default=None)


@contextmanager
def batch():
    """One atomic unit whose audit events are appended together just before it commits."""
    if _pending.get() is not None:  # nested: the outermost batch writes
        yield
        return
    token = _pending.set([])
    try:
        with transaction.atomic():
            yield
            _append_all(_pending.get())
    finally:
        _pending.reset(token)


def audited(action):
    """Decorator for actions: atomic, with its audit events written in one batch."""

    @wraps(action)
    def wrapper(*args, **kwargs):
        with batch():
            return action(*args, **kwargs)

    return wrapper


def _record(chain_name: str, actor, obj, agency_id, **fields):
    return _MODELS[chain_name](
        actor=actor if actor is not None and actor.is_authenticated else None,
        actor_username=getattr(actor, "username", "") or "",
        agency_id=agency_id,
        object_type=obj._meta.model_name if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        ip=context.ip() or "",
        channel=context.channel(),
        device_id=context.device(),
        **fields,
    )


def _append_all(records) -> None:
    by_chain: dict[str, list] = {}
    for record in records:
        name = "audit_event" if isinstance(record, AuditEvent) else "access_log"
        by_chain.setdefault(name, []).append(record)
    for name, items in by_chain.items():
        _append(name, items)


def _append(chain_name: str, records: list) -> None:
    # Every write in Haven passes here, so it is plain SQL: lock the head, then insert the
    # records and move the head. The head's row lock lasts until commit.
    with transaction.atomic(savepoint=False):
        seq, prev_hash = _lock_head(chain_name)
        now, key = timezone.now(), settings.HAVEN_AUDIT_KEY
        for record in records:
            seq += 1
            record.seq, record.created_at, record.prev_hash = seq, now, prev_hash
            record.hash = chain.compute_hash(chain_name, record, prev_hash, key)
            prev_hash = record.hash
        _insert_and_move_head(_MODELS[chain_name], records, chain_name, seq, prev_hash)


def _lock_head(chain_name: str) -> tuple[int, str]:
    lock = " FOR UPDATE" if connection.features.has_select_for_update else ""
    sql = f"SELECT seq, hash FROM {ChainHead._meta.db_table} WHERE name = %s{lock}"  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(sql, [chain_name])
        row = cursor.fetchone()
    if row is None:
        ChainHead.objects.get_or_create(name=chain_name)
        return _lock_head(chain_name)
    return row[0], row[1]


def _insert_and_move_head(model, records: list, chain_name: str, seq: int, head: str) -> None:
    """One multi-row INSERT, each value prepared by its model field as the ORM would, and
    the head moved to the last record: one statement on PostgreSQL, two elsewhere."""
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    row = "(" + ", ".join(["%s"] * len(fields)) + ")"
    params = [
        f.get_db_prep_save(getattr(record, f.attname), connection)
        for record in records
        for f in fields
    ]
    insert = (
        f"INSERT INTO {model._meta.db_table} ({columns}) VALUES "  # noqa: S608
        + ", ".join([row] * len(records))
    )
    move = f"UPDATE {ChainHead._meta.db_table} SET seq = %s, hash = %s WHERE name = %s"  # noqa: S608
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # A data-modifying WITH: both happen in one round trip.
            cursor.execute(f"WITH moved AS ({move}) {insert}", [seq, head, chain_name, *params])
        else:
            cursor.execute(insert, params)
            cursor.execute(move, [seq, head, chain_name])


def _write(chain_name: str, record):
    pending = _pending.get()
    if pending is not None:
        pending.append(record)
    else:
        _append(chain_name, [record])
    return record


def record_event(actor, action: str, *, obj=None, agency_id=None, details=None) -> AuditEvent:
    """Record a change (or a login, an export…)."""
    if agency_id is None and obj is not None:
        agency_id = getattr(obj, "agency_id", None)
    # Round-trip through JSON now so the hash covers exactly what the database will return.
    details = json.loads(json.dumps(details or {}, cls=DjangoJSONEncoder))
    record = _record("audit_event", actor, obj, agency_id, action=action, details=details)
    return _write("audit_event", record)


def record_access(actor, view: str, obj, *, occurred_at=None) -> AccessLog:
    """Record that `actor` looked at personal data in `obj` (`occurred_at`: when, if it was
    on a device offline and is recorded only now)."""
    record = _record(
        "access_log",
        actor,
        obj,
        getattr(obj, "agency_id", None),
        view=view,
        occurred_at=occurred_at,
    )
    return _write("access_log", record)


def verify_all() -> list[chain.Problem]:
    """Both chains against their heads and the audit key, and against every anchor written
    outside the database."""
    from haven.audit import anchors

    problems = []
    heads = {head.name: head for head in ChainHead.objects.all()}
    for name, model in _MODELS.items():
        head = heads.get(name)
        head_seq, head_hash = (head.seq, head.hash) if head else (0, chain.GENESIS)
        keyed_from = head.keyed_from if head else 1
        records = model.objects.order_by("seq").iterator(chunk_size=5000)
        problems += chain.verify_records(
            name, records, head_seq, head_hash, settings.HAVEN_AUDIT_KEY, keyed_from
        )
    return problems + anchors.check(heads)

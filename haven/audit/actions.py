"""Writing audit events and access-log entries: the only way into the audit tables."""

import json

from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils import timezone

from haven.audit import chain, context
from haven.audit.models import AccessLog, AuditEvent, ChainHead

_MODELS = {"audit_event": AuditEvent, "access_log": AccessLog}


def _append(chain_name: str, actor, obj, agency_id, **fields):
    model = _MODELS[chain_name]
    with transaction.atomic():
        head, _ = ChainHead.objects.get_or_create(name=chain_name)
        # Serialise appends to one chain: the row lock is held until the transaction commits.
        head = ChainHead.objects.select_for_update().get(pk=head.pk)
        record = model(
            seq=head.seq + 1,
            created_at=timezone.now(),
            actor=actor if actor is not None and actor.is_authenticated else None,
            actor_username=getattr(actor, "username", "") or "",
            agency_id=agency_id,
            object_type=obj._meta.model_name if obj is not None else "",
            object_id=str(obj.pk) if obj is not None else "",
            ip=context.ip() or "",
            channel=context.channel(),
            prev_hash=head.hash,
            **fields,
        )
        record.hash = chain.compute_hash(chain_name, record, head.hash)
        record.save()
        ChainHead.objects.filter(pk=head.pk).update(seq=record.seq, hash=record.hash)
    return record


def record_event(actor, action: str, *, obj=None, agency_id=None, details=None) -> AuditEvent:
    """Record a change (or a login, an export…). Call it inside the action's transaction."""
    if agency_id is None and obj is not None:
        agency_id = getattr(obj, "agency_id", None)
    # Round-trip through JSON now so the hash covers exactly what the database will return.
    details = json.loads(json.dumps(details or {}, cls=DjangoJSONEncoder))
    return _append("audit_event", actor, obj, agency_id, action=action, details=details)


def record_access(actor, view: str, obj) -> AccessLog:
    """Record that `actor` looked at personal data in `obj`."""
    return _append("access_log", actor, obj, getattr(obj, "agency_id", None), view=view)


def verify_all() -> list[chain.Problem]:
    problems = []
    for name, model in _MODELS.items():
        head = ChainHead.objects.filter(name=name).first()
        head_seq, head_hash = (head.seq, head.hash) if head else (0, chain.GENESIS)
        records = model.objects.order_by("seq").iterator(chunk_size=5000)
        problems += chain.verify_records(name, records, head_seq, head_hash)
    return problems

"""The audit trail and the access log, as far as the reader's `audit.view` scope reaches."""

from django.db.models import Model, QuerySet

from haven.accounts import policy
from haven.audit.models import AccessLog, AuditEvent


def _scoped(model: type[Model], user) -> QuerySet:
    scope = policy.widest_scope(user, "audit.view")
    if scope is None:
        return model.objects.none()
    if scope == "all":
        return model.objects.all()
    return model.objects.filter(agency_id=user.agency_id)


def search_events(user, *, action: str = "", **criteria) -> QuerySet:
    events = _filter(_scoped(AuditEvent, user), **criteria)
    return events.filter(action__startswith=action) if action else events


def search_access(user, **criteria) -> QuerySet:
    return _filter(_scoped(AccessLog, user), **criteria)


def _filter(
    records: QuerySet,
    actor: str = "",
    object_type: str = "",
    object_id: str = "",
    date_from=None,
    date_to=None,
) -> QuerySet:
    if actor:
        records = records.filter(actor_username__iexact=actor)
    if object_type:
        records = records.filter(object_type=object_type)
    if object_id:
        records = records.filter(object_id=object_id)
    if date_from:
        records = records.filter(created_at__date__gte=date_from)
    if date_to:
        records = records.filter(created_at__date__lte=date_to)
    return records.order_by("-seq")

from django.db.models import Q

from haven.accounts import policy
from haven.audit.models import AccessLog, AuditEvent


def history_for(case, limit: int = 200):
    """A case's own events and its person's, newest first."""
    return list(
        AuditEvent.objects.filter(
            Q(object_type="case", object_id=str(case.pk))
            | Q(object_type="person", object_id=str(case.person_id))
        ).order_by("-seq")[:limit]
    )


def _scoped(model, user):
    scope = policy.widest_scope(user, "audit.view")
    if scope is None:
        return model.objects.none()
    if scope == "all":
        return model.objects.all()
    return model.objects.filter(agency_id=user.agency_id)


def search_events(user, *, action="", **criteria):
    events = _filter(_scoped(AuditEvent, user), **criteria)
    return events.filter(action__startswith=action) if action else events


def search_access(user, **criteria):
    return _filter(_scoped(AccessLog, user), **criteria)


def _filter(records, actor="", object_type="", object_id="", date_from=None, date_to=None):
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

from django.db.models import Q

from haven.audit.models import AuditEvent


def history_for(case, limit: int = 200):
    """A case's own events and its person's, newest first."""
    return list(
        AuditEvent.objects.filter(
            Q(object_type="case", object_id=str(case.pk))
            | Q(object_type="person", object_id=str(case.person_id))
        ).order_by("-seq")[:limit]
    )

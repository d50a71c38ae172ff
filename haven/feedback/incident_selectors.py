"""Reads of incidents, through the access policy (404 out of scope)."""

from django.http import Http404

from haven.accounts import policy
from haven.feedback.models import Incident


def visible(user):
    return (
        Incident.objects.filter(policy.incident_q(user))
        .select_related("location", "office")
        .prefetch_related("affected")
    )


def get_incident(user, pk) -> Incident:
    incident = visible(user).filter(pk=pk).first()
    if incident is None:
        raise Http404
    return incident

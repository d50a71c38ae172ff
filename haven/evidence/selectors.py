"""Reads of the register: every release and export of the agency for those who make
releases; their own exports and indicator files for the others."""

from django.db.models import Q
from django.http import Http404

from haven.accounts import policy
from haven.evidence.models import IDENTIFIED, Release, ReleaseKind


def visible_releases(user):
    if getattr(user, "agency_id", None) is None:
        return Release.objects.none()
    scope = Q(pk__in=[])
    if policy.has_perm(user, "release.create"):
        scope |= Q(agency_id=user.agency_id)
    if policy.has_perm(user, "case.export"):
        scope |= Q(agency_id=user.agency_id, created_by=user, kind__in=IDENTIFIED)
    if policy.has_perm(user, "report.view"):
        scope |= Q(agency_id=user.agency_id, created_by=user, kind=ReleaseKind.INDICATORS)
    return Release.objects.filter(scope).select_related("created_by")


def get_release(user, pk) -> Release:
    release = visible_releases(user).filter(pk=pk).first()
    if release is None:
        raise Http404("No such release")
    return release

"""Reads of the release register: the releases of the user's agency."""

from django.http import Http404

from haven.accounts import policy
from haven.evidence.models import Release


def visible_releases(user):
    if not policy.has_perm(user, "release.create") or user.agency_id is None:
        return Release.objects.none()
    return Release.objects.filter(agency_id=user.agency_id).select_related("created_by")


def get_release(user, pk) -> Release:
    release = visible_releases(user).filter(pk=pk).first()
    if release is None:
        raise Http404("No such release")
    return release

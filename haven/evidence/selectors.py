"""Reads of the register: every release and export of the agency for those who make
releases; their own exports and indicator files for the others."""

from django.http import Http404

from haven.accounts import policy
from haven.evidence.models import Release


def visible_releases(user):
    return Release.objects.filter(policy.release_q(user, Release)).select_related("created_by")


def get_release(user, pk) -> Release:
    release = visible_releases(user).filter(pk=pk).first()
    if release is None:
        raise Http404("No such release")
    return release

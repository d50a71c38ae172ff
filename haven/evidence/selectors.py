"""Reads of the register: every release and export of the agency for those who make
releases; their own exports and indicator files for the others."""

from pathlib import Path

from django.http import Http404
from django.utils import timezone

from haven.accounts import policy
from haven.evidence.builds import folder
from haven.evidence.models import Release, ReleaseStatus


def visible_releases(user):
    return Release.objects.filter(policy.release_q(user, Release)).select_related("created_by")


def get_release(user, pk) -> Release:
    release = visible_releases(user).filter(pk=pk).first()
    if release is None:
        raise Http404("No such release")
    return release


def available_file(release: Release) -> Path | None:
    """The release's file while it can be downloaded: made, not expired, still there."""
    path = folder() / release.file_name
    ready = release.status == ReleaseStatus.DONE and release.expires_at is not None
    if ready and release.expires_at >= timezone.now() and path.exists():
        return path
    return None

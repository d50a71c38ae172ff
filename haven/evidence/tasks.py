"""Background jobs of evidence: making a release; removing expired files."""

from celery import shared_task

from haven.evidence import builds


@shared_task
def make_release(release_id: int) -> int | None:
    release = builds.make_release(release_id)
    return release.rows if release is not None else None


@shared_task
def remove_expired_releases() -> int:
    return builds.remove_expired()

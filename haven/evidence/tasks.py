"""Background jobs of evidence: making a release; removing expired files."""

from celery import shared_task


@shared_task
def make_release(release_id: int) -> int | None:
    from haven.evidence import actions

    release = actions.make_release(release_id)
    return release.rows if release is not None else None


@shared_task
def remove_expired_releases() -> int:
    from haven.evidence import actions

    return actions.remove_expired()

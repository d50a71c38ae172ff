"""Background jobs of work offline."""

from celery import shared_task

from haven.field import device_files


@shared_task
def remove_unclaimed_device_files() -> int:
    """Daily (CELERY_BEAT_SCHEDULE): files sent by devices that no change claimed."""
    return device_files.remove_unclaimed()

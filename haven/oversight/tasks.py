"""Background jobs of oversight."""

from celery import shared_task

from haven.oversight import retention


@shared_task
def apply_retention_rules() -> int:
    """Daily (CELERY_BEAT_SCHEDULE): every approved retention rule applied."""
    return retention.apply_all()

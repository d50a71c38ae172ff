"""Background jobs of feedback and complaints."""

from celery import shared_task

from haven.feedback import actions, ratelimit


@shared_task
def escalate_overdue_feedback() -> int:
    """Hourly (CELERY_BEAT_SCHEDULE): escalate overdue submissions, forget old rate windows."""
    ratelimit.purge()
    return len(actions.escalate_overdue())

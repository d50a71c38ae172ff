"""Background jobs of assistance."""

from celery import shared_task

from haven.assistance import actions


@shared_task
def send_referral_reminders() -> int:
    """Hourly (CELERY_BEAT_SCHEDULE): remind about referrals due soon or overdue."""
    return len(actions.send_reminders())

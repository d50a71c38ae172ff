"""`haven remind [--every SECONDS]`: send the referral reminders owed now."""

from datetime import date

from django.core.management.base import CommandError

from haven.assistance import actions
from haven.core.periodic import PeriodicCommand


class Command(PeriodicCommand):
    help = (
        "Remind the people concerned about referrals due soon or overdue. Safe to repeat: a "
        "reminder owed today goes out once. With --every, keep doing it (for deployments "
        "without a broker; with one, the worker's scheduler does it)."
    )

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument(
            "--date", dest="on", help="act as if today were this day, YYYY-MM-DD (to catch up)"
        )

    def prepare(self, on=None, **options):
        today = self._day(on)
        return lambda: f"{len(actions.send_reminders(today))} reminder(s) sent."

    @staticmethod
    def _day(text):
        if text is None:
            return None
        try:
            return date.fromisoformat(text)
        except ValueError as exc:
            raise CommandError(f"--date {text!r} is not a date: write it as YYYY-MM-DD.") from exc

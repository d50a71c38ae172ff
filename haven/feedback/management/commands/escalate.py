"""`haven escalate [--every SECONDS] [--at WHEN]`: escalate overdue feedback and complaints."""

from datetime import datetime

from django.core.management.base import CommandError
from django.utils import timezone

from haven.core.periodic import PeriodicCommand
from haven.feedback import actions, ratelimit


class Command(PeriodicCommand):
    help = (
        "Raise overdue submissions to the escalation level they are due and tell the focal "
        "points and overseers. Safe to repeat: each level is reached once. With --every, keep "
        "doing it (for deployments without a broker; with one, the worker's scheduler does it)."
    )

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument(
            "--at", help="act as if it were this moment, YYYY-MM-DDTHH:MM (to catch up)"
        )

    def prepare(self, at=None, **options):
        when = self._moment(at)

        def run():
            ratelimit.purge(when)
            return f"{len(actions.escalate_overdue(when))} submission(s) escalated."

        return run

    @staticmethod
    def _moment(text):
        if text is None:
            return None
        try:
            moment = datetime.fromisoformat(text)
        except ValueError as exc:
            raise CommandError(
                f"--at {text!r} is not a moment: write it as YYYY-MM-DDTHH:MM."
            ) from exc
        return timezone.make_aware(moment) if timezone.is_naive(moment) else moment

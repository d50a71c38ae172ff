"""`haven escalate [--every SECONDS] [--at WHEN]`: escalate overdue feedback and complaints."""

import time
from datetime import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from haven.feedback import actions, ratelimit


class Command(BaseCommand):
    help = (
        "Raise overdue submissions to the escalation level they are due and tell the focal "
        "points and overseers. Safe to repeat: each level is reached once. With --every, keep "
        "doing it (for deployments without a broker; with one, the worker's scheduler does it)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--every", type=int, metavar="SECONDS", help="repeat after this many seconds"
        )
        parser.add_argument(
            "--at", help="act as if it were this moment, YYYY-MM-DDTHH:MM (to catch up)"
        )

    def handle(self, every=None, at=None, **options):
        when = self._moment(at)
        if every is not None and every < 60:
            raise CommandError("--every takes at least 60 seconds.")
        while True:
            ratelimit.purge(when)
            raised = actions.escalate_overdue(when)
            self.stdout.write(f"{len(raised)} submission(s) escalated.")
            if every is None:
                return
            time.sleep(every)

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

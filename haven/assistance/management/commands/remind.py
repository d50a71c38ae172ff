"""`haven remind [--every SECONDS]`: send the referral reminders owed now."""

import time
from datetime import date

from django.core.management.base import BaseCommand, CommandError

from haven.assistance import actions


class Command(BaseCommand):
    help = (
        "Remind the people concerned about referrals due soon or overdue. Safe to repeat: a "
        "reminder owed today goes out once. With --every, keep doing it (for deployments "
        "without a broker; with one, the worker's scheduler does it)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--every", type=int, metavar="SECONDS", help="repeat after this many seconds"
        )
        parser.add_argument(
            "--date", dest="on", help="act as if today were this day, YYYY-MM-DD (to catch up)"
        )

    def handle(self, every=None, on=None, **options):
        today = self._day(on)
        if every is not None and every < 60:
            raise CommandError("--every takes at least 60 seconds.")
        while True:
            sent = actions.send_reminders(today)
            self.stdout.write(f"{len(sent)} reminder(s) sent.")
            if every is None:
                return
            time.sleep(every)

    @staticmethod
    def _day(text):
        if text is None:
            return None
        try:
            return date.fromisoformat(text)
        except ValueError as exc:
            raise CommandError(f"--date {text!r} is not a date: write it as YYYY-MM-DD.") from exc

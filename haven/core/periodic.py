"""Management commands for periodic jobs: run once, or keep running with --every (for
deployments without a broker; with one, the worker's scheduler runs the job)."""

import time

from django.core.management.base import BaseCommand, CommandError


class PeriodicCommand(BaseCommand):
    def add_arguments(self, parser):
        parser.add_argument(
            "--every", type=int, metavar="SECONDS", help="repeat after this many seconds"
        )

    def handle(self, every=None, **options):
        if every is not None and every < 60:
            raise CommandError("--every takes at least 60 seconds.")
        run = self.prepare(**options)
        while True:
            self.stdout.write(run())
            if every is None:
                return
            time.sleep(every)

    def prepare(self, **options):
        """Check the options and return the job: a callable that runs once and says what
        it did (errors in the options are raised here, before anything runs)."""
        raise NotImplementedError

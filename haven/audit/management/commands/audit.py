"""`haven audit verify` checks the audit chains; `haven audit anchor [--every SECONDS]`
writes their heads outside the database."""

import time

from django.core.management.base import BaseCommand, CommandError

from haven.audit import anchors
from haven.audit.actions import verify_all
from haven.audit.models import AccessLog, AuditEvent


class Command(BaseCommand):
    help = (
        "Audit trail tools. `audit verify` checks both hash chains, their keyed MACs and the "
        "anchors written outside the database, and names any tampering; `audit anchor` "
        "appends the chains' heads to HAVEN_AUDIT_ANCHOR_FILE."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "what",
            choices=["verify", "anchor"],
            help="verify: check the chains; anchor: write their heads outside the database",
        )
        parser.add_argument(
            "--every", type=int, metavar="SECONDS", help="anchor: repeat after this many seconds"
        )

    def handle(self, what, every=None, **options):
        if what == "anchor":
            return self._anchor(every)
        if every is not None:
            raise CommandError("--every goes with `anchor`.")
        problems = verify_all()
        counted = (
            f"{AuditEvent.objects.count()} audit events, "
            f"{AccessLog.objects.count()} access-log entries"
        )
        if problems:
            for problem in problems:
                self.stderr.write(f"TAMPERED {problem}")
            raise CommandError(
                f"Audit chains are NOT intact ({len(problems)} problems; {counted})."
            )
        self.stdout.write(f"Audit chains intact: {counted}.")

    def _anchor(self, every):
        if every is not None and every < 60:
            raise CommandError("--every takes at least 60 seconds.")
        while True:
            written = anchors.write()
            heads = ", ".join(f"{n} #{c['seq']}" for n, c in written["chains"].items())
            self.stdout.write(f"Anchored {heads or 'empty chains'}.")
            if every is None:
                return
            time.sleep(every)

from django.core.management.base import BaseCommand, CommandError

from haven.audit.actions import verify_all
from haven.audit.models import AccessLog, AuditEvent


class Command(BaseCommand):
    help = "Audit trail tools. `audit verify` checks both hash chains and names any tampering."

    def add_arguments(self, parser):
        parser.add_argument("what", choices=["verify"], help="verify: check the hash chains")

    def handle(self, what, **options):
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

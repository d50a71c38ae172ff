import time

from django.core.management.base import BaseCommand, CommandError

from haven.site import bulk
from haven.site import demo as demo_data


class Command(BaseCommand):
    help = "Load demo data (--demo) or bulk synthetic cases for benchmarks (--cases N)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--demo", action="store_true", help="Demo agencies, users and ~300 cases"
        )
        parser.add_argument("--cases", type=int, default=0, help="Bulk-insert N synthetic cases")
        parser.add_argument("--batch", type=int, default=5000, help="Rows per insert batch")

    def handle(self, *args, **options):
        cases = options["cases"]
        if not options["demo"] and not cases:
            raise CommandError("Say what to seed: --demo, --cases N, or both.")
        if cases < 0 or options["batch"] < 1:
            raise CommandError("--cases and --batch must be positive numbers.")
        if options["demo"]:
            started = time.monotonic()
            users = demo_data.seed_demo()
            self.stdout.write(
                f"Demo data ready in {time.monotonic() - started:.1f} s: {len(users)} demo "
                f"accounts, password '{demo_data.DEMO_PASSWORD}'."
            )
        if cases:
            started = time.monotonic()
            made = bulk.seed_cases(cases, batch=options["batch"], progress=self.stdout.write)
            self.stdout.write(f"{made} cases inserted in {time.monotonic() - started:.1f} s.")

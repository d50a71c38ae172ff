"""Store every person's matching keys afresh: after a bulk load, or when the rules change."""

from django.core.management.base import BaseCommand

from haven.people.match_keys import rebuild_keys
from haven.people.models import Person, PersonMatchKey


class Command(BaseCommand):
    help = "Rebuild the duplicate-detection keys of every person."

    def add_arguments(self, parser):
        parser.add_argument("--batch", type=int, default=1000, help="persons per step")

    def handle(self, *args, **options):
        total = Person.objects.filter(merged_into__isnull=True).count()
        if not total:
            self.stdout.write("No persons to index.")
            return
        rebuild_keys(
            Person.objects.all(),
            PersonMatchKey,
            batch=max(1, options["batch"]),
            progress=lambda done: self.stdout.write(f"{done}/{total} persons indexed"),
        )

"""Store every person's matching keys afresh: after a bulk load, or when the rules change."""

from django.core.management.base import BaseCommand

from haven.people.match_keys import index_person
from haven.people.models import Person


class Command(BaseCommand):
    help = "Rebuild the duplicate-detection keys of every person."

    def add_arguments(self, parser):
        parser.add_argument("--batch", type=int, default=1000, help="persons per progress line")

    def handle(self, *args, **options):
        total = Person.objects.count()
        persons = Person.objects.order_by("pk").iterator(chunk_size=options["batch"])
        for done, person in enumerate(persons, start=1):
            index_person(person)
            if done % options["batch"] == 0 or done == total:
                self.stdout.write(f"{done}/{total} persons indexed")
        if not total:
            self.stdout.write("No persons to index.")

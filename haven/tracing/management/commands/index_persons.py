"""Store every person's matching keys afresh: after a bulk load, or when the rules change."""

from django.core.management.base import BaseCommand
from django.db import transaction

from haven.people.match_keys import keys_of_many, person_record
from haven.people.models import Person, PersonMatchKey


class Command(BaseCommand):
    help = "Rebuild the duplicate-detection keys of every person."

    def add_arguments(self, parser):
        parser.add_argument("--batch", type=int, default=1000, help="persons per step")

    def handle(self, *args, **options):
        batch = max(1, options["batch"])
        persons = Person.objects.filter(merged_into__isnull=True).order_by("pk")
        total = persons.count()
        if not total:
            self.stdout.write("No persons to index.")
            return
        done, last = 0, 0
        while True:
            chunk = list(persons.filter(pk__gt=last)[:batch])
            if not chunk:
                break
            keys = keys_of_many([person_record(person) for person in chunk])
            with transaction.atomic():  # each person's keys replaced at once
                PersonMatchKey.objects.filter(person__in=chunk).delete()
                PersonMatchKey.objects.bulk_create(
                    PersonMatchKey(person=person, key=key)
                    for person, person_keys in zip(chunk, keys, strict=True)
                    for key in person_keys
                )
            done, last = done + len(chunk), chunk[-1].pk
            self.stdout.write(f"{done}/{total} persons indexed")

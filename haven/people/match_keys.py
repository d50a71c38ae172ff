"""Persons as the linkage engine sees them, and their stored blocking keys: written when a
person is registered or changed, read by tracing to find the few persons worth comparing."""

from django.db import transaction

from haven.linkage.keys import stable_keys
from haven.linkage.model import Dataset
from haven.linkage.people import COLUMNS, person_settings
from haven.people.models import BirthDatePrecision, Person, PersonMatchKey

SETTINGS = person_settings()


def person_record(person) -> dict:
    """The engine's columns for a Person (or a dict of person fields being registered)."""

    def get(name, default=None):
        if isinstance(person, dict):
            return person.get(name, default)
        return getattr(person, name, default)

    born = get("birth_date")
    precision = get("birth_date_precision") or BirthDatePrecision.EXACT
    if born is None:
        birth = ""
    elif precision == BirthDatePrecision.YEAR:
        birth = str(born.year)
    elif precision == BirthDatePrecision.ESTIMATED:
        birth = f"~{born.year}"
    else:
        birth = born.isoformat()
    nationalities = get("nationalities") or []
    location = get("current_location_id") or getattr(get("current_location"), "pk", "")
    given, family = get("given_name") or "", get("family_name") or ""
    if not given and not family:
        # Only the name as written in its own script: its first word is taken as the given
        # name and the rest as the family name, the usual order of Arabic and most names.
        given, _space, family = (get("original_script_name") or "").strip().partition(" ")
    return {
        "given_name": given,
        "family_name": family,
        "sex": "" if get("sex") in (None, "unknown") else get("sex"),
        "birth_date": birth,
        "nationality": nationalities[0] if nationalities else "",
        "place": str(location or ""),
        "relatives": "",
    }


def dataset(records: list[dict]) -> Dataset:
    return Dataset({k: [r[k] for r in records] for k in COLUMNS}, SETTINGS.comparisons)


def keys_of(record: dict) -> list[str]:
    return keys_of_many([record])[0]


def keys_of_person(person: Person) -> list[str]:
    return keys_of(person_record(person))


def keys_of_many(records: list[dict]) -> list[list[str]]:
    """The keys of many records at once (one prepared dataset: for rebuilding them all)."""
    if not records:
        return []
    data = dataset(records)
    return [sorted(set(stable_keys(data, SETTINGS.blocking, row))) for row in range(data.n)]


def rebuild_keys(persons, key_model, batch: int = 2000, progress=None) -> int:
    """Every key of `persons` (a queryset, merged persons left out) made afresh, a batch
    at a time, each batch's old keys replaced at once; `key_model` is PersonMatchKey (or
    a migration's historical one). Returns how many persons were indexed."""
    persons = persons.filter(merged_into__isnull=True).order_by("pk")
    done, last = 0, 0
    while chunk := list(persons.filter(pk__gt=last)[:batch]):
        keys = keys_of_many([person_record(person) for person in chunk])
        with transaction.atomic():
            key_model.objects.filter(person__in=chunk).delete()
            key_model.objects.bulk_create(
                key_model(person_id=person.pk, key=key)
                for person, person_keys in zip(chunk, keys, strict=True)
                for key in person_keys
            )
        done, last = done + len(chunk), chunk[-1].pk
        if progress:
            progress(done)
    return done


def store_keys(person: Person, keys: list[str]) -> None:
    """The keys of a person just saved (the PostgreSQL registration writes them itself)."""
    PersonMatchKey.objects.bulk_create([PersonMatchKey(person=person, key=k) for k in keys])


def index_person(person: Person) -> None:
    """Store the person's keys afresh (after a change of their details, or a rebuild)."""
    PersonMatchKey.objects.filter(person=person).delete()
    store_keys(person, keys_of_person(person))

"""Persons as the linkage engine sees them, and their stored blocking keys: written when a
person is registered or changed, read by tracing to find the few persons worth comparing."""

from collections import defaultdict

from django.db import transaction

from haven.core import crypto
from haven.linkage.identifier_comparison import identifier_keys
from haven.linkage.keys import stable_keys
from haven.linkage.model import Dataset
from haven.linkage.people import COLUMNS, person_settings
from haven.people.models import (
    BirthDatePrecision,
    Contact,
    IdentityDocument,
    Person,
    PersonMatchKey,
    Relationship,
)

SETTINGS = person_settings()
LINKED = ("relatives", "documents", "contacts")


def _digest(text: str) -> str:
    return crypto.blind_index(f"linkage:{text}")


def document_keys(number: str) -> str:
    """A document number as the engine compares it: keyed digests of the number and of its
    one-character-off variants (`identifier_keys`), never the number."""
    return identifier_keys(number, _digest)


def contact_key(kind: str, value: str) -> str:
    """A contact as the engine compares it, written the way people write it differently: a
    phone's last nine digits (with or without the country code), an email or an address
    folded; keyed digests, as for documents."""
    if kind in (Contact.Kind.PHONE, Contact.Kind.MESSAGING):
        digits = "".join(ch for ch in value if ch.isdigit())
        if len(digits) >= 7:
            return identifier_keys(digits[-9:], _digest)
    return identifier_keys(f"{kind} {value}", _digest)


def linked_values(person_ids, models=None) -> dict[int, dict[str, str]]:
    """Each person's relatives' names, document keys and contact keys, as the engine's
    columns (values separated by ';'), in three queries. `models` are (Relationship,
    IdentityDocument, Contact), or a migration's historical ones."""
    relationship, document, contact = models or (Relationship, IdentityDocument, Contact)
    ids = list(person_ids)
    found: dict[int, dict[str, list[str]]] = defaultdict(lambda: {k: [] for k in LINKED})
    rows = relationship.objects.filter(person_id__in=ids).values_list(
        "person_id",
        "relative__given_name",
        "relative__family_name",
        "relative__original_script_name",
    )
    for person_id, given, family, original in rows:
        name = " ".join(part for part in (given, family) if part) or original
        if name:
            found[person_id]["relatives"].append(name)
    for row in document.objects.filter(person_id__in=ids).only("person_id", "number"):
        if keys := document_keys(row.number or ""):
            found[row.person_id]["documents"].append(keys)
    for row in contact.objects.filter(person_id__in=ids).only("person_id", "kind", "value"):
        if key := contact_key(row.kind, row.value or ""):
            found[row.person_id]["contacts"].append(key)
    return {pk: {k: ";".join(v) for k, v in values.items()} for pk, values in found.items()}


def person_record(person, linked: dict | None = None) -> dict:
    """The engine's columns for a Person (or a dict of person fields being registered).

    `linked` holds the person's relatives, documents and contacts (`linked_values`); for a
    saved Person without it they are read, for a dict they are its own keys."""

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
        **_linked_of(person, linked),
    }


def _linked_of(person, linked: dict | None) -> dict[str, str]:
    if linked is None and isinstance(person, dict):
        linked = {k: person.get(k) or "" for k in LINKED}
    elif linked is None:
        linked = linked_values([person.pk]).get(person.pk, {}) if person.pk else {}
    return {k: linked.get(k, "") for k in LINKED}


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


def rebuild_keys(persons, key_model, batch: int = 2000, progress=None, linked_models=None) -> int:
    """Every key of `persons` (a queryset, merged persons left out) made afresh, a batch
    at a time, each batch's old keys replaced at once; `key_model` is PersonMatchKey and
    `linked_models` those of `linked_values` (or a migration's historical ones). Returns
    how many persons were indexed."""
    persons = persons.filter(merged_into__isnull=True).order_by("pk")
    done, last = 0, 0
    while chunk := list(persons.filter(pk__gt=last)[:batch]):
        linked = linked_values([person.pk for person in chunk], linked_models)
        keys = keys_of_many([person_record(person, linked.get(person.pk, {})) for person in chunk])
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


def rebuild_in_migration(apps) -> int:
    """Every person's keys afresh, from a migration (its historical models throughout)."""
    key_model = apps.get_model("people", "PersonMatchKey")
    key_model.objects.all().delete()
    linked = tuple(
        apps.get_model("people", name) for name in ("Relationship", "IdentityDocument", "Contact")
    )
    persons = apps.get_model("people", "Person").objects.all()
    return rebuild_keys(persons, key_model, linked_models=linked)


def store_keys(person: Person, keys: list[str]) -> None:
    """The keys of a person just saved (the PostgreSQL registration writes them itself)."""
    PersonMatchKey.objects.bulk_create([PersonMatchKey(person=person, key=k) for k in keys])


def index_person(person: Person) -> None:
    """Store the person's keys afresh (after a change of their details, or a rebuild)."""
    PersonMatchKey.objects.filter(person=person).delete()
    store_keys(person, keys_of_person(person))

"""A registration written in one statement on PostgreSQL.

Registering is the hottest write in Haven (field intake, offline devices syncing), and on
two cores every statement costs both the server and the database. So the person, their
consent decisions, their matching keys, the agency's case counter and the case go in one
data-modifying WITH instead of five round trips. The rows are the ORM's (core.inserts
prepares every value as save() would, encryption included); the counter is taken last in
the statement, as the ORM path takes it last, and its row lock is held until commit either
way.
"""

from django.db import connection

from haven.cases.models import Case, CaseCounter
from haven.core.inserts import column_list, insert_columns, placeholders, prepared_values
from haven.people.models import Consent, Person, PersonMatchKey

# Numbers run HA-2026-000001 …; past 999,999 they simply grow (as Python's {:06d} does).
_NUMBER_SQL = (
    "%s || CASE WHEN n.last > 999999 THEN n.last::text ELSE lpad(n.last::text, 6, '0') END"
)


def insert(
    person: Person, consents: list[Consent], case: Case, agency, year: int, keys: list[str]
) -> None:
    """Insert them all, with the person's matching keys; set the new ids, the case number
    and its generated columns."""
    quote = connection.ops.quote_name
    person_fields = insert_columns(Person)
    consent_fields = insert_columns(Consent, skip={"person_id"})
    case_fields = insert_columns(Case, skip={"person_id", "number"})
    returned = [f for f in Case._meta.local_concrete_fields if f.generated]
    parts = [
        f"p AS (INSERT INTO {quote(Person._meta.db_table)} ({column_list(person_fields)}) "  # noqa: S608
        f"VALUES ({placeholders(len(person_fields))}) RETURNING id)"
    ]
    params = prepared_values(person, person_fields)
    for index, consent in enumerate(consents):
        parts.append(
            f"c{index} AS (INSERT INTO {quote(Consent._meta.db_table)} "  # noqa: S608
            f"({column_list(consent_fields, 'person_id')}) "
            f"SELECT p.id, {placeholders(len(consent_fields))} FROM p RETURNING id)"
        )
        params += prepared_values(consent, consent_fields)
    if keys:
        parts.append(
            f"m AS (INSERT INTO {quote(PersonMatchKey._meta.db_table)} (person_id, key) "  # noqa: S608
            "SELECT p.id, key FROM p, unnest(%s::varchar[]) AS key)"
        )
        params.append(keys)
    counter = quote(CaseCounter._meta.db_table)
    parts.append(
        f"n AS (INSERT INTO {counter} (agency_id, year, last) VALUES (%s, %s, 1) "  # noqa: S608
        f"ON CONFLICT (agency_id, year) DO UPDATE SET last = {counter}.last + 1 "
        "RETURNING last)"
    )
    params += [agency.pk, year]
    generated = "".join(f", {quote(f.column)}" for f in returned)
    parts.append(
        f"k AS (INSERT INTO {quote(Case._meta.db_table)} "  # noqa: S608
        f"({column_list(case_fields, 'person_id', 'number')}) "
        f"SELECT p.id, {_NUMBER_SQL}, {placeholders(len(case_fields))} FROM p, n "
        f"RETURNING id, number{generated})"
    )
    params += [f"{agency.code.upper()}-{year}-", *prepared_values(case, case_fields)]
    consent_ids = "".join(f", (SELECT id FROM c{i})" for i in range(len(consents)))  # noqa: S608
    selected = f"SELECT p.id, k.id, k.number{generated}{consent_ids} FROM p, k"  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute("WITH " + ", ".join(parts) + " " + selected, params)
        row = list(cursor.fetchone())
    person.pk, case.pk, case.number = row[:3]
    case.person = person  # its person_id was read when the person had no id yet
    # The generated columns (next_due) as save() refreshes them, then the consents' ids.
    for offset, field in enumerate(returned):
        setattr(case, field.attname, row[3 + offset])
    for consent, consent_id in zip(consents, row[3 + len(returned) :], strict=True):
        consent.pk, consent.person = consent_id, person
    for obj in (person, case, *consents):
        obj._state.adding = False
        obj._state.db = connection.alias

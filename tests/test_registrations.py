"""A registration in one statement (PostgreSQL) writes what the ORM path writes."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from haven.cases.models import Case, CaseCounter
from haven.people.models import Consent, Person

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the one-statement registration is PostgreSQL's"
)

PERSON_FIELDS = [
    "given_name",
    "family_name",
    "original_script_name",
    "sex",
    "birth_date",
    "nationalities",
    "languages",
    "search_name",
    "agency_id",
    "registered_by_id",
]
CASE_FIELDS = [
    "agency_id",
    "programme",
    "vulnerabilities",
    "risk_level",
    "owner_id",
    "office_id",
    "status",
    "summary",
    "registered_on",
    "assessment_due",
    "plan_due",
    "follow_up_due",
    "next_due",
]


def _rows(case):
    case = Case.objects.get(pk=case.pk)
    person = Person.objects.get(pk=case.person_id)
    consents = sorted(
        Consent.objects.filter(person=person).values_list("purpose", "legal_basis", "given")
    )
    return (
        {f: getattr(person, f) for f in PERSON_FIELDS},
        {f: getattr(case, f) for f in CASE_FIELDS},
        consents,
    )


def test_the_same_rows_as_the_orm_path(world, register, monkeypatch):
    extra = [{"purpose": "referral", "legal_basis": "consent", "given": True}]
    case_data = {"summary": "Needs shelter", "sensitive": False}
    fast = register(world["caseworker"], case=case_data, other_consents=extra)
    monkeypatch.setattr(connection, "vendor", "orm path")
    slow = register(world["caseworker"], case=case_data, other_consents=extra)
    monkeypatch.undo()
    assert _rows(fast) == _rows(slow)
    assert Case.objects.get(pk=fast.pk).summary == "Needs shelter"  # encrypted, read back
    # The objects returned are as save() leaves them.
    assert fast.person_id == fast.person.pk and fast.next_due == fast.assessment_due
    assert [fast.number[-6:], slow.number[-6:]] == ["000001", "000002"]


def test_one_statement_for_person_consent_counter_and_case(world, register):
    register(world["caseworker"])
    with CaptureQueriesContext(connection) as queries:
        register(world["caseworker"])
    writes = [q["sql"] for q in queries.captured_queries if "INSERT" in q["sql"]]
    # The registration, and the audit events with their chain head.
    assert len(writes) == 2 and writes[0].startswith("WITH p AS (INSERT INTO")


def test_the_counter_is_made_for_a_new_year_and_numbers_grow_past_six_digits(world, register):
    first = register(world["caseworker"])
    year = first.registered_on.year
    assert CaseCounter.objects.get(agency=world["a"], year=year).last == 1
    CaseCounter.objects.filter(agency=world["a"], year=year).update(last=999_999)
    assert register(world["caseworker"]).number == f"AA-{year}-1000000"


def test_a_refused_registration_writes_nothing(world, register):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        register(world["caseworker"], person={"nationalities": ["XX"]})
    assert not Person.objects.exists() and not CaseCounter.objects.exists()

"""Duplicate detection at registration, through the linkage engine and stored keys."""

from datetime import date

import pytest

from haven.audit.models import AccessLog
from haven.people.actions import update_person
from haven.people.models import PersonMatchKey
from haven.tracing import matching
from haven.tracing.selectors import likely_duplicates

ARABIC = {
    "given_name": "محمد",
    "family_name": "الحسن",
    "original_script_name": "",
    "sex": "male",
    "birth_date": date(1990, 3, 14),
    "nationalities": ["SY"],
}
LATIN = {**ARABIC, "given_name": "Mohamed", "family_name": "El Hassan"}


def test_registration_stores_hashed_keys(world, register):
    case = register(world["caseworker"])
    keys = list(PersonMatchKey.objects.filter(person=case.person).values_list("key", flat=True))
    assert len(keys) >= 5 and all(len(k) == 24 for k in keys)
    assert not any("amal" in k or "haddad" in k for k in keys)


def test_finds_a_person_registered_in_another_script(world, register):
    existing = register(world["caseworker"], person=ARABIC).person
    check = likely_duplicates(world["caseworker"], LATIN)
    assert [m.person for m in check.visible] == [existing]
    match = check.visible[0]
    assert match.probability > 0.9 and match.percent > 90
    levels = {f["field"]: f["level"] for f in match.explanation["fields"]}
    assert levels["given_name"] == "same consonants (spelling or script)"
    assert levels["birth_date"] == "exact"
    assert AccessLog.objects.filter(view="person.duplicate_check", object_id=str(existing.pk))


def test_swapped_names_and_a_year_only_still_match(world, register):
    existing = register(world["caseworker"]).person
    check = likely_duplicates(
        world["caseworker"],
        {
            "given_name": "HADDAD",
            "family_name": "amal",
            "sex": "female",
            "birth_date": date(1994, 1, 1),
            "birth_date_precision": "year",
            "nationalities": ["SY"],
        },
    )
    assert [m.person for m in check.visible] == [existing]


def test_a_different_person_is_not_flagged(world, register):
    register(world["caseworker"])
    check = likely_duplicates(
        world["caseworker"],
        {
            "given_name": "Selam",
            "family_name": "Tekle",
            "sex": "female",
            "birth_date": date(2001, 7, 9),
            "nationalities": ["ER"],
        },
    )
    assert not check


def test_a_person_out_of_scope_is_named_only_by_office(world, register):
    register(world["other_agency"], person=ARABIC)
    check = likely_duplicates(world["caseworker"], LATIN)
    assert check.visible == []
    assert len(check.elsewhere) == 1 and world["b"].name in check.elsewhere[0]
    assert not AccessLog.objects.filter(view="person.duplicate_check").exists()


def test_changing_a_persons_details_refreshes_their_keys(world, register):
    person = register(world["caseworker"]).person
    before = set(PersonMatchKey.objects.filter(person=person).values_list("key", flat=True))
    update_person(world["caseworker"], person, {"family_name": "Khatib"}, person.version)
    after = set(PersonMatchKey.objects.filter(person=person).values_list("key", flat=True))
    assert before != after
    found = likely_duplicates(
        world["caseworker"],
        {
            **LATIN,
            "given_name": "Amal",
            "family_name": "Khatib",
            "sex": "female",
            "birth_date": date(1994, 5, 2),
        },
    )
    assert [m.person for m in found.visible] == [person]


def test_a_person_is_not_their_own_duplicate(world, register):
    person = register(world["caseworker"], person=ARABIC).person
    assert likely_duplicates(world["caseworker"], ARABIC)
    assert not likely_duplicates(world["caseworker"], ARABIC, exclude={person.pk})
    assert matching.person_record(person)["birth_date"] == "1990-03-14"


@pytest.mark.parametrize(
    "data",
    [
        {"given_name": "", "family_name": ""},
        {"given_name": "x"},
        {"given_name": "A" * 5000, "family_name": "B" * 5000},
        {"given_name": "Amal أمل", "family_name": "Haddad", "birth_date": None},
    ],
)
def test_odd_input_gives_an_answer_not_an_error(world, register, data):
    register(world["caseworker"])
    check = likely_duplicates(world["caseworker"], data)
    assert isinstance(check.visible, list)


def test_index_persons_command_rebuilds_keys(world, register):
    from django.core.management import call_command

    person = register(world["caseworker"]).person
    PersonMatchKey.objects.all().delete()
    call_command("index_persons")
    assert PersonMatchKey.objects.filter(person=person).exists()


API_QUERY = {
    "given_name": "Mohamed",
    "family_name": "El Hassan",
    "sex": "male",
    "birth_date": "1990-03-14",
    "nationalities": ["sy"],
}


def test_api_lists_likely_duplicates_with_reasons(world, register, api):
    existing = register(world["caseworker"], person=ARABIC).person
    response = api("caseworker").post("/api/v1/duplicate-check/", API_QUERY, format="json")
    assert response.status_code == 200, response.content
    body = response.json()
    assert [m["person"] for m in body["matches"]] == [existing.pk]
    assert body["matches"][0]["probability"] > 0.9
    reasons = {r["field"]: r["level"] for r in body["matches"][0]["reasons"]}
    assert reasons["given_name"] == "same consonants (spelling or script)"
    assert body["elsewhere"] == []


def test_api_names_only_the_office_for_a_person_out_of_scope(world, register, api):
    register(world["other_agency"], person=ARABIC)
    body = api("caseworker").post("/api/v1/duplicate-check/", API_QUERY, format="json").json()
    assert body["matches"] == [] and world["b"].name in body["elsewhere"][0]
    assert "Hassan" not in str(body) and "الحسن" not in str(body)


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"given_name": " ", "family_name": ""}, "given_name", "at least a given or a family"),
        ({"given_name": "A" * 201}, "given_name", "no more than 200 characters"),
        ({"given_name": "Amal", "birth_date": "1990-02-31"}, "birth_date", "Date has wrong"),
        ({"given_name": "Amal", "nationalities": ["SY"] * 11}, "nationalities", "no more than 10"),
    ],
)
def test_api_bad_input_says_what_to_fix(world, api, data, field, message):
    response = api("caseworker").post("/api/v1/duplicate-check/", data, format="json")
    assert response.status_code == 400
    assert message in str(response.json()[field])

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
    assert levels["given_name"] == "the same name in another spelling, script or short form"
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
    assert reasons["given_name"] == "the same name in another spelling, script or short form"
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


def test_the_upgrade_rebuilds_every_key_signed_rule_by_rule(world, register):
    """Keys stored before each rule signed its own (or before a rule was added) are made
    afresh by the migrations, for persons and for the persons tracing requests seek."""
    import importlib

    from django.apps import apps

    from haven.people.match_keys import keys_of_person
    from haven.tracing import actions as tracing_actions
    from haven.tracing.models import TracingRequestKey

    people_step = importlib.import_module(
        "haven.people.migrations.0007_match_keys_rebuilt_per_rule"
    )
    tracing_step = importlib.import_module(
        "haven.tracing.migrations.0007_request_keys_rebuilt_per_rule"
    )
    tracing = [{"purpose": "tracing", "legal_basis": "consent", "given": True}]
    first = register(world["caseworker"], person=ARABIC, other_consents=tracing)
    second = register(world["caseworker"], person=LATIN).person
    request = tracing_actions.open_request(
        world["caseworker"],
        first,
        {
            "relationship": "sibling",
            "given_name": "Omar",
            "family_name": "El Hassan",
            "sex": "male",
            "birth_date": date(1993, 1, 1),
            "birth_date_precision": "year",
            "nationality": "SY",
            "separation_cause": "journey",
        },
    )
    expected_request = set(
        TracingRequestKey.objects.filter(request=request).values_list("key", flat=True)
    )
    for model in (PersonMatchKey, TracingRequestKey):  # keys as an older version signed them
        for stale in model.objects.all():
            stale.key = f"{stale.pk:024x}"
            stale.save()

    people_step.rebuild(apps, None)
    tracing_step.rebuild(apps, None)

    for person in (first.person, second):
        stored = set(PersonMatchKey.objects.filter(person=person).values_list("key", flat=True))
        assert stored == set(keys_of_person(person)) and stored
    rebuilt = set(TracingRequestKey.objects.filter(request=request).values_list("key", flat=True))
    assert rebuilt == expected_request and rebuilt


def test_a_rule_added_leaves_the_other_rules_keys_as_they_were():
    from haven.linkage.keys import stable_keys
    from haven.people.match_keys import SETTINGS, dataset, person_record

    data = dataset([person_record(ARABIC)])
    before = stable_keys(data, SETTINGS.blocking, 0)
    after = stable_keys(data, [("sex.value", "nationality.value"), *SETTINGS.blocking], 0)
    assert set(before) < set(after) and len(after) == len(before) + 1


@pytest.mark.parametrize(("namesakes", "used"), [(10, True), (60, False)])
def test_a_name_alone_finds_candidates_only_while_it_is_rare(world, namesakes, used):
    """A full name without a date is looked up by the name alone only while few persons
    share it (the rule's cap, 50): beyond that it would compare arbitrary namesakes."""
    from haven.linkage.keys import stable_keys
    from haven.linkage.people import NAMES_ALONE
    from haven.people.match_keys import dataset, index_person, person_record
    from haven.people.models import Person

    for n in range(namesakes):
        person = Person.objects.create(
            agency=world["a"],
            registered_by=world["caseworker"],
            given_name="Mohamed",
            family_name="El Hassan",
            sex="male",
            birth_date=date(1950 + n, 1, 2),
        )
        index_person(person)
    probe = dataset([person_record({**LATIN, "birth_date": None})])
    [name_key] = stable_keys(probe, [NAMES_ALONE], 0)
    assert (name_key in matching.usable_keys(probe)) is used
    found = matching.find(person_record({**LATIN, "birth_date": None}), threshold=0.0)
    assert bool(found) is used


def test_a_common_name_part_meets_the_nearest_born_of_its_nationality(world, monkeypatch):
    """A key shared by more persons than its cap (a common given name) is not read whole:
    the lookup meets those of the record's nationality born nearest before and after it,
    as the deduplication job's sorted window does."""
    from haven.people.match_keys import SETTINGS, index_person, person_record
    from haven.people.models import Person

    def registered(family: str, born: date, nationality: str = "SY") -> Person:
        person = Person.objects.create(
            agency=world["a"],
            registered_by=world["caseworker"],
            given_name="Mohamed",
            family_name=family,
            sex="male",
            birth_date=born,
            nationalities=[nationality],
        )
        index_person(person)
        return person

    for n in range(40):
        registered(f"Family{chr(65 + n % 26)}{n}", date(1950 + n % 30, 3, 4))
    first = registered("Qasimi", date(1935, 6, 1))
    elsewhere = registered("Rahimi", date(1936, 2, 2), nationality="AF")
    again = person_record(
        {
            "given_name": "Mohamed",
            "sex": "male",
            "birth_date": date(1936, 1, 1),
            "birth_date_precision": "year",
            "nationalities": ["SY"],
        }
    )
    crowded = matching.probe_keys(matching.dataset([again])).crowded
    assert len(crowded) == 1  # "Mohamed", shared by 42
    met = matching.window_neighbours(again, crowded, set())
    assert first.pk in met and elsewhere.pk not in met and len(met) == 3
    assert first in [m.person for m in matching.find(again, threshold=0.0)]
    assert matching.window_neighbours(again, crowded, {first.pk}) == met[:2]
    assert matching.window_neighbours({**again, "birth_date": ""}, crowded, set()) == []
    monkeypatch.setattr(SETTINGS, "windows", {})
    assert first not in [m.person for m in matching.find(again, threshold=0.0)]

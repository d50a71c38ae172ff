"""Everything held about a person, for their data-protection requests: every kind of record
that belongs to a person is gathered (or said why not), and only by who may answer for them."""

from datetime import UTC, date, datetime

import pytest
from django.apps import apps
from django.test import Client

from haven.assessments import actions as assessment_actions
from haven.assistance.models import ServiceType
from haven.audit.actions import record_access
from haven.audit.models import AccessLog
from haven.cases import actions as case_actions
from haven.cases.models import Case
from haven.evidence.models import Release, ReleaseKind, ReleaseStatus
from haven.oversight import subject_records
from haven.people import actions as people_actions
from haven.people.models import Person
from haven.tracing import actions as tracing_actions
from tests.conftest import consented_referral, sign_in
from tests.feedback_records import feedback
from tests.test_tracing import CHILD, SOUGHT, TRACING

pytestmark = pytest.mark.django_db


def _reaches_a_person() -> set[str]:
    """Every model pointing at a person or a case, directly or through records that do."""
    reached = {"people.Person", "cases.Case"}
    grew = True
    while grew:
        grew = False
        for model in apps.get_models():
            label = model._meta.label
            if label in reached:
                continue
            targets = {
                f.related_model._meta.label
                for f in model._meta.get_fields()
                if f.is_relation and f.concrete and f.related_model is not None
            }
            if targets & reached:
                reached.add(label)
                grew = True
    return reached


def test_every_kind_of_record_about_a_person_is_gathered_or_said_why_not():
    gathered = {source.label for source in subject_records.SOURCES}
    not_gathered = set(subject_records.NOT_GATHERED)
    missing = _reaches_a_person() - gathered - not_gathered
    assert not missing, f"records about a person left out of subject access: {sorted(missing)}"
    assert not gathered & not_gathered
    # Nothing listed that no longer exists or no longer points at a person.
    assert (gathered | not_gathered) <= _reaches_a_person()


def test_each_source_reaches_its_person_by_real_lookups():
    for source in subject_records.SOURCES:
        model = source.model
        for path in source.paths:
            if path:
                model._default_manager.filter(**{f"{path}__in": [0]}).exists()


@pytest.fixture
def held(world, register):
    """A person with a little of everything: contacts, a document, consents, a note, an
    assessment, a referral, a tracing request, a relative, and a second record merged in."""
    worker = world["caseworker"]
    case = register(worker, person=CHILD, other_consents=TRACING)
    person = case.person
    people_actions.add_contact(worker, person, kind="phone", value="+227 90 12 34 56")
    people_actions.add_document(worker, person, kind="passport", number="N0-778812")
    case_actions.add_note(worker, case, "Sleeps at the bus station since May.")
    assessment_actions.install_shipped_forms()
    form = assessment_actions.AssessmentDefinition.objects.get(
        form_id="haven_vulnerability_screening"
    )
    assessment = assessment_actions.start(worker, case, form)
    assessment_actions.save(worker, assessment, {"age_group": "0_14"}, 1, submit=False)
    consented_referral(worker, case, ServiceType.objects.get(code="shelter"), to_agency=world["b"])
    tracing_actions.open_request(worker, case, SOUGHT)
    sister = register(worker, person={**CHILD, "given_name": "Lina"}).person
    people_actions.add_relationship(worker, person, sister, kind="sibling")
    return case


def _section(gathered, label):
    (section,) = [s for s in gathered.sections if s.source.label == label]
    return section.records


def _values(records) -> str:
    return " | ".join(field.value for record in records for field in record.fields)


def test_gathering_finds_every_record_with_its_values_decrypted(world, held):
    person = held.person
    record_access(world["supervisor"], "case.export", held)  # an identified export named them
    gathered = subject_records.gather(person)
    assert _section(gathered, "people.Person")[0].pk == person.pk
    assert "+227 90 12 34 56" in _values(_section(gathered, "people.Contact"))
    assert "N0-778812" in _values(_section(gathered, "people.IdentityDocument"))
    assert "Sleeps at the bus station" in _values(_section(gathered, "cases.Note"))
    assert "0_14" in _values(_section(gathered, "assessments.Assessment"))
    assert "Needs a safe place tonight" in _values(_section(gathered, "assistance.Referral"))
    assert "Agadez bus station" in _values(_section(gathered, "tracing.TracingRequest"))
    assert len(_section(gathered, "people.Consent")) == 3  # registration, tracing, referral
    assert len(_section(gathered, "people.Relationship")) == 2  # recorded both ways
    # Internal digests mean nothing to the person: not shown.
    names = {field.name for s in gathered.sections for r in s.records for field in r.fields}
    assert not {"number_index", "search_name", "version"} & names
    # Who changed it and who saw it.
    changes = {activity.what for activity in gathered.changes}
    assert {"case.create", "note.create", "referral.create", "tracing.open"} <= changes
    assert [e.who for e in gathered.identified_exports] == ["carol"]
    assert all(view.what != "case.export" for view in gathered.views)


def test_a_record_merged_into_theirs_is_gathered_with_it(world, register, held):
    worker = world["supervisor"]
    duplicate = register(world["caseworker"], person={**CHILD, "given_name": "Samy"})
    people_actions.add_contact(world["caseworker"], duplicate.person, kind="email", value="s@x.org")
    from haven.tracing.merge_actions import merge_persons

    survivor, merged = Person.objects.get(pk=held.person_id), duplicate.person
    merge_persons(worker, survivor, merged, take=[], versions=(survivor.version, merged.version))
    gathered = subject_records.gather(survivor)
    assert {r.pk for r in _section(gathered, "cases.Case")} == {held.pk, duplicate.pk}
    assert "s@x.org" in _values(_section(gathered, "people.Contact"))
    assert len(_section(gathered, "tracing.PersonMerge")) == 1


def test_de_identified_releases_since_their_first_case_are_counted_not_named(world, held):
    for kind, status in (
        (ReleaseKind.DEIDENTIFIED, ReleaseStatus.DONE),
        (ReleaseKind.CTDC, ReleaseStatus.DONE),
        (ReleaseKind.DEIDENTIFIED, ReleaseStatus.FAILED),
        (ReleaseKind.INDICATORS, ReleaseStatus.DONE),
    ):
        Release.objects.create(
            agency=world["a"], created_by=world["analyst"], kind=kind, status=status, seed=1
        )
    Release.objects.create(
        agency=world["b"],
        created_by=world["other_admin"],
        kind="deidentified",
        status="done",
        seed=1,
    )
    assert subject_records.gather(held.person).deidentified_releases == 2


def test_only_who_may_answer_for_the_person_finds_them(world, held, register):
    sensitive = register(world["caseworker2"], person={"given_name": "Rania"})
    Case.objects.filter(pk=sensitive.pk).update(sensitive=True)
    dpo, protection = world["dpo"], world["protection"]
    assert list(subject_records.subjects(dpo, "Sami")) == [held.person]
    # A request covers sensitive cases too.
    assert subject_records.subject_for(dpo, sensitive.person_id) == sensitive.person
    assert subject_records.subject_for(protection, held.person_id) == held.person
    assert subject_records.subject_for(world["other_admin"], held.person_id) is None
    assert not subject_records.subjects(world["caseworker"], "Sami").exists()
    # By case number and by document number too.
    assert list(subject_records.subjects(dpo, held.number)) == [held.person]


def test_the_pages_find_show_and_log_each_opening(world, held):
    client = Client()
    sign_in(client, world["dpo"])
    empty = client.get("/subjects/")
    assert empty.status_code == 200 and "Sami" not in empty.content.decode()
    found = client.get("/subjects/", {"q": "Hassan"})
    assert f"/subjects/{held.person_id}/" in found.content.decode()
    page = client.get(f"/subjects/{held.person_id}/")
    text = page.content.decode()
    assert page.status_code == 200
    assert "<bdi>+227 90 12 34 56</bdi>" in text and "N0-778812" in text
    assert "Keyed digests" in text  # what is held but not shown, and why
    opened = AccessLog.objects.get(view="subject.gather")
    assert (opened.actor, opened.object_id) == (world["dpo"], str(held.person_id))
    assert client.get("/subjects/999999/").status_code == 404


def test_a_person_out_of_scope_does_not_exist_for_the_officer(world, register):
    theirs = register(world["other_agency"], person={"given_name": "Omar"})
    client = Client()
    sign_in(client, world["dpo"])
    assert client.get(f"/subjects/{theirs.person_id}/").status_code == 404
    searched = client.get("/subjects/", {"q": "Omar"}).content.decode()
    assert "No person you may answer for matches" in searched
    assert f"/subjects/{theirs.person_id}/" not in searched
    assert not AccessLog.objects.filter(view="subject.gather").exists()


def test_values_are_shown_as_stored_choices_by_their_label():
    person = Person(birth_date=date(2013, 6, 1), sex="female", stateless=True, languages=["ar"])
    person.created_at = datetime(2026, 12, 7, 18, 20, 13, 536338, tzinfo=UTC)
    shown = {
        name: subject_records._shown(person, Person._meta.get_field(name))
        for name in (
            "birth_date",
            "sex",
            "stateless",
            "languages",
            "current_location",
            "wg_seeing",
            "created_at",
        )
    }
    assert shown == {
        "birth_date": "2013-06-01",
        "sex": "Female",
        "stateless": "yes",
        "languages": '["ar"]',
        "current_location": "",
        "wg_seeing": "",  # not asked: not "None"
        "created_at": "2026-12-07 18:20 UTC",
    }


def test_feedback_left_with_one_of_their_phones_is_theirs_however_written(world, held):
    def left(contact, agency, digest):
        return feedback(agency, channel="web", contact=contact, tracking_digest=digest)

    theirs = left("00227 90-12-34-56", world["a"], "d1")
    left("+227 90 99 99 99", world["a"], "d2")  # someone else's phone
    left("+227 90 12 34 56", world["b"], "d3")  # another agency's records
    left_by_them = _section(subject_records.gather(held.person), "feedback.Submission")
    assert [record.pk for record in left_by_them] == [theirs.pk]

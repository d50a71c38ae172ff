"""Erasure: a person's name, documents, contacts and free text gone from every column of the
database (encrypted ones read, the audit trail and access log included), statistics and
the audit chain unchanged; refused, with every reason, under a legal hold, an open case or
an open referral."""

from dataclasses import asdict
from datetime import date, timedelta

import pytest
from django.apps import apps
from django.db import models
from hypothesis import given
from hypothesis import strategies as st

from haven.assessments import actions as assessment_actions
from haven.assessments.models import Assessment
from haven.assistance.models import Referral, ServiceType
from haven.audit.actions import verify_all
from haven.audit.models import AuditEvent
from haven.cases import actions as case_actions
from haven.cases.models import Case
from haven.core.errors import HavenError
from haven.core.table_exports import tables_of
from haven.evidence import indicators
from haven.oversight import actions, erasure
from haven.oversight.models import Erasure, LegalHold
from haven.people import actions as people_actions
from haven.people.models import Person, PersonMatchKey, age_on
from haven.tracing import actions as tracing_actions
from tests.conftest import consented_referral
from tests.feedback_records import feedback
from tests.test_tracing import SOUGHT, TRACING

pytestmark = pytest.mark.django_db
NAME, FAMILY, DOCUMENT, PHONE = "Zainab", "Qureshi-Tal", "P9X771234", "+227 96 55 44 33"
NEEDLES = (NAME, FAMILY, DOCUMENT, PHONE, "96 55 44 33")


@pytest.fixture
def person(world, register):
    worker = world["caseworker"]
    case = register(
        worker,
        person={"given_name": NAME, "family_name": FAMILY, "birth_date": date(1990, 8, 17)},
        other_consents=TRACING,
    )
    person = case.person
    people_actions.add_contact(worker, person, kind="phone", value=PHONE)
    people_actions.add_document(worker, person, kind="passport", number=DOCUMENT)
    case_actions.add_note(worker, case, f"{NAME} {FAMILY} called from {PHONE}.")
    Case.objects.filter(pk=case.pk).update(summary=f"{NAME} lives near the market")
    assessment_actions.install_shipped_forms()
    screening = assessment_actions.AssessmentDefinition.objects.get(
        form_id="haven_vulnerability_screening"
    )
    assessment = assessment_actions.start(worker, case, screening)
    answers = {"age_group": "18_59", "observations": f"{NAME} sleeps at the station"}
    assessment_actions.save(worker, assessment, answers, 1, submit=False)
    referral = consented_referral(
        worker, case, ServiceType.objects.get(code="shelter"), to_agency=world["b"]
    )
    tracing_actions.open_request(worker, case, {**SOUGHT, "circumstances": f"{NAME} lost him"})
    feedback(
        world["a"],
        text=f"I am {NAME} {FAMILY}",
        contact_name=f"{NAME} {FAMILY}",
        contact=PHONE,
        case=case,
    )
    return person, case, referral


def _closed(case, referral):
    Case.objects.filter(pk=case.pk).update(status="closed", closed_on=date.today())
    Referral.objects.filter(pk=referral.pk).update(status="completed")


def _found_anywhere(needles) -> list[str]:
    """Every text or JSON value in the database (encrypted ones decrypted on reading) that
    holds one of the needles, as 'model.field'."""
    found = []
    for model in apps.get_models():
        fields = [
            f.name
            for f in model._meta.concrete_fields
            if isinstance(f, models.CharField | models.TextField | models.JSONField)
        ]
        for row in model._base_manager.values_list(*fields) if fields else []:
            for name, value in zip(fields, row, strict=True):
                text = str(value).casefold()
                if any(needle.casefold() in text for needle in needles):
                    found.append(f"{model._meta.label}.{name}")
    return sorted(set(found))


def _indicators(user) -> list:
    options, _period, _problems = indicators.parse({})
    return [asdict(table) for table in tables_of(indicators.indicators(user, options))]


def test_erasure_leaves_no_name_document_or_phone_anywhere_and_changes_no_statistic(world, person):
    person, case, referral = person
    _closed(case, referral)
    assert len(_found_anywhere(NEEDLES)) >= 8  # the search does find them while they are held
    before = _indicators(world["supervisor"])
    assert verify_all() == []
    done = actions.erase_person(world["dpo"], person, "The person asked for erasure")
    assert _found_anywhere(NEEDLES) == []
    assert _indicators(world["supervisor"]) == before
    assert verify_all() == []
    kept = Person.objects.get(pk=person.pk)
    assert (kept.sex, kept.nationalities) == (person.sex, person.nationalities)
    assert kept.given_name == "—"
    registered = case.registered_on
    assert age_on(kept.birth_date, registered) == age_on(person.birth_date, registered)
    assert kept.birth_date != person.birth_date
    assert not PersonMatchKey.objects.filter(person=person).exists()
    assert Case.objects.get(pk=case.pk).number == case.number
    assert Assessment.objects.get(case=case).answers == {}  # still a mapping, now empty
    assert done.counts["people.Contact deleted"] == 1 and done.counts["cases.Note deleted"] == 1
    event = AuditEvent.objects.get(action="person.erase")
    assert set(event.details) == {"counts"} and Erasure.objects.get().erased_by == world["dpo"]


def test_erasure_is_refused_with_every_reason_while_something_must_be_kept(world, person):
    person, case, referral = person
    hold = actions.place_hold(world["dpo"], person, kind="proceedings", reason="Trial in March")
    with pytest.raises(HavenError) as refused:
        actions.erase_person(world["dpo"], person, "Asked")
    text = str(refused.value)
    assert "legal hold stands" in text and "Trial in March" in text
    assert f"Case {case.number} is open" in text and "still Pending" in text
    assert len(_found_anywhere(NEEDLES)) >= 8  # nothing touched
    _closed(case, referral)
    with pytest.raises(HavenError, match="legal hold stands"):
        actions.erase_person(world["dpo"], person, "Asked")
    actions.lift_hold(world["dpo"], hold, "The trial ended")
    actions.erase_person(world["dpo"], person, "Asked")
    assert _found_anywhere(NEEDLES) == []
    assert {"person.hold", "person.hold_lifted", "person.erase"} <= set(
        AuditEvent.objects.values_list("action", flat=True)
    )


def test_a_hold_needs_its_reason_and_an_officer_in_scope(world, person):
    person, _case, _referral = person
    with pytest.raises(Exception, match="Say why"):
        actions.place_hold(world["dpo"], person, kind="investigation", reason=" ")
    with pytest.raises(Exception, match="may not answer"):
        actions.place_hold(world["other_admin"], person, kind="investigation", reason="x")


@given(
    born=st.dates(date(1930, 1, 1), date(2020, 12, 31)),
    gaps=st.lists(st.integers(0, 4000), min_size=1, max_size=4),
)
def test_the_coarsened_birth_date_keeps_every_age_at_registration(born, gaps):
    registered = [born + timedelta(days=gap) for gap in gaps]
    coarse = erasure.coarsened_birth_date(born, registered)
    assert all(age_on(coarse, on) == age_on(born, on) for on in registered)
    assert erasure.coarsened_birth_date(None, registered) is None


def test_the_pages_place_and_lift_a_hold_and_erase_after_confirmation(world, person):
    from django.test import Client

    from tests.conftest import sign_in

    person, case, referral = person
    client = Client()
    sign_in(client, world["dpo"])
    page = client.get(f"/subjects/{person.pk}/").content.decode()
    assert f"Case {case.number} is open: close it first." in page  # said before anyone tries
    _closed(case, referral)
    client.post(
        f"/subjects/{person.pk}/holds/", {"hold-kind": "investigation", "hold-reason": "Police"}
    )
    hold = LegalHold.objects.get()
    refused = client.post(
        f"/subjects/{person.pk}/erase/",
        {"erase-reason": "Asked", "erase-confirm": "on"},
        follow=True,
    )
    assert "legal hold stands" in refused.content.decode()
    client.post(f"/subjects/holds/{hold.pk}/lift/", {"lift_reason": "Closed"})
    unconfirmed = client.post(
        f"/subjects/{person.pk}/erase/", {"erase-reason": "Asked"}, follow=True
    )
    assert "tick the box" in unconfirmed.content.decode()
    assert _found_anywhere(NEEDLES)
    done = client.post(
        f"/subjects/{person.pk}/erase/",
        {"erase-reason": "Asked", "erase-confirm": "on"},
        follow=True,
    )
    assert "Erased:" in done.content.decode() and _found_anywhere(NEEDLES) == []


def test_a_record_merged_into_theirs_is_erased_with_it(world, register, person):
    from haven.tracing.merge_actions import merge_persons

    person, case, referral = person
    _closed(case, referral)
    duplicate = register(
        world["caseworker"],
        person={"given_name": "Zaynab", "family_name": FAMILY, "birth_date": date(1990, 8, 18)},
    )
    Case.objects.filter(pk=duplicate.pk).update(status="closed")
    survivor, merged = Person.objects.get(pk=person.pk), duplicate.person
    merge_persons(
        world["supervisor"], survivor, merged, take=[], versions=(survivor.version, merged.version)
    )
    actions.erase_person(world["dpo"], survivor, "Asked")
    assert _found_anywhere((*NEEDLES, "Zaynab")) == []
    assert Person.objects.get(pk=merged.pk).birth_date != date(1990, 8, 18)

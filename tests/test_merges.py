"""Duplicates in the product: the field-by-field merge of two records (cases and history
kept, audited, reversible) and the deduplication job with its review queue."""

import json
from datetime import date

import numpy as np
import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from haven.audit.models import AuditEvent
from haven.core.errors import InvalidTransition, NotAllowed
from haven.linkage.people import COLUMNS, default_model
from haven.people import actions as people_actions
from haven.people.models import Person, PersonMatchKey
from haven.people.selectors import visible_persons
from haven.tracing import dedupe_actions, dedupe_job, matching, merge_actions, selectors
from haven.tracing.models import (
    DedupeJob,
    DuplicatePair,
    LinkageModel,
    PairStatus,
    PersonPopulation,
)

SECOND = {
    "given_name": "Amel",
    "family_name": "Hadad",
    "original_script_name": "",
    "birth_date": date(1994, 5, 2),
    "languages": ["fr"],
    "care_status": "",
}


@pytest.fixture
def twins(world, register):
    """One woman registered twice by the same office (a supervisor may edit both)."""
    first = register(world["caseworker"])
    second = register(world["caseworker2"], person=SECOND)
    people_actions.add_contact(world["caseworker2"], second.person, kind="phone", value="+227 1")
    return first, second


def merge(user, survivor, merged, take=()):
    return merge_actions.merge_persons(
        user, survivor, merged, take=list(take), versions=(survivor.version, merged.version)
    )


def test_a_merge_keeps_every_case_and_takes_the_chosen_fields(world, twins):
    first, second = twins
    keep, fold = first.person, second.person
    record = merge(world["supervisor"], keep, fold, take=["languages", "family_name"])
    keep.refresh_from_db()
    fold.refresh_from_db()
    assert keep.languages == ["fra"] and keep.family_name == "Hadad" and keep.given_name == "Amal"
    assert sorted(keep.cases.values_list("pk", flat=True)) == [first.pk, second.pk]
    assert keep.contacts.count() == 1
    assert fold.merged_into == keep
    assert not visible_persons(world["supervisor"]).filter(pk=fold.pk).exists()
    assert not PersonMatchKey.objects.filter(person=fold).exists()
    event = AuditEvent.objects.get(action="person.merge")
    assert event.details["moved"]["cases"] == 1
    assert event.details["taken_fields"] == ["family_name", "languages"]
    assert AuditEvent.objects.filter(action="case.person_merge", object_id=str(second.pk)).exists()
    # The survivor's old values are kept encrypted, to undo the merge.
    with connection.cursor() as cursor:
        cursor.execute("SELECT survivor_before FROM tracing_personmerge")
        stored = cursor.fetchone()[0]
    assert "Haddad" not in stored and "Haddad" in record.survivor_before
    assert record.moved["contacts"]


def test_undo_puts_everything_back_but_keeps_later_edits(world, twins, committed):
    first, second = twins
    keep, fold = first.person, second.person
    record = merge(world["supervisor"], keep, fold, take=["languages", "given_name"])
    keep.refresh_from_db()
    people_actions.update_person(world["supervisor"], keep, {"given_name": "Amala"}, keep.version)
    committed(merge_actions.undo_merge, world["supervisor"], record)
    keep.refresh_from_db()
    fold.refresh_from_db()
    assert fold.merged_into is None
    assert list(fold.cases.values_list("pk", flat=True)) == [second.pk]
    assert fold.contacts.count() == 1 and keep.contacts.count() == 0
    assert keep.languages == ["ara"]  # restored
    assert keep.given_name == "Amala"  # changed after the merge: kept
    event = AuditEvent.objects.get(action="person.unmerge", object_id=str(keep.pk))
    assert event.details["kept_later_edits"] == ["given_name"]
    assert PersonMatchKey.objects.filter(person=fold).exists()
    with pytest.raises(InvalidTransition):
        merge_actions.undo_merge(world["supervisor"], record)


def test_a_merge_needs_the_permission_and_both_records_in_scope(world, twins, register):
    first, second = twins
    with pytest.raises(NotAllowed):
        merge(world["caseworker"], first.person, second.person)  # no person.merge
    elsewhere = register(world["other_agency"])
    with pytest.raises(NotAllowed):
        merge(world["supervisor"], first.person, elsewhere.person)
    with pytest.raises(ValidationError):
        merge(world["supervisor"], first.person, first.person)
    with pytest.raises(ValidationError):
        merge(world["supervisor"], first.person, second.person, take=["registered_by"])
    assert not AuditEvent.objects.filter(action="person.merge").exists()


def test_a_merge_refuses_a_stale_record(world, twins):
    from haven.core.errors import StaleEdit

    first, second = twins
    with pytest.raises(StaleEdit):
        merge_actions.merge_persons(
            world["supervisor"], first.person, second.person, take=[], versions=(1, 9)
        )
    assert Person.objects.get(pk=second.person_id).merged_into is None


def test_family_links_follow_without_linking_a_person_to_themself(world, twins, register):
    first, second = twins
    child = register(world["caseworker2"], person={"given_name": "Lina", "birth_date": None})
    people_actions.add_relationship(
        world["caseworker2"], second.person, child.person, kind="parent"
    )
    people_actions.add_relationship(
        world["supervisor"], second.person, first.person, kind="sibling"
    )
    merge(world["supervisor"], first.person, second.person)
    kinds = {(r.person_id, r.relative_id) for r in first.person.relationships.all()}
    assert (first.person_id, child.person_id) in kinds
    assert (first.person_id, first.person_id) not in kinds


# ---- the deduplication job and its queue --------------------------------------------


def test_the_job_finds_the_pair_and_the_queue_shows_it_to_those_who_see_both(
    world, twins, register, committed
):
    register(world["caseworker"], person={"given_name": "Yusuf", "family_name": "Bello"})
    job = committed(dedupe_actions.start_job, world["agency_admin"])
    job.refresh_from_db()
    assert (job.status, job.progress, job.persons) == ("done", 100, 3)
    [pair] = DuplicatePair.objects.all()
    first, second = twins
    assert {pair.first_id, pair.second_id} == {first.person_id, second.person_id}
    assert pair.probability >= matching.THRESHOLD and pair.explanation["fields"]
    # The explanation's score is the one the probability came from (prior included).
    score = pair.explanation["score"]
    assert abs(1 / (1 + 2**-score) - pair.probability) < 0.01
    # Term frequencies included, the prior and the fields' bits add up to that score.
    parts = pair.explanation["prior_bits"] + sum(f["bits"] for f in pair.explanation["fields"])
    assert abs(parts - score) < 0.1
    assert list(selectors.review_queue(world["supervisor"])) == [pair]
    assert list(selectors.review_queue(world["caseworker"])) == []  # no person.merge
    assert list(selectors.review_queue(world["other_supervisor"])) == []
    assert AuditEvent.objects.filter(action="dedupe.finish").count() == 1
    # Run again: the pair is not repeated.
    committed(dedupe_actions.start_job, world["agency_admin"])
    assert DuplicatePair.objects.count() == 1


def test_after_the_job_a_lookup_counts_a_common_name_for_less(world, register, committed):
    """The job counts how common each name and date is among the persons it read; lookups
    (the registration check, tracing) score with those counts from then on. The profile
    keys values by keyed digests: it holds no name."""
    given = ["Ousmane", "Awa", "Fatou", "Ibrahima", "Moussa", "Aminata", "Cheikh", "Khady"]
    people = [("Mohamed", family) for family in ["Bello", "Sow", "Diallo", "Kane", "Fall"]]
    people += [
        (name, family)
        for name, family in zip(
            given, ["Toure", "Ba", "Sy", "Cisse", "Gaye", "Seck", "Mbaye", "Niang"], strict=True
        )
    ]
    for i, (name, family) in enumerate(people):
        person = {"given_name": name, "family_name": family, "original_script_name": ""}
        register(world["caseworker"], person={**person, "birth_date": date(1970 + i, 3, 4)})
    probe = {column: "" for column in COLUMNS}
    probe.update(given_name="Mohamed", family_name="Bello", sex="female", birth_date="1970-03-04")

    def given_name_bits() -> float:
        [match] = [
            m for m in matching.find(probe, threshold=0.0) if m.person.family_name == "Bello"
        ]
        return next(f["bits"] for f in match.explanation["fields"] if f["field"] == "given_name")

    before = given_name_bits()
    committed(dedupe_actions.start_job, world["agency_admin"])
    population = PersonPopulation.objects.get()
    assert population.persons == len(people)
    assert "mohamed" not in json.dumps(population.profile).lower()
    assert given_name_bits() < before - 0.5
    # Lookups score with the model as the job adapted it to these persons: its m as
    # shipped, its u measured on them.
    shipped, adapted = default_model(), matching.current_model()
    assert all((a == b).all() for a, b in zip(adapted.m, shipped.m, strict=True))
    assert any(not np.allclose(a, b) for a, b in zip(adapted.u, shipped.u, strict=True))
    # Once caseworkers' decisions recalibrate the model, that one is used, with the counts.
    LinkageModel.objects.create(parameters=shipped.to_dict(), confirmed=1, rejected=0)
    matching.forget_model()
    recalibrated = matching.current_model()
    assert all(np.allclose(a, b) for a, b in zip(recalibrated.u, shipped.u, strict=True))
    assert given_name_bits() < before - 0.5
    # A profile made under another key (before a key rotation) is not used.
    population.key_check = "another key"
    population.save()
    matching.forget_model()
    assert given_name_bits() == pytest.approx(before)


def test_only_admins_start_the_job_and_one_at_a_time(world):
    with pytest.raises(NotAllowed):
        dedupe_actions.start_job(world["supervisor"])
    dedupe_actions.start_job(world["agency_admin"])  # queued: its job runs after commit
    with pytest.raises(InvalidTransition, match="already running"):
        dedupe_actions.start_job(world["system_admin"])


def test_a_failed_job_says_why(world, twins, monkeypatch, committed):
    def broken(*args, **kwargs):
        raise MemoryError("out of memory")

    monkeypatch.setattr(dedupe_job, "find_duplicates", broken)
    committed(dedupe_actions.start_job, world["agency_admin"])
    job = DedupeJob.objects.get()
    assert job.status == "failed" and "out of memory" in job.error
    assert AuditEvent.objects.filter(action="dedupe.fail").exists()


def test_dismissed_pairs_stay_dismissed_and_teach_the_model(world, twins, committed):
    committed(dedupe_actions.start_job, world["agency_admin"])
    pair = DuplicatePair.objects.get()
    committed(dedupe_actions.dismiss_pair, world["supervisor"], pair)
    assert LinkageModel.objects.get().rejected == 1
    committed(dedupe_actions.start_job, world["agency_admin"])
    assert DuplicatePair.objects.get().status == PairStatus.DISMISSED
    assert list(selectors.review_queue(world["supervisor"])) == []


def test_merging_a_queued_pair_settles_it_and_teaches_the_model(world, twins, committed):
    committed(dedupe_actions.start_job, world["agency_admin"])
    first, second = twins
    committed(merge, world["supervisor"], first.person, second.person)
    assert DuplicatePair.objects.get().status == PairStatus.MERGED
    assert LinkageModel.objects.get().confirmed == 1


# ---- the pages and the API ----------------------------------------------------------


def test_the_merge_page_shows_differences_and_merges_field_by_field(world, twins, client):
    from tests.conftest import sign_in

    first, second = twins
    a, b = first.person, second.person
    sign_in(client, world["supervisor"])
    page = client.get(f"/persons/merge/?a={a.pk}&b={b.pk}").content.decode()
    assert "Amal" in page and "Amel" in page and first.number in page and second.number in page
    assert 'name="take_sex"' not in page  # the same in both: nothing to choose
    form = {
        "a": a.pk,
        "b": b.pk,
        "version_a": a.version,
        "version_b": b.version,
        "survivor": "b",
        "take_given_name": "a",
        "take_family_name": "b",
        "take_original_script_name": "a",
        "take_languages": "b",
    }
    refused = client.post("/persons/merge/", form)  # not confirmed
    assert refused.status_code == 200 and not Person.objects.filter(merged_into__isnull=False)
    response = client.post("/persons/merge/", {**form, "confirm": "on"})
    a.refresh_from_db()
    b.refresh_from_db()
    assert a.merged_into == b
    assert (b.given_name, b.family_name, b.original_script_name) == ("Amal", "Hadad", "أمل حداد")
    assert response.status_code == 302
    detail = client.get(response["Location"]).content.decode()
    assert "Undo the merge" in detail
    undo = client.post(response["Location"] + "undo/")
    assert undo.status_code == 302
    a.refresh_from_db()
    assert a.merged_into is None


def test_a_merge_starts_from_the_case_with_the_other_case_number(world, twins, client):
    from tests.conftest import sign_in

    first, second = twins
    sign_in(client, world["supervisor"])
    tab = client.get(f"/cases/{first.pk}/?tab=person").content.decode()
    assert "Compare and merge" in tab
    going = client.post(f"/cases/{first.pk}/merge/", {"other_case": second.number})
    assert going["Location"] == f"/persons/merge/?a={first.person_id}&b={second.person_id}"
    wrong = client.post(f"/cases/{first.pk}/merge/", {"other_case": "nope"}, follow=True)
    assert "Give the number of another case" in wrong.content.decode()


def test_the_dedupe_page_starts_a_job_and_shows_its_progress(world, twins, client, committed):
    from tests.conftest import sign_in

    sign_in(client, world["agency_admin"])
    assert "No deduplication has run yet" in client.get("/manage/deduplication/").content.decode()
    committed(client.post, "/manage/deduplication/")
    page = client.get("/manage/deduplication/").content.decode()
    assert 'value="100"' in page and "Done" in page
    assert "Amal" not in page  # counts only
    sign_in(client, world["supervisor"])
    queue = client.get("/persons/duplicates/").content.decode()
    assert "Amal Haddad" in queue and "Amel Hadad" in queue
    from haven.audit.models import AccessLog

    assert AccessLog.objects.filter(view="person.duplicate_review").count() == 2
    pair = DuplicatePair.objects.get()
    client.post(f"/persons/duplicates/{pair.pk}/dismiss/")
    assert "Nothing to review" in client.get("/persons/duplicates/").content.decode()


def test_the_api_runs_the_job_lists_the_queue_merges_and_undoes(world, twins, api, committed):
    first, second = twins
    job = committed(api("agency_admin").post, "/api/v1/dedupe-jobs/")
    assert job.status_code == 201
    got = api("agency_admin").get(f"/api/v1/dedupe-jobs/{job.json()['id']}/").json()
    assert got["status"] == "done" and got["pairs"] == 1
    supervisor = api("supervisor")
    [pair] = supervisor.get("/api/v1/duplicate-pairs/").json()["results"]
    assert {pair["first"], pair["second"]} == {first.person_id, second.person_id}
    body = {
        "survivor": first.person_id,
        "merged": second.person_id,
        "take": ["languages"],
        "survivor_version": first.person.version,
        "merged_version": second.person.version,
    }
    bad = supervisor.post("/api/v1/person-merges/", {**body, "take": ["agency"]}, format="json")
    assert bad.status_code == 400 and "take" in bad.json()
    merged = supervisor.post("/api/v1/person-merges/", body, format="json")
    assert merged.status_code == 201 and merged.json()["moved"]["cases"] == 1
    merge_id = merged.json()["id"]
    assert supervisor.get(f"/api/v1/persons/{second.person_id}/").status_code == 404
    undone = supervisor.post(f"/api/v1/person-merges/{merge_id}/undo/")
    assert undone.status_code == 200 and undone.json()["undone_at"]
    assert supervisor.get(f"/api/v1/persons/{second.person_id}/").status_code == 200
    assert supervisor.post(f"/api/v1/person-merges/{merge_id}/undo/").status_code == 400


def test_a_cancelled_deduplication_stops_and_queues_no_pair(world, twins, monkeypatch):
    job = dedupe_actions.start_job(world["agency_admin"])  # queued: its job not run yet
    real = dedupe_job.find_duplicates

    def compare_then_cancel(*args, **kwargs):
        found = real(*args, **kwargs)
        dedupe_actions.cancel_job(world["agency_admin"], job)  # pressed while comparing
        return found

    monkeypatch.setattr(dedupe_job, "find_duplicates", compare_then_cancel)
    dedupe_job.run_job(job.pk)
    job.refresh_from_db()
    assert job.status == "cancelled" and not DuplicatePair.objects.exists()
    with pytest.raises(InvalidTransition, match="no longer running"):
        dedupe_actions.cancel_job(world["agency_admin"], job)
    with pytest.raises(NotAllowed):
        dedupe_actions.cancel_job(world["supervisor"], job)
    assert AuditEvent.objects.filter(action="dedupe.cancel").count() == 1

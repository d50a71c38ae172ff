"""Retention schedules: rules refused when they would remove what must stay or overlap
another; a dry run and the real run agree; a person under a legal hold, with an open case or
an open referral is never touched; running again removes nothing more."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone

from haven.audit.models import AuditEvent
from haven.cases.models import Case
from haven.core.errors import HavenError, NotAllowed
from haven.feedback.models import Submission
from haven.oversight import actions, retention
from haven.oversight.models import RetentionRule
from haven.oversight.tasks import apply_retention_rules
from haven.people.models import Person
from tests.conftest import sign_in
from tests.feedback_records import feedback

pytestmark = pytest.mark.django_db
LONG_AGO = date.today() - timedelta(days=400)


def closed(case, on=LONG_AGO):
    Case.objects.filter(pk=case.pk).update(status="closed", closed_on=on)
    return case


def test_a_rule_that_would_remove_what_work_needs_or_overlaps_another_is_refused(world):
    dpo = world["dpo"]
    with pytest.raises(ValidationError, match="At least 30 days"):
        actions.create_rule(dpo, kind="persons", programme="", after_days=7)
    first = actions.create_rule(dpo, kind="persons", programme="gbv", after_days=1825)
    with pytest.raises(ValidationError, match=f"overlaps rule {first.pk}"):
        actions.create_rule(dpo, kind="persons", programme="", after_days=3650)
    with pytest.raises(ValidationError, match="overlaps"):
        actions.create_rule(dpo, kind="persons", programme="gbv", after_days=900)
    actions.create_rule(dpo, kind="persons", programme="child_protection", after_days=900)
    actions.create_rule(dpo, kind="feedback_contacts", programme="", after_days=365)
    with pytest.raises(NotAllowed):
        actions.create_rule(world["caseworker"], kind="persons", programme="", after_days=400)
    assert RetentionRule.objects.count() == 3


def test_persons_are_anonymised_after_their_last_case_closed_never_under_a_hold(world, register):
    worker = world["caseworker"]
    due = closed(register(worker, person={"given_name": "Yusra"}))
    recent = closed(register(worker, person={"given_name": "Bilal"}), on=date.today())
    held = closed(register(worker, person={"given_name": "Hawa"}))
    still_open = register(worker, person={"given_name": "Issa"})
    actions.place_hold(world["dpo"], held.person, kind="proceedings", reason="Court")
    rule = actions.create_rule(world["dpo"], kind="persons", programme="", after_days=365)
    with pytest.raises(ValidationError, match="approve this rule's first run"):
        retention.run(rule, dry_run=False)
    with pytest.raises(HavenError, match="Run the rule dry first"):
        actions.approve_rule(world["dpo"], rule)
    dry = actions.dry_run(world["dpo"], rule)
    kept = "kept: a hold, an open case or an open referral"
    assert dry.counts == {"to anonymise": 1, kept: 1}
    assert Person.objects.get(pk=due.person_id).given_name == "Yusra"  # a dry run changes nothing
    actions.approve_rule(world["dpo"], rule)
    assert apply_retention_rules() == 1  # the daily job
    real = rule.runs.get(dry_run=False)
    assert real.counts == {"anonymised": 1, kept: 1} and real.ran_by is None
    names = dict(Person.objects.values_list("pk", "given_name"))
    assert names[due.person_id] == "—"
    assert (names[recent.person_id], names[held.person_id]) == ("Bilal", "Hawa")
    assert names[still_open.person_id] == "Issa"
    # Again: nothing more to remove.
    assert retention.run(rule, dry_run=False).counts == {kept: 1}
    events = AuditEvent.objects.filter(action__in=["retention.dry_run", "retention.apply"])
    assert all(set(e.details) == {"rule", "counts"} for e in events) and events.count() == 3


def test_a_programme_rule_reaches_only_that_programmes_people(world, register):
    worker = world["caseworker"]
    gbv = closed(register(worker, person={"given_name": "Amina"}, case={"programme": "gbv"}))
    other = closed(register(worker, person={"given_name": "Omar"}))
    rule = actions.create_rule(world["dpo"], kind="persons", programme="gbv", after_days=365)
    assert list(retention.persons_due(rule)) == [gbv.person]
    assert other.person not in retention.persons_due(rule)


def _submission(world, resolved_days_ago: int) -> Submission:
    resolved = timezone.now() - timedelta(days=resolved_days_ago)
    return feedback(
        world["a"],
        at=resolved,
        text="The water point is broken",
        contact_name="Fatou",
        contact="+221 77 000 00 00",
        resolved_at=resolved,
        tracking_digest=f"digest-{resolved_days_ago}",
    )


def test_feedback_contacts_go_a_year_after_the_answer_and_the_feedback_stays(world):
    old, recent = _submission(world, 400), _submission(world, 30)
    rule = actions.create_rule(world["dpo"], kind="feedback_contacts", programme="", after_days=365)
    assert actions.dry_run(world["dpo"], rule).counts == {"contact details to delete": 1}
    actions.approve_rule(world["dpo"], rule)
    assert retention.run(rule, dry_run=False).counts == {"contact details deleted": 1}
    old.refresh_from_db()
    recent.refresh_from_db()
    assert (old.contact, old.contact_name, old.text) == ("", "", "The water point is broken")
    assert recent.contact == "+221 77 000 00 00"
    assert retention.run(rule, dry_run=False).counts == {"contact details deleted": 0}


def test_the_retention_page_saves_runs_dry_approves_and_refuses_with_reasons(world):
    client = Client()
    sign_in(client, world["dpo"])
    assert client.get("/retention/").status_code == 200
    refused = client.post("/retention/", {"kind": "persons", "after_days": "5"})
    assert refused.status_code == 400 and "At least 30 days" in refused.content.decode()
    saved = client.post("/retention/", {"kind": "persons", "after_days": "1825"})
    assert saved.status_code == 302
    rule = RetentionRule.objects.get()
    client.post(f"/retention/{rule.pk}/approve/")
    assert RetentionRule.objects.get().approved_at is None  # not before a dry run
    client.post(f"/retention/{rule.pk}/dry-run/")
    client.post(f"/retention/{rule.pk}/approve/")
    assert RetentionRule.objects.get().approved_by == world["dpo"]
    page = client.get("/retention/").content.decode()
    assert "applied daily since" in page and "dry run" in page
    other = Client()
    sign_in(other, world["other_admin"])
    assert other.post(f"/retention/{rule.pk}/dry-run/").status_code == 403


def test_housekeeping_applies_approved_rules_and_says_what_it_removed(world, register):
    from io import StringIO

    from django.core.management import call_command

    due = closed(register(world["caseworker"], person={"given_name": "Yusra"}))
    rule = actions.create_rule(world["dpo"], kind="persons", programme="", after_days=365)
    out = StringIO()
    call_command("housekeeping", stdout=out)
    assert out.getvalue().startswith("0 retention rule(s) applied")  # not approved yet
    actions.dry_run(world["dpo"], rule)
    actions.approve_rule(world["dpo"], rule)
    call_command("housekeeping", stdout=out)
    assert "1 retention rule(s) applied" in out.getvalue()
    assert Person.objects.get(pk=due.person_id).given_name == "—"


def test_the_suggested_rules_are_added_once_and_wait_for_approval(world):
    client = Client()
    sign_in(client, world["dpo"])
    client.post("/retention/suggested/")
    rules = {(r.kind, r.after_days, r.approved_at) for r in RetentionRule.objects.all()}
    assert rules == {("persons", 1825, None), ("feedback_contacts", 365, None)}
    client.post("/retention/suggested/")
    assert RetentionRule.objects.count() == 2  # not twice


def test_export_archives_and_unclaimed_device_files_go_sooner_when_a_rule_says_so(
    world, settings, tmp_path
):
    import uuid

    from haven.evidence import builds
    from haven.evidence.models import Release
    from haven.field.models import Device, DeviceFile

    settings.VAR_DIR = tmp_path
    two_days_ago = timezone.now() - timedelta(days=2)
    old = Release.objects.create(
        agency=world["a"],
        created_by=world["supervisor"],
        kind="case_list",
        status="done",
        seed=1,
        finished_at=two_days_ago,
    )
    new = Release.objects.create(
        agency=world["a"], created_by=world["supervisor"], kind="case_list", status="done", seed=1
    )
    Release.objects.filter(pk=new.pk).update(finished_at=timezone.now())
    for release in (old, new):
        (builds.folder() / release.file_name).write_bytes(b"sealed")
    device = Device.objects.create(user=world["caseworker"], name="Phone", secret_digest="x")
    stale = DeviceFile.objects.create(
        device=device, file_id=uuid.uuid4(), data=b"photo", size=5, sha256="x"
    )
    DeviceFile.objects.filter(pk=stale.pk).update(received_at=two_days_ago)
    DeviceFile.objects.create(device=device, file_id=uuid.uuid4(), data=b"p", size=1, sha256="x")
    with pytest.raises(ValidationError, match="belongs to no programme"):
        actions.create_rule(world["dpo"], kind="device_files", programme="gbv", after_days=1)
    exports = actions.create_rule(
        world["dpo"], kind="identified_exports", programme="", after_days=1
    )
    files = actions.create_rule(world["dpo"], kind="device_files", programme="", after_days=1)
    assert actions.dry_run(world["dpo"], exports).counts == {"archives to delete": 1}
    assert actions.dry_run(world["dpo"], files).counts == {"device files to delete": 1}
    for rule in (exports, files):
        actions.approve_rule(world["dpo"], rule)
    assert apply_retention_rules() == 2
    assert not (builds.folder() / old.file_name).exists()
    assert (builds.folder() / new.file_name).exists()
    assert DeviceFile.objects.count() == 1 and Release.objects.count() == 2  # records kept

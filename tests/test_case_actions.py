from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError

from haven.audit.models import AuditEvent
from haven.cases import actions, approval_actions, selectors, transfer_actions
from haven.cases.models import Approval, Case, CasePlan, ProgrammeSetting
from haven.core.errors import HavenError, InvalidTransition, MissingConsent, NotAllowed, StaleEdit
from haven.people.models import Person
from haven.people.selectors import has_consent


def events(action):
    return list(AuditEvent.objects.filter(action=action).order_by("seq"))


def test_register_creates_person_case_consent_and_audit(world, register):
    case = register(world["caseworker"])
    assert case.number == f"AA-{date.today().year}-000001"
    assert case.owner == world["caseworker"] and case.office == world["a1"]
    assert case.status == "registered"
    assert case.assessment_due == case.registered_on + timedelta(days=3)
    assert case.person.languages == ["ara"], "ISO 639-1 input is stored as ISO 639-3"
    assert has_consent(case.person, "registration")
    assert [e.object_id for e in events("case.create")] == [str(case.pk)]
    assert events("person.create") and events("consent.given")


def test_case_numbers_are_sequential_per_agency(world, register):
    first = register(world["caseworker"])
    second = register(world["caseworker2"], person={"given_name": "Other"})
    other = register(world["other_agency"], person={"given_name": "Third"})
    assert first.number.endswith("000001") and second.number.endswith("000002")
    assert other.number.startswith("BB-") and other.number.endswith("000001")


def test_duplicate_case_number_is_refused_and_nothing_is_saved(world, register):
    register(world["caseworker"], number="AA-X-1")
    people_before = Person.objects.count()
    with pytest.raises(ValidationError) as exc:
        register(world["caseworker"], number="AA-X-1", person={"given_name": "Second"})
    assert "already used" in str(exc.value.message_dict["number"])
    assert Person.objects.count() == people_before
    assert Case.objects.count() == 1


def test_registration_without_consent_or_other_basis_is_refused(world, register):
    with pytest.raises(MissingConsent):
        register(world["caseworker"], registration_basis="consent", consent_given=False)
    assert not Case.objects.exists() and not Person.objects.exists()
    # Vital interest is a legal basis without consent: allowed, and recorded as such.
    case = register(world["caseworker"], registration_basis="vital_interest", consent_given=False)
    assert case.person.consents.get().legal_basis == "vital_interest"


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("birth_date", date.today() + timedelta(days=3), "in the future"),
        ("nationalities", ["XX"], "Unknown country code"),
        ("languages", ["zz"], "Unknown language code"),
    ],
)
def test_bad_person_input_is_refused_with_a_message(world, register, field, value, message):
    with pytest.raises(ValidationError) as exc:
        register(world["caseworker"], person={field: value})
    assert message in " ".join(exc.value.message_dict[field])
    assert not Person.objects.exists()


def test_unknown_vulnerability_is_refused(world, register):
    with pytest.raises(ValidationError) as exc:
        register(world["caseworker"], case={"vulnerabilities": ["unicorn"]})
    assert "unicorn" in str(exc.value.message_dict["vulnerabilities"])


def test_roles_without_create_permission_cannot_register(world, register):
    for persona in ("analyst", "dpo", "system_admin"):
        with pytest.raises(NotAllowed):
            register(world[persona])


def walk_to_case_plan(case, user):
    actions.transition(user, case, "assessment", case.version)
    actions.transition(user, case, "case_plan", case.version)


def test_full_workflow_with_plan_and_closure_approval(world, register):
    worker, supervisor = world["caseworker"], world["supervisor"]
    case = register(worker)
    walk_to_case_plan(case, worker)
    with pytest.raises(InvalidTransition, match="approved"):
        actions.transition(worker, case, "implementation", case.version)
    plan = approval_actions.save_plan(
        worker, case, goals="Shelter", actions=[{"description": "Refer", "responsible": worker}]
    )
    assert plan.state == CasePlan.State.SUBMITTED
    approval = Approval.objects.get(case=case, kind="plan")
    with pytest.raises(NotAllowed):
        approval_actions.decide(worker, approval, approve=True)
    approval_actions.decide(supervisor, approval, approve=True)
    actions.transition(worker, case, "implementation", case.version)
    actions.transition(worker, case, "follow_up", case.version)
    assert case.follow_up_due is not None
    with pytest.raises(InvalidTransition, match="request closure"):
        actions.transition(worker, case, "closed", case.version, closure_reason="goals_met")
    closure = approval_actions.request_closure(worker, case, "referred")
    approval_actions.decide(supervisor, closure, approve=True)
    case.refresh_from_db()
    assert case.status == "closed" and case.closure_reason == "referred"
    assert case.closed_on == date.today()
    assert [e.details["to"] for e in events("case.transition")] == [
        "assessment",
        "case_plan",
        "implementation",
        "follow_up",
        "closed",
    ]
    actions.transition(worker, case, "reopened", case.version)
    case.refresh_from_db()
    assert case.status == "reopened" and case.closed_on is None and case.closure_reason == ""


def test_programme_setting_can_waive_approvals(world, register):
    ProgrammeSetting.objects.create(
        agency=world["a"],
        programme="vulnerable_migrants",
        plan_needs_approval=False,
        closure_needs_approval=False,
    )
    worker = world["caseworker"]
    case = register(worker)
    walk_to_case_plan(case, worker)
    assert approval_actions.save_plan(worker, case, goals="g", actions=[]).state == "approved"
    actions.transition(worker, case, "implementation", case.version)
    actions.transition(worker, case, "closed", case.version, closure_reason="goals_met")
    assert case.status == "closed"


def test_supervisor_cannot_approve_own_request(world, register):
    supervisor = world["supervisor"]
    case = register(supervisor)
    closure = approval_actions.request_closure(supervisor, case, "declined")
    with pytest.raises(NotAllowed, match="own request"):
        approval_actions.decide(supervisor, closure, approve=True)
    approval_actions.decide(world["supervisor2"], closure, approve=False, comment="Keep it open")
    case.refresh_from_db()
    assert case.status == "registered"


def test_rejection_needs_a_reason(world, register):
    case = register(world["caseworker"])
    closure = approval_actions.request_closure(world["caseworker"], case, "declined")
    with pytest.raises(ValidationError):
        approval_actions.decide(world["supervisor"], closure, approve=False, comment="")


def test_second_pending_closure_request_is_refused(world, register):
    case = register(world["caseworker"])
    approval_actions.request_closure(world["caseworker"], case, "declined")
    with pytest.raises(HavenError, match="already waiting"):
        approval_actions.request_closure(world["caseworker"], case, "declined")


def test_stale_edit_is_refused_and_nothing_is_overwritten(world, register):
    case = register(world["caseworker"])
    first = Case.objects.get(pk=case.pk)
    second = Case.objects.get(pk=case.pk)
    actions.update_case(world["caseworker"], first, {"risk_level": "high"}, first.version)
    with pytest.raises(StaleEdit, match="Someone else saved"):
        actions.update_case(world["supervisor"], second, {"risk_level": "low"}, second.version)
    case.refresh_from_db()
    assert case.risk_level == "high" and case.version == 2


def test_stale_transition_is_refused(world, register):
    case = register(world["caseworker"])
    stale = Case.objects.get(pk=case.pk)
    actions.transition(world["caseworker"], case, "assessment", case.version)
    with pytest.raises(StaleEdit):
        actions.transition(
            world["caseworker"], stale, "closed", stale.version, closure_reason="other"
        )
    case.refresh_from_db()
    assert case.status == "assessment"


def test_update_audit_logs_values_but_not_personal_text(world, register):
    case = register(world["caseworker"])
    actions.update_case(
        world["caseworker"],
        case,
        {"risk_level": "critical", "summary": "secret story"},
        case.version,
    )
    change = events("case.update")[-1].details["changes"]
    assert change["risk_level"] == {"from": "medium", "to": "critical"}
    assert change["summary"] == "changed"
    assert "secret story" not in str(AuditEvent.objects.values_list("details", flat=True))


def test_assignment_gives_access_and_is_audited(world, register):
    case = register(world["caseworker"])
    bob = world["caseworker2"]
    assert not selectors.visible_cases(bob).filter(pk=case.pk).exists()
    with pytest.raises(NotAllowed):
        actions.assign(world["caseworker"], case, assignees=[bob])
    actions.assign(world["supervisor"], case, assignees=[bob])
    assert selectors.visible_cases(bob).filter(pk=case.pk).exists()
    assert events("case.assign")[-1].details["assigned"]["added"] == [bob.pk]


def test_cannot_assign_outside_the_agency(world, register):
    case = register(world["caseworker"])
    with pytest.raises(ValidationError):
        actions.assign(world["supervisor"], case, assignees=[world["other_agency"]])


def test_transfer_needs_acceptance_by_receiving_agency(world, register):
    case = register(world["caseworker"])
    transfer = transfer_actions.request_transfer(
        world["supervisor"], case, world["b"], "Moved to B's area"
    )
    receiver = world["other_supervisor"]
    assert not selectors.visible_cases(receiver).filter(pk=case.pk).exists()
    with pytest.raises(NotAllowed):
        transfer_actions.answer_transfer(world["supervisor"], transfer, accept=True)
    transfer_actions.answer_transfer(receiver, transfer, accept=True)
    case.refresh_from_db()
    assert case.agency == world["b"] and case.owner == receiver and case.number.startswith("BB-")
    assert selectors.visible_cases(receiver).filter(pk=case.pk).exists()
    assert not selectors.visible_cases(world["supervisor"]).filter(pk=case.pk).exists()


def test_notes_are_encrypted_and_hidden_from_roles_without_identity(world, register):
    from django.db import connection

    case = register(world["caseworker"])
    note = actions.add_note(world["caseworker"], case, "Disclosed abuse by employer")
    with connection.cursor() as cursor:
        cursor.execute("SELECT body FROM cases_note WHERE id = %s", [note.pk])
        raw = cursor.fetchone()[0]
    assert "abuse" not in raw and raw.startswith("gAAAA")
    assert case.notes.get().body == "Disclosed abuse by employer"
    with pytest.raises(NotAllowed):
        actions.add_note(world["analyst"], case, "x")


def test_approval_applies_to_the_latest_version_without_undoing_edits(world, register):
    case = register(world["caseworker"])
    closure = approval_actions.request_closure(world["caseworker"], case, "declined")
    loaded = Approval.objects.select_related("case").get(pk=closure.pk)  # holds version 1
    fresh = Case.objects.get(pk=case.pk)
    actions.update_case(world["caseworker"], fresh, {"risk_level": "critical"}, fresh.version)
    approval_actions.decide(world["supervisor"], loaded, approve=True)
    case.refresh_from_db()
    assert case.status == "closed" and case.risk_level == "critical" and case.version == 3


def test_owner_change_after_another_edit_keeps_that_edit(world, register):
    case = register(world["caseworker"])
    stale = Case.objects.get(pk=case.pk)
    actions.update_case(world["caseworker"], case, {"risk_level": "high"}, case.version)
    actions.assign(world["supervisor"], stale, owner=world["caseworker2"])
    case.refresh_from_db()
    assert case.owner == world["caseworker2"] and case.risk_level == "high"

"""Assisted voluntary return: steps in order with their checklists, the person's informed and
voluntary decision recorded as such, a best-interests determination before a child's
return, and withdrawal at any step."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError

from haven.assessments import actions as assessment_actions
from haven.assessments.models import AssessmentDefinition
from haven.assistance import return_actions, returns
from haven.assistance.models import ReturnMovement
from haven.audit.models import AuditEvent
from haven.cases import approval_actions
from haven.cases.models import Approval
from haven.core.errors import InvalidTransition, NotAllowed, StaleEdit
from tests.test_shipped_forms import BIA_ANSWERS

TODAY = date.today()

# What a caseworker ticks and writes for each step (every required item, and details).
DONE = {
    "counselling": (
        {i.code: True for i in returns.BY_CODE["counselling"].items},
        {"decided_on": TODAY},
    ),
    "travel_documents": (
        {"nationality_confirmed": True, "document_issued": True},
        {"document_kind": "Emergency travel document", "issued_on": TODAY.isoformat()},
    ),
    "fitness_to_travel": ({"medical_check": True}, {"medical_escort": False}),
    "movement": (
        {"itinerary_confirmed": True},
        {"itinerary": "Agadez – Niamey – Bamako", "transit_points": "Niamey"},
    ),
    "arrival": ({"met_on_arrival": True}, {"arrived_on": TODAY.isoformat()}),
    "post_arrival": ({"immediate_needs": True}, {}),
}


def _do(user, movement, code, **overrides):
    checklist, details = DONE[code]
    movement.refresh_from_db()
    return return_actions.complete_step(
        user,
        movement,
        code,
        done_on=overrides.pop("done_on", TODAY),
        checklist=overrides.pop("checklist", checklist),
        details=overrides.pop("details", details),
        version=movement.version,
        **overrides,
    )


@pytest.fixture
def adult_return(world, register):
    case = register(world["caseworker"], person={"birth_date": date(1990, 4, 1)})
    return return_actions.start_return(
        world["caseworker"], case, country_of_departure="NE", country_of_return="ml"
    )


def test_a_return_goes_step_by_step_to_completion(world, adult_return):
    movement = adult_return
    assert movement.country_of_return == "ML"
    assert [s.code for s in movement.steps.all()] == returns.ORDER
    for code in returns.ORDER:
        _do(world["caseworker"], movement, code)
    movement.refresh_from_db()
    assert movement.status == "completed" and movement.completed_on == TODAY
    movement_step = movement.steps.get(code="movement")
    assert movement_step.details["transit_points"] == "Niamey"
    decision = AuditEvent.objects.get(action="return.decision", object_id=str(movement.pk))
    assert decision.details["checklist"]["voluntary"] is True
    assert AuditEvent.objects.filter(action="return.step").count() == len(returns.ORDER) - 1


def test_steps_are_done_in_order(world, adult_return):
    with pytest.raises(
        InvalidTransition, match="Complete “Counselling and the person's decision” first"
    ):
        _do(world["caseworker"], adult_return, "travel_documents")
    _do(world["caseworker"], adult_return, "counselling")
    with pytest.raises(InvalidTransition, match="Complete “Travel documents” first"):
        _do(world["caseworker"], adult_return, "movement")
    with pytest.raises(InvalidTransition, match="already done"):
        _do(world["caseworker"], adult_return, "counselling")


def test_a_step_needs_its_checklist_and_says_what_is_missing(world, adult_return):
    with pytest.raises(ValidationError, match="Told they may change their mind at any step"):
        _do(
            world["caseworker"],
            adult_return,
            "counselling",
            checklist={"informed_conditions": True, "voluntary": True},
        )
    # The decision must be recorded as voluntary: without it, nothing is recorded.
    unticked = {**DONE["counselling"][0], "voluntary": False}
    with pytest.raises(ValidationError, match="decided freely, without pressure"):
        _do(world["caseworker"], adult_return, "counselling", checklist=unticked)
    assert not adult_return.steps.filter(done=True).exists()
    _do(world["caseworker"], adult_return, "counselling")
    _do(world["caseworker"], adult_return, "travel_documents")
    # A person who needs a medical escort cannot travel until one is arranged.
    with pytest.raises(ValidationError, match="Medical escort arranged"):
        _do(
            world["caseworker"],
            adult_return,
            "fitness_to_travel",
            details={"medical_escort": True},
        )
    with pytest.raises(ValidationError, match="cannot be done in the future"):
        _do(
            world["caseworker"],
            adult_return,
            "fitness_to_travel",
            done_on=TODAY + timedelta(days=1),
        )


def test_dates_in_a_steps_details_must_be_dates(world, adult_return):
    _do(world["caseworker"], adult_return, "counselling")
    with pytest.raises(ValidationError, match="YYYY-MM-DD: Issued on"):
        _do(
            world["caseworker"],
            adult_return,
            "travel_documents",
            details={"document_kind": "Passport", "issued_on": "3 March"},
        )


def test_the_person_may_withdraw_at_any_step(world, adult_return):
    _do(world["caseworker"], adult_return, "counselling")
    _do(world["caseworker"], adult_return, "travel_documents")
    adult_return.refresh_from_db()
    return_actions.withdraw_return(
        world["caseworker"],
        adult_return,
        reason="Family asked her to stay",
        version=adult_return.version,
    )
    adult_return.refresh_from_db()
    assert (
        adult_return.status == "withdrawn" and adult_return.withdrawn_at_step == "fitness_to_travel"
    )
    event = AuditEvent.objects.get(action="return.withdraw")
    assert event.details == {"at_step": "fitness_to_travel"} and "Family" not in str(event.details)
    with pytest.raises(InvalidTransition, match="withdrew from this return"):
        _do(world["caseworker"], adult_return, "fitness_to_travel")
    # Done steps keep what was recorded; a new decision starts a new return.
    assert adult_return.steps.filter(done=True).count() == 2
    again = return_actions.start_return(
        world["caseworker"], adult_return.case, country_of_departure="NE", country_of_return="ML"
    )
    assert again.pk != adult_return.pk


def test_one_return_at_a_time_and_stale_edits_refused(world, adult_return):
    with pytest.raises(ValidationError, match="already in progress"):
        return_actions.start_return(
            world["caseworker"],
            adult_return.case,
            country_of_departure="NE",
            country_of_return="ML",
        )
    with pytest.raises(StaleEdit):
        return_actions.withdraw_return(
            world["caseworker"], adult_return, version=adult_return.version + 5
        )


def test_bad_countries_are_refused(world, register):
    case = register(world["caseworker"])
    with pytest.raises(ValidationError, match="Unknown country code"):
        return_actions.start_return(
            world["caseworker"], case, country_of_departure="XX", country_of_return="ML"
        )
    with pytest.raises(ValidationError, match="must differ"):
        return_actions.start_return(
            world["caseworker"], case, country_of_departure="NE", country_of_return="ne"
        )


def test_only_those_who_may_update_the_case_organise_its_return(world, register):
    case = register(world["caseworker"])
    for persona in ("caseworker2", "analyst", "other_agency"):
        with pytest.raises(NotAllowed):
            return_actions.start_return(
                world[persona], case, country_of_departure="NE", country_of_return="ML"
            )


def test_a_childs_return_needs_a_best_interests_determination(world, register):
    caseworker, supervisor = world["caseworker"], world["supervisor"]
    child = register(
        caseworker,
        person={"birth_date": TODAY - timedelta(days=15 * 365)},
        case={"programme": "child_protection", "vulnerabilities": ["uasc"]},
    )
    movement = return_actions.start_return(
        caseworker, child, country_of_departure="NE", country_of_return="ML"
    )
    with pytest.raises(ValidationError, match="best-interests determination on file"):
        _do(caseworker, movement, "counselling")

    definition = AssessmentDefinition.objects.get(form_id="haven_best_interests")
    assessment = assessment_actions.start(caseworker, child, definition)
    answers = {
        **BIA_ANSWERS,
        "options_considered": ["reunification_origin", "alternative_care"],
        "recommendation": "reunification_origin",
    }
    assessment_actions.save(caseworker, assessment, answers, assessment.version, submit=True)
    # Submitted but not yet signed off: still refused.
    with pytest.raises(ValidationError, match="best-interests determination on file"):
        _do(caseworker, movement, "counselling")
    approval = Approval.objects.get(assessment=assessment, decision="pending")
    approval_actions.decide(supervisor, approval, approve=True)
    _do(caseworker, movement, "counselling")
    assert movement.steps.get(code="counselling").done


def test_a_return_through_the_api(world, register, api):
    case = register(world["caseworker"], person={"birth_date": date(1990, 4, 1)})
    client = api("caseworker")
    bad = client.post(
        "/api/v1/returns/",
        {"case": case.pk, "country_of_departure": "NE", "country_of_return": "ZZ"},
        format="json",
    )
    assert bad.status_code == 400 and "Unknown country code" in str(bad.json())
    created = client.post(
        "/api/v1/returns/",
        {"case": case.pk, "country_of_departure": "NE", "country_of_return": "ML"},
        format="json",
    ).json()
    assert [s["code"] for s in created["steps"]] == returns.ORDER
    url = f"/api/v1/returns/{created['id']}"
    out_of_order = client.post(
        f"{url}/steps/movement/",
        {"done_on": TODAY.isoformat(), "checklist": {}, "version": created["version"]},
        format="json",
    )
    assert out_of_order.status_code == 400 and "done in order" in str(out_of_order.json())
    checklist, details = DONE["counselling"]
    done = client.post(
        f"{url}/steps/counselling/",
        {
            "done_on": TODAY.isoformat(),
            "checklist": checklist,
            "details": {"decided_on": TODAY.isoformat()},
            "version": created["version"],
        },
        format="json",
    ).json()
    assert done["steps"][0]["done"] is True and done["steps"][0]["done_by"] == "alice"
    withdrawn = client.post(
        f"{url}/withdraw/",
        {"reason": "Changed her mind", "version": done["version"]},
        format="json",
    ).json()
    assert (
        withdrawn["status"] == "withdrawn" and withdrawn["withdrawn_at_step"] == "travel_documents"
    )
    listed = client.get("/api/v1/returns/?status=withdrawn").json()["results"]
    assert [r["id"] for r in listed] == [created["id"]] and "withdrawal_reason" not in listed[0]
    assert api("caseworker2").get(f"{url}/").status_code == 404


def test_the_return_tab(world, register):
    from django.test import Client

    from tests.conftest import sign_in

    case = register(world["caseworker"], person={"birth_date": date(1990, 4, 1)})
    client = Client()
    sign_in(client, world["caseworker"])
    tab = f"/cases/{case.pk}/?tab=return"
    assert (
        "No return organised for this person."
        in client.get(tab, HTTP_HOST="localhost").content.decode()
    )
    client.post(
        f"/cases/{case.pk}/returns/",
        {"country_of_departure": "NE", "country_of_return": "ML"},
        HTTP_HOST="localhost",
    )
    movement = ReturnMovement.objects.get(case=case)
    post = {f"item_{code}": "1" for code in DONE["counselling"][0]}
    page = client.post(
        f"/returns/{movement.pk}/steps/counselling/",
        {
            **post,
            "done_on": TODAY.isoformat(),
            "detail_decided_on": TODAY.isoformat(),
            "version": 1,
        },
        HTTP_HOST="localhost",
        follow=True,
    ).content.decode()
    assert "Step recorded." in page and "Record: Travel documents" in page
    refused = client.post(
        f"/returns/{movement.pk}/withdraw/", {"version": 2}, HTTP_HOST="localhost", follow=True
    ).content.decode()
    assert "Tick the box to confirm" in refused
    client.post(
        f"/returns/{movement.pk}/withdraw/",
        {"version": 2, "confirm": "1", "reason": "Staying with her sister"},
        HTTP_HOST="localhost",
    )
    movement.refresh_from_db()
    assert (
        movement.status == "withdrawn" and movement.withdrawal_reason == "Staying with her sister"
    )

"""Reintegration plans: individual, collective or community; components in the economic,
social and psychosocial dimensions; the person's sustainability rounds beside the plan."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError

from haven.assessments import actions as assessment_actions
from haven.assessments.models import AssessmentDefinition
from haven.assistance import reintegration_actions, selectors
from haven.audit.models import AuditEvent
from haven.core.errors import InvalidTransition, NotAllowed, StaleEdit
from haven.core.models import Location
from tests.test_shipped_forms import RSS_ROUND

TODAY = date.today()


def _plan(user, case, **overrides):
    values = {"kind": "individual", "title": "Back to tailoring", "started_on": TODAY}
    return reintegration_actions.create_plan(user, case, **{**values, **overrides})


def test_an_individual_plan_with_components_in_each_dimension(world, register):
    caseworker = world["caseworker"]
    plan = _plan(caseworker, register(caseworker))
    sewing = reintegration_actions.add_component(
        caseworker,
        plan,
        dimension="economic",
        description="Sewing machine and three months' rent for a stall",
        version=plan.version,
    )
    plan.refresh_from_db()
    reintegration_actions.add_component(
        caseworker,
        plan,
        dimension="psychosocial",
        description="Counselling sessions",
        version=plan.version,
    )
    plan.refresh_from_db()
    reintegration_actions.move_component(
        caseworker, sewing, status="in_progress", version=plan.version
    )
    plan.refresh_from_db()
    reintegration_actions.move_component(
        caseworker, sewing, status="done", done_on=TODAY, version=plan.version
    )
    plan.refresh_from_db()
    with pytest.raises(InvalidTransition, match="it can move to none"):
        reintegration_actions.move_component(
            caseworker, sewing, status="cancelled", version=plan.version
        )
    with pytest.raises(ValidationError, match="Finish or cancel every component"):
        reintegration_actions.close_plan(caseworker, plan, completed=True, version=plan.version)
    counselling = plan.components.get(dimension="psychosocial")
    reintegration_actions.move_component(
        caseworker, counselling, status="cancelled", version=plan.version
    )
    plan.refresh_from_db()
    reintegration_actions.close_plan(caseworker, plan, completed=True, version=plan.version)
    plan.refresh_from_db()
    assert plan.status == "completed"
    with pytest.raises(InvalidTransition, match="nothing more is added"):
        reintegration_actions.add_component(
            caseworker, plan, dimension="social", description="x", version=plan.version
        )
    events = set(AuditEvent.objects.values_list("action", flat=True))
    assert {
        "reintegration_plan.create",
        "reintegration_component.create",
        "reintegration_component.status",
        "reintegration_plan.close",
    } <= events
    assert "Sewing" not in str(list(AuditEvent.objects.values_list("details", flat=True)))


def test_what_each_kind_of_plan_needs(world, register):
    caseworker = world["caseworker"]
    case, other = register(caseworker), register(caseworker, person={"given_name": "Yusuf"})
    with pytest.raises(ValidationError, match="needs the other returnees"):
        _plan(caseworker, case, kind="collective")
    with pytest.raises(ValidationError, match="Only a collective plan"):
        _plan(caseworker, case, members=[other])
    with pytest.raises(ValidationError, match="which community"):
        _plan(caseworker, case, kind="community")
    with pytest.raises(ValidationError, match="cannot come before"):
        _plan(caseworker, case, review_on=TODAY - timedelta(days=1))
    shared = _plan(caseworker, case, kind="collective", title="Poultry group", members=[other])
    # The other returnee's case shows the collective plan it takes part in.
    assert list(selectors.plans_for_case(other)) == [shared]
    village = Location.objects.create(code="ML01", name="Kayes", level=1, country_code="ML")
    community = _plan(caseworker, case, kind="community", title="Well", community=village)
    assert community.community == village
    # A case out of the user's scope cannot be added.
    stranger = register(world["caseworker2"], person={"given_name": "Ousmane"})
    with pytest.raises(NotAllowed, match="not one you may add"):
        _plan(caseworker, case, kind="collective", title="Group", members=[stranger])


def test_only_those_who_may_update_the_case_plan_and_stale_edits_are_refused(world, register):
    case = register(world["caseworker"])
    for persona in ("caseworker2", "analyst", "other_agency"):
        with pytest.raises(NotAllowed):
            _plan(world[persona], case)
    plan = _plan(world["caseworker"], case)
    with pytest.raises(StaleEdit):
        reintegration_actions.add_component(
            world["caseworker"], plan, dimension="social", description="x", version=99
        )


def test_the_sustainability_rounds_are_shown_beside_the_plan(world, register):
    caseworker = world["caseworker"]
    case = register(caseworker)
    definition = AssessmentDefinition.objects.get(form_id="haven_reintegration_sustainability")
    for _round in range(2):
        assessment = assessment_actions.start(caseworker, case, definition)
        saved = assessment_actions.save(
            caseworker, assessment, RSS_ROUND, assessment.version, submit=True
        )
        assert saved.submitted
    rounds = selectors.sustainability_rounds(case)
    assert len(rounds) == 2
    assert all(0 <= r["composite"] <= 1 for r in rounds)
    assert {"economic", "social", "psychosocial"} <= set(rounds[0])


def test_a_plan_through_the_api(world, register, api):
    case = register(world["caseworker"])
    other = register(world["caseworker"], person={"given_name": "Yusuf"})
    client = api("caseworker")
    created = client.post(
        "/api/v1/reintegration-plans/",
        {
            "case": case.pk,
            "kind": "collective",
            "title": "Poultry group",
            "started_on": TODAY.isoformat(),
            "members": [other.pk],
        },
        format="json",
    )
    assert created.status_code == 201, created.content
    plan = created.json()
    assert plan["members"] == [other.number] and plan["sustainability_rounds"] == []
    url = f"/api/v1/reintegration-plans/{plan['id']}"
    added = client.post(
        f"{url}/components/",
        {
            "dimension": "economic",
            "description": "Chicks and feed",
            "service": "reintegration_economic",
            "version": plan["version"],
        },
        format="json",
    ).json()
    [component] = added["components"]
    assert component["service"] == "reintegration_economic"
    late = client.post(
        f"{url}/components/{component['id']}/",
        {"status": "done", "done_on": (TODAY + timedelta(days=2)).isoformat(), "version": 2},
        format="json",
    )
    assert late.status_code == 400 and "not in the future" in str(late.json())
    stale = client.post(f"{url}/close/", {"completed": False, "version": 1}, format="json")
    assert stale.status_code == 409
    listed = client.get("/api/v1/reintegration-plans/").json()["results"]
    assert [p["id"] for p in listed] == [plan["id"]] and "components" not in listed[0]
    assert api("caseworker2").get(f"{url}/").status_code == 404


def test_the_reintegration_part_of_the_tab(world, register):
    from django.test import Client

    from tests.conftest import sign_in

    case = register(world["caseworker"])
    client = Client()
    sign_in(client, world["caseworker"])
    page = client.post(
        f"/cases/{case.pk}/reintegration/",
        {"kind": "collective", "title": "Group", "started_on": "2026-01-05", "members": "X-1"},
        HTTP_HOST="localhost",
        follow=True,
    ).content.decode()
    assert "No case you may see has the number X-1." in page
    client.post(
        f"/cases/{case.pk}/reintegration/",
        {"kind": "individual", "title": "Tailoring stall", "started_on": TODAY.isoformat()},
        HTTP_HOST="localhost",
    )
    plan = selectors.plans_for_case(case).get()
    client.post(
        f"/reintegration/{plan.pk}/components/",
        {"dimension": "social", "description": "Join the women's association", "version": 1},
        HTTP_HOST="localhost",
    )
    tab = client.get(f"/cases/{case.pk}/?tab=return", HTTP_HOST="localhost").content.decode()
    assert "Tailoring stall" in tab and "Join the women&#x27;s association" in tab
    component = plan.components.get()
    client.post(
        f"/reintegration/{plan.pk}/components/{component.pk}/move/",
        {"status": "done", "done_on": TODAY.isoformat(), "version": 2},
        HTTP_HOST="localhost",
    )
    refused = client.post(
        f"/reintegration/{plan.pk}/close/", {"version": 3}, HTTP_HOST="localhost", follow=True
    ).content.decode()
    assert "Tick the box to confirm" in refused
    client.post(
        f"/reintegration/{plan.pk}/close/",
        {"version": 3, "confirm": "1", "outcome": "completed"},
        HTTP_HOST="localhost",
    )
    plan.refresh_from_db()
    assert plan.status == "completed"

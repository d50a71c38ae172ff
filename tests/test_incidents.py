"""Incident and rights-violation monitoring: categories and counts, never names; the
dashboard by type, place and time with small cells hidden."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from haven.audit.models import AuditEvent
from haven.core.errors import NotAllowed
from haven.core.models import Location
from haven.feedback import actions, incident_actions, incident_reports
from haven.feedback.models import Incident
from tests.conftest import sign_in


def record(world, persona="feedback_focal", **kw):
    values = {
        "kind": "pushback",
        "occurred_on": date(2026, 11, 3),
        "perpetrator": "border_officials",
        "counts": {("male", "18_59"): 12, ("female", "0_17"): 3},
        **kw,
    }
    return incident_actions.record_incident(world[persona], **values)


def test_an_incident_holds_counts_by_sex_and_age(world):
    incident = record(world)
    assert incident.people_affected == 15 and incident.agency == world["a"]
    event = AuditEvent.objects.get(action="incident.recorded")
    assert event.details == {"kind": "pushback", "perpetrator": "border_officials", "affected": 15}


@pytest.mark.parametrize(
    ("kw", "field"),
    [
        ({"kind": "rumour"}, "kind"),
        ({"perpetrator": "Officer Jones"}, "perpetrator"),
        ({"occurred_on": date.today() + timedelta(days=1)}, "occurred_on"),
        ({"counts": {}}, "affected"),
        ({"counts": {("male", "18_59"): -1}}, "affected"),
        ({"counts": {("robot", "18_59"): 2}}, "affected"),
        ({"counts": {("male", "18_59"): 10_001}}, "affected"),
    ],
)
def test_bad_incidents_are_refused_with_the_field(world, kw, field):
    with pytest.raises(ValidationError) as refused:
        record(world, **kw)
    assert field in refused.value.message_dict
    assert not Incident.objects.exists()


def test_only_recorders_record_and_only_from_their_reports(world):
    with pytest.raises(NotAllowed):
        record(world, persona="caseworker")
    complaint, _ = actions.submit_public(world["a"], category="service_complaint", text="x")
    with pytest.raises(ValidationError):
        record(world, source=complaint)
    report, _ = actions.submit_public(world["a"], category="rights_violation", text="pushback")
    assert record(world, source=report).source == report


def test_recorders_see_their_agency_only(world):
    incident = record(world)
    client = sign_in(Client(), world["other_supervisor"])
    assert client.get(f"/incidents/{incident.pk}/", HTTP_HOST="localhost").status_code == 404
    assert (
        "No incidents match." in client.get("/incidents/", HTTP_HOST="localhost").content.decode()
    )


def test_the_form_records_an_incident(world):
    niger = Location.objects.create(code="NE", name="Niger", level=0, country_code="NE")
    client = sign_in(Client(), world["supervisor"])
    form = {
        "kind": "arbitrary_detention",
        "occurred_on": "2026-10-30",
        "perpetrator": "police",
        "location": niger.pk,
        "n_female_18_59": "4",
        "n_male_0_17": "",
    }
    response = client.post("/incidents/new/", form, HTTP_HOST="localhost")
    incident = Incident.objects.get()
    assert response["Location"] == f"/incidents/{incident.pk}/"
    assert incident.people_affected == 4 and incident.location == niger
    page = client.get(response["Location"], HTTP_HOST="localhost").content.decode()
    assert "Female, 18–59: 4" in page
    refused = client.post("/incidents/new/", {**form, "n_female_18_59": ""}, HTTP_HOST="localhost")
    assert "at least one" in refused.content.decode() and Incident.objects.count() == 1


def test_the_dashboard_is_exact_for_recorders_and_protected_for_others(world):
    niger = Location.objects.create(code="NE", name="Niger", level=0, country_code="NE")
    for _ in range(6):
        record(world, location=niger)
    record(
        world, kind="extortion", perpetrator="smuggler_or_trafficker", occurred_on=date(2026, 10, 2)
    )
    exact = incident_reports.incident_report(world["feedback_focal"])
    assert exact.incidents == 7 and exact.people_affected == 105
    months = exact.by_month.columns
    assert months == ["2026-10", "2026-11"]
    rows = dict(exact.by_month.rows)
    assert rows["Pushback or collective expulsion"] == [0, 6, 6]
    assert rows["Extortion or robbery"] == [1, 0, 1]
    assert dict(exact.by_place.rows)["Niger"][-1] == 6
    # Types with no incident at all are left out of the place and perpetrator tables.
    assert exact.by_place.columns == ["Pushback or collective expulsion", "Extortion or robbery"]
    affected = dict(exact.affected.rows)
    assert affected["Male"][exact.affected.columns.index("18–59")] == 84
    protected = incident_reports.incident_report(world["analyst"])
    assert protected.protected and protected.incidents == 7
    assert dict(protected.by_month.rows)["Extortion or robbery"][0] is None
    rounded = incident_reports.incident_report(world["analyst"], base=5)
    assert rounded.incidents == 5 and rounded.people_affected == 105
    # The same cells hidden, every published count to its nearest multiple of 5.
    assert rounded.by_month.rows == [
        (label, [None if n is None else (n + 2) // 5 * 5 for n in row])
        for label, row in protected.by_month.rows
    ]
    assert incident_reports.incident_report(world["feedback_focal"], base=5).incidents == 7


def test_the_api_records_and_lists(api, world):
    client = api("protection")
    body = {
        "kind": "sexual_violence",
        "occurred_on": "2026-11-20",
        "perpetrator": "armed_group",
        "affected": [{"sex": "female", "age_band": "0_17", "count": 2}],
    }
    made = client.post("/api/v1/incidents/", body, format="json")
    assert made.status_code == 201, made.content
    assert made.json()["affected"] == [{"sex": "female", "age_band": "0_17", "count": 2}]
    listed = client.get("/api/v1/incidents/").json()["results"]
    assert [row["id"] for row in listed] == [made.json()["id"]]
    bad = client.post("/api/v1/incidents/", {**body, "affected": []}, format="json")
    assert bad.status_code == 400 and "affected" in bad.json()
    report = client.get("/api/v1/incidents-report/").json()
    assert report["incidents"] == 1 and report["protected"] is False

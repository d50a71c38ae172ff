"""The feedback API for staff: intake, lists without text, one submission access-logged,
the workflow, and the same visibility as the pages."""

import pytest

from haven.audit.models import AccessLog
from haven.feedback import actions, selectors
from haven.feedback.models import Submission


@pytest.fixture
def complaint(world):
    submission, _code = actions.submit_public(
        world["a"], category="service_complaint", text="The tap is broken", contact_name="Ali"
    )
    return submission


def test_staff_intake_returns_the_code_once(api, world):
    response = api("caseworker").post(
        "/api/v1/feedback/",
        {"channel": "hotline", "category": "information", "text": "Where is the clinic?"},
        format="json",
    )
    assert response.status_code == 201, response.content
    code = response.json()["tracking_code"]
    assert selectors.by_code(code).pk == response.json()["submission"]["id"]
    assert "text" not in response.json()["submission"]


def test_intake_refuses_bad_input_with_the_field(api):
    response = api("caseworker").post(
        "/api/v1/feedback/",
        {"channel": "web", "category": "rumour", "text": ""},
        format="json",
    )
    assert response.status_code == 400
    assert set(response.json()) == {"channel", "category", "text"}
    assert not Submission.objects.exists()


def test_lists_leave_the_text_out_and_detail_is_access_logged(api, world, complaint):
    client = api("feedback_focal")
    listed = client.get("/api/v1/feedback/").json()["results"]
    assert [row["id"] for row in listed] == [complaint.pk]
    assert "text" not in listed[0] and "contact_name" not in listed[0]
    assert listed[0]["overdue"] is False
    one = client.get(f"/api/v1/feedback/{complaint.pk}/").json()
    assert one["text"] == "The tap is broken" and one["contact_name"] == "Ali"
    assert AccessLog.objects.filter(view="feedback.detail", object_id=str(complaint.pk)).exists()


def test_the_psea_focal_point_sees_allegations_not_complaints(api, world, complaint):
    allegation, _ = actions.submit_public(world["a"], category="misconduct", text="x")
    rows = api("psea").get("/api/v1/feedback/").json()["results"]
    assert [row["id"] for row in rows] == [allegation.pk]
    assert api("psea").get(f"/api/v1/feedback/{complaint.pk}/").status_code == 404
    assert api("feedback_focal").get(f"/api/v1/feedback/{allegation.pk}/").status_code == 404


def test_workflow_through_the_api(api, world, complaint):
    client = api("feedback_focal")
    url = f"/api/v1/feedback/{complaint.pk}"
    moved = client.post(f"{url}/move/", {"to": "acknowledged", "version": 1}, format="json")
    assert moved.status_code == 200 and moved.json()["status"] == "acknowledged"
    stale = client.post(f"{url}/move/", {"to": "in_progress", "version": 1}, format="json")
    assert stale.status_code == 409 and stale.json()["code"] == "conflict"
    wrong = client.post(f"{url}/move/", {"to": "received", "version": 2}, format="json")
    assert wrong.status_code == 400 and "Possible" in wrong.json()["detail"]
    triaged = client.post(
        f"{url}/triage/",
        {"priority": "high", "assignee": world["feedback_focal"].pk, "version": 2},
        format="json",
    )
    assert triaged.json()["assigned_to"] == world["feedback_focal"].pk
    resolved = client.post(
        f"{url}/resolve/", {"answer": "A plumber came on Monday.", "version": 3}, format="json"
    )
    assert resolved.json()["status"] == "resolved"
    assert Submission.objects.get().answer == "A plumber came on Monday."


def test_overdue_filter(api, world, complaint):
    from datetime import timedelta

    Submission.objects.update(acknowledge_due_at=complaint.received_at - timedelta(hours=1))
    rows = api("feedback_focal").get("/api/v1/feedback/?overdue=true").json()["results"]
    assert [(r["id"], r["overdue"]) for r in rows] == [(complaint.pk, True)]


def test_linking_a_case_needs_a_case_the_caller_sees(api, world, complaint, register):
    case = register(world["caseworker"])
    response = api("feedback_focal").post(
        f"/api/v1/feedback/{complaint.pk}/link-case/",
        {"case": case.pk, "version": 1},
        format="json",
    )
    assert response.status_code == 404  # the focal point does not work on cases

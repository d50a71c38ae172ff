from datetime import date, timedelta
from pathlib import Path

import pytest
import yaml
from django.core.management import call_command

from haven.audit.models import AccessLog
from haven.cases.models import Case
from tests.conftest import sign_in

NEW_CASE = {
    "person": {
        "given_name": "Tesfay",
        "family_name": "Gebremedhin",
        "original_script_name": "ተስፋይ",
        "sex": "male",
        "birth_date": "1999-01-01",
        "birth_date_precision": "year",
        "nationalities": ["ER"],
        "languages": ["ti"],
    },
    "programme": "counter_trafficking",
    "vulnerabilities": ["trafficking_victim"],
    "risk_level": "high",
    "consents": [{"purpose": "referral"}],
}


def test_register_through_the_api_with_token(world, api):
    response = api("caseworker").post("/api/v1/cases/", NEW_CASE, format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["person"]["given_name"] == "Tesfay" and body["person"]["languages"] == ["tir"]
    assert body["status"] == "registered" and body["version"] == 1
    case = Case.objects.get(pk=body["id"])
    assert case.person.consents.filter(purpose="referral", given=True).exists()


@pytest.mark.parametrize(
    ("patch", "field", "words"),
    [
        (
            {"person": {**NEW_CASE["person"], "birth_date": str(date.today() + timedelta(days=1))}},
            "birth_date",
            "future",
        ),
        (
            {"person": {**NEW_CASE["person"], "nationalities": ["QQ"]}},
            "nationalities",
            "Unknown country",
        ),
        ({"person": {**NEW_CASE["person"], "languages": ["qqq"]}}, "languages", "Unknown language"),
        ({"vulnerabilities": ["bogus"]}, "vulnerabilities", "Unknown value"),
        ({"programme": "nope"}, "programme", "not a valid choice"),
    ],
)
def test_bad_input_gets_a_clear_400_and_saves_nothing(world, api, patch, field, words):
    response = api("caseworker").post("/api/v1/cases/", {**NEW_CASE, **patch}, format="json")
    assert response.status_code == 400
    body = response.json()
    flat = str(body.get(field) or body.get("person", {}).get(field))
    assert words in flat, body
    assert not Case.objects.exists()


def test_missing_registration_consent_is_refused(world, api):
    response = api("caseworker").post(
        "/api/v1/cases/", {**NEW_CASE, "consent_given": False}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["code"] == "missing_consent"


def test_duplicate_case_number_via_api(world, api):
    client = api("caseworker")
    assert (
        client.post("/api/v1/cases/", {**NEW_CASE, "number": "AA-1"}, format="json").status_code
        == 201
    )
    response = client.post("/api/v1/cases/", {**NEW_CASE, "number": "AA-1"}, format="json")
    assert response.status_code == 400 and "already used" in str(response.json()["number"])


def test_transitions_stale_edits_and_illegal_moves(world, api):
    client = api("caseworker")
    case = client.post("/api/v1/cases/", NEW_CASE, format="json").json()
    url = f"/api/v1/cases/{case['id']}/transition/"
    moved = client.post(url, {"to": "assessment", "version": 1}, format="json")
    assert moved.status_code == 200 and moved.json()["status"] == "assessment"
    stale = client.post(url, {"to": "case_plan", "version": 1}, format="json")
    assert stale.status_code == 409 and stale.json()["code"] == "conflict"
    illegal = client.post(url, {"to": "follow_up", "version": 2}, format="json")
    assert illegal.status_code == 400
    assert "Possible next steps" in illegal.json()["detail"]


def test_a_case_number_must_carry_the_agencys_prefix(world, api):
    client = api("caseworker")
    for number in ("BB-2026-000001", "2026-1", "AA-"):
        response = client.post("/api/v1/cases/", {**NEW_CASE, "number": number}, format="json")
        assert response.status_code == 400, number
        assert "starts with AA-" in str(response.json()["number"])
    assert not Case.objects.exists()
    ok = client.post("/api/v1/cases/", {**NEW_CASE, "number": "aa-2026-7"}, format="json")
    assert ok.status_code == 201


def test_patch_case_requires_version(world, api):
    client = api("caseworker")
    case = client.post("/api/v1/cases/", NEW_CASE, format="json").json()
    url = f"/api/v1/cases/{case['id']}/"
    assert client.patch(url, {"risk_level": "low"}, format="json").status_code == 400
    ok = client.patch(url, {"risk_level": "low", "version": 1}, format="json")
    assert ok.status_code == 200 and ok.json()["risk_level"] == "low" and ok.json()["version"] == 2


def test_other_agency_gets_404_and_list_is_scoped(world, api):
    case = api("caseworker").post("/api/v1/cases/", NEW_CASE, format="json").json()
    outsider = api("other_agency")
    assert outsider.get(f"/api/v1/cases/{case['id']}/").status_code == 404
    assert outsider.get("/api/v1/cases/").json()["count"] == 0
    assert api("supervisor").get("/api/v1/cases/").json()["count"] == 1


def test_detail_read_is_access_logged(world, api):
    case = api("caseworker").post("/api/v1/cases/", NEW_CASE, format="json").json()
    api("supervisor").get(f"/api/v1/cases/{case['id']}/")
    entry = AccessLog.objects.get(view="case.detail")
    assert entry.channel == "api" and entry.actor == world["supervisor"]


def test_list_filters_and_search(world, api):
    client = api("caseworker")
    client.post("/api/v1/cases/", NEW_CASE, format="json")
    client.post(
        "/api/v1/cases/",
        {
            **NEW_CASE,
            "programme": "child_protection",
            "vulnerabilities": ["uasc"],
            "person": {**NEW_CASE["person"], "given_name": "Selam"},
        },
        format="json",
    )
    assert client.get("/api/v1/cases/?programme=child_protection").json()["count"] == 1
    assert client.get("/api/v1/cases/?vulnerability=uasc").json()["count"] == 1
    assert client.get("/api/v1/cases/?q=selam").json()["count"] == 1
    assert client.get("/api/v1/cases/?risk_level=low").json()["count"] == 0


def test_workflow_through_the_api_with_approvals(world, api):
    worker, supervisor = api("caseworker"), api("supervisor")
    case = worker.post("/api/v1/cases/", NEW_CASE, format="json").json()
    base = f"/api/v1/cases/{case['id']}"
    worker.post(f"{base}/transition/", {"to": "assessment", "version": 1}, format="json")
    worker.post(f"{base}/transition/", {"to": "case_plan", "version": 2}, format="json")
    plan = worker.post(
        f"{base}/plan/",
        {"goals": "Safety", "actions": [{"description": "Shelter", "responsible": "alice"}]},
        format="json",
    )
    assert plan.status_code == 201 and plan.json()["state"] == "submitted"
    pending = supervisor.get("/api/v1/approvals/").json()["results"]
    assert [p["kind"] for p in pending] == ["plan"]
    decided = supervisor.post(
        f"/api/v1/approvals/{pending[0]['id']}/decide/", {"approve": True}, format="json"
    )
    assert decided.status_code == 200 and decided.json()["decision"] == "approved"
    moved = worker.post(
        f"{base}/transition/", {"to": "implementation", "version": 3}, format="json"
    )
    assert moved.status_code == 200, moved.content


def test_request_closure_through_the_api(world, api):
    case = api("caseworker").post("/api/v1/cases/", NEW_CASE, format="json").json()
    base = f"/api/v1/cases/{case['id']}/request-closure/"
    asked = api("caseworker").post(
        base, {"closure_reason": "declined", "comment": "Left"}, format="json"
    )
    assert asked.status_code == 201, asked.content
    assert asked.json()["kind"] == "closure" and asked.json()["closure_reason"] == "declined"
    refused = api("caseworker").post(base, {"closure_reason": "bored"}, format="json")
    assert refused.status_code == 400 and "closure_reason" in refused.json()


def test_notes_api_hidden_for_others_and_encrypted(world, api):
    case = api("caseworker").post("/api/v1/cases/", NEW_CASE, format="json").json()
    url = f"/api/v1/cases/{case['id']}/notes/"
    assert api("caseworker").post(url, {"body": "Met at shelter"}, format="json").status_code == 201
    page = api("supervisor").get(url).json()
    assert page["count"] == 1 and page["results"][0]["body"] == "Met at shelter"
    assert api("other_agency").get(url).status_code == 404


def test_consents_api_pages_them(world, api):
    case = api("caseworker").post("/api/v1/cases/", NEW_CASE, format="json").json()
    page = api("caseworker").get(f"/api/v1/persons/{case['person']['id']}/consents/").json()
    assert page["count"] == 2 and {c["purpose"] for c in page["results"]} == {
        "registration",
        "referral",
    }


def test_ids_that_are_not_numbers_are_404_not_500(world, api):
    for path in (
        "/api/v1/tracing-requests/false/",
        "/api/v1/referrals/null,null/",
        "/api/v1/returns/1e3/",
        "/api/v1/reintegration-plans/-1/",
        "/api/v1/cases/99999999999999999999999/",
    ):
        assert api("supervisor").get(path).status_code == 404, path


def test_nul_characters_are_refused_with_the_field_named(world, api, client):
    refused = api("caseworker").get("/api/v1/cases/", {"q": "Amal\x00"})
    assert refused.status_code == 400 and "q contains a NUL" in refused.json()["detail"]
    body = {**NEW_CASE, "person": {**NEW_CASE["person"], "given_name": "Tes\x00fay"}}
    refused = api("caseworker").post("/api/v1/cases/", body, format="json")
    assert refused.status_code == 400 and "NUL" in refused.json()["detail"]
    assert not Case.objects.exists()
    page = sign_in(client, world["caseworker"]).get(
        "/cases/", {"q": "a\x00"}, HTTP_HOST="localhost"
    )
    assert page.status_code == 400 and "NUL" in page.content.decode()


def test_users_me(world, api):
    body = api("supervisor").get("/api/v1/users/me/").json()
    assert body["username"] == "carol" and body["agency"] == "aa"
    assert {"role": "supervisor", "scope": "office"} in body["roles"]
    assert "case.approve" in body["permissions"]


def test_committed_openapi_schema_matches_the_code(tmp_path):
    """CI fails when the API changes without `make schema`."""
    generated = tmp_path / "openapi.yaml"
    call_command("spectacular", "--file", str(generated), "--validate")
    committed = Path(__file__).resolve().parent.parent / "docs" / "api" / "openapi.yaml"
    assert committed.exists(), "Run `make schema` and commit docs/api/openapi.yaml"
    assert yaml.safe_load(generated.read_text()) == yaml.safe_load(committed.read_text()), (
        "docs/api/openapi.yaml is out of date: run `make schema` and commit it"
    )


def test_batch_registration_keeps_every_valid_item_and_explains_the_rest(world, api):
    client = api("caseworker")
    bad_country = {**NEW_CASE, "person": {**NEW_CASE["person"], "nationalities": ["QQ"]}}
    no_consent = {**NEW_CASE, "consent_given": False}
    response = client.post(
        "/api/v1/cases/batch/",
        [NEW_CASE, bad_country, NEW_CASE, no_consent, {"x": 1}],
        format="json",
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["created"] == 2 and body["refused"] == 3
    statuses = [r["status"] for r in body["results"]]
    assert statuses == [201, 400, 201, 400, 400]
    assert "Unknown country" in str(body["results"][1]["errors"])
    assert "consent" in str(body["results"][3]["errors"]).lower()
    assert Case.objects.count() == 2
    numbers = {r["number"] for r in body["results"] if r["status"] == 201}
    assert numbers == set(Case.objects.values_list("number", flat=True))


def test_batch_must_be_a_short_list(world, api):
    client = api("caseworker")
    assert client.post("/api/v1/cases/batch/", NEW_CASE, format="json").status_code == 400
    assert client.post("/api/v1/cases/batch/", [NEW_CASE] * 101, format="json").status_code == 400
    assert api("analyst").post("/api/v1/cases/batch/", [NEW_CASE], format="json").status_code == 403

"""Family tracing in the browser: a caseworker opens a request from the enquirer's case,
finds the relative registered in another script, confirms the match and records the
reunification after the best-interests determination."""

from datetime import date

import pytest
from playwright.sync_api import expect

from haven.cases import actions
from haven.tracing.models import TracingRequest
from tests.conftest import CASE
from tests.e2e.conftest import login
from tests.e2e.test_accessibility import violations

pytestmark = pytest.mark.e2e

TRACING = [{"purpose": "tracing", "legal_basis": "consent", "given": True}]


def test_a_caseworker_confirms_a_tracing_match_and_records_the_reunification(
    people, new_page, shot
):
    child = actions.register(
        people["caseworker"],
        person={
            "given_name": "Sami",
            "family_name": "Hassan",
            "sex": "male",
            "birth_date": date(2013, 6, 1),
            "care_status": "unaccompanied",
        },
        case={**CASE, "programme": "child_protection"},
        other_consents=TRACING,
    )
    # The father, registered earlier in Latin script, his name in Arabic script beside it.
    actions.register(
        people["caseworker"],
        person={
            "given_name": "Muhammad",
            "family_name": "Hassan",
            "original_script_name": "محمد الحسن",
            "sex": "male",
            "birth_date": date(1981, 3, 4),
            "nationalities": ["SY"],
        },
        case=CASE,
        other_consents=TRACING,
    )
    page = new_page()
    login(page, "alice")
    page.goto(f"/cases/{child.pk}/?tab=family")
    page.get_by_role("link", name="Open a tracing request").click()
    page.get_by_label("The person sought is the enquirer's").select_option("parent")
    page.get_by_label("Name in original script").fill("محمد الحسن")
    page.get_by_label("Sex").select_option("male")
    page.get_by_label("Date of birth", exact=True).fill("1981-01-01")
    page.get_by_label("Precision of the date of birth").select_option("year")
    page.get_by_label("Nationality").fill("SY")
    page.get_by_label("Place last seen, in words").fill("Agadez bus station")
    page.get_by_label("Cause of separation").select_option("journey")
    page.get_by_label("Circumstances of separation").fill("The truck left at night.")
    assert violations(page) == []
    page.get_by_role("button", name="Open the request").click()
    expect(page.locator(".messages")).to_contain_text("Tracing request opened")

    matches = page.get_by_role("region", name="Potential matches")
    expect(matches).to_contain_text("Muhammad Hassan")
    expect(matches).to_contain_text("likely the person sought")
    matches.get_by_text("Why").click()
    expect(
        matches.get_by_role(
            "cell", name="the same name in another spelling, script or short form"
        ).first
    ).to_be_visible()
    assert violations(page) == []
    shot(page, "07-tracing-match")
    matches.get_by_label("Reason for the decision").fill("Recognised on the photo by the child")
    matches.get_by_role("button", name="Confirm: this is the person").click()
    expect(page.locator(".messages")).to_contain_text("Match confirmed")
    expect(page.locator(".badge").first).to_have_text("Located: a match is confirmed")

    page.get_by_role("link", name="Record the reunification").click()
    expect(page.get_by_role("note")).to_contain_text("A child is involved")
    page.get_by_label("Date of reunification").fill("2026-11-02")
    page.get_by_label("Arrangement").select_option("family")
    page.get_by_role("button", name="Record the reunification").click()
    # Refused without the determination, nothing lost of what was typed.
    expect(page.get_by_text("This field is required.").first).to_be_visible()
    expect(page.get_by_label("Date of reunification")).to_have_value("2026-11-02")
    page.get_by_label("Best-interests determination").select_option("in_favour")
    page.get_by_label("Date of the determination").fill("2026-10-20")
    page.get_by_label("Determined by (person or panel)").fill("BID panel, Niamey")
    page.get_by_role("button", name="Record the reunification").click()
    expect(page.locator(".messages")).to_contain_text("Reunification recorded")
    expect(page.get_by_role("region", name="Reunification")).to_contain_text("BID panel")
    shot(page, "08-tracing-reunified")
    assert TracingRequest.objects.get().status == "reunified"

"""A cross-agency referral in the browser: agency A refers, agency B accepts and completes,
agency A sees the completion — and B sees the shared fields only."""

from datetime import date

import pytest
from playwright.sync_api import expect

from haven.assistance.models import Referral
from haven.cases import actions
from haven.people import actions as people_actions
from tests.conftest import CASE, PERSON
from tests.e2e.conftest import login
from tests.e2e.test_accessibility import violations

pytestmark = pytest.mark.e2e


def _case_with_referral_consent(people):
    from haven.assistance.models import ServiceType
    from haven.assistance.taxonomy import install

    install(ServiceType)  # a transactional database is emptied between tests
    case = actions.register(people["caseworker"], person=PERSON, case=CASE)
    people_actions.record_consent(
        people["caseworker"],
        case.person,
        purpose="referral",
        legal_basis="consent",
        given=True,
        decided_on=date.today(),
    )
    return case


def test_agency_a_refers_agency_b_accepts_and_completes(people, new_page, shot):
    case = _case_with_referral_consent(people)
    a = new_page()
    login(a, "alice")
    a.goto(f"/cases/{case.pk}/?tab=referrals")
    refer = a.locator("form", has=a.get_by_role("button", name="Send referral"))
    refer.get_by_label("Service").select_option(label="Legal aid")
    refer.get_by_label("Refer to").select_option(label="Agency B")
    refer.get_by_label("What the person needs").fill("Advice on her residence permit")
    refer.get_by_label("Name", exact=True).check()
    refer.get_by_label("Languages").check()
    assert violations(a) == []
    refer.get_by_role("button", name="Send referral").click()
    expect(a.locator(".messages")).to_contain_text("Referral sent.")
    shot(a, "referral-sent")

    b = new_page()
    login(b, "eve")
    b.get_by_role("link", name="Referrals waiting for an answer").click()
    b.get_by_role("link", name="Legal aid").click()
    expect(b.get_by_text("Advice on her residence permit")).to_be_visible()
    expect(b.get_by_text(PERSON["given_name"])).to_be_visible()
    # The receiver sees the shared fields only: no case, no number, no other detail.
    expect(b.get_by_text(case.number)).to_have_count(0)
    expect(b.get_by_text("Stranded migrant")).to_have_count(0)
    assert violations(b) == []
    shot(b, "referral-received")
    b.get_by_role("button", name="Accept").click()
    expect(b.locator(".messages")).to_contain_text("Referral updated.")
    b.get_by_label("Reason or outcome").fill("Permit renewed with our lawyer")
    b.get_by_role("button", name="Completed", exact=True).click()
    expect(b.locator(".badge").first).to_have_text("Completed")
    shot(b, "referral-completed-by-b")

    a.goto(f"/cases/{case.pk}/?tab=referrals")
    expect(a.get_by_text("Completed — Permit renewed with our lawyer")).to_be_visible()
    shot(a, "referral-outcome-seen-by-a")
    assert Referral.objects.get().status == "completed"


def test_overdue_referrals_are_listed_and_the_form_prints(people, new_page, shot):
    from datetime import timedelta

    from haven.assistance import actions as assistance_actions
    from haven.assistance.models import ServiceType

    case = _case_with_referral_consent(people)
    referral = assistance_actions.refer(
        people["caseworker"],
        case,
        ServiceType.objects.get(code="medical"),
        reason="Wound on the left foot to dress",
        fields=["name", "sex"],
        to_agency=people["other_agency"].agency,
    )
    # As if referred weeks ago and never answered.
    Referral.objects.filter(pk=referral.pk).update(due_on=date.today() - timedelta(days=4))

    a = new_page()
    login(a, "alice")
    a.get_by_role("link", name="Referrals sent, overdue").click()
    row = a.get_by_role("row", name="Medical care")
    expect(row).to_contain_text(case.number)
    expect(row).to_contain_text("4 days overdue")
    assert violations(a) == []
    shot(a, "referrals-sent-overdue")

    row.get_by_role("link", name="Medical care").click()
    link = a.get_by_role("link", name="Print the referral form (PDF)")
    pdf = a.request.get(link.get_attribute("href"))
    assert pdf.status == 200 and pdf.headers["content-type"] == "application/pdf"
    assert pdf.body().startswith(b"%PDF")

    b = new_page()
    login(b, "eve")
    b.get_by_role("link", name="Referrals received, overdue").click()
    expect(b.get_by_role("row", name="Medical care")).to_contain_text("4 days overdue")
    expect(b.get_by_text(case.number)).to_have_count(0)
    shot(b, "referrals-received-overdue")


def test_a_return_is_recorded_step_by_step_and_withdrawn(people, new_page, shot):
    case = actions.register(
        people["caseworker"], person={**PERSON, "birth_date": date(1990, 4, 1)}, case=CASE
    )
    a = new_page()
    login(a, "alice")
    a.goto(f"/cases/{case.pk}/?tab=return")
    a.get_by_label("Country of departure").select_option(label="Niger")
    a.get_by_label("Country of return").select_option(label="Mali")
    a.get_by_role("button", name="Start the return").click()
    expect(a.locator(".messages")).to_contain_text("Return started")
    a.get_by_role("button", name="Record this step").click()
    expect(a.locator(".messages")).to_contain_text("decided freely, without pressure")
    for label in (
        "Informed about the situation in the country of return",
        "Informed about the assistance before and after return",
        "Told they may change their mind at any step",
        "Counselled in a language they understand",
        "The person decided freely, without pressure, to return",
    ):
        a.get_by_label(label).check()
    a.get_by_role("button", name="Record this step").click()
    expect(a.locator(".messages")).to_contain_text("Step recorded.")
    expect(a.get_by_text("Record: Travel documents")).to_be_visible()
    assert violations(a) == []
    shot(a, "return-steps")
    a.get_by_text("The person withdraws", exact=True).click()
    a.get_by_label("In the person's words (optional)").fill("Wants to stay with her sister")
    a.get_by_label("I confirm that the person withdraws their decision to return").check()
    a.get_by_role("button", name="Record the withdrawal").click()
    expect(a.locator(".messages")).to_contain_text("withdrawal is recorded")
    expect(a.get_by_text("The person withdrew their decision on")).to_be_visible()
    shot(a, "return-withdrawn")


def test_the_assistance_dashboard(people, new_page, shot):
    from haven.assistance import actions as assistance_actions
    from haven.assistance import return_actions
    from haven.assistance.models import ServiceType

    case = _case_with_referral_consent(people)
    assistance_actions.refer(
        people["caseworker"],
        case,
        ServiceType.objects.get(code="legal_aid"),
        reason="Advice",
        fields=[],
        to_agency=people["other_agency"].agency,
    )
    return_actions.start_return(
        people["caseworker"], case, country_of_departure="NE", country_of_return="ML"
    )
    page = new_page()
    login(page, "carol")
    page.get_by_role("link", name="Assistance: referrals, services and returns").click()
    expect(page.get_by_role("table", name="Referrals by service and status")).to_contain_text(
        "Legal aid"
    )
    expect(page.get_by_text("Returns by country of departure")).to_be_visible()
    assert violations(page) == []
    shot(page, "assistance-dashboard")

import re

import pytest
from playwright.sync_api import expect

from haven.cases.models import Case
from tests.e2e.conftest import login

pytestmark = pytest.mark.e2e


def register_case(page):
    page.goto("/cases/new/")
    page.get_by_label("Given name").fill("Amal")
    page.get_by_label("Family name").fill("Haddad")
    page.get_by_label("Name in original script").fill("أمل حداد")
    page.get_by_label("Sex").select_option("female")
    page.get_by_label("Date of birth", exact=True).fill("1994-05-02")
    page.get_by_label("Nationalities").fill("Syria")
    page.get_by_label("Languages").fill("Arabic")
    page.get_by_label("Programme").select_option("vulnerable_migrants")
    page.get_by_label("Stranded migrant").check()
    page.get_by_label("Referral to services").check()
    page.get_by_role("button", name="Register").click()
    expect(page.get_by_text(re.compile(r"Case AA-\d{4}-000001 registered"))).to_be_visible()


def move(page, step):
    page.get_by_label("Next step").select_option(step)
    page.get_by_role("button", name="Move").click()
    expect(page.locator(".messages")).to_contain_text("Case moved to")


def test_register_and_take_a_case_through_the_workflow(people, new_page, shot):
    worker = new_page()
    login(worker, "alice")
    register_case(worker)
    shot(worker, "01-registered")
    case = Case.objects.get()

    move(worker, "assessment")
    move(worker, "case_plan")
    worker.get_by_role("link", name="Case plan").click()
    worker.get_by_label("Goals").fill("Safe shelter and medical care; contact family.")
    worker.locator("#id_form-0-description").fill("Refer to the shelter")
    worker.get_by_role("button", name="Save and send for approval").click()
    expect(worker.locator(".messages")).to_contain_text("Case plan saved")
    shot(worker, "02-plan-submitted")

    supervisor = new_page()
    login(supervisor, "carol")
    expect(supervisor.get_by_text("Approvals waiting for me").first).to_be_visible()
    supervisor.get_by_role("link", name=case.number).first.click()
    supervisor.get_by_role("button", name="Approve").click()
    expect(supervisor.locator(".messages")).to_contain_text("Decision recorded")

    worker.goto(f"/cases/{case.pk}/")
    move(worker, "implementation")
    move(worker, "follow_up")
    worker.get_by_label("Closure reason", exact=True).select_option("goals_met")
    worker.get_by_role("button", name="Request closure").click()
    expect(worker.locator(".messages")).to_contain_text("Closure requested")

    supervisor.goto(f"/cases/{case.pk}/")
    supervisor.get_by_role("button", name="Approve").click()
    expect(supervisor.locator(".badge").first).to_have_text("Closed")
    shot(supervisor, "03-closed-after-approval")

    supervisor.get_by_role("link", name="History").click()
    expect(supervisor.get_by_text("approval.approve").first).to_be_visible()
    case.refresh_from_db()
    assert case.status == "closed" and case.closure_reason == "goals_met"


def test_arabic_is_right_to_left(people, new_page, shot):
    page = new_page()
    login(page, "alice")
    page.get_by_label("Language").select_option("ar")
    page.get_by_role("button", name="Change").click()
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    expect(page.locator("html")).to_have_attribute("lang", "ar")
    expect(page.get_by_role("heading", level=1)).to_have_text("لوحة المتابعة")
    page.goto("/cases/new/")
    shot(page, "04-arabic-registration")


def test_other_agency_gets_not_found(people, new_page, shot):
    from haven.cases import actions
    from tests.conftest import CASE, PERSON

    case = actions.register(people["caseworker"], person=PERSON, case=CASE)
    page = new_page()
    login(page, "eve")
    response = page.goto(f"/cases/{case.pk}/")
    assert response.status == 404
    expect(page.get_by_role("heading", name="Not found")).to_be_visible()
    expect(page.get_by_text("Haddad")).to_have_count(0)
    shot(page, "05-other-agency-not-found")


def test_case_list_on_a_small_phone(people, new_page, shot):
    from haven.cases import actions
    from tests.conftest import CASE, PERSON

    actions.register(people["caseworker"], person=PERSON, case=CASE)
    page = new_page(width=360, height=740)
    login(page, "alice")
    page.goto("/cases/")
    expect(page.get_by_text("Amal Haddad")).to_be_visible()
    # Nothing pushes the page wider than the screen.
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    shot(page, "06-case-list-360px")


def test_names_keep_their_own_direction_in_an_arabic_page(people, new_page, shot):
    from haven.cases import actions
    from tests.conftest import CASE, PERSON

    mixed = {"given_name": "Mohamed", "family_name": "Haddad", "original_script_name": "محمد حداد"}
    actions.register(people["caseworker"], person={**PERSON, **mixed}, case=CASE)
    spoofed = {"given_name": "abc\u202egpj.exe", "family_name": "", "original_script_name": ""}
    actions.register(people["caseworker"], person={**PERSON, **spoofed}, case=CASE)
    page = new_page()
    login(page, "alice")
    page.get_by_label("Language").select_option("ar")
    page.get_by_role("button", name="Change").click()
    page.goto("/cases/")
    # Each name is its own isolated run: the Latin name, then the Arabic one in brackets.
    expect(page.locator("bdi", has_text="Mohamed Haddad")).to_be_visible()
    expect(page.locator("bdi", has_text="محمد حداد")).to_be_visible()
    # A right-to-left override shows as its code, so "…gpj.exe" cannot pass for "…exe.jpg".
    expect(page.locator("bdi", has_text="abc[U+202E]gpj.exe")).to_be_visible()
    assert "\u202e" not in page.content()
    shot(page, "06-case-list-names-isolated-arabic")


def test_registration_warns_of_a_duplicate_written_in_arabic_script(people, new_page, shot):
    worker = new_page()
    login(worker, "alice")
    register_case(worker)
    worker.goto("/cases/new/")
    worker.get_by_label("Given name").fill("أمل")
    worker.get_by_label("Family name").fill("حداد")
    worker.get_by_label("Sex").select_option("female")
    worker.get_by_label("Date of birth", exact=True).fill("1994-05-02")
    worker.get_by_label("Nationalities").fill("SY")
    worker.get_by_label("Programme").select_option("vulnerable_migrants")
    worker.get_by_label("Stranded migrant").check()
    worker.get_by_role("button", name="Register").click()
    warning = worker.get_by_role("region", name="Possible duplicates")
    expect(warning).to_contain_text("Amal Haddad")
    expect(warning).to_contain_text("likely the same person")
    warning.get_by_text("Why").click()
    expect(
        warning.get_by_role(
            "cell", name="the same name in another spelling, script or short form"
        ).first
    ).to_be_visible()
    shot(worker, "04-duplicate-warning")
    assert Case.objects.count() == 1
    worker.get_by_label("I checked the possible duplicates").check()
    worker.get_by_role("button", name="Register").click()
    expect(worker.get_by_text(re.compile(r"Case AA-\d{4}-000002 registered"))).to_be_visible()


def test_a_place_is_picked_from_suggestions_by_name(people, new_page):
    from haven.cases import actions
    from haven.core.models import Location
    from tests.conftest import CASE, PERSON

    niger = Location.objects.create(code="NE", name="Niger", level=0, country_code="NE")
    agadez = Location.objects.create(
        code="NE001", name="Agadez", level=1, parent=niger, country_code="NE"
    )
    arlit = Location.objects.create(
        code="NE001002", name="Arlit", level=2, parent=agadez, country_code="NE"
    )
    case = actions.register(people["caseworker"], person=PERSON, case=CASE)
    page = new_page()
    login(page, "alice")
    page.goto(f"/cases/{case.pk}/person/")
    page.get_by_label("Current location").press_sequentially("Arl", delay=50)
    suggestion = page.locator("#id_current_location-options option")
    expect(suggestion).to_have_count(1)
    expect(suggestion.first).to_have_attribute("value", "Arlit (Agadez) · NE001002")
    page.get_by_label("Current location").fill("Arlit (Agadez) · NE001002")
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".messages")).to_be_visible()
    case.person.refresh_from_db()
    assert case.person.current_location == arlit

"""A protection officer answers a person's request to know what Haven holds about them:
finds the person, sees every record and who saw or changed it, in English and Arabic."""

import pytest
from playwright.sync_api import expect

from haven.cases import actions
from haven.people import actions as people_actions
from tests.conftest import CASE, PERSON, make_user
from tests.e2e.conftest import login
from tests.e2e.test_accessibility import violations

pytestmark = pytest.mark.e2e


def test_an_officer_finds_everything_held_about_a_person(people, new_page, shot):
    worker = people["caseworker"]
    case = actions.register(worker, person=PERSON, case=CASE)
    people_actions.add_contact(worker, case.person, kind="phone", value="+227 90 12 34 56")
    actions.add_note(worker, case, "Met at the border post; needs shelter tonight")
    make_user("pat", worker.agency, worker.agency.offices.first(), "protection_officer", "agency")

    page = new_page(width=1024, height=900)
    login(page, "pat")
    page.get_by_role("link", name="Requests").click()
    expect(page.get_by_role("heading", name="Data subjects' requests")).to_be_visible()
    page.get_by_label("Case number, name or document number").fill("Haddad")
    page.get_by_role("button", name="Find").click()
    page.get_by_role("link", name="Amal Haddad").click()
    expect(page.get_by_role("heading", name="Everything held about Amal Haddad")).to_be_visible()
    expect(page.get_by_role("heading", name="Contacts")).to_be_visible()
    expect(page.locator("table.record bdi", has_text="+227 90 12 34 56")).to_be_visible()
    expect(page.locator("#changes ~ div")).to_contain_text("case.create")
    assert violations(page) == []
    shot(page, "subject-access-01-gathered")

    page.context.add_cookies([{"name": "django_language", "value": "ar", "url": page.url}])
    page.reload()
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    expect(page.locator("table.record bdi", has_text="Met at the border post")).to_be_visible()
    assert violations(page) == []
    shot(page, "subject-access-02-gathered-ar")

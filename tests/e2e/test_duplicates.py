"""Duplicates in the browser: an administrator runs the deduplication, a supervisor
reviews the pair it found, merges the two records field by field, then undoes it."""

from datetime import date

import pytest
from playwright.sync_api import expect

from haven.cases import actions
from haven.people.models import Person
from tests.conftest import CASE, PASSWORD, PERSON, make_user
from tests.e2e.conftest import login
from tests.e2e.test_accessibility import violations
from tests.e2e.test_administration import current_code

pytestmark = pytest.mark.e2e


def test_deduplication_review_merge_and_undo(people, new_page, shot):
    from haven.accounts.models import Office

    office = Office.objects.get(name="A north")
    make_user("adele", office.agency, office, "agency_admin", "agency")
    first = actions.register(people["caseworker"], person=PERSON, case=CASE)
    second = actions.register(
        people["caseworker"],
        person={
            **PERSON,
            "given_name": "Amel",
            "family_name": "Hadad",
            "original_script_name": "",
            "birth_date": date(1994, 2, 5),
            "languages": ["fr"],
        },
        case=CASE,
    )

    admin = new_page()
    admin.goto("/login/")
    admin.get_by_label("Username").fill("adele")
    admin.get_by_label("Password").fill(PASSWORD)
    admin.get_by_role("button", name="Sign in").click()
    admin.goto("/manage/deduplication/")  # administrators set up two-factor first
    secret = admin.locator("code").inner_text()
    admin.get_by_label("Code from your authenticator app").fill(current_code(secret))
    admin.get_by_role("button", name="Confirm").click()
    expect(admin.get_by_text("Two-factor authentication is on.")).to_be_visible()
    admin.goto("/manage/deduplication/")
    admin.get_by_role("button", name="Start a deduplication").click()
    expect(admin.locator(".messages")).to_contain_text("Deduplication started")
    expect(admin.get_by_role("cell", name="100% — Done: Done")).to_be_visible()
    assert violations(admin) == []
    shot(admin, "09-deduplication-job")

    page = new_page()
    login(page, "carol")
    page.get_by_role("link", name="Duplicates").click()
    expect(page.get_by_text("Amel Hadad")).to_be_visible()
    page.get_by_role("link", name="Compare and merge").click()
    expect(page.get_by_role("cell", name=first.number)).to_be_visible()
    page.get_by_role("row", name="family name").get_by_label("Hadad").check()
    page.get_by_role("row", name="date of birth").get_by_label("1994-05-02").check()
    page.get_by_label("I checked that these two records are the same person").check()
    assert violations(page) == []
    shot(page, "10-merge-field-by-field")
    page.get_by_role("button", name="Merge the records").click()
    expect(page.locator(".messages")).to_contain_text("Records merged")
    kept = Person.objects.get(pk=first.person_id)
    assert kept.family_name == "Hadad" and kept.birth_date == date(1994, 5, 2)
    assert set(kept.cases.values_list("number", flat=True)) == {first.number, second.number}

    page.get_by_text("Undo this merge").click()
    page.get_by_role("button", name="Undo the merge").click()
    expect(page.locator(".messages")).to_contain_text("Merge undone")
    assert Person.objects.get(pk=second.person_id).merged_into is None
    assert Person.objects.get(pk=first.person_id).family_name == "Haddad"

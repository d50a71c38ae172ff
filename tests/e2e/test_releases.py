"""An analyst builds a de-identified release in the browser and downloads it."""

import csv
import io
from datetime import date

import pytest
from playwright.sync_api import expect

from haven.cases import actions
from haven.evidence.models import Release
from tests.conftest import CASE, PERSON, make_user
from tests.e2e.conftest import login
from tests.e2e.test_accessibility import violations

pytestmark = pytest.mark.e2e

REPORTING = [{"purpose": "reporting", "legal_basis": "consent", "given": True}]


def test_an_analyst_builds_a_deidentified_release_and_downloads_it(people, new_page, shot):
    from haven.accounts.models import Office

    office = Office.objects.get(name="A north")
    make_user("ana", office.agency, office, "analyst", "agency")
    for i in range(12):
        actions.register(
            people["caseworker"],
            person={**PERSON, "given_name": f"Person {i}", "birth_date": date(1990 + i % 3, 1, 1)},
            case=CASE,
            other_consents=REPORTING,
        )
    page = new_page()
    login(page, "ana")
    page.get_by_role("link", name="Releases").click()
    page.get_by_role("link", name="New release").click()
    page.get_by_label("Purpose").fill("Quarterly report to the donor")
    page.get_by_label("Age at registration").check()
    page.get_by_label("Sex", exact=True).check()
    page.get_by_label("Nationality").check()
    page.get_by_label("k (the fewest people").fill("3")
    assert violations(page) == []
    page.get_by_role("button", name="Make the release").click()
    expect(page.locator(".messages")).to_contain_text("Release requested")
    expect(page.get_by_text("100% — Ready")).to_be_visible()
    expect(page.get_by_text("Only cases whose person's consent")).to_be_visible()
    assert violations(page) == []
    shot(page, "11-release-report")
    with page.expect_download() as download:
        page.get_by_role("link", name="Download the release (CSV)").click()
    body = download.value.path().read_text(encoding="utf-8")
    rows = list(csv.reader(io.StringIO(body)))
    assert rows[0] == ["age", "sex", "nationality"] and len(rows) == 13
    assert "Person" not in body and "Haddad" not in body
    release = Release.objects.get()
    assert release.status == "done" and release.rows == 12

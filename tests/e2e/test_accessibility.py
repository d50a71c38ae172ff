"""WCAG 2.1 A and AA checks with axe-core on the main pages, left-to-right and right-to-left."""

import pytest
from axe_playwright_python.sync_playwright import Axe

from haven.cases import actions
from tests.conftest import CASE, PERSON
from tests.e2e.conftest import login

pytestmark = pytest.mark.e2e

WCAG = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}


def violations(page):
    results = Axe().run(page, options=WCAG)
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:3]}"
        for v in results.response["violations"]
    ]


@pytest.mark.parametrize("language", ["en", "ar"])
def test_main_pages_have_no_wcag_violations(people, new_page, language):
    case = actions.register(people["caseworker"], person=PERSON, case=CASE)
    actions.add_flag(people["caseworker"], case, "Check the shelter place")
    page = new_page()
    page.goto("/login/")
    assert violations(page) == []
    login(page, "alice")
    if language != "en":
        page.get_by_label("Language").select_option(language)
        page.locator("form.lang button").click()
    urls = [
        "/",
        "/cases/",
        "/cases/new/",
        f"/cases/{case.pk}/",
        f"/cases/{case.pk}/?tab=consent",
        f"/cases/{case.pk}/plan/",
        f"/cases/{case.pk}/person/",
        "/assessments/import/",
    ]
    found = {}
    for url in urls:
        page.goto(url)
        problems = violations(page)
        if problems:
            found[url] = problems
    assert found == {}

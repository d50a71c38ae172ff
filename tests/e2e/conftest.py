"""Browser tests: Playwright drives Debian's Chromium against a live Haven server."""

import os
import shutil
from pathlib import Path

import pytest

# Playwright's sync API runs an event loop in this thread; the ORM calls in fixtures are safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("HAVEN_CHROMIUM", "/usr/bin/chromium")
ARTIFACTS = Path(os.environ.get("HAVEN_ARTIFACTS", "artifacts")) / "screenshots"


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    if not shutil.which(CHROMIUM):
        pytest.fail(f"Chromium not found at {CHROMIUM}: install Debian's chromium package")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def new_page(browser, live_server):
    contexts = []

    def make(width=1280, height=900, **options):
        context = browser.new_context(
            viewport={"width": width, "height": height}, base_url=live_server.url, **options
        )
        context.set_default_timeout(15000)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def shot():
    ARTIFACTS.mkdir(parents=True, exist_ok=True)

    def take(page, name):
        path = ARTIFACTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take


@pytest.fixture
def people(transactional_db):
    """The personas of tests/conftest.py, in a database the live server can see."""
    from haven.accounts.models import Agency, Office
    from tests.conftest import make_user

    # A transactional database is emptied between tests; the built-in roles come back with
    # the flush's post-migrate step (accounts.roles.install_builtin_roles).
    a = Agency.objects.create(code="aa", name="Agency A")
    b = Agency.objects.create(code="bb", name="Agency B")
    a1 = Office.objects.create(agency=a, name="A north")
    b1 = Office.objects.create(agency=b, name="B east")
    return {
        "caseworker": make_user("alice", a, a1, "caseworker", "own"),
        "supervisor": make_user("carol", a, a1, "supervisor", "office"),
        "other_agency": make_user("eve", b, b1, "caseworker", "own"),
    }


@pytest.fixture
def caseload(people):
    """The caseworker's case in Agadez (Niger), with a shelter service and the shipped forms:
    what the offline tests take onto a device."""
    from haven.assessments.actions import install_shipped_forms
    from haven.assistance.models import Provider, ServicePoint, ServiceType
    from haven.cases import actions
    from haven.core.models import Location
    from tests.conftest import CASE, PERSON

    shelter, _ = ServiceType.objects.get_or_create(code="shelter", defaults={"name": "Shelter"})
    provider = Provider.objects.create(name="Safe House", maintained_by=people["caseworker"].agency)
    point = ServicePoint.objects.create(provider=provider, name="Safe House North")
    point.services.add(shelter)
    install_shipped_forms()
    niger = Location.objects.create(code="NE", name="Niger", level=0, country_code="NE")
    agadez = Location.objects.create(
        code="NE001", name="Agadez", level=1, parent=niger, country_code="NE"
    )
    Location.objects.create(
        code="NE001002", name="Arlit", level=2, parent=agadez, country_code="NE"
    )
    people["caseworker"].offices.update(location=agadez)
    return actions.register(people["caseworker"], person=PERSON, case=CASE)


def login(page, username):
    from tests.conftest import PASSWORD

    page.goto("/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/")

"""A caseworker records how a person was trafficked; a supervisor exports the
counter-trafficking cases with HTCDS field names in an encrypted archive; an analyst reads
the indicators, charts and tables."""

import csv
import io
from datetime import date

import pytest
import pyzipper
from playwright.sync_api import expect

from haven.cases import actions
from tests.conftest import CASE, PERSON, make_user
from tests.e2e.conftest import login
from tests.e2e.test_accessibility import violations

pytestmark = pytest.mark.e2e

TRAFFICKING = {**CASE, "programme": "counter_trafficking", "vulnerabilities": ["stranded"]}
SECRET = "a password for the shelter"


def test_trafficking_profile_then_an_htcds_export_in_an_encrypted_archive(people, new_page, shot):
    case = actions.register(
        people["caseworker"], person={**PERSON, "given_name": "Nadia"}, case=TRAFFICKING
    )
    page = new_page()
    login(page, "alice")
    page.goto(f"/cases/{case.pk}/")
    page.get_by_role("link", name="Edit the trafficking profile").click()
    page.get_by_label("Forced labour").check()
    page.get_by_label("Debt bondage").check()
    page.get_by_label("Withholds documents").check()
    page.get_by_label("Country of exploitation").select_option("LY")
    assert violations(page) == []
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".messages")).to_contain_text("Trafficking profile saved")
    expect(page.get_by_text("Debt bondage, Withholds documents")).to_be_visible()

    page = new_page()
    login(page, "carol")
    page.get_by_role("link", name="Exports").click()
    page.get_by_role("link", name="New export").click()
    page.get_by_label("Counter-trafficking cases, HTCDS fields").check()
    page.get_by_label("Purpose").fill("Case conference with the shelter")
    page.get_by_label("Password of the archive").fill(SECRET)
    assert violations(page) == []
    page.get_by_role("button", name="Make the export").click()
    expect(page.locator(".messages")).to_contain_text("Export requested")
    expect(page.get_by_text("100% — Ready")).to_be_visible()
    shot(page, "12-htcds-export")
    with page.expect_download() as download:
        page.get_by_role("link", name="Download the archive (ZIP)").click()
    with pyzipper.AESZipFile(download.value.path()) as archive:
        archive.setpassword(SECRET.encode())
        body = archive.read("cases.csv").decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(body)))
    assert len(rows) == 1 and rows[0]["prs_FirstName"] == "Nadia"
    assert rows[0]["vic_MethodsOfControl"] == "DebtBondage;WithholdsDocuments"
    assert rows[0]["vic_LocationOfExploitation"] == "LY"


def test_an_analyst_reads_the_indicators(people, new_page, shot):
    from haven.accounts.models import Office
    from haven.assistance import actions as assistance
    from haven.assistance.models import ServiceType
    from haven.assistance.taxonomy import install

    install(ServiceType)  # a transactional database is emptied between tests
    legal = ServiceType.objects.get(code="legal_aid")
    office = Office.objects.get(name="A north")
    make_user("ana", office.agency, office, "analyst", "agency")
    for i in range(14):
        case = actions.register(
            people["caseworker"],
            person={**PERSON, "given_name": f"P{i}", "sex": "male" if i % 3 else "female"},
            case=TRAFFICKING if i % 2 else CASE,
        )
        assistance.record_delivery(people["caseworker"], case, legal, delivered_on=date.today())
    page = new_page()
    login(page, "ana")
    # The home page counts the cases too, protected: 14 cases, all registered at medium risk.
    counts = page.get_by_role("region", name="Cases by status and risk level")
    expect(counts.get_by_role("row", name="Registered").get_by_role("cell").last).to_have_text("14")
    shot(page, "13-analyst-home")
    page.get_by_role("link", name="Indicators").click()
    expect(page.get_by_role("heading", name="Cases by status and programme")).to_be_visible()
    chart = page.get_by_role("img", name="Bar chart: Cases by sex and programme.")
    chart.scroll_into_view_if_needed()
    # The SVG loaded (under the page's CSP) and was drawn.
    page.wait_for_function(
        "image => image.complete && image.naturalWidth > 0", arg=chart.element_handle()
    )
    page.get_by_label("Disaggregate by").select_option("age")
    page.get_by_label("Age bands (lower edges)").fill("0, 18, 30")
    page.get_by_role("button", name="Show").click()
    expect(page.get_by_role("heading", name="Cases by age band and programme")).to_be_visible()
    # Services delivered to the same cases: seven of each programme, drawn and counted.
    services = page.get_by_role("img", name="Bar chart: Services delivered by service and")
    services.scroll_into_view_if_needed()
    page.wait_for_function(
        "image => image.complete && image.naturalWidth > 0", arg=services.element_handle()
    )
    legal_row = page.get_by_role("row", name="Legal aid")
    expect(legal_row.get_by_role("cell").last).to_have_text("14")
    assert violations(page) == []
    shot(page, "13-indicators")
    with page.expect_download() as download:
        page.get_by_role("link", name="Download the counts (HXL)").click()
    assert "#indicator+name" in download.value.path().read_text(encoding="utf-8")

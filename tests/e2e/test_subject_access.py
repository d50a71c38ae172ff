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


def _sign_in_with_code(page, username: str, key: bytes) -> None:
    from django_otp.oath import totp

    from tests.conftest import PASSWORD

    page.goto("/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_label("Code from your authenticator app").fill(f"{totp(key):06d}")
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url("**/")


def test_a_dpo_answers_a_request_in_arabic_withholding_one_item(people, new_page, shot):
    import io
    import json

    import pyzipper
    from django_otp.plugins.otp_totp.models import TOTPDevice
    from pypdf import PdfReader

    worker = people["caseworker"]
    case = actions.register(worker, person={**PERSON, "languages": ["ar"]}, case=CASE)
    sister = actions.register(worker, person={**PERSON, "given_name": "Lina"}, case=CASE).person
    people_actions.add_relationship(worker, case.person, sister, kind="sibling")
    actions.add_note(worker, case, "Legal advice requested about the employer")
    dpo = make_user(
        "dan", worker.agency, worker.agency.offices.first(), "data_protection_officer", "agency"
    )
    device = TOTPDevice.objects.create(user=dpo, name="phone", confirmed=True)

    page = new_page(width=1024, height=900)
    _sign_in_with_code(page, "dan", device.bin_key)
    page.get_by_role("link", name="Requests").click()
    expect(page.get_by_text("No request is waiting for an answer.")).to_be_visible()
    page.get_by_label("Case number, name or document number").fill(case.number)
    page.get_by_role("button", name="Find").click()
    page.get_by_role("link", name="Amal Haddad").click()

    # The request as received at the office.
    page.get_by_text("Record a request").click()
    page.get_by_label("Request", exact=True).select_option("access")
    page.get_by_label("Received on").fill(case.registered_on.isoformat())
    page.get_by_label("Received by").select_option("in_person")
    page.get_by_label("How the person's identity was checked").fill("Passport seen at the desk")
    page.get_by_label("Language of the answer").select_option("ar")
    page.get_by_role("button", name="Record the request").click()
    expect(page.get_by_text("Request recorded.")).to_be_visible()
    # The sister's name is withheld by the rule; the officer withholds one more item.
    withheld = page.locator("#withheld ~ div table")
    expect(withheld).to_contain_text("Another person's identity")
    expect(withheld).to_contain_text("Lina Haddad")
    note = page.locator("details", has_text="Notes ·").first
    note.locator("summary").click()
    note.get_by_label("Withhold this record, because").fill("Legal professional privilege")
    note.get_by_role("button", name="Withhold").click()
    expect(page.get_by_text("Decision recorded.")).to_be_visible()
    expect(withheld).to_contain_text("Legal professional privilege")
    assert violations(page) == []
    shot(page, "subject-access-03-request-withheld")

    page.get_by_label("Password of the archive").fill("a long archive password")
    with page.expect_download() as download_info:
        page.get_by_role("button", name="Produce the answer").click()
    package = download_info.value.path().read_bytes()
    with pyzipper.AESZipFile(io.BytesIO(package)) as archive:
        archive.setpassword(b"a long archive password")
        answer = json.loads(archive.read("answer.json"))
        pdf = archive.read("answer.pdf")
    assert answer["request"]["language"] == "ar"
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)
    assert "Lina" not in text and "Legal advice requested" not in text
    assert "Legal professional privilege" in text and "Amal" in text
    page.goto(f"/subjects/requests/{case.person.subject_requests.get().pk}/")
    expect(page.locator(".facts")).to_contain_text("Answered")
    shot(page, "subject-access-04-answered")
    # What the PDF is made from, as the person reads it: Arabic, right to left.
    from haven.oversight.subject_answers import answer_html

    page.set_content(answer_html(case.person.subject_requests.get(), answer))
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    shot(page, "subject-access-05-answer-ar")


def test_a_dpo_sets_retention_and_a_hold_stops_an_erasure(people, new_page, shot):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    worker = people["caseworker"]
    case = actions.register(worker, person=PERSON, case=CASE)
    dpo = make_user(
        "dan", worker.agency, worker.agency.offices.first(), "data_protection_officer", "agency"
    )
    device = TOTPDevice.objects.create(user=dpo, name="phone", confirmed=True)
    page = new_page(width=1024, height=900)
    _sign_in_with_code(page, "dan", device.bin_key)

    page.get_by_role("link", name="Retention").click()
    expect(page.get_by_text("No retention rule yet")).to_be_visible()
    page.get_by_role("button", name="Add the suggested rules").click()
    expect(page.get_by_text("2 suggested rule(s) added")).to_be_visible()
    first = page.locator("tbody tr").first
    first.get_by_role("button", name="Dry run").click()
    expect(page.get_by_text("Dry run done.")).to_be_visible()
    page.locator("tbody tr").first.get_by_role("button", name="Approve").click()
    expect(page.get_by_text("applied daily since")).to_be_visible()
    assert violations(page) == []
    shot(page, "retention-01-rules")

    # A legal hold on the person: erasure is refused, with the reason, before anyone tries.
    page.goto(f"/subjects/{case.person_id}/")
    page.get_by_text("Place a legal hold").click()
    page.get_by_label("Kind of hold").select_option("proceedings")
    page.get_by_label("Why the records must be kept").fill("Trial of the recruiter in March")
    page.get_by_role("button", name="Place the hold").click()
    expect(page.get_by_text("Legal hold placed")).to_be_visible()
    page.get_by_text("Erase this person's identifying data").click()
    refusal = page.locator("#holds ~ details [role=alert]")
    expect(refusal).to_contain_text("A legal hold stands")
    expect(refusal).to_contain_text(f"Case {case.number} is open")
    assert violations(page) == []
    shot(page, "retention-02-hold-refuses-erasure")

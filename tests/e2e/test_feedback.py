"""The public feedback channel in a browser with JavaScript off, in Arabic, on a small phone:
send a complaint, keep the tracking code, read the focal point's answer, rate it."""

import re

import pytest
from playwright.sync_api import expect

from haven.accounts.models import Agency, Office
from haven.feedback.models import Submission
from tests.conftest import make_user
from tests.e2e.conftest import login
from tests.e2e.test_accessibility import violations

pytestmark = pytest.mark.e2e


@pytest.fixture(autouse=True)
def _no_wait(settings):
    settings.HAVEN_FEEDBACK_MIN_SECONDS = 0


def _answer_the_question(page):
    question = page.locator("label[for=id_answer]").inner_text()
    a, b = (int(n) for n in re.findall(r"\d+", question)[:2])
    page.locator("#id_answer").fill(str(a + b))


def test_a_complaint_in_arabic_without_javascript_is_answered(people, new_page, shot):
    a = Agency.objects.get(code="aa")
    make_user("fiona", a, Office.objects.get(name="A north"), "feedback_focal_point", "agency")
    phone = new_page(width=360, height=740, java_script_enabled=False)
    phone.goto("/feedback/")
    phone.get_by_label("Language").select_option("ar")
    phone.get_by_role("button", name="Change").click()
    expect(phone.locator("html")).to_have_attribute("dir", "rtl")
    phone.get_by_label("المنظمة").select_option(label="Agency A")  # organisation
    phone.get_by_label("شكوى بشأن خدمة").check()  # complaint about a service
    phone.get_by_label("رسالتك").fill("رفضت العيادة استقبال ابنتي يوم الثلاثاء <b>مرتين</b>")
    _answer_the_question(phone)
    shot(phone, "feedback-form-ar-no-js")
    phone.get_by_role("button", name="أرسل", exact=True).click()
    expect(phone.get_by_role("heading", level=1)).to_have_text("تم استلام رسالتك")
    code = phone.locator("p.code").inner_text()
    assert re.fullmatch(r"[0-9A-Z]{4}(-[0-9A-Z]{4}){3}", code)
    shot(phone, "feedback-received-ar-no-js")
    assert Submission.objects.get().language == "ar"

    focal = new_page()
    login(focal, "fiona")
    focal.get_by_role("link", name="Feedback", exact=True).click()
    focal.get_by_role("link", name=re.compile(r"^#\d+$")).click()
    # Markup in the message is shown as text.
    expect(focal.get_by_text("<b>مرتين</b>", exact=False)).to_be_visible()
    assert violations(focal) == []
    focal.get_by_label("Answer to the person").fill("تحدثنا مع العيادة. يمكنك الذهاب يوم الأربعاء.")
    focal.get_by_role("button", name="Resolve").click()
    expect(focal.locator(".messages")).to_contain_text("Resolved")
    shot(focal, "feedback-resolved-by-focal-point")

    phone.locator("main").get_by_role("link", name="تحقق من الرد").click()
    phone.get_by_label("رمز التتبع").fill(code.lower())
    phone.get_by_role("button", name="تحقق", exact=True).click()
    expect(phone.get_by_text("يمكنك الذهاب يوم الأربعاء")).to_be_visible()
    expect(phone.get_by_text("رفضت العيادة")).to_have_count(0)  # never the message itself
    phone.get_by_label("راضٍ جداً").check()
    shot(phone, "feedback-status-ar-no-js")
    phone.get_by_role("button", name="أرسل التقييم").click()
    expect(phone.get_by_text("شكراً على تقييمك.")).to_be_visible()
    assert Submission.objects.get().satisfaction == 5


@pytest.mark.parametrize("language", ["en", "ar"])
def test_the_public_pages_have_no_wcag_violations(people, new_page, language):
    page = new_page(width=360, height=740)
    page.goto("/feedback/")
    if language != "en":
        page.get_by_label("Language").select_option(language)
        page.locator("form.lang button").click()
    assert violations(page) == []
    page.goto("/feedback/status/")
    assert violations(page) == []
    page.locator("#id_code").fill("AAAA-BBBB-CCCC-DDDD")
    page.locator("main form button").click()
    assert violations(page) == []


def test_a_focal_point_triages_records_an_incident_and_reads_the_figures(people, new_page, shot):
    from haven.core.models import Location
    from haven.feedback import actions

    a = Agency.objects.get(code="aa")
    make_user("fiona", a, Office.objects.get(name="A north"), "feedback_focal_point", "agency")
    Location.objects.create(code="NE", name="Niger", level=0, country_code="NE")
    report, _code = actions.submit_public(
        a, category="rights_violation", text="Forty people pushed back at the border at night"
    )
    for n in range(6):
        actions.submit_public(a, category="service_complaint", text=f"Complaint {n}")
    page = new_page()
    login(page, "fiona")
    page.get_by_role("link", name="Feedback", exact=True).click()
    expect(page.get_by_role("link", name=f"#{report.pk}")).to_be_visible()
    assert violations(page) == []
    shot(page, "feedback-inbox")
    page.get_by_role("link", name=f"#{report.pk}").click()
    page.get_by_role("button", name="Acknowledge").click()
    expect(page.locator(".messages")).to_contain_text("Submission updated.")
    page.get_by_role("link", name="Record an incident from this report").click()
    page.get_by_label("Type of incident").select_option(label="Pushback or collective expulsion")
    page.get_by_label("Date it happened").fill("2026-11-28")
    page.get_by_label("Perpetrator (category)").select_option(
        label="Border or immigration officials"
    )
    page.get_by_label("Place").select_option(label="Niger")
    page.get_by_label("Male, 18–59", exact=True).fill("34")
    page.get_by_label("Female, 0–17", exact=True).fill("6")
    assert violations(page) == []
    shot(page, "incident-form")
    page.get_by_role("button", name="Record").click()
    expect(page.locator(".messages")).to_contain_text("Incident recorded.")
    expect(page.get_by_text("Male, 18–59: 34")).to_be_visible()
    page.goto("/incidents/report/")
    expect(page.get_by_role("table").first).to_contain_text("Pushback or collective expulsion")
    assert violations(page) == []
    shot(page, "incident-dashboard")
    page.goto("/feedback/report/")
    expect(page.get_by_role("table").first).to_contain_text("Public web form")
    assert violations(page) == []
    shot(page, "feedback-dashboard")

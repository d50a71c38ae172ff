"""Filling the protection risk assessment in the browser: refused answers keep the draft,
the submitted one is scored and moves the case's risk level."""

import pytest
from playwright.sync_api import expect

from haven.assessments.actions import install_shipped_forms
from haven.assessments.models import Assessment
from haven.cases import actions
from haven.cases.models import Case
from tests.conftest import CASE, PERSON
from tests.e2e.conftest import login
from tests.e2e.test_accessibility import violations
from tests.e2e.webforms import choose, group, open_in_engine, question, type_answer, wait_for_engine

pytestmark = pytest.mark.e2e


def test_fill_the_protection_risk_assessment_and_see_the_risk_level_change(people, new_page, shot):
    install_shipped_forms()
    case = actions.register(people["caseworker"], person=PERSON, case=CASE)
    page = new_page(width=360, height=800)
    login(page, "alice")
    page.goto(f"/cases/{case.pk}/?tab=assessments")
    page.get_by_label("Start an assessment").select_option(label="Protection risk assessment (v1)")
    page.get_by_role("button", name="Start", exact=True).click()
    expect(page.get_by_role("heading", name="Protection risk assessment").first).to_be_visible()
    wait_for_engine(page, "#engine-form")
    assert violations(page) == []
    # Ratings appear only for a risk the person faces, and a bad one is named at once.
    gbv = group(page, "Gender-based violence")
    expect(question(gbv, "Threat")).to_be_hidden()
    choose(page, "Does the person face this risk? (Gender-based violence)", "yes")
    expect(question(gbv, "Threat")).to_be_visible()
    type_answer(gbv, "Threat", "9")
    expect(question(gbv, "Threat")).to_contain_text("Rate from 1 to 5.")
    shot(page, "assessment-live-check")
    form = Assessment.objects.get(case=case).definition.parsed()
    for asked, _parents, _repeat in form.walk():
        if asked.name.startswith("faces_") and asked.name != "faces_gbv":
            choose(page, asked.labels["English (en)"], "no")
    type_answer(gbv, "Threat", "4")
    expect(question(gbv, "Threat")).not_to_contain_text("Rate from 1 to 5.")
    type_answer(gbv, "Vulnerability", "5")
    type_answer(gbv, "Capacity", "8")
    # The engine keeps a wrong answer from being sent; the draft keeps what was typed.
    page.get_by_role("button", name="Send").click()
    expect(page.get_by_text("1 question with error.")).to_be_visible()
    page.get_by_role("button", name="Save draft").click()
    expect(page.locator("#engine-status")).to_have_text("Draft saved.")
    shot(page, "assessment-refused-draft-kept")
    page.reload()
    wait_for_engine(page, "#engine-form")
    gbv = group(page, "Gender-based violence")
    expect(question(gbv, "Threat").locator("input").first).to_have_value("4")
    type_answer(gbv, "Capacity", "2")
    page.get_by_role("button", name="Send").click()
    expect(page.locator(".messages")).to_contain_text("Assessment submitted and scored.")
    expect(page.get_by_role("heading", name="Highest current risk")).to_be_visible()
    expect(page.locator(".badge.band-high").first).to_be_visible()
    assert violations(page) == []
    shot(page, "assessment-scored")
    assert Case.objects.get(pk=case.pk).risk_level == "high"
    page.goto(f"/cases/{case.pk}/?tab=assessments")
    expect(page.get_by_text("highest: high")).to_be_visible()
    shot(page, "case-assessments-tab")


def test_a_supervisor_sets_the_risk_level_by_hand(people, new_page, shot):
    case = actions.register(people["caseworker"], person=PERSON, case=CASE)
    page = new_page()
    login(page, "carol")
    page.goto(f"/cases/{case.pk}/")
    page.get_by_label("Risk level", exact=True).select_option("critical")
    page.get_by_label("Reason", exact=True).fill("Threats from the employer's network")
    page.get_by_role("button", name="Set risk level").click()
    expect(page.locator(".messages")).to_contain_text("Risk level set.")
    expect(page.get_by_text("Critical — set by carol")).to_be_visible()
    shot(page, "risk-level-set-by-supervisor")
    saved = Case.objects.get(pk=case.pk)
    assert saved.risk_level == "critical" and saved.risk_overridden_by_id is not None
    page.get_by_role("button", name="Let assessments set it again").click()
    expect(page.locator(".messages")).to_contain_text("Risk level released.")
    assert Case.objects.get(pk=case.pk).risk_overridden_by_id is None


def test_a_supervisor_signs_off_a_best_interests_recommendation(people, new_page, shot):
    from haven.assessments import actions as assessment_actions
    from haven.assessments.models import Assessment, AssessmentDefinition
    from tests.test_shipped_forms import BIA_ANSWERS

    install_shipped_forms()
    case = actions.register(people["caseworker"], person=PERSON, case=CASE)
    definition = AssessmentDefinition.objects.get(form_id="haven_best_interests")
    assessment = assessment_actions.start(people["caseworker"], case, definition)
    assessment_actions.save(
        people["caseworker"], assessment, BIA_ANSWERS, assessment.version, submit=True
    )
    page = new_page()
    login(page, "carol")
    page.get_by_role("link", name="Assessment sign-off").click()
    expect(page.get_by_text("Waiting for a supervisor's sign-off")).to_be_visible()
    assert violations(page) == []
    shot(page, "best-interests-waiting-for-sign-off")
    page.get_by_role("button", name="Sign off").click()
    expect(page.get_by_text("Signed off by carol")).to_be_visible()
    shot(page, "best-interests-signed-off")
    assert Assessment.objects.get(pk=assessment.pk).approvals.get().decision == "approved"


def test_rounds_of_the_sustainability_survey_are_charted(people, new_page, shot):
    from haven.assessments import actions as assessment_actions
    from haven.assessments.models import AssessmentDefinition
    from tests.test_shipped_forms import RSS_ROUND

    install_shipped_forms()
    case = actions.register(people["caseworker"], person=PERSON, case=CASE)
    definition = AssessmentDefinition.objects.get(form_id="haven_reintegration_sustainability")
    for months, satisfaction in ((3, "dissatisfied"), (6, "neutral"), (12, "satisfied")):
        assessment = assessment_actions.start(people["caseworker"], case, definition)
        answers = {
            **RSS_ROUND,
            "months_since_return": months,
            "economic_satisfaction": satisfaction,
            "life_satisfaction": satisfaction,
        }
        assessment_actions.save(
            people["caseworker"], assessment, answers, assessment.version, submit=True
        )
    page = new_page()
    login(page, "alice")
    page.goto(f"/cases/{case.pk}/?tab=assessments")
    expect(page.locator("figure.chart svg")).to_be_visible()
    assert page.locator("figure.chart polyline").count() == 4
    assert violations(page) == []
    shot(page, "sustainability-rounds-chart")
    supervisor = new_page()
    login(supervisor, "carol")
    supervisor.get_by_role("link", name="Assessment results by programme and office").click()
    expect(
        supervisor.get_by_role("heading", name="Reintegration Sustainability Survey")
    ).to_be_visible()
    assert violations(supervisor) == []
    shot(supervisor, "assessment-results-report")


def test_fill_the_vulnerability_screening(people, new_page, shot):
    install_shipped_forms()
    case = actions.register(people["caseworker"], person=PERSON, case=CASE)
    page = new_page()
    login(page, "alice")
    page.goto(f"/cases/{case.pk}/?tab=assessments")
    page.get_by_label("Start an assessment").select_option(
        label="Vulnerability screening (Determinants of Migrant Vulnerability) (v1)"
    )
    page.get_by_role("button", name="Start", exact=True).click()
    wait_for_engine(page, "#engine-form")
    form = Assessment.objects.get(case=case).definition.parsed()
    choices = {
        "age_group": "15_17",
        "past_harm": "yes",
        "literate": "no",
        "own_money": "no",
        "household_means": "not_at_all",
        "family_violence": "no",
        "social_network": "no",
        "isolated": "yes",
        "legal_status": "irregular",
        "justice_access": "no",
    }
    for name, value in choices.items():
        choose(page, form.question(name).labels["English (en)"], value)
    type_answer(page, "How many people depend", "3")
    page.get_by_role("button", name="Save draft").click()
    expect(page.locator("#engine-status")).to_have_text("Draft saved.")
    # The draft is resumed as it was left.
    page.reload()
    wait_for_engine(page, "#engine-form")
    past_harm = question(page, form.question("past_harm").labels["English (en)"])
    expect(past_harm.locator('input[value="yes"]')).to_be_checked()
    page.get_by_role("button", name="Send").click()
    expect(page.locator(".messages")).to_contain_text("Assessment submitted and scored.")
    overall = page.locator(
        "section.score", has=page.get_by_role("heading", name="Overall vulnerability")
    )
    # (0.95 + 0.375 + 1 + 1) / 4 = 0.83, above the 0.75 of "high"
    expect(overall.locator(".badge")).to_have_text("critical")
    individual = page.locator("section.score", has=page.get_by_role("heading", name="Individual"))
    individual.locator("summary").click()
    # The answer that drove the level most comes first.
    expect(individual.locator("li").first).to_contain_text("experienced exploitation")
    shot(page, "vulnerability-screening-scored")


def test_choices_follow_a_choice_filter_while_typing(people, new_page):
    from haven.accounts.models import Agency
    from haven.assessments import actions as assessment_actions
    from tests.test_assessments import CASCADE_CHOICES, CASCADE_SURVEY
    from tests.xlsform import simple_form

    data = simple_form(
        survey=CASCADE_SURVEY,
        choices=CASCADE_CHOICES,
        scoring=[["name", "type", "label", "formula", "missing"]],
    )
    definition = assessment_actions.publish_definition(
        None, data, "places.xlsx", agency=Agency.objects.get(code="aa")
    )
    page, assessment = open_in_engine(people, new_page, definition)
    engine = page.locator("#engine-form")
    bamako = engine.get_by_label("Bamako")
    expect(bamako).to_be_hidden()
    engine.get_by_label("Mali").check(force=True)
    expect(bamako).to_be_visible()
    expect(engine.get_by_label("Niamey")).to_be_hidden()
    bamako.check(force=True)
    engine.get_by_label("Niger").check(force=True)
    expect(bamako).to_be_hidden()
    expect(engine.get_by_label("Agadez")).to_be_visible()
    # A city of the country no longer chosen is not kept as an answer.
    page.get_by_role("button", name="Save draft").click()
    expect(page.locator("#engine-status")).to_have_text("Draft saved.")
    assert Assessment.objects.get(pk=assessment.pk).answers == {"country": "ne"}

"""The forms shipped with Haven, scored against figures worked out by hand."""

from pathlib import Path

import pytest

from haven.scoring import engine, xlsform_reader

FORMS = Path(__file__).resolve().parent.parent / "haven" / "assessments" / "forms"
RISKS = [
    "trafficking",
    "gbv",
    "separation",
    "detention",
    "denial_services",
    "legal_identity",
    "psychological_abuse",
    "theft_eviction",
    "movement",
    "marriage",
    "torture",
]


def load(name):
    return xlsform_reader.load((FORMS / f"{name}.xlsx").read_bytes())


def test_vulnerability_screening_profiles_four_levels_and_an_overall_band():
    form = load("vulnerability_screening")
    answers = {
        "age_group": "15_17",  # 0.75
        "past_harm": "yes",  # 1, weight 2
        "literate": "no",  # 1 (protective factor absent)
        "own_money": "yes",  # 0
        "dependants": 3,  # 3 of 0..6 = 0.5
        "family_violence": "no",  # 0, weight 2
        "social_network": "no",  # 1
        "isolated": "yes",  # 1
        "legal_status": "irregular",  # 1, weight 2
        "justice_access": "no",  # 1
        "conflict": "no",  # 0
    }
    assert engine.check_answers(form, answers, final=True) == []
    scores = engine.score(form, answers)
    # individual: (0.75 + 2×1 + 1 + 0) / (1 + 2 + 1 + 1) = 0.75; answered 5 of 8 weight
    assert scores["individual"].value == pytest.approx(0.75)
    assert scores["individual"].band == "high"
    # household: (0.5 + 2×0) / 3; answered 3 of 6 weight (min_answered 0.5)
    assert scores["household"].value == pytest.approx(1 / 6)
    assert scores["household"].band == "low"
    # community: (1 + 1) / 2 = 1; answered 2 of 4
    assert scores["community"].value == pytest.approx(1.0)
    # structural: (2×1 + 1 + 0) / 4 = 0.75; answered 4 of 5
    assert scores["structural"].value == pytest.approx(0.75)
    # overall: mean of the four = (0.75 + 1/6 + 1 + 0.75) / 4
    assert scores["overall"].value == pytest.approx((0.75 + 1 / 6 + 1 + 0.75) / 4)
    assert scores["overall"].band == "high"


def test_vulnerability_screening_leaves_a_level_out_when_too_little_is_known():
    form = load("vulnerability_screening")
    answers = {
        "age_group": "18_59",
        "dependants": 0,
        "family_violence": "no",
        "legal_status": "regular",
        "conflict": "no",
    }
    scores = engine.score(form, answers)
    # Community has nothing answered; individual 1 of 8 weight, below min_answered 0.5.
    assert scores["community"].value is None and scores["individual"].value is None
    # Household 3 of 6 weight and structural 3 of 5 are enough, both at 0.
    assert scores["household"].value == 0 and scores["structural"].value == 0
    assert scores["overall"].value == 0 and scores["overall"].band == "low"
    # With less known, the levels and the overall have no value at all: never a guess.
    scores = engine.score(form, {"age_group": "18_59", "legal_status": "regular"})
    assert scores["overall"].value is None and scores["overall"].band == ""


def test_required_answers_of_the_screening_are_named():
    form = load("vulnerability_screening")
    missing = {p.question for p in engine.check_answers(form, {}, final=True)}
    assert missing == {"age_group", "dependants", "legal_status"}


def test_protection_risk_is_threat_times_vulnerability_over_capacity():
    form = load("protection_risk")
    assert form.case_risk_score == "highest"
    answers = {f"faces_{risk}": "no" for risk in RISKS}
    answers.update(
        faces_trafficking="yes",
        threat_trafficking=5,
        vulnerability_trafficking=4,
        capacity_trafficking=1,  # 20: critical
        faces_gbv="yes",
        threat_gbv=3,
        vulnerability_gbv=3,
        capacity_gbv=2,  # 4.5: medium
    )
    assert engine.check_answers(form, answers, final=True) == []
    scores = engine.score(form, answers)
    assert (scores["trafficking"].value, scores["trafficking"].band) == (20, "critical")
    assert (scores["gbv"].value, scores["gbv"].band) == (4.5, "medium")
    assert scores["torture"].value is None
    assert (scores["highest"].value, scores["highest"].band) == (20, "critical")


def test_protection_risk_ratings_are_between_1_and_5_and_required_when_the_risk_is_faced():
    form = load("protection_risk")
    answers = {f"faces_{risk}": "no" for risk in RISKS}
    answers.update(faces_marriage="yes", threat_marriage=6, vulnerability_marriage=2)
    problems = {p.question: p.message for p in engine.check_answers(form, answers, final=True)}
    assert problems == {
        "threat_marriage": "Rate from 1 to 5.",
        "capacity_marriage": "This question is required.",
    }


def test_reintegration_sustainability_dimensions_and_composite():
    form = load("reintegration_sustainability")
    economic = {
        "income_source": "casual",  # 0.5
        "employed": "yes",  # 1
        "economic_satisfaction": "satisfied",  # 0.75
        "debt": "manageable",  # 0.5
        "borrows_for_food": "no",  # 1
        "food_shortage": "sometimes",  # 0.5
        "productive_assets": "no",  # 0
        "credit_access": "limited",  # 0.5
        "skills_used": "yes",  # 1 (job_search is not relevant: the person works)
    }
    social = {
        "housing": "good",
        "housing_secure": "yes",
        "children_school": "yes",
        "health_care": "limited",
        "has_documents": "yes",
        "safe_water": "yes",
        "justice": "none",
        "public_services": "limited",
        "housing_satisfaction": "neutral",
        "health_needs_met": "no",
    }  # 1 + 1 + 1 + 0.5 + 1 + 1 + 0 + 0.5 + 0.5 + 0 = 6.5 of 10
    psychosocial = {
        "participation": "never",
        "support_network": "yes",
        "belonging": "somewhat",
        "feels_unsafe": "no",
        "discrimination": "often",
        "distress": "sometimes",
        "psychosocial_support": "no",
        "migrate_again": "regular",
        "life_satisfaction": "dissatisfied",
    }  # 1 + 1 + 0.5 + 1 + 0 + 0.5 + 0 + 0.5 + 0.25 = 4.75 of 9
    answers = {"months_since_return": 6, **economic, **social, **psychosocial}
    assert engine.check_answers(form, answers, final=True) == []
    scores = engine.score(form, answers)
    assert scores["economic"].value == pytest.approx(5.75 / 9)
    assert scores["social"].value == pytest.approx(0.65)
    assert scores["psychosocial"].value == pytest.approx(4.75 / 9)
    assert scores["composite"].value == pytest.approx((5.75 / 9 + 0.65 + 4.75 / 9) / 3)
    # Equal weights, labelled as the default to replace.
    assert "default" in form.score_rule("composite").labels["English (en)"]


def test_the_sustainability_survey_asks_about_thirty_questions_on_three_dimensions():
    form = load("reintegration_sustainability")
    scored = [q for q, _, _ in form.walk() if q.dimension]
    assert 25 <= len(scored) <= 32
    assert {q.dimension for q in scored} == {"economic", "social", "psychosocial"}
    assert {q.weight for q in scored} == {1.0}


BIA_ANSWERS = {
    "child_age": 15,
    "separation": "unaccompanied",
    "current_care": "residential",
    "child_consulted": "yes",
    "child_wishes": "To join an aunt",
    "tracing": "found",
    "family_contact": "yes",
    "family_risk": "no",  # 0, weight 2
    "exploitation": "yes",  # 1, weight 2
    "violence": "no",  # 0, weight 2
    "health_need": "yes",  # 1
    "no_education": "yes",  # 1
    "options_considered": ["reunification_third", "alternative_care"],
    "recommendation": "reunification_third",
    "justification": "The aunt is a safe caregiver; assessed by the partner agency.",
}


def test_best_interests_assessment_scores_and_asks_for_sign_off():
    form = load("best_interests_assessment")
    assert form.requires_sign_off is True
    assert engine.check_answers(form, BIA_ANSWERS, final=True) == []
    scores = engine.score(form, BIA_ANSWERS)
    # safety: (2×0 + 2×1 + 2×0) / 6 answered of 7 weight; wellbeing: 2 of 3 answered
    assert scores["safety"].value == pytest.approx(2 / 6)
    assert scores["safety"].band == "medium"  # just above 0.33
    assert scores["wellbeing"].value == pytest.approx(1.0) and scores["wellbeing"].band == "high"


def test_best_interests_recommendation_must_be_one_of_the_options_considered():
    form = load("best_interests_assessment")
    answers = {**BIA_ANSWERS, "recommendation": "resettlement", "child_consulted": "no"}
    problems = {p.question: p.message for p in engine.check_answers(form, answers, final=True)}
    assert problems == {
        "recommendation": "Recommend one of the solutions considered.",
        "not_heard_reason": "This question is required.",
    }


RSS_ROUND = {
    "months_since_return": 3,
    "income_source": "none",
    "employed": "no",
    "economic_satisfaction": "dissatisfied",
    "debt": "unmanageable",
    "borrows_for_food": "yes",
    "food_shortage": "often",
    "productive_assets": "no",
    "job_search": "yes",
    "credit_access": "none",
    "housing": "limited",
    "housing_secure": "no",
    "children_school": "yes",
    "health_care": "limited",
    "has_documents": "yes",
    "safe_water": "yes",
    "justice": "none",
    "public_services": "limited",
    "housing_satisfaction": "neutral",
    "health_needs_met": "no",
    "participation": "often",
    "support_network": "yes",
    "belonging": "somewhat",
    "feels_unsafe": "no",
    "discrimination": "sometimes",
    "distress": "often",
    "psychosocial_support": "no",
    "migrate_again": "any_means",
    "life_satisfaction": "dissatisfied",
}


LANGUAGES = {"English (en)", "French (fr)", "Spanish (es)", "Arabic (ar)"}


@pytest.mark.parametrize("path", sorted(FORMS.glob("*.xlsx")), ids=lambda p: p.stem)
def test_shipped_forms_speak_every_language_of_haven(path):
    form = xlsform_reader.load(path.read_bytes())
    assert set(form.languages) == LANGUAGES
    for question, _parents, _repeat in form.walk():
        if question.type != "calculate":
            assert set(question.labels) == LANGUAGES, question.name
        if question.constraint_message:
            assert set(question.constraint_message) == LANGUAGES, question.name
    for items in form.choices.values():
        for choice in items:
            assert set(choice.labels) == LANGUAGES, choice.name
    for rule in form.scores:
        assert set(rule.labels) == LANGUAGES, rule.name

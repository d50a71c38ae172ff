"""The scoring engine: checks of answers, scores with their breakdown, and the properties
every score keeps (bounds, monotonicity, declared missing-answer rules)."""

import math

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from haven.scoring import engine, xlsform, xlsform_reader
from haven.scoring.xlsform import Band, Choice, Form, Question, ScoreRule
from tests.xlsform import simple_form


@pytest.fixture(scope="module")
def form():
    return xlsform_reader.load(simple_form())


def test_a_dimension_is_the_weighted_mean_of_answer_scores(form):
    scores = engine.score(form, {"q1": "yes", "q2": "no", "n": 5})
    d = scores["d"]
    # (1 × 1 + 3 × 0 + 1 × 0.5) / 5
    assert d.value == pytest.approx(0.3) and d.band == "low"
    shares = {c.question: c.share for c in d.contributions}
    assert shares == pytest.approx({"q1": 0.2, "q2": 0.0, "n": 0.1})
    assert sum(shares.values()) == pytest.approx(d.value)


def test_numbers_are_mapped_onto_their_declared_range_and_clamped(form):
    question = form.question("n")
    assert engine.answer_score(form, question, 0) == 0
    assert engine.answer_score(form, question, 10) == 1
    assert engine.answer_score(form, question, 25) == 1
    assert engine.answer_score(form, question, "") is None


def test_required_constraint_and_type_problems_name_the_question(form):
    problems = engine.check_answers(form, {"q2": "maybe", "n": 11}, final=True)
    by_question = {p.question: p.message for p in problems}
    assert by_question == {
        "q1": "This question is required.",
        "q2": "Not one of the choices: maybe.",
        "n": "At most 10",
    }
    # A draft may leave required questions open, but a wrong answer is wrong in a draft too.
    drafts = engine.check_answers(form, {"n": 11}, final=False)
    assert [p.question for p in drafts] == ["n"]
    assert engine.check_answers(form, {"q1": "yes", "n": "seven"}, final=True)[0].message == (
        "Enter a whole number."
    )


def _question(name, kind, **kwargs):
    return Question(name=name, type=kind, **kwargs)


def test_relevance_drops_answers_and_repeats_see_their_own_instance():
    form = Form(
        "f",
        "F",
        "1",
        questions=[
            _question("has_kids", "select_one", list_name="yn", required="yes"),
            _question(
                "kids",
                "repeat",
                relevant="${has_kids} = 'yes'",
                children=[
                    _question(
                        "age",
                        "integer",
                        required="yes",
                        constraint=". < 18",
                        constraint_message={"default": "A child is under 18."},
                    ),
                    _question(
                        "school",
                        "select_one",
                        list_name="yn",
                        relevant="${age} >= 6",
                        required="yes",
                    ),
                ],
            ),
            _question("total", "calculate", calculation="count-selected(${has_kids})"),
        ],
        choices={"yn": [Choice("yes", {}), Choice("no", {})]},
    )
    answers = {"has_kids": "yes", "kids": [{"age": 4}, {"age": 9}, {"age": 30, "school": "yes"}]}
    problems = engine.check_answers(form, answers, final=True)
    assert [(p.question, p.row, p.message) for p in problems] == [
        ("school", 2, "This question is required."),
        ("age", 3, "A child is under 18."),
    ]
    kept = engine.relevant_answers(form, {"has_kids": "no", "kids": [{"age": 4}]})
    assert kept == {"has_kids": "no", "total": 1.0}


def test_a_choice_filter_narrows_what_is_allowed():
    form = Form(
        "f",
        "F",
        "1",
        questions=[
            _question("country", "select_one", list_name="countries"),
            _question(
                "city", "select_one", list_name="cities", choice_filter="country = ${country}"
            ),
        ],
        choices={
            "countries": [Choice("ne", {}), Choice("ml", {})],
            "cities": [
                Choice("niamey", {}, extra={"country": "ne"}),
                Choice("bamako", {}, extra={"country": "ml"}),
            ],
        },
    )
    assert engine.check_answers(form, {"country": "ne", "city": "niamey"}, final=True) == []
    wrong = engine.check_answers(form, {"country": "ne", "city": "bamako"}, final=True)
    assert wrong[0].question == "city" and "bamako" in wrong[0].message


def test_a_formula_score_and_a_composite_over_the_highest_risk():
    rating = ". >= 1 and . <= 5"
    questions = [
        _question(f"{part}_{risk}", "integer", constraint=rating)
        for risk in ("a", "b")
        for part in ("threat", "vulnerability", "capacity")
    ]
    bands = [Band("low", 2), Band("medium", 5), Band("high", 10), Band("critical", None)]
    rules = [
        ScoreRule(
            risk,
            "score",
            formula=f"${{threat_{risk}}} * ${{vulnerability_{risk}}} div ${{capacity_{risk}}}",
            missing="fail",
            minimum=0.2,
            maximum=25,
            bands=bands,
        )
        for risk in ("a", "b")
    ] + [
        ScoreRule(
            "highest",
            "composite",
            formula="max(a, b)",
            missing="skip",
            minimum=0.2,
            maximum=25,
            bands=bands,
        )
    ]
    form = Form("f", "F", "1", questions=questions, scores=rules)
    scores = engine.score(form, {"threat_a": 4, "vulnerability_a": 5, "capacity_a": 2})
    assert scores["a"].value == 10 and scores["a"].band == "high"
    assert scores["a"].normalised == pytest.approx((10 - 0.2) / 24.8)
    assert scores["b"].value is None and scores["b"].band == ""
    assert scores["highest"].value == 10 and scores["highest"].band == "high"


# --- properties ----------------------------------------------------------------------------


ANY_RULE = st.sampled_from(sorted(xlsform.MISSING_RULES))


@st.composite
def scored_forms(draw, missing=ANY_RULE):
    size = draw(st.integers(1, 6))
    questions, choices = [], {}
    for index in range(size):
        scores = draw(st.lists(st.integers(-5, 5), min_size=2, max_size=5, unique=True))
        choices[f"l{index}"] = [Choice(f"c{i}", {}, float(s)) for i, s in enumerate(scores)]
        weight = draw(st.integers(0, 4))
        questions.append(
            _question(
                f"q{index}",
                "select_one",
                list_name=f"l{index}",
                dimension="d",
                weight=float(weight),
            )
        )
    assume(sum(q.weight for q in questions) > 0)
    rule = ScoreRule("d", "dimension", missing=draw(missing))
    return Form("f", "F", "1", questions=questions, choices=choices, scores=[rule])


@st.composite
def forms_and_answers(draw, missing=ANY_RULE):
    form = draw(scored_forms(missing))
    answers = {}
    for question in form.questions:
        options = [c.name for c in form.choices[question.list_name]]
        choice = draw(st.one_of(st.none(), st.sampled_from(options)))
        if choice is not None:
            answers[question.name] = choice
    return form, answers


@given(forms_and_answers())
def test_dimension_scores_stay_between_0_and_1(case):
    form, answers = case
    value = engine.score(form, answers)["d"].value
    assert value is None or 0 <= value <= 1


@given(forms_and_answers(), st.data())
def test_dimension_scores_never_fall_when_an_answer_scores_higher(case, data):
    form, answers = case
    answered = [q for q in form.questions if q.name in answers]
    assume(answered)
    question = data.draw(st.sampled_from(answered))
    current = next(c for c in form.choices[question.list_name] if c.name == answers[question.name])
    higher = [c for c in form.choices[question.list_name] if c.score > current.score]
    assume(higher)
    better = {**answers, question.name: data.draw(st.sampled_from(higher)).name}
    before = engine.score(form, answers)["d"].value
    after = engine.score(form, better)["d"].value
    # Which answers are there did not change, so whether there is a score did not either.
    assert (before is None) == (after is None)
    if before is not None:
        assert after >= before - 1e-12


@given(forms_and_answers(missing=st.just("fail")))
def test_fail_gives_no_score_until_every_question_is_answered(case):
    form, answers = case
    value = engine.score(form, answers)["d"].value
    everything = all(q.name in answers for q in form.questions)
    assert (value is not None) == everything


@given(forms_and_answers(missing=st.just("zero")))
def test_zero_counts_a_missing_answer_as_the_lowest_choice(case):
    form, answers = case
    lowest = {
        q.name: min(form.choices[q.list_name], key=lambda c: c.score).name for q in form.questions
    }
    completed = {**lowest, **answers}
    assert engine.score(form, answers)["d"].value == pytest.approx(
        engine.score(form, completed)["d"].value
    )


@given(forms_and_answers(missing=st.just("skip")))
def test_skip_leaves_missing_answers_out_of_the_mean(case):
    form, answers = case
    value = engine.score(form, answers)["d"].value
    answered = [q for q in form.questions if q.name in answers and q.weight > 0]
    if not answered:
        assert value is None
        return
    expected = sum(
        q.weight * engine.answer_score(form, q, answers[q.name]) for q in answered
    ) / sum(q.weight for q in answered)
    assert value == pytest.approx(expected)


@given(st.lists(st.one_of(st.none(), st.floats(0, 1)), min_size=1, max_size=5))
def test_a_composite_mean_stays_within_its_parts(values):
    names = [f"d{i}" for i in range(len(values))]
    rule = ScoreRule("c", "composite", formula=f"mean({', '.join(names)})", missing="skip")
    parts = {n: engine.ScoreValue(n, "dimension", v, v) for n, v in zip(names, values, strict=True)}
    result = engine._composite(rule, parts).value
    present = [v for v in values if v is not None]
    if not present:
        assert result is None
    else:
        assert min(present) - 1e-12 <= result <= max(present) + 1e-12
        assert not math.isnan(result)


def test_the_engine_imports_nothing_from_django():
    import ast
    from pathlib import Path

    for path in Path(engine.__file__).parent.glob("*.py"):
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
            else:
                continue
            assert not any(
                n == "django" or n.startswith(("django.", "rest_framework")) for n in names
            ), path.name

"""XLSForm expressions: parsing, XPath values, and what is refused at upload."""

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from haven.scoring.expressions import ExpressionError, parse
from haven.scoring.xpath_values import to_number


def evaluate(text, answers=None, **kwargs):
    return parse(text).evaluate(answers or {}, **kwargs)


@pytest.mark.parametrize(
    ("text", "answers", "expected"),
    [
        ("1 + 2 * 3", {}, 7.0),
        ("(1 + 2) * 3", {}, 9.0),
        ("7 div 2", {}, 3.5),
        ("7 mod 3", {}, 1.0),
        ("-${a} + 1", {"a": 3}, -2.0),
        (
            "${threat} * ${vulnerability} div ${capacity}",
            {"threat": 4, "vulnerability": 5, "capacity": 2},
            10.0,
        ),
        ("${age} >= 18 and ${age} < 60", {"age": 30}, True),
        ("${age} >= 18 and ${age} < 60", {"age": 70}, False),
        ("${a} = 'yes' or ${b} = 'yes'", {"a": "no", "b": "yes"}, True),
        ("selected(${needs}, 'shelter')", {"needs": ["food", "shelter"]}, True),
        ("selected(${needs}, 'shelter')", {"needs": "food shelter"}, True),
        ("selected(${needs}, 'legal')", {"needs": ["food"]}, False),
        ("count-selected(${needs})", {"needs": ["a", "b", "c"]}, 3.0),
        ("if(${n} > 5, 'big', 'small')", {"n": 6}, "big"),
        ("coalesce(${missing}, 'x')", {}, "x"),
        ("not(${flag} = 'yes')", {"flag": "no"}, True),
        ("string-length(${name})", {"name": "Amina"}, 5.0),
        ("concat(${a}, '-', ${b})", {"a": "x", "b": 2}, "x-2"),
        ("round(2.456, 2)", {}, 2.46),
        ("int(-2.7)", {}, -2.0),
        ("${d} > '2020-01-01'", {"d": "2024-05-01"}, True),
        ("regex(${code}, '^[A-Z]{2}$')", {"code": "NE"}, True),
        ("jr:coalesce(${a}, 1)", {}, 1.0),
    ],
)
def test_expressions_evaluate_as_xpath_does(text, answers, expected):
    assert evaluate(text, answers) == expected


def test_the_current_answer_is_a_dot_in_constraints():
    assert parse(". >= 1 and . <= 5").holds({}, current=3)
    assert not parse(". >= 1 and . <= 5").holds({}, current=9)


def test_an_unanswered_question_is_empty_text_and_nan_in_arithmetic():
    assert evaluate("${a} = ''") is True
    assert math.isnan(evaluate("${a} + 1"))
    # A comparison with NaN is false either way round.
    assert evaluate("${a} > 1") is False and evaluate("${a} <= 1") is False


def test_division_by_zero_gives_infinity_not_an_error():
    assert evaluate("1 div 0") == math.inf
    assert math.isnan(evaluate("0 div 0"))


def test_scoring_functions_leave_absent_scores_out():
    scores = {"economic": 0.5, "social": None, "psychosocial": 1.0}
    assert evaluate("mean(economic, social, psychosocial)", scores=scores) == 0.75
    assert evaluate("max(economic, social)", scores=scores) == 0.5
    assert evaluate("weighted-mean(economic, 1, psychosocial, 3)", scores=scores) == 0.875
    assert evaluate("mean(social)", scores=scores) is None


def test_references_and_names_are_listed():
    parsed = parse("${a} + mean(x, y) * ${b}")
    assert parsed.references == {"a", "b"}
    assert parsed.names == {"x", "y"}


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("", "empty"),
        ("1 +", "unexpected"),
        ("(1 + 2", "expected ')'"),
        ("${a} ? 2", "unexpected character"),
        ("indexed-repeat(${a}, ${r}, 1)", "indexed-repeat() is not supported"),
        ("selected(${a})", "selected() takes 2 argument(s), 1 given"),
        ("/data/a = 1", "unexpected character '/'"),
    ],
)
def test_what_cannot_be_evaluated_is_refused_when_read(text, words):
    with pytest.raises(
        ExpressionError, match=words.replace("(", r"\(").replace(")", r"\)").replace("?", r"\?")
    ):
        parse(text)


@given(st.integers(-1000, 1000), st.integers(-1000, 1000))
def test_arithmetic_matches_python(a, b):
    answers = {"a": a, "b": b}
    assert evaluate("${a} + ${b}", answers) == a + b
    assert evaluate("${a} * ${b}", answers) == a * b
    assert evaluate("${a} < ${b}", answers) is (a < b)
    assert evaluate("${a} = ${b}", answers) is (a == b)


@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=20))
def test_numbers_read_from_text_never_raise(text):
    value = to_number(text)
    assert isinstance(value, float)

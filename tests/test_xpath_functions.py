"""The ODK functions field forms call — once(), uuid(), now(), date(), format-date(),
decimal-date-time(), substr() and the other text and maths functions — evaluated as ODK
evaluates them, dates counting as days (`today() - ${dob}`), and once() keeping a value
already made when a draft is opened again."""

import math
import re
from datetime import date

import pytest

from haven.scoring import engine, xlsform_reader
from haven.scoring.expressions import ExpressionError, parse
from tests.xlsform import SURVEY, simple_form, survey_row


def value(text: str, **fields):
    return parse(text).evaluate(fields)


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("format-date('2026-03-05', '%d/%m/%Y')", "05/03/2026"),
        ("format-date('2026-03-05', '%e %b %y, %a')", "5 Mar 26, Thu"),
        ("format-date('2026-11-09', '%n/%e')", "11/9"),
        ("format-date-time('2026-03-05T09:07:03.250+02:00', '%H:%M:%S.%3')", "09:07:03.250"),
        ("format-date-time('2026-03-05T09:07:03', '%h:%M')", "9:07"),
        ("format-date('not a date', '%Y')", ""),
        ("format-date('', '%Y')", ""),
        ("format-date('2026-03-05', '100%% on %Y')", "100% on 2026"),
        ("date('2026-03-05')", "2026-03-05"),
        ("date(0)", "1970-01-01"),
        ("date(date('2000-06-15') + 31)", "2000-07-16"),
        ("decimal-date-time('1970-01-02T12:00:00')", 1.5),
        ("decimal-date-time('1970-01-02T00:00:00+01:00')", 1 - 1 / 24),
        ("'2026-03-05' - '2026-03-01'", 4.0),
        ("'2026-03-05' > '2026-02-28'", True),
        ("substr('humanitarian', 0, 5)", "human"),
        ("substr('humanitarian', 5)", "itarian"),
        ("substring-before('BORDER-01', '-')", "BORDER"),
        ("substring-after('BORDER-01', '-')", "01"),
        ("substring-after('BORDER', '-')", ""),
        ("ends-with('report.pdf', '.pdf')", True),
        ("normalize-space('  Amal   Haddad ')", "Amal Haddad"),
        ("translate('a-b-c', '-', '')", "abc"),
        ("translate('abc', 'abc', 'ABC')", "ABC"),
        ("selected-at('food water shelter', 2)", "shelter"),
        ("selected-at('food water', 5)", ""),
        ("boolean-from-string('true') and not(boolean-from-string('no'))", True),
        ("sqrt(16) + pow(2, 3)", 12.0),
        ("round(log10(1000), 2)", 3.0),
        ("round(pi(), 4)", 3.1416),
    ],
)
def test_functions_give_what_odk_gives(expression, expected):
    found = value(expression)
    if isinstance(expected, float):
        assert math.isclose(found, expected, rel_tol=1e-9), found
    else:
        assert found == expected


def test_age_in_years_from_a_date_of_birth_as_field_forms_write_it():
    born = date.today().replace(year=date.today().year - 30)
    assert value("int((today() - ${dob}) div 365.25)", dob=born.isoformat()) in (29.0, 30.0)
    assert math.isnan(value("today() - ${dob}", dob="")) is True


def test_uuid_now_and_random_make_fresh_values():
    first, second = value("uuid()"), value("uuid()")
    assert re.fullmatch(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[0-9a-f]{4}-[0-9a-f]{12}", first)
    assert first != second
    assert re.fullmatch(r"[A-Za-z0-9]{6}", value("uuid(6)"))
    assert value("uuid(-3)") == ""
    stamp = r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}[+-]\d{2}:\d{2}"
    assert re.fullmatch(stamp, value("now()"))
    assert 0 <= value("random()") < 1


def test_once_keeps_the_questions_own_value_and_makes_one_only_when_there_is_none():
    once = parse("once(uuid())")
    assert once.evaluate({}, current="REG-1") == "REG-1"
    made = once.evaluate({}, current="")
    assert made and made != "REG-1"


def test_a_wrong_number_of_arguments_is_named():
    with pytest.raises(ExpressionError, match=r"format-date\(\) takes 2 argument"):
        parse("format-date(${dob})")
    with pytest.raises(ExpressionError, match="not supported"):
        parse("indexed-repeat(${child_name}, ${child}, 1)")


def test_a_reference_made_once_survives_every_save_and_the_submission():
    form = xlsform_reader.load(
        simple_form(
            survey=[
                SURVEY,
                survey_row("calculate", "reference", calculation="once(uuid(8))"),
                survey_row("date", "dob", "Date of birth"),
                survey_row("calculate", "born", calculation="format-date(${dob}, '%e %b %Y')"),
                survey_row("select_one yn", "q1", "Question one", dimension="d"),
            ],
        )
    )
    first = engine.relevant_answers(form, {"dob": "1990-04-02", "q1": "yes"})
    assert re.fullmatch(r"[A-Za-z0-9]{8}", first["reference"]) and first["born"] == "2 Apr 1990"
    again = engine.relevant_answers(form, {**first, "dob": "1990-04-03"})
    assert again["reference"] == first["reference"] and again["born"] == "3 Apr 1990"


def test_a_triggered_value_is_set_when_its_trigger_changes_and_kept_after():
    from django.http import QueryDict

    from haven.assessments import rendering

    form = xlsform_reader.load(
        simple_form(
            survey=[
                [*SURVEY, "trigger"],
                [*survey_row("integer", "weight", "Weight (kg)"), ""],
                [*survey_row("calculate", "weighed_at", calculation="now()"), "${weight}"],
                [*survey_row("calculate", "double", calculation="${weight} * 2"), "${weight}"],
                [*survey_row("select_one yn", "q1", "Question one", dimension="d"), ""],
            ],
        )
    )
    assert form.question("weighed_at").trigger == ["weight"]
    # Set by the engine when the weight was typed; never recomputed from the answers later.
    stored = {"weight": 60, "weighed_at": "2026-12-01T09:00:00.000+00:00", "double": 120}
    kept = engine.relevant_answers(form, {**stored, "weight": 61})
    assert kept["weighed_at"] == stored["weighed_at"] and kept["double"] == 120

    def posted(**fields):
        return rendering.answers_from_post(form, QueryDict(mutable=True) | fields, stored)

    same = posted(weight="60")
    assert same["weighed_at"] == stored["weighed_at"] and same["double"] == 120
    changed = posted(weight="65")  # the page sets it anew, as the engine would
    assert changed["double"] == 130 and changed["weighed_at"] != stored["weighed_at"]

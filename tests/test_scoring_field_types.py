"""The types and columns field forms use beyond the basics — time, dateTime, range,
acknowledge, `default`, `read_only`, `or_other` — read, checked, shown and kept; and
workbooks in the older .xls format."""

import pytest

from haven.assessments import actions
from haven.assessments.models import AssessmentDefinition
from haven.scoring import engine, xlsform, xlsform_reader
from tests.test_xlsform_corpus import xls_workbook
from tests.xlsform import SURVEY, simple_form, survey_row, workbook

HEADER = [*SURVEY, "parameters", "default", "read_only"]
FIELD_SURVEY = [
    HEADER,
    survey_row("text", "site", "Site") + ["", "BORDER-01", "yes"],
    survey_row("select_one reasons or_other", "reason", "Reason", required="yes") + ["", "", ""],
    survey_row("time", "arrived_at", "Arrived at") + ["", "", ""],
    survey_row("dateTime", "seen_at", "Seen at") + ["", "", ""],
    survey_row("range", "distress", "Distress", dimension="d") + ["start=0 end=10 step=2", "", ""],
    survey_row("acknowledge", "read", "Consent script read") + ["", "", ""],
    survey_row("integer", "household", "Household") + ["", "4", ""],
]
CHOICES = [["list_name", "name", "label"], ["reasons", "conflict", "Conflict"]]
SCORING = [["name", "type", "label", "missing"], ["d", "dimension", "Distress", "skip"]]
SETTINGS = [["form_id"], ["field_types"]]


@pytest.fixture(scope="module")
def form():
    return xlsform_reader.load(
        simple_form(survey=FIELD_SURVEY, choices=CHOICES, scoring=SCORING, settings=SETTINGS)
    )


def problems(form, answers, final=False) -> dict[str, str]:
    return {p.question: p.message for p in engine.check_answers(form, answers, final=final)}


@pytest.mark.parametrize(
    ("question", "good", "bad"),
    [
        ("arrived_at", ["08:30", "23:59:59", "10:30:00.000+03:00", "07:15Z"], ["25:00", "8h30"]),
        (
            "seen_at",
            ["2024-05-01T10:30", "2024-05-01T10:30:00.000+03:00", "2024-05-01 10:30"],
            ["2024-02-30T10:00", "2024-05-01", "yesterday"],
        ),
        ("distress", [0, 4, "10", 6.0], [11, -2, 3, "high"]),
        ("read", ["OK"], ["yes", "1"]),
    ],
)
def test_answers_of_each_type_are_checked_as_odk_writes_them(form, question, good, bad):
    for value in good:
        assert question not in problems(form, {question: value}), value
    for value in bad:
        assert question in problems(form, {question: value}), value


def test_a_range_is_scored_on_its_own_scale(form):
    assert form.question("distress").parameters == {"start": "0", "end": "10", "step": "2"}
    assert engine.score(form, {"distress": 10})["d"].value == 1
    assert engine.score(form, {"distress": 4})["d"].value == pytest.approx(0.4)
    assert "from 0 to 10 in steps of 2" in problems(form, {"distress": 3})["distress"]


def test_or_other_adds_a_choice_and_a_specify_question_shown_when_it_is_chosen(form):
    assert [c.name for c in form.choices["reasons"]] == ["conflict", "other"]
    specify = form.question("reason_other")
    assert specify.relevant == "selected(${reason}, 'other')"  # as the author would write it
    assert specify.row == form.question("reason").row
    assert engine.relevance(form, {"reason": "other"})["reason_other"] is True
    assert engine.relevance(form, {"reason": "conflict"})["reason_other"] is False


def test_defaults_start_a_response_and_a_read_only_answer_keeps_its_value(form):
    assert form.defaults() == {"site": "BORDER-01", "household": "4"}
    assert form.question("site").read_only and not form.question("site").typed_in
    assert "site" not in problems(form, {"site": "BORDER-01"})
    assert "read-only" in problems(form, {"site": "ELSEWHERE"})["site"]


def test_a_dynamic_default_and_a_read_only_expression_are_refused_with_their_row():
    survey = [
        HEADER,
        survey_row("integer", "a", "A") + ["", "${b} + 1", ""],
        survey_row("integer", "b", "B") + ["", "", "${a} > 2"],
    ]
    with pytest.raises(xlsform.FormError) as caught:
        xlsform_reader.load(simple_form(survey=survey, settings=SETTINGS))
    places = {(p.row, p.column) for p in caught.value.problems}
    assert {(2, "default"), (3, "read_only")} <= places


def test_an_xls_workbook_reads_as_the_same_form_as_its_xlsx():
    sheets = {
        "survey": FIELD_SURVEY,
        "choices": CHOICES,
        "scoring": SCORING,
        "settings": SETTINGS,
    }
    old = xlsform_reader.load(xls_workbook(sheets), "field_types.xls")
    new = xlsform_reader.load(workbook(sheets), "field_types.xlsx")
    assert old.to_dict() == new.to_dict()


def test_a_new_response_starts_with_the_defaults_and_the_page_shows_each_type(world, register):
    from django.test import Client

    from tests.conftest import sign_in

    data = simple_form(survey=FIELD_SURVEY, choices=CHOICES, scoring=SCORING, settings=SETTINGS)
    definition = actions.publish_definition(world["agency_admin"], data, "field_types.xlsx")
    assert AssessmentDefinition.objects.get(pk=definition.pk).form_id == "field_types"
    case = register(world["caseworker"])
    assessment = actions.start(world["caseworker"], case, definition)
    assert assessment.answers == {"site": "BORDER-01", "household": "4"}
    client = Client()
    sign_in(client, world["caseworker"])
    page = client.get(f"/assessments/{assessment.pk}/", HTTP_HOST="localhost").content.decode()
    assert 'name="arrived_at" value="" type="time"' in page
    assert 'name="seen_at" value="" type="datetime-local"' in page
    assert 'type="number" min="0" max="10" step="2"' in page
    assert 'name="read" value="OK" type="checkbox"' in page
    assert 'name="site" rows="2" readonly>BORDER-01' in page
    # A read-only answer posted otherwise keeps what the form set.
    post = {
        "site": "ELSEWHERE",
        "reason": "other",
        "reason_other": "Family",
        "arrived_at": "08:30",
        "seen_at": "2024-05-01T10:30",
        "distress": "6",
        "read": "OK",
        "household": "5",
        "version": str(assessment.version),
        "submit": "1",
    }
    done = client.post(f"/assessments/{assessment.pk}/", post, HTTP_HOST="localhost")
    assert done.status_code == 302
    assessment.refresh_from_db()
    assert assessment.status == "submitted"
    assert assessment.answers["site"] == "BORDER-01" and assessment.answers["distress"] == 6
    assert assessment.answers["reason_other"] == "Family"
    assert assessment.scores["d"]["value"] == pytest.approx(0.6)


ROSTER = [
    [*SURVEY, "repeat_count"],
    survey_row("integer", "n", "How many children?") + [""],
    survey_row("begin_repeat", "child", "Child") + ["${n}"],
    survey_row("text", "child_name", "Name", required="yes") + [""],
    survey_row("end_repeat", "", "") + [""],
    survey_row("begin_repeat", "contact", "Reference contact") + ["2"],
    survey_row("text", "contact_name", "Name") + [""],
    survey_row("end_repeat", "", "") + [""],
]


NO_SCORES = [["name", "type", "label", "formula", "missing"]]


@pytest.fixture(scope="module")
def roster():
    return xlsform_reader.load(
        simple_form(survey=ROSTER, scoring=NO_SCORES, settings=[["form_id"], ["roster"]])
    )


def test_a_repeat_is_filled_as_many_times_as_its_count_says(roster):
    assert roster.question("child").repeat_count == "${n}"
    two = [{"child_name": "Amal"}, {"child_name": "Omar"}]
    contacts = [{}, {}]
    assert problems(roster, {"n": 2, "child": two, "contact": contacts}, final=True) == {}
    wrong = problems(roster, {"n": 3, "child": two, "contact": contacts}, final=True)
    assert wrong == {"child": "This section is filled 3 times, as the form asks; it has 2."}
    # A fixed count ("2") is a calculation pyxform adds, attributed to the repeat's row.
    assert roster.question("contact_count").row == roster.question("contact").row
    assert "contact" in problems(roster, {"n": 0, "contact": [{}]}, final=True)
    # A draft may have fewer; a count that is not a number asks for none.
    assert problems(roster, {"n": 3, "child": two, "contact": contacts}) == {}
    assert engine.repeat_count(roster, roster.question("child"), {"n": "many"}) == 0
    assert engine.repeat_count(roster, roster.question("child"), {"n": 1000}) == 50


def test_the_page_shows_as_many_entries_as_the_count_and_no_add_button(world, register):
    from django.test import Client

    from tests.conftest import sign_in

    data = simple_form(survey=ROSTER, scoring=NO_SCORES, settings=[["form_id"], ["roster"]])
    definition = actions.publish_definition(world["agency_admin"], data, "roster.xlsx")
    case = register(world["caseworker"])
    assessment = actions.start(world["caseworker"], case, definition)
    client = Client()
    sign_in(client, world["caseworker"])
    url = f"/assessments/{assessment.pk}/"
    post = {"n": "2", "version": str(assessment.version), "save": "1"}
    client.post(url, post, HTTP_HOST="localhost")
    page = client.get(url, HTTP_HOST="localhost").content.decode()
    assert 'name="child__count" value="2"' in page and 'name="contact__count" value="2"' in page
    assert 'name="child__1__child_name"' in page and "Add: Child" not in page
    assessment.refresh_from_db()
    post = {
        "n": "2",
        "child__count": "2",
        "child__0__child_name": "Amal",
        "child__1__child_name": "Omar",
        "contact__count": "2",
        "version": str(assessment.version),
        "submit": "1",
    }
    assert client.post(url, post, HTTP_HOST="localhost").status_code == 302
    assessment.refresh_from_db()
    assert assessment.status == "submitted" and len(assessment.answers["child"]) == 2

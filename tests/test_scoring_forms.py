"""Reading XLSForms: what Haven accepts, and a report naming sheet, row and column for
everything it does not."""

from pathlib import Path

import pytest

from haven.scoring import xform, xlsform, xlsform_reader
from tests.xlsform import SURVEY, simple_form, survey_row, workbook

SHIPPED = Path(__file__).resolve().parent.parent / "haven" / "assessments" / "forms"


def problems_of(data: bytes) -> list[xlsform.Problem]:
    with pytest.raises(xlsform.FormError) as caught:
        xlsform_reader.load(data)
    return caught.value.problems


def test_a_good_form_is_read_with_its_scoring():
    form = xlsform_reader.load(simple_form())
    assert form.form_id == "test" and form.version == "1"
    assert [q.name for q, _, _ in form.walk()] == ["q1", "q2", "n"]
    assert form.question("q2").weight == 3 and form.question("q1").required == "yes"
    assert form.choice_scores("yn") == [1.0, 0.0]
    assert form.score_rule("d").bands[0].code == "low"
    assert xlsform.Form.from_dict(form.to_dict()) == form


def test_features_real_forms_use_are_read():
    survey = [
        [*SURVEY, "label::English (en)", "label::Arabic (ar)", "hint::English (en)"],
        survey_row("begin_group", "g", relevant="${q1} = 'yes'") + ["Group", "مجموعة", ""],
        survey_row("select_one yn", "q1") + ["One", "واحد", "A hint"],
        survey_row("select_multiple yn", "q2", choice_filter="name != 'no'") + ["Two", "اثنان", ""],
        survey_row("end_group", ""),
        survey_row("begin_repeat", "kids") + ["Children", "أطفال", ""],
        survey_row("text", "kid_name") + ["Name", "الاسم", ""],
        survey_row("date", "kid_born") + ["Born", "الميلاد", ""],
        survey_row("end_repeat", ""),
        survey_row("decimal", "amount") + ["Amount", "المبلغ", ""],
        survey_row("calculate", "double", calculation="${amount} * 2"),
        survey_row("note", "thanks") + ["Thanks", "شكرا", ""],
        survey_row("start", "started"),
    ]
    choices = [
        ["list_name", "name", "label::English (en)", "label::Arabic (ar)"],
        ["yn", "yes", "Yes", "نعم"],
        ["yn", "no", "No", "لا"],
    ]
    form = xlsform_reader.load(
        workbook(
            {
                "survey": survey,
                "choices": choices,
                "settings": [["form_title", "form_id"], ["Features", "features"]],
            }
        )
    )
    kinds = {q.name: q.type for q, _, _ in form.walk()}
    assert kinds == {
        "g": "group",
        "q1": "select_one",
        "q2": "select_multiple",
        "kids": "repeat",
        "kid_name": "text",
        "kid_born": "date",
        "amount": "decimal",
        "double": "calculate",
        "thanks": "note",
    }
    assert form.question("q1").labels["Arabic (ar)"] == "واحد"
    assert form.question("q1").hints["English (en)"] == "A hint"
    assert form.question("g").relevant == "${q1} = 'yes'"
    assert form.metadata == ["started"]
    assert {"English (en)", "Arabic (ar)"} <= set(form.languages)


@pytest.mark.parametrize(
    ("sheets", "sheet", "row", "words"),
    [
        (
            {"choices": [["list_name", "name", "label"]], "settings": [["form_id"], ["x"]]},
            "survey",
            None,
            "no survey sheet",
        ),
        (
            {"survey": [SURVEY, survey_row("text", "a", "A")], "choices": [["list_name"]]},
            "settings",
            None,
            "Set form_id",
        ),
        (
            {
                "survey": [SURVEY, survey_row("text", "a", "A")],
                "choices": [["list_name"]],
                "settings": [["form_title", "version"], ["Screening", "1"]],
            },
            "settings",
            2,
            "Set form_id",
        ),
    ],
)
def test_missing_sheets_are_reported(sheets, sheet, row, words):
    found = problems_of(workbook(sheets))
    assert any(p.sheet == sheet and p.row == row and words in p.message for p in found), found


def test_choices_and_settings_sheets_are_optional_and_the_file_names_the_form():
    """As in ODK and Kobo: a form without selects needs no choices sheet, and one without
    settings is named after its file (made a valid XML name)."""
    data = workbook({"survey": [SURVEY, survey_row("text", "a", "A")]})
    form = xlsform_reader.load(data, "Household survey (v2).xlsx")
    assert form.form_id == "Household_survey_v2"
    assert 'id="Household_survey_v2"' in xform.xform_of(data, "Household survey (v2).xlsx")
    # Without a file name nothing names it: every such form would replace the others.
    assert "Set form_id" in problems_of(data)[0].message


def test_a_file_that_is_not_a_workbook_is_reported():
    found = problems_of(b"this is not a spreadsheet")
    assert "not an .xlsx or .xls workbook" in found[0].message


@pytest.mark.parametrize(
    ("survey_rows", "row", "column", "words"),
    [
        (
            [survey_row("start-geopoint", "where", "")],
            2,
            "type",
            "'start-geopoint' is not supported",
        ),
        ([survey_row("select_one nolist", "q", "Q")], 2, "", "nolist"),
        (
            [survey_row("text", "a", "A"), survey_row("text", "a", "Again")],
            3,
            "",
            "the 'name' value 'a' is invalid",
        ),
        (
            [survey_row("text", "a", "A", relevant="${a} ? 1")],
            2,
            "relevant",
            "unexpected character",
        ),
        (
            [survey_row("text", "a", "A", constraint="jr:choice-name(., '${a}')")],
            2,
            "constraint",
            "jr:choice-name() is not supported",
        ),
        (
            [survey_row("integer", "a", "A", dimension="d")],
            2,
            "score_min",
            "score_min and score_max",
        ),
        (
            [survey_row("select_one yn", "a", "A", dimension="nope")],
            2,
            "dimension",
            "'nope' is not a dimension",
        ),
        (
            [survey_row("select_one yn", "a", "A", dimension="d", weight=-1)],
            2,
            "weight",
            "cannot be negative",
        ),
        (
            [survey_row("select_one yn", "a", "A", dimension="d", weight="heavy")],
            2,
            "weight",
            "not a number",
        ),
    ],
)
def test_broken_survey_rows_are_reported_with_sheet_row_and_column(survey_rows, row, column, words):
    keep = [survey_row("select_one yn", "q1", "Q1", dimension="d")]
    found = problems_of(simple_form(survey=[SURVEY, *survey_rows, *keep]))
    assert any(
        p.sheet == "survey"
        and (row is None or p.row == row)
        and p.column == column
        and words in p.message
        for p in found
    ), found


def test_columns_haven_would_not_act_on_are_reported():
    survey = [
        [*SURVEY, "trigger", "media::image", "appearance"],
        survey_row("select_one yn", "q1", "Q1", dimension="d") + ["", "", "minimal"],
        survey_row("note", "pic", "A picture") + ["", "map.png", ""],
        survey_row("calculate", "stamp", "", calculation="today()") + ["${q1}", "", ""],
    ]
    found = problems_of(simple_form(survey=survey))
    places = {(p.row, p.column) for p in found}
    # Appearance is only layout; a trigger Haven acts on, as the form engine does.
    assert places == {(3, "media::image")}
    assert "remove it" in found[0].message


def test_a_scored_list_with_an_unscored_choice_is_reported():
    choices = [["list_name", "name", "label", "score"], ["yn", "yes", "Yes", 1], ["yn", "no", "No"]]
    found = problems_of(simple_form(choices=choices))
    assert any(p.sheet == "choices" and p.column == "score" and "no" in p.message for p in found)


@pytest.mark.parametrize(
    ("rows", "column", "words"),
    [
        ([["d", "dimension", "D", "", ""]], "missing", "declare how missing answers count"),
        ([["d", "dimension", "D", "", "guess"]], "missing", "'guess' is not a rule"),
        (
            [["d", "dimension", "D", "", "skip"], ["d", "dimension", "D", "", "skip"]],
            "name",
            "used twice",
        ),
        (
            [["d", "dimension", "D", "", "skip"], ["x", "ratio", "X", "", "skip"]],
            "type",
            "'ratio' is not dimension, score or composite",
        ),
        (
            [
                ["d", "dimension", "D", "", "skip"],
                ["c", "composite", "C", "mean(d, ghost)", "skip"],
            ],
            "formula",
            "'ghost' is not a score",
        ),
        (
            [["d", "dimension", "D", "", "skip"], ["c", "composite", "C", "mean(d", "skip"]],
            "formula",
            "expected ')'",
        ),
        (
            [
                ["d", "dimension", "D", "", "skip"],
                ["a", "composite", "A", "mean(b)", "skip"],
                ["b", "composite", "B", "mean(a)", "skip"],
            ],
            "formula",
            "in a circle",
        ),
        (
            [["d", "dimension", "D", "", "skip"], ["s", "score", "S", "${q1} * ${ghost}", "fail"]],
            "formula",
            "${ghost} is not a question",
        ),
        (
            [["d", "dimension", "D", "", "skip"], ["e", "dimension", "E", "", "skip"]],
            "formula",
            "no question of the survey has the dimension 'e'",
        ),
    ],
)
def test_broken_scoring_rows_are_reported(rows, column, words):
    scoring = [["name", "type", "label", "formula", "missing"], *rows]
    found = problems_of(simple_form(scoring=scoring))
    assert any(p.sheet == "scoring" and p.column == column and words in p.message for p in found), (
        found
    )


def test_bands_must_be_readable_and_rising():
    scoring = [
        ["name", "type", "label", "formula", "missing", "bands"],
        ["d", "dimension", "D", "", "skip", "high:0.9; low:0.1"],
    ]
    found = problems_of(simple_form(scoring=scoring))
    assert any(p.column == "bands" and "lowest to the highest" in p.message for p in found)
    scoring[1][5] = "low 0.5"
    found = problems_of(simple_form(scoring=scoring))
    assert any(p.column == "bands" and "is not a band" in p.message for p in found)


def test_problem_text_names_the_place():
    problem = xlsform.Problem("survey", 7, "constraint", "bad")
    assert str(problem) == "survey, row 7, column constraint: bad"


@pytest.mark.parametrize("path", sorted(SHIPPED.glob("*.xlsx")), ids=lambda p: p.stem)
def test_every_shipped_form_is_read_without_problems(path):
    form = xlsform_reader.load(path.read_bytes())
    assert form.scores and form.form_id.startswith("haven_")


def _with_part(data: bytes, name: str, content: bytes) -> bytes:
    import io
    import zipfile

    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for item in source.infolist():
            archive.writestr(item, source.read(item.filename))
        archive.writestr(name, content)
    return out.getvalue()


def test_a_workbook_that_expands_too_far_is_refused_before_it_is_read():
    bomb = _with_part(simple_form(), "xl/media/padding.xml", b" " * (60 * 1024 * 1024))
    assert len(bomb) < 200_000  # a small upload…
    found = problems_of(bomb)
    assert len(found) == 1 and "expands to 60 MB" in found[0].message  # …refused unread


def test_a_sheet_that_claims_a_million_rows_is_read_to_its_last_row():
    import io

    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(simple_form()))
    book["survey"]["A1048576"] = " "  # as spreadsheets save it: the sheet's size, not content
    out = io.BytesIO()
    book.save(out)
    form = xlsform_reader.load(out.getvalue())  # no problem raised
    assert {q.name for q in form.questions} >= {"q1", "q2", "n"}


def test_a_sheet_really_longer_than_the_bound_is_refused_with_its_size():
    rows = [SURVEY] + [survey_row("text", f"q{n}", f"Question {n}") for n in range(5200)]
    found = problems_of(simple_form(survey=rows))
    assert any(p.sheet == "survey" and "more than 5,000 rows" in p.message for p in found)

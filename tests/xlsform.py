"""Build small XLSForm workbooks in memory for tests."""

import io

from openpyxl import Workbook

SURVEY = [
    "type",
    "name",
    "label",
    "required",
    "relevant",
    "constraint",
    "constraint_message",
    "calculation",
    "choice_filter",
    "dimension",
    "weight",
    "score_min",
    "score_max",
]


def workbook(sheets: dict[str, list[list]]) -> bytes:
    """{sheet name: rows, the first being the header} as .xlsx bytes."""
    book = Workbook()
    book.remove(book.active)
    for name, rows in sheets.items():
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def survey_row(type_, name, label="", **columns) -> list:
    values = {"type": type_, "name": name, "label": label, **columns}
    return [values.get(column, "") for column in SURVEY]


def simple_form(survey=None, choices=None, scoring=None, settings=None) -> bytes:
    """A small scored form; pass rows to replace a sheet (header included)."""
    sheets = {
        "survey": survey
        or [
            SURVEY,
            survey_row("select_one yn", "q1", "Question one", required="yes", dimension="d"),
            survey_row("select_one yn", "q2", "Question two", dimension="d", weight=3),
            survey_row(
                "integer",
                "n",
                "A number",
                constraint=". <= 10",
                constraint_message="At most 10",
                dimension="d",
                score_min=0,
                score_max=10,
            ),
        ],
        "choices": choices
        or [
            ["list_name", "name", "label", "score"],
            ["yn", "yes", "Yes", 1],
            ["yn", "no", "No", 0],
        ],
        "settings": settings or [["form_title", "form_id", "version"], ["Test", "test", "1"]],
    }
    sheets["scoring"] = scoring or [
        ["name", "type", "label", "formula", "missing", "bands"],
        ["d", "dimension", "D", "", "skip", "low:0.5; high"],
    ]
    return workbook(sheets)

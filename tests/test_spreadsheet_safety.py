"""No text Haven writes to a CSV, XLSX or HXL file runs as a formula in a spreadsheet: every
writer goes through `core.spreadsheets`, and each is tested here with hostile names."""

import csv
import io
from datetime import date
from types import SimpleNamespace

import hxl
import pytest
from openpyxl import load_workbook

from haven.core.hxl_tables import as_hxl
from haven.core.reporting import Table
from haven.core.spreadsheets import safe_cell
from haven.core.table_exports import as_csv, as_xlsx

HOSTILE = [
    '=HYPERLINK("http://x")',
    "=cmd|' /C calc'!A0",
    "@SUM(1+1)",
    "+1+2",
    "-2+3",
    "\t=1+1",
    "  =1+1",
    "＝1+1",
]


@pytest.mark.parametrize("value", HOSTILE)
def test_formulas_become_text(value):
    assert safe_cell(value) == "'" + value


@pytest.mark.parametrize("value", ["Amal Haddad", "-12", "+3.5", "", "a=b", "محمد", 12, None])
def test_ordinary_values_are_unchanged(value):
    assert safe_cell(value) == value


def _formula_free_csv(text: str) -> list[list[str]]:
    rows = list(csv.reader(io.StringIO(text)))
    for row in rows:
        for cell in row:
            assert not cell.lstrip().startswith(("=", "+", "@", "＝")), cell
            assert not (cell.startswith("-") and not cell.lstrip("-").isdigit()), cell
    return rows


def _hostile_table() -> Table:
    rows = [(label, [5, 5]) for label in HOSTILE]
    return Table("=1+1", ["@col", "-x"], rows, [5 * len(HOSTILE)] * 2, summed=False)


def test_dashboard_csv_neutralises_labels_and_titles():
    rows = _formula_free_csv(as_csv("+Title", [_hostile_table()], ["=note"]))
    assert rows[0] == ["'+Title"] and rows[1] == ["'=note"]
    assert ["'" + HOSTILE[0], "5", "5"] in rows


def test_dashboard_xlsx_holds_no_formula_cell():
    book = load_workbook(io.BytesIO(as_xlsx("=Title", [_hostile_table()], ["@note"])))
    seen = 0
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", cell.value
                if isinstance(cell.value, str) and cell.value.startswith("'"):
                    seen += 1
    assert seen >= len(HOSTILE) + 2


def test_dashboard_hxl_neutralises_every_cell():
    table = _hostile_table()
    table.kinds = ("service", "status")
    text = as_hxl([("hostile", table)], (date(2026, 1, 1), date(2026, 1, 31)))
    _formula_free_csv(text)
    dataset = hxl.data(io.BytesIO(text.encode()), hxl.input.InputOptions(allow_local=True))
    rows = list(dataset)
    assert {row.get("#service+name") for row in rows} == {"'" + value for value in HOSTILE}
    assert {row.get("#indicator+name") for row in rows} == {"'=1+1"}


def test_feedback_report_csv_neutralises_labels():
    from haven.feedback.exports import report_csv

    table = Table("By office", ["Open"], [("=HYPERLINK(1)", [3])], [3, 3])
    figures = SimpleNamespace(
        submissions=3,
        overdue=0,
        median_hours_to_acknowledge=None,
        median_days_to_resolve=None,
        mean_satisfaction=None,
        ratings=0,
    )
    report = SimpleNamespace(
        protected=False,
        threshold=5,
        figures=figures,
        by_channel=table,
        by_office=table,
        satisfaction=table,
    )
    rows = _formula_free_csv(report_csv(report, {"since": "@x"}))
    assert ["'=HYPERLINK(1)", "3"] in rows


def test_service_point_export_neutralises_names(db):
    from haven.assistance.directory import export_csv
    from haven.assistance.models import Provider, ServicePoint

    provider = Provider.objects.create(name='=HYPERLINK("http://x")')
    point = ServicePoint.objects.create(provider=provider, name="@SUM(1+1)", opening_hours="+1+2")
    rows = _formula_free_csv(export_csv([point]))
    assert "'@SUM(1+1)" in rows[2] and "'+1+2" in rows[2]


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_identified_exports_neutralise_cells(file_format):
    from haven.evidence.exports import encode

    data = encode(["name", "number"], [[value, "-1"] for value in HOSTILE], file_format)
    if file_format == "csv":
        rows = _formula_free_csv(data.decode("utf-8-sig"))
        values = [row[0] for row in rows[1:]]
    else:
        sheet = load_workbook(io.BytesIO(data)).active
        assert all(c.data_type != "f" for row in sheet.iter_rows() for c in row)
        values = [row[0].value for row in sheet.iter_rows(min_row=2)]
    assert values == ["'" + value for value in HOSTILE]


def test_release_files_neutralise_cells(tmp_path):
    from haven.evidence.builds import _write

    path = tmp_path / "release.csv"
    _write(path, ["nationality"], [[value] for value in HOSTILE])
    rows = _formula_free_csv(path.read_text())
    assert [row[0] for row in rows[1:]] == ["'" + value for value in HOSTILE]

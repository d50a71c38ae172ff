"""Dashboards' tables as CSV, XLSX and HXL: the counts as published (small cells stay hidden),
the period and the protection stated, every download audited."""

import csv
import io
from datetime import date

import hxl
from openpyxl import load_workbook

from haven.audit.models import AuditEvent
from haven.core.hxl_tables import as_hxl
from haven.core.reporting import Table
from haven.core.table_exports import _sheet_name, as_csv, as_xlsx
from tests.conftest import sign_in

# Each row's counts end with its total; the totals row ends with the grand total.
TABLE = Table(
    "Referrals by service", ["Open", "Closed"], [("Shelter", [None, 12, None])], [None, 12, None]
)


def test_csv_and_xlsx_carry_the_published_counts_only():
    text = as_csv("Assistance", [TABLE], ["Counts below 5 are hidden."])
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == ["Assistance"] and rows[1] == ["Counts below 5 are hidden."]
    assert ["Shelter", "", "12", ""] in rows and ["Total", "", "12", ""] in rows
    book = load_workbook(io.BytesIO(as_xlsx("Assistance", [TABLE], [])))
    assert book.sheetnames == ["About", "Referrals by service"]
    sheet = book["Referrals by service"]
    assert [c.value for c in sheet[2]] == [None, "Open", "Closed", "Total"]
    assert [c.value for c in sheet[3]] == ["Shelter", None, 12, None]


def test_hxl_has_one_tagged_line_per_row_of_published_counts():
    table = Table(
        "Referrals by service",
        ["Open", "Closed"],
        [("Shelter", [None, 12, None])],
        [None, 12, None],
        kinds=("service", "status"),
    )
    text = as_hxl([("referrals", table)], (date(2026, 1, 1), date(2026, 3, 31)))
    dataset = hxl.data(io.BytesIO(text.encode()), hxl.input.InputOptions(allow_local=True))
    assert [str(column) for column in dataset.columns] == [
        "#indicator+code",
        "#indicator+name",
        "#date+start",
        "#date+end",
        "#service+name",
        "#status+name",
        "#indicator+num",
    ]
    lines = [row.values for row in dataset]
    assert lines == [  # the hidden count stays empty: the file never says what it was
        ["referrals", "Referrals by service", "2026-01-01", "2026-03-31", "Shelter", "Open", ""],
        [
            "referrals",
            "Referrals by service",
            "2026-01-01",
            "2026-03-31",
            "Shelter",
            "Closed",
            "12",
        ],
    ]


def test_sheet_names_are_valid_and_unique():
    used = set()
    first = _sheet_name("Cases: by office / month [2026]", used)
    used.add(first)
    second = _sheet_name("Cases: by office / month [2026]", used)
    assert len(first) <= 31 and not set("[]:*?/\\") & set(first) and first != second


def test_an_analyst_downloads_the_assistance_tables_audited(world, client):
    sign_in(client, world["analyst"])
    page = client.get("/assistance/report/").content.decode()
    assert "format=xlsx" in page
    response = client.get("/assistance/report/?format=xlsx&from=2026-01-01")
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="assistance-report.xlsx"'
    book = load_workbook(io.BytesIO(response.content))
    about = [row[0].value for row in book["About"].iter_rows()]
    assert any("hidden" in str(line) for line in about)  # analysts get protected counts
    assert any("2026-01-01" in str(line) for line in about)
    event = AuditEvent.objects.get(action="report.export")
    assert event.details["report"] == "assistance-report" and event.details["format"] == "xlsx"
    hxl_response = client.get("/assistance/report/?format=hxl")
    assert hxl_response["Content-Disposition"].endswith('.hxl.csv"')
    assert "#indicator+name" in hxl_response.content.decode()
    csv_response = client.get("/incidents/report/?format=csv")
    assert csv_response.status_code == 200 and csv_response["Content-Type"] == "text/csv"


def test_exports_follow_the_dashboard_permission(world, client):
    sign_in(client, world["caseworker"])
    assert client.get("/assistance/report/?format=xlsx").status_code == 403

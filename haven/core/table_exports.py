"""Dashboards' tables as files: CSV, XLSX (one sheet per table) and HXL-tagged CSV (one
line per count, for humanitarian data tools), the counts exactly as published — small
cells stay hidden (empty) — and every download audited."""

import dataclasses
import io
import re

from django.http import HttpResponse
from django.utils.translation import gettext as _

from haven.audit.actions import record_event
from haven.core.hxl_tables import as_hxl
from haven.core.reporting import Table, covered
from haven.core.spreadsheets import csv_writer, safe_row

FORMATS = ("csv", "xlsx", "hxl")
_XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def named_tables(report) -> list[tuple[str, Table]]:
    """The published tables of a report (a dataclass), in their order, each with a name
    that stays the same from one export to the next (its field's, numbered in a list)."""
    found = []
    for item in dataclasses.fields(report):
        value = getattr(report, item.name)
        if isinstance(value, Table):
            found.append((item.name, value))
        elif isinstance(value, list):
            tables = [table for table in value if isinstance(table, Table)]
            found += [(f"{item.name}_{n}", table) for n, table in enumerate(tables, 1)]
    return found


def tables_of(report) -> list[Table]:
    """The published tables of a report, in their order."""
    return [table for _name, table in named_tables(report)]


def period_of(report, period: dict):
    """The period the report's counts cover: its own when it knows the first thing it
    counted, else the one chosen (to today when open)."""
    return getattr(report, "covered", None) or covered(period.get("since"), period.get("until"))


def _lines(table: Table) -> list[list]:
    if not table.rows:
        return [[table.title], [_("Nothing in this period.")]]
    total = [_("Total")] if table.summed else []
    lines = [[table.title], ["", *table.columns, *total]]
    lines += [[label, *("" if n is None else n for n in counts)] for label, counts in table.rows]
    if table.summed:
        lines.append([_("Total"), *("" if n is None else n for n in table.totals)])
    return lines


def as_csv(title: str, tables: list[Table], notes: list[str]) -> str:
    out = io.StringIO()
    writer = csv_writer(out)
    writer.writerow([title])
    for note in notes:
        writer.writerow([note])
    for table in tables:
        writer.writerow([])
        writer.writerows(_lines(table))
    return out.getvalue()


def as_xlsx(title: str, tables: list[Table], notes: list[str]) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    cover = book.active
    cover.title = _sheet_name(_("About"), set())
    cover.append(safe_row([title]))
    for note in notes:
        cover.append(safe_row([note]))
    used = {cover.title}
    for table in tables:
        sheet = book.create_sheet(_sheet_name(table.title, used))
        used.add(sheet.title)
        for line in _lines(table):
            sheet.append(safe_row(line))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _sheet_name(title: str, used: set[str]) -> str:
    # Excel: at most 31 characters, none of []:*?/\ and unique in the workbook.
    base = re.sub(r"[\[\]:*?/\\]", " ", str(title)).strip()[:28] or "Table"
    name, n = base, 2
    while name in used:
        name, n = f"{base[:26]} {n}", n + 1
    return name


def notes_for(report, period: dict) -> list[str]:
    """What a reader of the file must know: the period, the counts hidden and rounded."""
    notes = []
    if period.get("since") or period.get("until"):
        notes.append(
            _("Period: %(since)s to %(until)s")
            % {"since": period.get("since") or "…", "until": period.get("until") or "…"}
        )
    if getattr(report, "protected", False):
        notes.append(
            _("Counts below %(n)s, and those that would reveal them, are hidden (empty cells).")
            % {"n": report.threshold}
        )
        if getattr(report, "base", 1) > 1:
            notes.append(
                _("Every count is rounded to a multiple of %(base)s.") % {"base": report.base}
            )
    return notes


EXTENSIONS = {"csv": "csv", "xlsx": "xlsx", "hxl": "hxl.csv"}


def render(title: str, report, period: dict, fmt: str) -> tuple[bytes, str]:
    """The report's tables as the bytes of a file in `fmt`, and its content type."""
    tables = tables_of(report)
    if fmt == "xlsx":
        return as_xlsx(title, tables, notes_for(report, period)), _XLSX
    if fmt == "hxl":
        return as_hxl(named_tables(report), period_of(report, period)).encode(), "text/csv"
    return as_csv(title, tables, notes_for(report, period)).encode(), "text/csv"


def download(request, *, name: str, title: str, report, period: dict, fmt: str):
    """The report's tables as a file, and the audit event of its export."""
    record_event(
        request.user,
        "report.export",
        agency_id=request.user.agency_id,
        details={"report": name, "format": fmt, "filters": dict(request.GET.items())},
    )
    data, content_type = render(title, report, period, fmt)
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{name}.{EXTENSIONS[fmt]}"'
    return response


def download_if_asked(request, *, name: str, title: str, report, period: dict):
    """The file when the dashboard's address asks for one (`?format=csv|xlsx|hxl`), else
    None."""
    fmt = request.GET.get("format", "")
    if fmt not in FORMATS:
        return None
    return download(request, name=name, title=title, report=report, period=period, fmt=fmt)

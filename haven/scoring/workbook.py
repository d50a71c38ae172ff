"""An XLSForm workbook read within bounds: `.xlsx` (Office Open XML) or `.xls` (the older
binary format, which many field forms still are), every sheet as rows of text, and
pyxform's conversion of it under the name its file had.

A small upload can hold a large sheet (XML compresses a hundredfold and more) or claim a
million empty rows, so what one workbook makes Haven read is bounded before and while it
is parsed.
"""

from __future__ import annotations

import io
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path

from haven.scoring.xlsform import FormError, Problem


@dataclass(frozen=True)
class Bounds:
    """What one workbook may make Haven read, and what it is called in the messages."""

    expanded: int = 10 * 1024 * 1024
    entries: int = 1000
    rows: int = 5000
    columns: int = 200
    what: str = "form"
    advice: str = "Save the form alone in a new workbook, without other sheets or images."
    rows_advice: str = "Remove rows that are not part of the form."


FORM = Bounds()
MAX_UNCOMPRESSED, MAX_ENTRIES, MAX_ROWS, MAX_COLUMNS = (
    FORM.expanded,
    FORM.entries,
    FORM.rows,
    FORM.columns,
)
_TRAILING_EMPTY = 200  # rows with nothing in them after the last one that has something

XLSX, XLS = ".xlsx", ".xls"
_ZIP_MAGIC = b"PK\x03\x04"
_OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_NOT_A_WORKBOOK = "This is not an .xlsx or .xls workbook that can be read"

Sheets = dict[str, list[tuple[int, dict[str, str]]]]


def file_type(data: bytes) -> str:
    """`.xlsx` or `.xls`, told from the bytes (never from the name a user gave the file)."""
    if data.startswith(_OLE2_MAGIC):
        return XLS
    if data.startswith(_ZIP_MAGIC):
        return XLSX
    raise FormError([Problem("", None, "", f"{_NOT_A_WORKBOOK}.")])


def read_sheets(data: bytes, bounds: Bounds = FORM) -> Sheets:
    """Every sheet as (row number, {column: text}) for its non-empty rows, sheet names in
    lower case; FormError for a file that is not a workbook or exceeds the bounds."""
    if file_type(data) == XLS:
        return _read_xls(data, bounds)
    _check_archive(data, bounds)
    return _read_xlsx(data, bounds)


def _check_archive(data: bytes, bounds: Bounds) -> None:
    """Refuse, before any sheet is parsed, a workbook that expands beyond the bounds."""
    import zipfile

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            entries = archive.infolist()
    except (zipfile.BadZipFile, ValueError) as exc:
        raise FormError([Problem("", None, "", f"{_NOT_A_WORKBOOK} ({exc}).")]) from exc
    check_expansion(entries, bounds)


def check_expansion(entries, bounds: Bounds) -> None:
    """Refuse a ZIP (a workbook, an export) whose parts (`entries`: its infolist) say it
    expands beyond the bounds: what they claim is checked before any is read."""
    expanded = sum(entry.file_size for entry in entries)
    if len(entries) > bounds.entries or expanded > bounds.expanded:
        raise FormError(
            [
                Problem(
                    "",
                    None,
                    "",
                    f"The file expands to {expanded / 1_048_576:,.0f} MB in "
                    f"{len(entries):,} parts; a {bounds.what} may take at most "
                    f"{bounds.expanded // 1_048_576} MB in {bounds.entries:,}. " + bounds.advice,
                )
            ]
        )


def _read_xlsx(data: bytes, bounds: Bounds) -> Sheets:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a file that is not a workbook
        raise FormError([Problem("", None, "", f"{_NOT_A_WORKBOOK} ({exc}).")]) from exc
    sheets = {}
    try:
        for sheet in workbook.worksheets:
            # One column more than allowed is read, to tell a wider sheet from a full one.
            rows = sheet.iter_rows(
                values_only=True, max_col=bounds.columns + 1, max_row=bounds.rows
            )
            sheets[sheet.title.strip().lower()] = _rows(sheet.title, rows, bounds)
    finally:
        workbook.close()
    return sheets


def _read_xls(data: bytes, bounds: Bounds) -> Sheets:
    import xlrd

    try:
        book = xlrd.open_workbook(file_contents=data, on_demand=True)
    except Exception as exc:  # xlrd raises its own and struct errors for a damaged file
        raise FormError([Problem("", None, "", f"{_NOT_A_WORKBOOK} ({exc}).")]) from exc
    sheets = {}
    try:
        for index in range(book.nsheets):
            sheet = book.sheet_by_index(index)
            width = min(sheet.ncols, bounds.columns + 1)
            rows = (
                [_xls_value(cell) for cell in sheet.row_slice(r, 0, width)]
                for r in range(min(sheet.nrows, bounds.rows))
            )
            sheets[sheet.name.strip().lower()] = _rows(sheet.name, rows, bounds)
            book.unload_sheet(index)
    finally:
        book.release_resources()
    return sheets


def _xls_value(cell):
    import xlrd

    if cell.ctype == xlrd.XL_CELL_BOOLEAN:
        return "TRUE" if cell.value else "FALSE"
    return cell.value


def _rows(title: str, rows, bounds: Bounds) -> list[tuple[int, dict[str, str]]]:
    """A sheet's non-empty rows, reading at most `bounds.rows` rows and `bounds.columns`
    columns. A sheet that only claims more (spreadsheets save 1,048,576 empty rows) is read
    up to the bound; one still filled near it, or with a header wider, is refused."""
    rows = iter(rows)
    header = [str(h).strip() if h is not None else "" for h in next(rows, ())]
    if len(header) > bounds.columns and any(header[bounds.columns :]):
        raise FormError(
            [
                Problem(
                    title,
                    1,
                    "",
                    f"The sheet has more than {bounds.columns:,} columns: a {bounds.what} "
                    "that wide is not supported.",
                )
            ]
        )
    content, last_filled = [], 1
    for number, values in enumerate(rows, start=2):
        if number == bounds.rows and number - last_filled < _TRAILING_EMPTY:
            raise FormError(
                [
                    Problem(
                        title,
                        None,
                        "",
                        f"The sheet has more than {bounds.rows:,} rows: a {bounds.what} that "
                        f"long is not supported. {bounds.rows_advice}",
                    )
                ]
            )
        row = {
            header[i]: text
            for i, value in enumerate(values)
            if i < len(header) and header[i] and (text := cell_text(value)) != ""
        }
        if row:
            content.append((number, row))
            last_filled = number
    return content


def cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


_UNSAFE = re.compile(r"[^A-Za-z0-9_.-]+")


def form_name_of(filename: str) -> str:
    """The form id pyxform gives a workbook without one: its file name without the
    extension, made a valid XML name ("Household survey (v2).xlsx" → "Household_survey_v2")."""
    stem = Path(filename or "").name.rsplit(".", 1)[0] if "." in (filename or "") else filename
    name = _UNSAFE.sub("_", stem or "").strip("_.-")
    if name and not (name[0].isalpha() or name[0] == "_"):
        name = f"_{name}"
    return name[:100]


def pyxform_convert(data: bytes, filename: str = ""):
    """pyxform's conversion, read from a file named as the upload was (pyxform names a form
    without a form_id after its file, as ODK and Kobo do)."""
    from pyxform.xls2xform import convert

    name = form_name_of(filename) or "data"
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"{name}{file_type(data)}"
        path.write_bytes(data)
        return convert(str(path))

"""The files KoboToolbox and ODK Central export responses in, read into one record per
response, its repeats as lists inside it:

- CSV (one table; repeats are not in it) and JSON (Kobo's API page, ODK Central's OData
  feed, a plain list: repeats already nested);
- ODK Central's "all data" ZIP: the form's CSV and one CSV per repeat, each repeat row
  naming its parent by `PARENT_KEY` (the parent's `KEY`);
- KoboToolbox's XLSX (or XLS) export: the form's sheet first and one sheet per repeat, each
  repeat row naming its parent by `_parent_table_name` and `_parent_index`.

What a file can make Haven read is bounded before it is parsed: a ZIP of at most
MAX_PARTS tables expanding to at most MAX_EXPANDED bytes, MAX_ROWS responses, MAX_REPEAT_ROWS
rows in a repeat's table, MAX_COLUMNS columns a table."""

import csv
import io
import json
import re
import zipfile
from dataclasses import dataclass, field

from haven.core.request_guards import first_nul_line
from haven.scoring.workbook import Bounds, check_expansion, read_sheets
from haven.scoring.xlsform import FormError

MAX_ROWS = 5000
MAX_REPEAT_ROWS = 50_000  # entries of one repeat, over all the responses of a file
MAX_PARTS = 100
MAX_EXPANDED = 50 * 1024 * 1024
MAX_COLUMNS = 2000
_ZIP = b"PK\x03\x04"
_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
# The columns that join a repeat's rows to their parent: never answers.
LINK_COLUMNS = {"KEY", "PARENT_KEY", "_index", "_parent_index", "_parent_table_name"}


class UnreadableFile(ValueError):
    """A file that cannot be read at all (a row's problems are reported per row)."""


@dataclass
class Table:
    name: str
    rows: list[dict]


@dataclass
class Records:
    records: list[dict]
    # Tables of the file that are no repeat of the form, by name.
    ignored: list[str] = field(default_factory=list)


def read_records(data: bytes, filename: str, repeats: list[str]) -> Records:
    """The responses in an export, each repeat's rows under the repeat's name (`repeats`:
    the form's repeats, to know which table is which)."""
    if data.startswith(_ZIP):
        tables = _zip_tables(data)
    elif data.startswith(_OLE2):
        tables = _workbook_tables(data)
    else:
        text = _text(data)
        if filename.lower().endswith(".json") or text.lstrip().startswith(("[", "{")):
            records = _json_records(text)
        else:
            records = _csv_records(text)
        _bounded(len(records))
        return Records(records)
    return _joined(tables, repeats)


def _bounded(count: int) -> None:
    if count > MAX_ROWS:
        raise UnreadableFile(f"Import at most {MAX_ROWS} responses at a time.")


def _text(data: bytes) -> str:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise UnreadableFile(
            "The file is not UTF-8 text, a ZIP or a workbook: export it as UTF-8 CSV, JSON, "
            "ODK Central's ZIP or Kobo's XLSX."
        ) from exc
    line = first_nul_line(text)
    if line is not None:
        raise UnreadableFile(
            f"Line {line} contains a NUL character (\\0): export the file again as UTF-8 "
            "CSV or JSON."
        )
    return text


def _json_records(text: str) -> list[dict]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise UnreadableFile(f"The JSON cannot be read: {exc.msg} at line {exc.lineno}.") from exc
    if isinstance(data, dict) and isinstance(data.get("results"), list):
        data = data["results"]  # the KoboToolbox API's page of submissions
    elif isinstance(data, dict) and isinstance(data.get("value"), list):
        data = data["value"]  # ODK Central's OData feed
    if not isinstance(data, list) or not all(isinstance(item, dict) for item in data):
        raise UnreadableFile("The JSON must be a list of responses (objects).")
    return data


def _csv_records(text: str) -> list[dict]:
    sample = text[:4096]
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.DictReader(io.StringIO(text), dialect=dialect)
    if not reader.fieldnames:
        raise UnreadableFile("The CSV has no header row.")
    if len(reader.fieldnames) > MAX_COLUMNS:
        raise UnreadableFile(f"The CSV has more than {MAX_COLUMNS} columns.")
    return [{k: v for k, v in record.items() if k is not None} for record in reader]


def _zip_tables(data: bytes) -> list[Table]:
    """The CSVs of a ZIP, or the sheets when the ZIP is an XLSX workbook."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError) as exc:
        raise UnreadableFile(f"The ZIP cannot be read ({exc}).") from exc
    with archive:
        try:
            check_expansion(archive.infolist(), _export_bounds())
        except FormError as exc:
            raise UnreadableFile(exc.problems[0].message) from exc
        names = archive.namelist()
        if "xl/workbook.xml" in names:
            return _workbook_tables(data)
        tables = [
            Table(_table_name(name), _csv_records(_text(archive.read(name))))
            for name in names
            if name.lower().endswith(".csv") and not name.startswith(("__MACOSX", "media/"))
        ]
    if not tables or len(tables) > MAX_PARTS:
        raise UnreadableFile(
            f"The ZIP holds {len(tables)} CSV files: ODK Central's export holds the form's "
            f"CSV and one per repeat, at most {MAX_PARTS}."
        )
    return tables


def _table_name(path: str) -> str:
    return path.rsplit("/", 1)[-1].rsplit(".", 1)[0]


def _export_bounds() -> Bounds:
    """What one export may make Haven read (made when asked, from the module's bounds)."""
    return Bounds(
        expanded=MAX_EXPANDED,
        entries=MAX_PARTS * 10,
        rows=MAX_REPEAT_ROWS + 2,  # the header, and one row more than allowed, to say so
        columns=MAX_COLUMNS,
        what="response export",
        advice="Export fewer responses at a time, without media.",
        rows_advice=f"Import at most {MAX_ROWS:,} responses at a time.",
    )


def _workbook_tables(data: bytes) -> list[Table]:
    """Kobo's workbook export: every sheet as a table, the form's own first."""
    try:
        sheets = read_sheets(data, _export_bounds())
    except FormError as exc:
        raise UnreadableFile(" ".join(str(p.message) for p in exc.problems)) from exc
    return [Table(name, [row for _number, row in rows]) for name, rows in sheets.items()]


def _joined(tables: list[Table], repeats: list[str]) -> Records:
    """The main table's rows with each repeat table's rows put inside their parent."""
    main = next((t for t in tables if not any("PARENT_KEY" in row for row in t.rows)), None)
    if main is None or not main.rows:
        raise UnreadableFile("The file holds no table of responses.")
    _bounded(len(main.rows))
    by_key: dict[tuple[str, str], dict] = {}
    for table in tables:
        if len(table.rows) > MAX_REPEAT_ROWS:
            raise UnreadableFile(
                f"The table {table.name} has more than {MAX_REPEAT_ROWS:,} rows: export fewer "
                "responses at a time."
            )
        for row in table.rows:
            if row.get("KEY"):
                by_key[("", str(row["KEY"]))] = row
            if row.get("_index") not in (None, ""):
                by_key[(table.name.lower(), str(row["_index"]))] = row
    ignored = []
    for table in tables:
        if table is main:
            continue
        repeat = _repeat_of(table.name, repeats)
        if repeat is None:
            ignored.append(table.name)
            continue
        for row in table.rows:
            parent = _parent(row, by_key)
            if parent is not None:
                parent.setdefault(repeat, []).append(row)
    for table in tables:  # joined: what joined them is no answer
        if table is not main:
            for row in table.rows:
                for column in LINK_COLUMNS:
                    row.pop(column, None)
    return Records(main.rows, ignored)


def _repeat_of(table: str, repeats: list[str]) -> str | None:
    """The repeat a table holds: ODK Central names it `<form>-<repeat>`, Kobo names the sheet
    after the repeat (cut to 31 characters, Excel's limit)."""
    name = table.strip().lower()
    for repeat in sorted(repeats, key=len, reverse=True):
        wanted = repeat.lower()
        if name == wanted or name == wanted[:31] or re.search(rf"[-.]{re.escape(wanted)}$", name):
            return repeat
    return None


def _parent(row: dict, by_key: dict[tuple[str, str], dict]) -> dict | None:
    if row.get("PARENT_KEY"):
        return by_key.get(("", str(row["PARENT_KEY"])))
    table, index = row.get("_parent_table_name"), row.get("_parent_index")
    if table and index not in (None, ""):
        return by_key.get((str(table).strip().lower(), str(index)))
    return None

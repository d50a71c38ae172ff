"""Choice lists kept in CSV files beside a form (`select_one_from_file villages.csv`), as
ODK reads them: each row a choice, named by its `name` column and labelled by its `label`
column (or the columns the question's `parameters` name: `value=code label=site_name`),
every other column kept for the question's choice_filter. Each column name becomes an XML
element name in the form engine, so it must be one. Read within bounds, whatever the file
claims."""

from __future__ import annotations

import csv
import io
import re

from haven.scoring.xlsform import Choice, Form, Problem

MAX_FILES = 10
MAX_BYTES = 1024 * 1024
MAX_ROWS = 10_000
MAX_COLUMNS = 100
_XML_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_.-]*$")
_PULLDATA = re.compile(r"""pulldata\(\s*['"]([^'"]+)['"]""")


def media_problems(media: dict[str, bytes]) -> list[Problem]:
    """What is wrong with the files attached to a form, file by file."""
    problems = []
    if len(media) > MAX_FILES:
        problems.append(
            Problem("", None, "", f"A form may have at most {MAX_FILES} files beside it.")
        )
    for name, data in media.items():
        if not name.lower().endswith(".csv"):
            problems.append(Problem(name, None, "", "Only CSV files can hold choices."))
        else:
            problems += table(name, data)[1]
    return problems


def table(name: str, data: bytes) -> tuple[list[dict[str, str]], list[Problem]]:
    """The file's rows as {column: text}, and what keeps it from being read."""
    if len(data) > MAX_BYTES:
        return [], [Problem(name, None, "", f"The file is larger than {MAX_BYTES // 1024} KB.")]
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return [], [Problem(name, None, "", "The file is not UTF-8 text: save it as UTF-8 CSV.")]
    if "\x00" in text:
        return [], [Problem(name, None, "", "The file holds a NUL character: save it as CSV.")]
    try:
        return _rows(name, csv.DictReader(io.StringIO(text)))
    except csv.Error as exc:
        return [], [Problem(name, None, "", f"The file cannot be read as CSV: {exc}.")]


def _rows(name: str, reader: csv.DictReader) -> tuple[list[dict[str, str]], list[Problem]]:
    header = reader.fieldnames or []
    if not header:
        return [], [Problem(name, 1, "", "The file has no header row.")]
    if len(header) > MAX_COLUMNS:
        return [], [Problem(name, 1, "", f"The file has more than {MAX_COLUMNS} columns.")]
    unreadable = [column for column in header if not _XML_NAME.match(column.strip())]
    if unreadable:
        return [], [
            Problem(
                name,
                1,
                "",
                f"The column name(s) {', '.join(repr(c) for c in unreadable)} cannot be read "
                "by the form engine: use letters, digits and _ . - only, starting with a "
                "letter (e.g. label_fr).",
            )
        ]
    rows = []
    for number, row in enumerate(reader, start=2):
        if number > MAX_ROWS + 1:
            return [], [Problem(name, number, "", f"The file has more than {MAX_ROWS} rows.")]
        rows.append({k.strip(): (v or "").strip() for k, v in row.items() if k})
    return rows, []


def choices(
    name: str, data: bytes, value: str = "name", label: str = "label"
) -> tuple[list[Choice], str]:
    """The choices the file holds, or why it cannot give them (naming the missing column
    and the columns it has)."""
    rows, problems = table(name, data)
    if problems:
        return [], problems[0].message
    columns = list(rows[0]) if rows else []
    for wanted in (value, label):
        if rows and wanted not in columns:
            return [], (
                f"The file {name} has no column '{wanted}' (its columns: {', '.join(columns)}): "
                "name the columns in `parameters` (value=… label=…) or add it."
            )
    found = []
    for row in rows:
        if not row.get(value):
            continue
        labels = {"default": row[label]} if row.get(label) else {}
        extra = {k: v for k, v in row.items() if k not in (value, label)}
        found.append(Choice(name=row[value], labels=labels, extra=extra))
    return found, ""


def pulldata_tables(form: Form, media: dict[str, bytes]) -> list[Problem]:
    """The rows of each CSV file a pulldata() call of the form reads, kept in the form;
    a problem for each call whose file was not uploaded beside it."""
    problems = []
    for question, _parents, _in_repeat in form.walk():
        texts = (question.calculation, question.relevant, question.constraint, question.required)
        for name in {n for text in texts if text for n in _PULLDATA.findall(text)}:
            attached = f"{name}.csv"
            if attached not in media:
                problems.append(
                    Problem(
                        "survey",
                        question.row,
                        "calculation",
                        f"pulldata('{name}', …) reads {attached}, which is not attached: "
                        "upload it beside the form.",
                    )
                )
            elif name not in form.tables:
                form.tables[name] = table(attached, media[attached])[0]
    return problems

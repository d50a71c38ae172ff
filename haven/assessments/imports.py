"""Responses collected elsewhere (KoboToolbox, ODK) read from their exports.

Both kinds of export name answers by the XLSForm's own names, prefixed by their groups
(`household/dependants`) and followed by system fields (`_id`, `_submission_time`,
`meta/instanceID`, …). A CSV export also has one 0/1 column per option of a select_multiple
(`needs/shelter`) beside the answer itself, and KoboToolbox separates columns with `;`.
Each response names its case by its case number in a `haven_case` column (or key).
"""

import csv
import io
import json
from dataclasses import dataclass, field
from datetime import datetime

from haven.core.request_guards import first_nul_line
from haven.scoring.engine import typed
from haven.scoring.forms import Form

CASE_KEY = "haven_case"
MAX_ROWS = 5000


class UnreadableFile(ValueError):
    """A file that cannot be read at all (a row's problems are reported per row)."""


@dataclass
class Row:
    number: int  # 1-based: the line of a CSV after its header, the item of a JSON list
    case_number: str
    answers: dict
    submitted_at: datetime | None = None


@dataclass
class Parsed:
    rows: list[Row]
    ignored: list[str] = field(default_factory=list)  # names that are not questions


def read(form: Form, data: bytes, filename: str) -> Parsed:
    text = _text(data)
    if filename.lower().endswith(".json") or text.lstrip().startswith(("[", "{")):
        records = _json_records(text)
    else:
        records = _csv_records(text)
    if len(records) > MAX_ROWS:
        raise UnreadableFile(f"Import at most {MAX_ROWS} responses at a time.")
    ignored: set[str] = set()
    rows = [_row(form, number, record, ignored) for number, record in enumerate(records, 1)]
    return Parsed(rows, sorted(ignored))


def _text(data: bytes) -> str:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise UnreadableFile("The file is not UTF-8 text: export it as UTF-8 CSV or JSON.") from exc
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
    return [{k: v for k, v in record.items() if k is not None} for record in reader]


def _row(form: Form, number: int, record: dict, ignored: set[str]) -> Row:
    index = form.index()
    answers: dict = {}
    case_number = ""
    submitted_at = None
    for key, value in record.items():
        name = str(key).rsplit("/", 1)[-1]
        if name == CASE_KEY:
            case_number = str(value or "").strip()
            continue
        if name == "_submission_time":
            submitted_at = _when(value)
            continue
        if name.startswith("_") or str(key).startswith(("meta/", "formhub/")):
            continue
        if name in form.metadata:
            continue
        question = index.get(name)
        if question is None:
            parent = str(key).rsplit("/", 2)
            if len(parent) >= 2 and getattr(index.get(parent[-2]), "type", "") == (
                "select_multiple"
            ):
                continue  # a CSV's 0/1 column for one option: the answer column has it
            ignored.add(str(key))
            continue
        if question.type == "repeat":
            answers[name] = _instances(value)
        elif question.takes_answer and value not in (None, ""):
            answers[name] = typed(question.type, value)
    return Row(number, case_number, answers, submitted_at)


def _instances(value) -> list[dict]:
    if not isinstance(value, list):
        return []
    return [
        {str(k).rsplit("/", 1)[-1]: v for k, v in item.items() if not str(k).startswith("_")}
        for item in value
        if isinstance(item, dict)
    ]


def _when(value) -> datetime | None:
    try:
        return datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return None

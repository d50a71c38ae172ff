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
from haven.scoring.xlsform import Form

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
    # The response's own id where the tool gave one (`_uuid`, `meta/instanceID`, `KEY`):
    # importing the same response twice changes nothing.
    instance_id: str = ""


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
    return [{k: v for k, v in record.items() if k is not None} for record in reader]


def _row(form: Form, number: int, record: dict, ignored: set[str]) -> Row:
    index = form.index()
    answers: dict = {}
    case_number = ""
    submitted_at = None
    instance_id = ""
    options: dict[str, list[str]] = {}  # select_multiple answers given one column per option
    for key, value in _flat(record).items():
        if str(key) in INSTANCE_KEYS and value not in (None, "") and not instance_id:
            instance_id = str(value).strip()[:100]
            continue
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
            owner = index.get(parent[-2]) if len(parent) >= 2 else None
            if getattr(owner, "type", "") == "select_multiple" and _known_option(form, owner, name):
                # One column per option (1/0, True/False): gathered below, so an export
                # with these columns alone loses no answer.
                if str(value).strip().lower() in _CHOSEN:
                    options.setdefault(owner.name, []).append(name)
                else:
                    options.setdefault(owner.name, [])
                continue
            ignored.add(str(key))
            continue
        if question.type == "repeat":
            answers[name] = _instances(value)
        elif question.takes_answer and value not in (None, ""):
            answers[name] = typed(question.type, value)
    for name, chosen in options.items():
        if name not in answers and chosen:
            answers[name] = " ".join(chosen)
    return Row(number, case_number, answers, submitted_at, instance_id)


INSTANCE_KEYS = ("_uuid", "meta/instanceID", "instanceID", "KEY", "__id")
_CHOSEN = {"1", "true", "yes", "1.0"}


def _known_option(form: Form, question, option: str) -> bool:
    return any(choice.name == option for choice in form.choices.get(question.list_name, []))


def _flat(record: dict, prefix: str = "") -> dict:
    """A response's keys with its groups spelled out: a JSON export may nest a group as an
    object (`{"household": {"dependants": 2}}`) where a CSV writes `household/dependants`."""
    out = {}
    for key, value in record.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            out.update(_flat(value, f"{name}/"))
        else:
            out[name] = value
    return out


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

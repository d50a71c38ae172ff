"""Responses collected elsewhere (KoboToolbox, ODK) read from their exports.

Exports name answers by the XLSForm's names, prefixed by their groups and joined by the
tool's separator — `household/dependants` (Kobo's XML-values export), `household.dependants`
(Kobo with "." as group separator), `household-dependants` (ODK Central's CSV) or no prefix
at all — or, in Kobo's label export, by the questions' labels (and answers by the choices'
labels). System fields follow (`_id`, `_submission_time`, `meta/instanceID`, ODK Central's
`SubmissionDate`, `KEY`, `SubmitterName`, …). A CSV export may also give one 0/1 column per
option of a select_multiple (`needs/shelter`), beside the answer or instead of it, and a
location as its parts (ODK Central's `where-Latitude`, `where-Longitude`, `where-Altitude`,
`where-Accuracy`); a JSON export may give a location as a GeoJSON point.
Each response names its case by its case number in a `haven_case` column (or key).

`read` also says how each column was understood (`Parsed.columns`), so that the mapping can
be previewed before anything is saved.
"""

import re
from dataclasses import dataclass, field
from datetime import datetime

from haven.assessments.import_files import MAX_ROWS, UnreadableFile, read_records
from haven.scoring.answer_types import typed
from haven.scoring.xlsform import Form

__all__ = ["MAX_ROWS", "UnreadableFile", "read"]
CASE_KEY = "haven_case"


@dataclass
class Row:
    number: int  # 1-based: the line of a CSV after its header, the item of a JSON list
    case_number: str
    answers: dict
    submitted_at: datetime | None = None
    # The response's own id where the tool gave one (`_uuid`, `meta/instanceID`, `KEY`):
    # importing the same response twice changes nothing.
    instance_id: str = ""
    # The form version the export says it was filled with (ODK Central's FormVersion).
    form_version: str = ""


@dataclass
class Parsed:
    rows: list[Row]
    ignored: list[str] = field(default_factory=list)  # names that are not questions
    columns: dict = field(default_factory=dict)  # each column's name → how it was read


def read(form: Form, data: bytes, filename: str) -> Parsed:
    repeats = [q.name for q, _parents, _in in form.walk() if q.type == "repeat"]
    found = read_records(data, filename, repeats)
    records = found.records
    ignored: set[str] = set()
    columns = Columns(form)
    rows = [_row(columns, number, record, ignored) for number, record in enumerate(records, 1)]
    _same_version(form, rows)
    if records and not any(c.kind in (ANSWER, OPTION) for c in columns.seen().values()):
        raise UnreadableFile(
            f"None of the file's columns is a question of the form '{form.form_id}': is it "
            "an export of another form? Nothing was imported."
        )
    return Parsed(rows, sorted(ignored | set(found.ignored)), columns=columns.seen())


def _same_version(form: Form, rows: list[Row]) -> None:
    """Responses filled with another version of the form are imported into that version:
    its questions may differ, so they are refused here, naming both."""
    other = sorted({row.form_version for row in rows if row.form_version} - {form.version})
    if form.version and other:
        raise UnreadableFile(
            f"These responses were filled with version {', '.join(other)} of the form; this "
            f"is version {form.version}. Import them into the version they were filled with. "
            "Nothing was imported."
        )


# What a column is: an answer, one option of a select_multiple, one part of a location,
# the response's id, its case, its submission time, a field of the tool's own, or nothing
# of this form.
ANSWER, OPTION, LOCATION_PART, INSTANCE, CASE, SUBMITTED, VERSION, SYSTEM, IGNORED = (
    "answer",
    "option",
    "part of a location",
    "instance id",
    "case",
    "submission time",
    "form version",
    "system",
    "ignored",
)
INSTANCE_KEYS = ("_uuid", "meta/instanceID", "meta-instanceID", "meta.instanceID", "instanceID")
INSTANCE_KEYS += ("KEY", "__id")
SUBMITTED_KEYS = ("_submission_time", "SubmissionDate", "__system/submissionDate")
# Where exports name the version of the form a response was filled with (the XLSForm's
# settings `version`): ODK Central's CSV and OData; Kobo's `__version__` is its own id.
VERSION_KEYS = ("FormVersion", "__system/formVersion")
# ODK Central's CSV columns about the submission, not the form.
ODK_CENTRAL_SYSTEM = {
    "SubmitterID",
    "SubmitterName",
    "AttachmentsPresent",
    "AttachmentsExpected",
    "Status",
    "ReviewState",
    "DeviceID",
    "Edits",
}
_SEPARATOR = re.compile(r"[/.\-]")
# The parts of a location as ODK Central's CSV names them, in the order ODK writes them.
LOCATION_PARTS = ("latitude", "longitude", "altitude", "accuracy")
_PART = re.compile(r"[/.\-]([A-Za-z]+)$")
_CHOSEN = {"1", "true", "yes", "1.0"}


@dataclass(frozen=True)
class Column:
    kind: str
    question: str = ""  # the question an answer or an option column gives
    option: str = ""


class Columns:
    """How an export's column names resolve to the form's questions, whatever the group
    separator, and by label when the export was made with labels."""

    def __init__(self, form: Form):
        self.form = form
        self.index = form.index()
        self._by_label = _unique_labels(
            (text, q.name) for q in self.index.values() for text in q.labels.values()
        )
        self._seen: dict[str, Column] = {}
        self._choices: dict[str, dict[str, str]] = {}
        self._inside: dict[str, set[str]] = {}

    def inside(self, repeat) -> set[str]:
        """The names of the questions a repeat holds (made once)."""
        if repeat.name not in self._inside:
            self._inside[repeat.name] = {q.name for q, _, _ in self.form.walk(repeat.children)}
        return self._inside[repeat.name]

    def seen(self) -> dict[str, Column]:
        """Every column met so far, with how it was read."""
        return dict(self._seen)

    def __call__(self, key: str) -> Column:
        if key not in self._seen:
            self._seen[key] = self._resolve(key)
        return self._seen[key]

    def _resolve(self, key: str) -> Column:
        tail = _SEPARATOR.split(key)[-1]
        if key in INSTANCE_KEYS:
            return Column(INSTANCE)
        if tail == CASE_KEY:
            return Column(CASE)
        if key in SUBMITTED_KEYS:
            return Column(SUBMITTED)
        if key in VERSION_KEYS:
            return Column(VERSION)
        if (
            tail.startswith("_")
            or key.startswith(("_", "meta/", "meta-", "meta.", "formhub"))
            or key in ODK_CENTRAL_SYSTEM
            or tail in self.form.metadata
        ):
            return Column(SYSTEM)
        for suffix in _suffixes(key):  # the longest name the column ends with
            question = self.index.get(suffix)
            if question is not None:
                return Column(ANSWER, question.name)
            option = self._option(suffix) or self._location_part(suffix)
            if option is not None:
                return option
        return self._by_labels(key)

    def _location_part(self, text: str) -> Column | None:
        """`where-Latitude`, `where/longitude`: one part of a geopoint's answer."""
        match = _PART.search(text)
        if match and match[1].lower() in LOCATION_PARTS:
            owner = self.index.get(text[: match.start()])
            if getattr(owner, "type", "") == "geopoint":
                return Column(LOCATION_PART, owner.name, match[1].lower())
        return None

    def _option(self, text: str) -> Column | None:
        """`needs/shelter`, `needs.shelter`: one option of a select_multiple."""
        for at in (m.start() for m in _SEPARATOR.finditer(text)):
            owner, option = self.index.get(text[:at]), text[at + 1 :]
            if getattr(owner, "type", "") == "select_multiple" and option in self._options(owner):
                return Column(OPTION, owner.name, option)
        return None

    def _options(self, question) -> dict[str, str]:
        """The question's choices by name, and by label in every language (made once)."""
        if question.name not in self._choices:
            choices = self.form.choices.get(question.list_name, [])
            named = {c.name: c.name for c in choices}
            labelled = _unique_labels((text, c.name) for c in choices for text in c.labels.values())
            self._choices[question.name] = {**labelled, **named}
        return self._choices[question.name]

    def _by_labels(self, key: str) -> Column:
        """Kobo's label export: `Group label/Question label`, `Needs/Shelter`."""
        parts = key.split("/")
        name = self._by_label.get(_folded(key)) or self._by_label.get(_folded(parts[-1]))
        if name is not None:
            return Column(ANSWER, name)
        if len(parts) >= 2:
            owner = self.index.get(self._by_label.get(_folded(parts[-2]), ""))
            if getattr(owner, "type", "") == "select_multiple":
                option = self._options(owner).get(_folded(parts[-1]))
                if option is not None:
                    return Column(OPTION, owner.name, option)
        return Column(IGNORED)

    def value(self, name: str, value):
        """An answer as the form names it: a choice given by its label becomes its name."""
        question = self.index[name]
        if question.type in ("select_one", "select_multiple") and isinstance(value, str):
            options = self._options(question)
            text = value.strip()
            if text in options or _folded(text) in options:
                return options.get(text) or options[_folded(text)]
            if question.type == "select_multiple":
                parts = re.split(r"\s*[;,]\s*", text) if re.search(r"[;,]", text) else text.split()
                found = [options.get(p) or options.get(_folded(p)) for p in parts if p]
                if all(found):
                    return found
            return text
        return typed(question.type, value)


def _suffixes(key: str) -> list[str]:
    """The column's name, then what follows each group separator, longest first."""
    return [key, *(key[m.end() :] for m in _SEPARATOR.finditer(key))]


def _folded(text: str) -> str:
    return " ".join(str(text).casefold().split())


def _unique_labels(pairs) -> dict[str, str]:
    """Label (folded) → name, for labels that name one thing only."""
    found: dict[str, set[str]] = {}
    for text, name in pairs:
        if text:
            found.setdefault(_folded(text), set()).add(name)
    return {label: names.pop() for label, names in found.items() if len(names) == 1}


def _row(columns: Columns, number: int, record: dict, ignored: set[str]) -> Row:
    answers: dict = {}
    case_number = ""
    submitted_at = None
    instance_id = form_version = ""
    options: dict[str, list[str]] = {}  # select_multiple answers given one column per option
    located: dict[str, dict[str, str]] = {}  # locations given one column per part
    for key, value in _flat(record).items():
        column = columns(str(key))
        if column.kind == INSTANCE:
            if value not in (None, "") and not instance_id:
                instance_id = str(value).strip()[:100]
        elif column.kind == CASE:
            case_number = str(value or "").strip()
        elif column.kind == SUBMITTED:
            submitted_at = _when(value)
        elif column.kind == VERSION:
            form_version = str(value or "").strip()
        elif column.kind == OPTION:
            # One column per option (1/0, True/False): gathered below, so an export with
            # these columns alone loses no answer.
            chosen = options.setdefault(column.question, [])
            if str(value).strip().lower() in _CHOSEN:
                chosen.append(column.option)
        elif column.kind == LOCATION_PART:
            if value not in (None, ""):
                located.setdefault(column.question, {})[column.option] = str(value).strip()
        elif column.kind == ANSWER:
            question = columns.index[column.question]
            if question.type == "repeat":
                answers[question.name] = _instances(columns, question, value, ignored)
            elif question.takes_answer and value not in (None, ""):
                answers[question.name] = columns.value(question.name, value)
        elif column.kind == IGNORED:
            ignored.add(str(key))
    for name, chosen in options.items():
        if name not in answers and chosen:
            answers[name] = " ".join(chosen)
    for name, parts in located.items():
        if name not in answers:
            answers[name] = _location(parts)
    return Row(number, case_number, answers, submitted_at, instance_id, form_version)


def _flat(record: dict, prefix: str = "") -> dict:
    """A response's keys with its groups spelled out: a JSON export may nest a group as an
    object (`{"household": {"dependants": 2}}`) where a CSV writes `household/dependants`."""
    out = {}
    for key, value in record.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict) and value.get("type") == "Point":
            out[name] = _geojson_point(value)
        elif isinstance(value, dict):
            out.update(_flat(value, f"{name}/"))
        else:
            out[name] = value
    return out


def _location(parts: dict[str, str]) -> str:
    """A location given as parts, as ODK writes it: an accuracy without an altitude gets
    altitude 0, so that each number keeps its place."""
    values = [parts.get(p, "") for p in LOCATION_PARTS]
    while values and not values[-1]:
        values.pop()
    return " ".join(v or "0" for v in values)


def _geojson_point(point: dict) -> str:
    """ODK Central's OData location (GeoJSON: longitude first, accuracy beside) as ODK
    writes it in a form: `latitude longitude altitude accuracy`."""
    coordinates = point.get("coordinates")
    if not isinstance(coordinates, list) or len(coordinates) < 2:
        return ""
    parts = [coordinates[1], coordinates[0], *coordinates[2:3]]
    accuracy = (point.get("properties") or {}).get("accuracy")
    if accuracy is not None:
        parts += [0] * (3 - len(parts)) + [accuracy]
    return " ".join(str(p) for p in parts)


def _instances(columns: Columns, repeat, value, ignored: set[str]) -> list[dict]:
    """A repeat's entries, each key read as one of the repeat's questions whatever the
    export's prefix (`child/child_name`, `child-child_name`, `child_name`); a repeat inside
    it read the same way."""
    if not isinstance(value, list):
        return []
    names = columns.inside(repeat)
    entries = []
    for item in value:
        if not isinstance(item, dict):
            continue
        entry: dict = {}
        for key, raw in _flat(item).items():
            name = next((s for s in _suffixes(str(key)) if s in names), None)
            if name is None:
                if not _SEPARATOR.split(str(key))[-1].startswith("_"):
                    ignored.add(str(key))
                continue
            question = columns.index[name]
            if question.type == "repeat":
                entry[name] = _instances(columns, question, raw, ignored)
            elif question.takes_answer and raw not in (None, ""):
                entry[name] = columns.value(name, raw)
        entries.append(entry)
    return entries


def _when(value) -> datetime | None:
    try:
        return datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return None

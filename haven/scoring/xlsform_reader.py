"""Reading an XLSForm workbook into a `Form`: within bounds, with pyxform's reading and
Haven's own, every problem named by its sheet, row and column.

`load` returns the form; a form with any problem raises `FormError` listing them all.
"""

from __future__ import annotations

import io
import re

from haven.scoring.xlsform import (
    METADATA_TYPES,
    QUESTION_TYPES,
    Band,
    Choice,
    Form,
    FormError,
    Problem,
    Question,
    ScoreRule,
)
from haven.scoring.xlsform_checks import check

_PYXFORM_TYPES = {
    "select one": "select_one",
    "select all that apply": "select_multiple",
    "integer": "integer",
    "decimal": "decimal",
    "text": "text",
    "date": "date",
    "note": "note",
    "calculate": "calculate",
    "group": "group",
    "repeat": "repeat",
}
_ROW = re.compile(r"\[row\s*:\s*(\d+)\]", re.IGNORECASE)
_SHEET = re.compile(r"(?:on|in) the '?(survey|choices|settings)'? sheet", re.IGNORECASE)
_BAND = re.compile(r"^\s*([\w\-]+)\s*(?::\s*(-?\d+(?:\.\d+)?)\s*)?$")

# Bounds on what one workbook may make Haven read: a small upload can hold a large sheet
# (XML compresses a hundredfold and more) or claim a million empty rows.
MAX_UNCOMPRESSED = 10 * 1024 * 1024
MAX_ENTRIES = 1000
MAX_ROWS = 5000
MAX_COLUMNS = 200
_TRAILING_EMPTY = 200  # rows with nothing in them after the last one that has something


def _check_archive(data: bytes) -> None:
    """Refuse, before any sheet is parsed, a workbook that expands beyond the bounds."""
    import zipfile

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            entries = archive.infolist()
    except (zipfile.BadZipFile, ValueError) as exc:
        raise FormError(
            [Problem("", None, "", f"This is not an .xlsx workbook that can be read ({exc}).")]
        ) from exc
    expanded = sum(entry.file_size for entry in entries)
    if len(entries) > MAX_ENTRIES or expanded > MAX_UNCOMPRESSED:
        raise FormError(
            [
                Problem(
                    "",
                    None,
                    "",
                    f"The workbook expands to {expanded / 1_048_576:,.0f} MB in "
                    f"{len(entries):,} parts; a form may take at most "
                    f"{MAX_UNCOMPRESSED // 1_048_576} MB in {MAX_ENTRIES:,}. Save the form "
                    "alone in a new workbook, without other sheets or images.",
                )
            ]
        )


def load(data: bytes) -> Form:
    """Read and check an XLSForm (.xlsx bytes); FormError lists every problem found."""
    _check_archive(data)
    sheets = _read_workbook(data)
    problems = _check_sheets(sheets)
    if problems:
        raise FormError(problems)
    # pyxform stops at the first error it meets; the types are checked here first so that
    # a report lists every question Haven cannot handle, not only the first problem.
    problems = _check_types(sheets)
    pyxform_form, pyxform_problems = _convert(data)
    problems += pyxform_problems
    if problems or pyxform_form is None:
        raise FormError(problems)
    form = _build(pyxform_form, sheets)
    problems = check(form)
    if problems:
        raise FormError(problems)
    return form


def _read_workbook(data: bytes) -> dict[str, list[tuple[int, dict]]]:
    """Every sheet as (row number, {column: text}) for the non-empty rows."""
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a file that is not a workbook
        raise FormError(
            [Problem("", None, "", f"This is not an .xlsx workbook that can be read ({exc}).")]
        ) from exc
    sheets = {}
    try:
        for sheet in workbook.worksheets:
            sheets[sheet.title.strip().lower()] = _sheet_rows(sheet)
    finally:
        workbook.close()
    return sheets


def _sheet_rows(sheet) -> list[tuple[int, dict]]:
    """A sheet's non-empty rows, reading at most MAX_ROWS rows and MAX_COLUMNS columns. A
    sheet that only claims more (spreadsheets save 1,048,576 empty rows) is read up to
    MAX_ROWS; one still filled near that bound is refused with its size."""
    rows = sheet.iter_rows(values_only=True, max_col=MAX_COLUMNS, max_row=MAX_ROWS)
    header = [str(h).strip() if h is not None else "" for h in next(rows, ())]
    content, last_filled = [], 1
    for number, values in enumerate(rows, start=2):
        if number == MAX_ROWS and number - last_filled < _TRAILING_EMPTY:
            raise FormError(
                [
                    Problem(
                        sheet.title,
                        None,
                        "",
                        f"The sheet has more than {MAX_ROWS:,} rows: a form that long is not "
                        "supported. Remove rows that are not part of the form.",
                    )
                ]
            )
        row = {
            header[i]: _cell_text(value)
            for i, value in enumerate(values)
            if i < len(header) and header[i] and _cell_text(value) != ""
        }
        if row:
            content.append((number, row))
            last_filled = number
    return content


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _check_sheets(sheets) -> list[Problem]:
    problems = []
    if "survey" not in sheets:
        problems.append(Problem("survey", None, "", "The workbook has no survey sheet."))
    if "choices" not in sheets:
        problems.append(Problem("choices", None, "", "The workbook has no choices sheet."))
    if "settings" not in sheets:
        problems.append(
            Problem(
                "settings",
                None,
                "form_id",
                "The workbook has no settings sheet: add one with a form_id column "
                "(e.g. protection_screening) naming this form.",
            )
        )
    elif not _form_id(sheets):
        # Without it pyxform names every form "data", and each would replace the other.
        problems.append(
            Problem(
                "settings",
                2,
                "form_id",
                "Set form_id on the settings sheet (e.g. protection_screening): it names "
                "this form, and a new version of the same form keeps it.",
            )
        )
    return problems


def _form_id(sheets) -> str:
    rows = sheets.get("settings") or [(0, {})]
    return str(rows[0][1].get("form_id", "")).strip()


_STRUCTURE = {"begin_group", "end_group", "begin_repeat", "end_repeat"}
_TYPE_ALIASES = {"int": "integer", "string": "text", "select1": "select_one"}


# Survey columns that change what a form does but that Haven does not act on: a form that
# uses them is refused rather than filled differently from what its author meant.
_UNSUPPORTED_COLUMNS = {"default", "read_only", "readonly", "repeat_count", "trigger"}
_UNSUPPORTED_PREFIXES = ("media::", "image", "audio", "video", "big-image")


def _check_types(sheets) -> list[Problem]:
    problems = []
    for number, row in sheets.get("survey", []):
        for column in row:
            lowered = column.lower()
            if lowered in _UNSUPPORTED_COLUMNS or lowered.startswith(_UNSUPPORTED_PREFIXES):
                problems.append(
                    Problem(
                        "survey",
                        number,
                        column,
                        f"Haven does not handle the column '{column}': remove it, or leave it "
                        "empty on this row.",
                    )
                )
        raw = row.get("type", "").strip()
        if not raw:
            continue
        words = raw.lower().replace("begin ", "begin_").replace("end ", "end_").split()
        first = words[0]
        if first in ("select", "select_one", "select_multiple") or first.startswith("select_"):
            continue  # select_one / select_multiple / "select one": list checked by pyxform
        kind = _TYPE_ALIASES.get(first, first)
        if kind not in QUESTION_TYPES | _STRUCTURE | METADATA_TYPES:
            problems.append(
                Problem("survey", number, "type", f"The question type '{raw}' is not supported.")
            )
    return problems


def _convert(data: bytes) -> tuple[dict | None, list[Problem]]:
    """pyxform's reading of the form; its errors, with the sheet and row they name."""
    from pyxform.errors import PyXFormError
    from pyxform.xls2xform import convert

    try:
        result = convert(data, file_type=".xlsx")
    except PyXFormError as exc:
        return None, [_problem_from_pyxform(exc)]
    except Exception as exc:  # pyxform lets some malformed input through as other errors
        return None, [Problem("survey", None, "", f"The form cannot be read: {exc}")]
    return result._pyxform, []


def _problem_from_pyxform(error) -> Problem:
    message = str(error)
    row = _ROW.search(message)
    sheet = _SHEET.search(message)
    if sheet:
        sheet_name = sheet.group(1).lower()
    else:
        # Coded errors are named "Choices sheet - …"; a row without a sheet is a survey row.
        code = getattr(getattr(error, "code", None), "value", None)
        name = getattr(code, "name", "").lower()
        sheet_name = next((s for s in ("choices", "settings") if name.startswith(s)), "survey")
    return Problem(
        sheet_name,
        int(row.group(1)) if row else None,
        "",
        _ROW.sub("", message).strip(" .:\n") + ".",
    )


def _labels(value) -> dict[str, str]:
    if value is None:
        return {}
    if isinstance(value, dict):
        return {str(k): str(v) for k, v in value.items()}
    return {"default": str(value)}


def _number(value) -> float | None:
    if value in (None, ""):
        return None
    return float(value)


def _build(data: dict, sheets) -> Form:
    survey_rows = {}
    for row_number, row in sheets.get("survey", []):
        name = row.get("name")
        if name and name not in survey_rows:
            survey_rows[name] = row_number
    settings = dict(sheets.get("settings", [(0, {})])[0][1]) if sheets.get("settings") else {}
    choice_rows: dict[tuple[str | None, str | None], int] = {}
    for row_number, row in sheets.get("choices", []):
        choice_rows.setdefault((row.get("list_name"), row.get("name")), row_number)
    problems: list[Problem] = []
    metadata: list[str] = []

    def number(raw, column, sheet, row):
        try:
            return _number(raw)
        except (TypeError, ValueError):
            problems.append(Problem(sheet, row, column, f"{raw!r} is not a number."))
            return None

    def question(raw: dict) -> Question | None:
        kind = raw.get("type", "")
        name = raw.get("name", "")
        row = survey_rows.get(name)
        if kind in METADATA_TYPES:
            metadata.append(name)
            return None
        if name == "meta":  # the group pyxform adds for the instance id
            return None
        haven_type = _PYXFORM_TYPES.get(kind)
        if haven_type is None:
            problems.append(
                Problem("survey", row, "type", f"The question type '{kind}' is not supported.")
            )
            return None
        bind = raw.get("bind", {})
        weight = raw.get("weight")
        q = Question(
            name=name,
            type=haven_type,
            row=row,
            labels=_labels(raw.get("label")),
            hints=_labels(raw.get("hint")),
            list_name=raw.get("list_name", "") if haven_type.startswith("select") else "",
            required=_required(bind.get("required", "")),
            required_message=_labels(bind.get("jr:requiredMsg")),
            relevant=bind.get("relevant", ""),
            constraint=bind.get("constraint", ""),
            constraint_message=_labels(bind.get("jr:constraintMsg")),
            calculation=bind.get("calculate", ""),
            choice_filter=raw.get("choice_filter", ""),
            dimension=raw.get("dimension", ""),
            weight=1.0 if weight in (None, "") else (number(weight, "weight", "survey", row)),
            score_min=number(raw.get("score_min"), "score_min", "survey", row),
            score_max=number(raw.get("score_max"), "score_max", "survey", row),
        )
        if q.weight is None:
            q.weight = 1.0
        q.children = [c for c in (question(child) for child in raw.get("children", [])) if c]
        return q

    choices: dict[str, list[Choice]] = {}
    for list_name, items in (data.get("choices") or {}).items():
        for item in items:
            row = choice_rows.get((list_name, item.get("name")))
            extra = {
                k: str(v)
                for k, v in item.items()
                if k not in ("name", "label", "score", "media") and not isinstance(v, dict)
            }
            choices.setdefault(list_name, []).append(
                Choice(
                    name=str(item.get("name")),
                    labels=_labels(item.get("label")),
                    score=number(item.get("score"), "score", "choices", row),
                    extra=extra,
                )
            )
    questions = [q for q in (question(raw) for raw in data.get("children", [])) if q]
    languages = sorted(
        {lang for q in questions for lang in q.labels if lang != "default"}
        | {lang for items in choices.values() for c in items for lang in c.labels} - {"default"}
    )
    form = Form(
        form_id=str(data.get("id_string") or settings.get("form_id") or ""),
        title=str(data.get("title") or settings.get("form_title") or ""),
        version=str(data.get("version") or settings.get("version") or ""),
        default_language=str(data.get("default_language") or ""),
        languages=languages,
        questions=questions,
        choices=choices,
        scores=_score_rules(sheets.get("scoring", []), problems),
        case_risk_score=settings.get("case_risk_score", ""),
        requires_sign_off=_required(settings.get("requires_sign_off", "")) == "yes",
        metadata=metadata,
    )
    if problems:
        raise FormError(problems)
    return form


def _required(value) -> str:
    text = str(value or "").strip()
    if text.lower() in ("", "no", "false", "false()"):
        return ""
    if text.lower() in ("yes", "true", "true()"):
        return "yes"
    return text


def _score_rules(rows, problems: list[Problem]) -> list[ScoreRule]:
    rules = []
    for number, row in rows:
        labels = {
            key.split("::", 1)[1]: value for key, value in row.items() if key.startswith("label::")
        }
        if "label" in row:
            labels["default"] = row["label"]
        rule = ScoreRule(
            name=row.get("name", ""),
            type=row.get("type", "").lower(),
            row=number,
            labels=labels,
            formula=row.get("formula", ""),
            missing=row.get("missing", "").lower(),
        )
        for column, attribute in (("min_answered", "min_answered"), ("min", "minimum")):
            if column in row:
                try:
                    setattr(rule, attribute, float(row[column]))
                except ValueError:
                    problems.append(
                        Problem("scoring", number, column, f"{row[column]!r} is not a number.")
                    )
        if "max" in row:
            try:
                rule.maximum = float(row["max"])
            except ValueError:
                problems.append(
                    Problem("scoring", number, "max", f"{row['max']!r} is not a number.")
                )
        if row.get("bands"):
            rule.bands = _bands(row["bands"], number, problems)
        rules.append(rule)
    return rules


def _bands(text: str, row: int, problems: list[Problem]) -> list[Band]:
    bands = []
    for part in text.split(";"):
        if not part.strip():
            continue
        match = _BAND.match(part)
        if match is None:
            problems.append(
                Problem(
                    "scoring",
                    row,
                    "bands",
                    f"{part.strip()!r} is not a band: write code:upper bound, "
                    "e.g. low:0.25; medium:0.5; high",
                )
            )
            continue
        bands.append(Band(match.group(1), float(match.group(2)) if match.group(2) else None))
    return bands


# --- checking -----------------------------------------------------------------------------

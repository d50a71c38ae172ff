"""Reading an XLSForm workbook into a `Form`: within bounds (`workbook`), with pyxform's
reading and Haven's own, every problem named by its sheet, row and column.

`load` returns the form; a form with any problem raises `FormError` listing them all: the
sheets, the types and columns Haven handles and pyxform's reading are all checked in one
pass (pyxform stops at its first error, so a form pyxform refuses gets Haven's own checks
of its expressions only once pyxform reads it).
"""

from __future__ import annotations

import re

from haven.scoring import choice_files
from haven.scoring.workbook import form_name_of, pyxform_convert, read_sheets
from haven.scoring.xlsform import (
    CHOICE_TYPES,
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
    "range": "range",
    "text": "text",
    "date": "date",
    "time": "time",
    "dateTime": "datetime",
    "acknowledge": "acknowledge",
    "geopoint": "geopoint",
    "rank": "rank",
    "geotrace": "geotrace",
    "geoshape": "geoshape",
    "barcode": "barcode",
    "photo": "image",
    "audio": "audio",
    "video": "video",
    "file": "file",
    "note": "note",
    "calculate": "calculate",
    "group": "group",
    "repeat": "repeat",
}
_ROW = re.compile(r"\[row\s*:\s*(\d+)\]", re.IGNORECASE)
_SHEET = re.compile(r"(?:on|in) the '?(survey|choices|settings)'? sheet", re.IGNORECASE)
_BAND = re.compile(r"^\s*([\w\-]+)\s*(?::\s*(-?\d+(?:\.\d+)?)\s*)?$")
# pyxform writes the question an `or_other` adds with a path ("selected(../a, 'other')").
_PARENT_PATH = re.compile(r"\.\./([A-Za-z_][\w.-]*)")


def load(data: bytes, filename: str = "", media: dict[str, bytes] | None = None) -> Form:
    """Read and check an XLSForm (.xlsx or .xls bytes; `filename` names a form whose
    settings give no form_id, as in ODK and Kobo; `media`: the CSV files of choices beside
    it, by name); FormError lists every problem found."""
    media = media or {}
    sheets = read_sheets(data)
    problems = _check_sheets(sheets, filename) + choice_files.media_problems(media)
    if "survey" not in sheets:
        raise FormError(problems)
    problems += _check_types(sheets, media)
    if any(p.column == "type" and _NO_CHOICES in p.message for p in problems):
        raise FormError(problems)  # pyxform would only say the same without a row
    pyxform_form, pyxform_problems = _convert(data, filename)
    problems += pyxform_problems
    if pyxform_form is None:
        raise FormError(problems)
    form, build_problems = _build(pyxform_form, sheets, media)
    build_problems += choice_files.pulldata_tables(form, media)
    problems += [p for p in build_problems if p not in problems]
    problems += check(form)
    if problems:
        raise FormError(problems)
    return form


def _check_sheets(sheets, filename: str) -> list[Problem]:
    """The survey sheet is needed; the choices sheet only when a question uses a list
    (pyxform names the list); the settings sheet is optional, as in ODK."""
    if "survey" not in sheets:
        return [Problem("survey", None, "", "The workbook has no survey sheet.")]
    if _form_id(sheets) or form_name_of(filename):
        return []
    # Without either, pyxform names every form "data", and each would replace the other.
    return [
        Problem(
            "settings",
            2 if "settings" in sheets else None,
            "form_id",
            "Set form_id on the settings sheet (e.g. protection_screening): it names this "
            "form, and a new version of the same form keeps it.",
        )
    ]


def _form_id(sheets) -> str:
    rows = sheets.get("settings") or [(0, {})]
    return str(rows[0][1].get("form_id", "")).strip()


_NO_CHOICES = "it has no choices sheet"
_STRUCTURE = {"begin_group", "end_group", "begin_repeat", "end_repeat"}
_TYPE_ALIASES = {"int": "integer", "string": "text", "select1": "select_one"}


# Survey columns that change what a form shows but that Haven does not act on (pictures,
# sounds and films beside a question's label): a form that uses them is refused rather
# than shown differently from what its author meant.
_UNSUPPORTED_PREFIXES = ("media::", "image", "audio", "video", "big-image")


def _check_types(sheets, media: dict[str, bytes]) -> list[Problem]:
    problems = []
    for number, row in sheets.get("survey", []):
        for column in row:
            lowered = column.lower()
            if lowered.startswith(_UNSUPPORTED_PREFIXES):
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
        if first.endswith("_from_file"):
            attached = raw.split()[1] if len(raw.split()) > 1 else ""
            if not attached.lower().endswith(".csv"):
                message = (
                    f"'{raw}' names no CSV file: choices from a file come from a .csv "
                    "uploaded beside the form."
                )
            elif attached not in media:
                message = (
                    f"The file {attached} that '{raw}' takes its choices from is not "
                    "attached: upload it beside the form."
                )
            else:
                continue
            problems.append(Problem("survey", number, "type", message))
            continue
        if first in ("select", "select_one", "select_multiple", "rank") or first.startswith(
            "select_"
        ):
            # The list itself is checked by pyxform, once there is a choices sheet.
            if "choices" not in sheets:
                named = [w for w in raw.split() if w.lower() != "or_other"]
                listed = named[-1] if len(named) > 1 else ""
                problems.append(
                    Problem(
                        "survey",
                        number,
                        "type",
                        f"The choice list '{listed}' is not in the workbook: {_NO_CHOICES}.",
                    )
                )
            continue
        kind = _TYPE_ALIASES.get(first, first)
        if kind not in QUESTION_TYPES | _STRUCTURE | METADATA_TYPES:
            problems.append(
                Problem("survey", number, "type", f"The question type '{raw}' is not supported.")
            )
    return problems


def _convert(data: bytes, filename: str) -> tuple[dict | None, list[Problem]]:
    """pyxform's reading of the form; its errors, with the sheet and row they name."""
    from pyxform.errors import PyXFormError

    try:
        result = pyxform_convert(data, filename)
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


def _build(data: dict, sheets, media: dict[str, bytes]) -> tuple[Form, list[Problem]]:
    """The form pyxform read, with every problem found in it (a question of a type Haven
    does not handle stays in, so that references to it still resolve)."""
    survey_rows, survey_types = {}, {}
    for row_number, row in sheets.get("survey", []):
        name = row.get("name")
        if name and name not in survey_rows:
            survey_rows[name] = row_number
            survey_types[name] = row.get("type", "").strip()
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
        bind = dict(raw.get("bind", {}))
        if row is None and name.endswith("_count") and kind == "calculate":
            row = survey_rows.get(name.removesuffix("_count"))  # a fixed repeat_count's
        if row is None and name.endswith("_other"):
            # The "specify other" question an `or_other` adds: its select's row, and the
            # select named as the author would.
            row = survey_rows.get(name.removesuffix("_other"))
            for key in ("relevant", "required", "constraint"):
                if key in bind:
                    bind[key] = _PARENT_PATH.sub(r"${\1}", bind[key])
        haven_type = _PYXFORM_TYPES.get(kind)
        if haven_type is None:
            written = survey_types.get(name) or kind
            problems.append(
                Problem("survey", row, "type", f"The question type '{written}' is not supported.")
            )
            haven_type = kind.lower()  # kept, so that references to it resolve
        weight = raw.get("weight")
        q = Question(
            name=name,
            type=haven_type,
            row=row,
            labels=_labels(raw.get("label")),
            hints=_labels(raw.get("hint")),
            list_name=raw.get("list_name", "") if haven_type in CHOICE_TYPES else "",
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
            default=_default(raw.get("default"), row, problems),
            read_only=_read_only(bind.get("readonly"), row, problems),
            parameters={
                k: str(v) for k, v in (raw.get("parameters") or {}).items() if haven_type == "range"
            },
            repeat_count=str((raw.get("control") or {}).get("jr:count", "")).strip(),
            trigger=[str(name) for name in raw.get("trigger") or ()],
        )
        if q.weight is None:
            q.weight = 1.0
        attached = str(raw.get("itemset") or "")
        if haven_type in CHOICE_TYPES and attached.lower().endswith(".csv"):
            q.list_name = _from_file(q, attached, raw.get("parameters") or {}, from_files)
        q.children = [c for c in (question(child) for child in raw.get("children", [])) if c]
        return q

    def _from_file(q: Question, attached: str, parameters: dict, lists: dict) -> str:
        """The list a `select_one_from_file` takes from its CSV (one per file and columns)."""
        value = str(parameters.get("value") or "name")
        label = str(parameters.get("label") or "label")
        key = attached if (value, label) == ("name", "label") else f"{attached}#{value}#{label}"
        if key not in lists:
            found: list[Choice] = []
            problem = ""
            if attached in media:  # a missing file is reported with its row already
                found, problem = choice_files.choices(attached, media[attached], value, label)
            if problem:
                problems.append(Problem("survey", q.row, "parameters", problem))
            lists[key] = found
        return key

    choices: dict[str, list[Choice]] = {}
    from_files: dict[str, list[Choice]] = {}
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
    choices |= from_files
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
    return form, problems


def _default(value, row: int | None, problems: list[Problem]) -> str:
    text = "" if value is None else str(value).strip()
    if "${" in text or "(" in text:
        problems.append(
            Problem(
                "survey",
                row,
                "default",
                f"The default {text!r} is an expression: Haven takes a fixed value only "
                "(compute it with a calculate question instead).",
            )
        )
        return ""
    return text


def _read_only(value, row: int | None, problems: list[Problem]) -> bool:
    answer = _required(value)
    if answer not in ("", "yes"):
        problems.append(
            Problem("survey", row, "read_only", f"read_only must be yes or no, not {answer!r}.")
        )
    return answer == "yes"


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

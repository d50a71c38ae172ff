"""Assessment forms as Haven keeps them: read from an XLSForm, checked, and turned into plain
data that can be stored (as JSON) and scored.

An XLSForm is a workbook with a `survey`, a `choices` and a `settings` sheet (the format of
KoboToolbox and ODK). Scoring is declared in the form itself:

- `choices` sheet, column `score`: the score of each choice;
- `survey` sheet, columns `dimension`, `weight` (default 1), and for number and calculate
  questions `score_min` / `score_max` (the range mapped onto 0–1);
- a `scoring` sheet, one row per score: `name`, `type` (`dimension`, `score` or
  `composite`), `label` (or `label::Language (code)`), `formula`, `missing`, `min_answered`,
  `min`, `max`, `bands`;
- `settings` sheet, column `case_risk_score`: the score whose band sets a case's risk level;
  column `requires_sign_off` (yes/no): a supervisor must sign off each submitted response.

`load` returns the form and the list of problems; a form with any problem is not usable,
and every problem names its sheet, row and column.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field

from haven.scoring.expressions import ExpressionError, parse

# Question types Haven renders, validates and scores.
QUESTION_TYPES = {
    "select_one",
    "select_multiple",
    "integer",
    "decimal",
    "text",
    "date",
    "note",
    "calculate",
}
CONTAINER_TYPES = {"group", "repeat"}
# Metadata a device fills in by itself: accepted, nothing to ask.
METADATA_TYPES = {"start", "end", "today", "deviceid", "username", "audit", "phonenumber"}
SCORE_TYPES = {"dimension", "score", "composite"}
MISSING_RULES = {
    # How an unanswered (or not relevant) question counts in its dimension:
    "skip": "left out: the dimension is the mean of the answered questions",
    "zero": "counted as the lowest score",
    "fail": "the dimension has no value until every question is answered",
}

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


@dataclass(frozen=True)
class Problem:
    sheet: str
    row: int | None
    column: str
    message: str

    def __str__(self) -> str:
        where = self.sheet or "workbook"
        if self.row:
            where += f", row {self.row}"
        if self.column:
            where += f", column {self.column}"
        return f"{where}: {self.message}"


@dataclass
class Choice:
    name: str
    labels: dict[str, str]
    score: float | None = None
    # Other columns, which a choice_filter may test.
    extra: dict[str, str] = field(default_factory=dict)


@dataclass
class Question:
    name: str
    type: str
    row: int | None = None
    labels: dict[str, str] = field(default_factory=dict)
    hints: dict[str, str] = field(default_factory=dict)
    list_name: str = ""
    required: str = ""  # "", "yes" or an expression
    required_message: dict[str, str] = field(default_factory=dict)
    relevant: str = ""
    constraint: str = ""
    constraint_message: dict[str, str] = field(default_factory=dict)
    calculation: str = ""
    choice_filter: str = ""
    dimension: str = ""
    weight: float = 1.0
    score_min: float | None = None
    score_max: float | None = None
    children: list[Question] = field(default_factory=list)

    @property
    def is_container(self) -> bool:
        return self.type in CONTAINER_TYPES

    @property
    def takes_answer(self) -> bool:
        return self.type in QUESTION_TYPES and self.type not in ("note", "calculate")


@dataclass
class Band:
    code: str
    upper: float | None  # inclusive upper bound; None for the last, open band


@dataclass
class ScoreRule:
    name: str
    type: str
    row: int | None = None
    labels: dict[str, str] = field(default_factory=dict)
    formula: str = ""
    missing: str = "skip"
    min_answered: float = 0.0
    minimum: float | None = None
    maximum: float | None = None
    bands: list[Band] = field(default_factory=list)

    def band_for(self, value: float | None) -> str:
        if value is None:
            return ""
        for band in self.bands:
            if band.upper is None or value <= band.upper:
                return band.code
        return ""


@dataclass
class Form:
    form_id: str
    title: str
    version: str
    default_language: str = ""
    languages: list[str] = field(default_factory=list)
    questions: list[Question] = field(default_factory=list)
    choices: dict[str, list[Choice]] = field(default_factory=dict)
    scores: list[ScoreRule] = field(default_factory=list)
    case_risk_score: str = ""
    # A supervisor must sign off a submitted response (e.g. a best interests assessment).
    requires_sign_off: bool = False
    # Names of the device metadata (start, end, deviceid, …): in exports, nothing to keep.
    metadata: list[str] = field(default_factory=list)

    # --- walking the form ---------------------------------------------------------------

    def walk(self, questions: list[Question] | None = None, in_repeat: str = "") -> Iterator:
        """(question, enclosing groups and repeats, name of the repeat it is in)."""
        yield from self._walk(self.questions if questions is None else questions, [], in_repeat)

    def _walk(self, questions, parents, in_repeat):
        for question in questions:
            yield question, parents, in_repeat
            if question.is_container:
                inner = question.name if question.type == "repeat" else in_repeat
                yield from self._walk(question.children, [*parents, question], inner)

    def question(self, name: str) -> Question | None:
        return self.index().get(name)

    def index(self) -> dict[str, Question]:
        cached = getattr(self, "_index", None)
        if cached is None:
            cached = {q.name: q for q, _, _ in self.walk()}
            object.__setattr__(self, "_index", cached)
        return cached

    def score_rule(self, name: str) -> ScoreRule | None:
        return next((rule for rule in self.scores if rule.name == name), None)

    def dimension_questions(self, dimension: str) -> list[Question]:
        return [q for q, _, _ in self.walk() if q.dimension == dimension]

    def text(self, texts: dict[str, str], language: str = "") -> str:
        """A label or message in `language` (a code such as "ar", or a full name), else in
        the form's default language, else the first by name: stored forms do not keep the
        order of their languages."""
        if not texts:
            return ""
        for key, value in texts.items():
            if language and (key == language or key.endswith(f"({language})")):
                return value
        for key in (self.default_language, "default"):
            if key in texts:
                return texts[key]
        return texts[min(texts)]

    def choice_scores(self, list_name: str) -> list[float]:
        return [c.score for c in self.choices.get(list_name, []) if c.score is not None]

    # --- storage -------------------------------------------------------------------------

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> Form:
        def question(raw: dict) -> Question:
            children = [question(child) for child in raw.get("children", [])]
            return Question(**{**raw, "children": children})

        return cls(
            **{
                **data,
                "questions": [question(q) for q in data.get("questions", [])],
                "choices": {
                    name: [Choice(**c) for c in items]
                    for name, items in data.get("choices", {}).items()
                },
                "scores": [
                    ScoreRule(**{**s, "bands": [Band(**b) for b in s.get("bands", [])]})
                    for s in data.get("scores", [])
                ],
            }
        )


class FormError(ValueError):
    """A form that cannot be used; `problems` says where and why."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


# --- reading ------------------------------------------------------------------------------


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
    if problems:
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
    for number, row in sheets.get("survey", []):
        name = row.get("name")
        if name and name not in survey_rows:
            survey_rows[name] = number
    settings = dict(sheets.get("settings", [(0, {})])[0][1]) if sheets.get("settings") else {}
    choice_rows = {}
    for number, row in sheets.get("choices", []):
        choice_rows.setdefault((row.get("list_name"), row.get("name")), number)
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


def check(form: Form) -> list[Problem]:
    """Haven's own checks, beyond what pyxform checks: what a caseworker would otherwise
    discover while filling the form."""
    problems: list[Problem] = []
    names = form.index()
    rules = {rule.name: rule for rule in form.scores}

    def expression(text, question, column, *, current=False):
        if not text or text == "yes":
            return
        try:
            parsed = parse(text)
        except ExpressionError as exc:
            problems.append(Problem("survey", question.row, column, f"{exc} in {text!r}"))
            return
        for ref in sorted(parsed.references - set(names)):
            problems.append(
                Problem("survey", question.row, column, f"${{{ref}}} is not a question of the form")
            )
        if parsed.names and column != "choice_filter":
            problems.append(
                Problem(
                    "survey",
                    question.row,
                    column,
                    f"{', '.join(sorted(parsed.names))}: write questions as ${{name}}",
                )
            )

    for question, _parents, in_repeat in form.walk():
        expression(question.relevant, question, "relevant")
        expression(question.constraint, question, "constraint")
        expression(question.calculation, question, "calculation")
        expression(question.choice_filter, question, "choice_filter")
        if question.required != "yes":
            expression(question.required, question, "required")
        if question.type.startswith("select") and question.list_name not in form.choices:
            problems.append(
                Problem(
                    "survey",
                    question.row,
                    "type",
                    f"the choice list '{question.list_name}' is not in the choices sheet",
                )
            )
        if question.type == "calculate" and not question.calculation:
            problems.append(
                Problem("survey", question.row, "calculation", "a calculate needs a calculation")
            )
        if question.weight < 0:
            problems.append(Problem("survey", question.row, "weight", "weights cannot be negative"))
        if question.dimension:
            problems.extend(_check_scored_question(form, question, in_repeat, rules))
    problems.extend(_check_rules(form, rules))
    if form.case_risk_score and form.case_risk_score not in rules:
        problems.append(
            Problem(
                "settings",
                2,
                "case_risk_score",
                f"'{form.case_risk_score}' is not a score of the scoring sheet",
            )
        )
    return problems


def _check_scored_question(form, question, in_repeat, rules) -> list[Problem]:
    problems = []
    where = ("survey", question.row, "dimension")
    rule = rules.get(question.dimension)
    if rule is None or rule.type != "dimension":
        problems.append(
            Problem(*where, f"'{question.dimension}' is not a dimension of the scoring sheet")
        )
    if in_repeat:
        problems.append(Problem(*where, "questions inside a repeat cannot be scored"))
    if question.type.startswith("select"):
        unscored = [c.name for c in form.choices.get(question.list_name, []) if c.score is None]
        if unscored:
            problems.append(
                Problem(
                    "choices",
                    None,
                    "score",
                    f"the list '{question.list_name}' of scored question '{question.name}' "
                    f"has choices without a score: {', '.join(unscored)}",
                )
            )
        elif len(set(form.choice_scores(question.list_name))) < 2 and question.type == "select_one":
            problems.append(
                Problem(*where, f"the choices of '{question.list_name}' all have the same score")
            )
    elif question.type in ("integer", "decimal", "calculate"):
        if question.score_min is None or question.score_max is None:
            problems.append(
                Problem(
                    "survey",
                    question.row,
                    "score_min",
                    "a scored number needs score_min and score_max (the range mapped to 0–1)",
                )
            )
        elif question.score_min == question.score_max:
            problems.append(
                Problem("survey", question.row, "score_max", "score_max must differ from score_min")
            )
    else:
        problems.append(Problem(*where, f"a {question.type} question cannot be scored"))
    return problems


def _check_rules(form: Form, rules: dict[str, ScoreRule]) -> list[Problem]:
    problems = []
    seen = set()
    for rule in form.scores:
        at = ("scoring", rule.row)
        if not rule.name:
            problems.append(Problem(*at, "name", "every score needs a name"))
        elif rule.name in seen:
            problems.append(Problem(*at, "name", f"the name '{rule.name}' is used twice"))
        seen.add(rule.name)
        if rule.type not in SCORE_TYPES:
            problems.append(
                Problem(*at, "type", f"'{rule.type}' is not dimension, score or composite")
            )
            continue
        allowed = {
            "dimension": set(MISSING_RULES),
            "score": {"fail"},
            "composite": {"skip", "fail"},
        }
        if not rule.missing:
            problems.append(
                Problem(
                    *at,
                    "missing",
                    "declare how missing answers count: " + " or ".join(sorted(allowed[rule.type])),
                )
            )
        elif rule.missing not in allowed[rule.type]:
            problems.append(
                Problem(
                    *at,
                    "missing",
                    f"'{rule.missing}' is not a rule for a {rule.type}: "
                    + " or ".join(sorted(allowed[rule.type])),
                )
            )
        if not 0 <= rule.min_answered <= 1:
            problems.append(Problem(*at, "min_answered", "min_answered is a share from 0 to 1"))
        problems.extend(_check_formula(form, rule, rules))
        uppers = [b.upper for b in rule.bands if b.upper is not None]
        if uppers != sorted(uppers) or any(b.upper is None for b in rule.bands[:-1]):
            problems.append(
                Problem(*at, "bands", "bands go from the lowest to the highest upper bound")
            )
    problems.extend(_check_cycles(form, rules))
    return problems


_ALLOWED_MISSING = {
    "dimension": set(MISSING_RULES),
    "score": {"fail"},
    "composite": {"skip", "fail"},
}


def _check_formula(form, rule, rules) -> list[Problem]:
    at = ("scoring", rule.row, "formula")
    if rule.type == "dimension":
        if rule.formula:
            return [Problem(*at, "a dimension is made of its questions and takes no formula")]
        if not form.dimension_questions(rule.name):
            return [Problem(*at, f"no question of the survey has the dimension '{rule.name}'")]
        return []
    if not rule.formula:
        return [Problem(*at, f"a {rule.type} needs a formula")]
    try:
        parsed = parse(rule.formula)
    except ExpressionError as exc:
        return [Problem(*at, f"{exc} in {rule.formula!r}")]
    problems = []
    if rule.type == "score":
        for ref in sorted(parsed.references - set(form.index())):
            problems.append(Problem(*at, f"${{{ref}}} is not a question of the form"))
        if parsed.names:
            problems.append(Problem(*at, "a score is computed from questions, written ${name}"))
        if rule.minimum is None or rule.maximum is None or rule.minimum >= rule.maximum:
            problems.append(
                Problem("scoring", rule.row, "min", "a score needs min < max (mapped to 0–1)")
            )
    else:
        if parsed.references:
            problems.append(Problem(*at, "a composite is computed from other scores, by name"))
        for name in sorted(parsed.names - set(rules)):
            problems.append(Problem(*at, f"'{name}' is not a score of the scoring sheet"))
    return problems


def _check_cycles(form, rules) -> list[Problem]:
    """A composite may not depend on itself, however indirectly."""
    depends = {}
    for rule in form.scores:
        if rule.type == "composite" and rule.formula:
            try:
                depends[rule.name] = parse(rule.formula).names
            except ExpressionError:
                depends[rule.name] = frozenset()
    problems = []

    def visit(name, path):
        for other in depends.get(name, ()):
            if other in path:
                return path
            found = visit(other, [*path, other])
            if found:
                return found
        return None

    for name in depends:
        cycle = visit(name, [name])
        if cycle:
            problems.append(
                Problem(
                    "scoring",
                    rules[name].row,
                    "formula",
                    f"the scores depend on each other in a circle: {' → '.join(cycle)}",
                )
            )
    return problems

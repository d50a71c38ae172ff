"""An assessment form as Haven keeps it: questions, choices and scoring rules read from an
XLSForm (see `xlsform_reader`), stored as plain data (JSON) and scored by `engine`.

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
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import asdict, dataclass, field

QUESTION_TYPES = {
    "select_one",
    "select_multiple",
    "integer",
    "decimal",
    "range",
    "text",
    "date",
    "time",
    "datetime",
    "acknowledge",
    "geopoint",
    "rank",
    "geotrace",
    "geoshape",
    "barcode",
    "image",
    "audio",
    "video",
    "file",
    "note",
    "calculate",
}
# Questions answered from a choice list: one choice, several, or all of them in order.
CHOICE_TYPES = {"select_one", "select_multiple", "rank"}
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
    # The answer a new response starts with (a fixed value: the `default` column).
    default: str = ""
    # Shown, never typed in: its value is its default or its calculation.
    read_only: bool = False
    # A range's start, end and step.
    parameters: dict[str, str] = field(default_factory=dict)
    # A repeat filled as many times as this expression says (`repeat_count`).
    repeat_count: str = ""
    # The questions whose change sets this one's calculation (`trigger`): its value is the
    # one set then, kept as it was, never recomputed from the answers later.
    trigger: list[str] = field(default_factory=list)
    children: list[Question] = field(default_factory=list)

    @property
    def is_container(self) -> bool:
        return self.type in CONTAINER_TYPES

    @property
    def takes_answer(self) -> bool:
        return self.type in QUESTION_TYPES and self.type not in ("note", "calculate")

    @property
    def has_value(self) -> bool:
        """Whether a response keeps a value for it: an answer, or a calculation's result."""
        return self.takes_answer or self.type == "calculate"

    @property
    def typed_in(self) -> bool:
        """Whether the person filling the form gives this answer."""
        return self.takes_answer and not self.read_only


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
    # The CSV files beside the form that its pulldata() calls read ({"sites": rows}).
    tables: dict[str, list[dict[str, str]]] = field(default_factory=dict)

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

    def defaults(self) -> dict[str, str]:
        """The answers a new response starts with: each question's `default` (outside
        repeats; an instance of a repeat starts empty)."""
        return {
            q.name: q.default
            for q, _parents, in_repeat in self.walk()
            if q.default and q.takes_answer and not in_repeat
        }

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

"""Answers in, checks and scores out — for any form `haven.scoring.xlsform_reader` has read.

Answers are plain data keyed by the XLSForm's own names: a select_multiple is a list of
choice names (or the space-separated string KoboToolbox exports), a repeat is a list of
dicts, a date is `YYYY-MM-DD`. Groups do not nest answers.

Scores:
- a **dimension** is the weighted mean of its questions' scores, each mapped onto 0–1
  (a choice's score within the lowest and highest of its list; a number within its
  score_min..score_max). Unanswered and not-relevant questions follow the dimension's
  declared `missing` rule; below `min_answered` (share of the questions' weight answered)
  the dimension has no value;
- a **score** is a formula over answers (e.g. threat × vulnerability / capacity), also
  given mapped onto 0–1 between its `min` and `max`; it has no value while an answer it
  uses is missing;
- a **composite** is a formula over other scores (`mean`, `weighted-mean`, `max`, …);
  with `missing` = skip an absent score is left out, with `fail` it makes the composite
  absent.
Every value is banded by the row's `bands`, and each dimension keeps the contribution of
each question so that a caseworker sees which answers drove it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from haven.scoring.answer_types import range_bounds, type_problem
from haven.scoring.expressions import parse
from haven.scoring.xlsform import Form, Question, ScoreRule
from haven.scoring.xpath_values import to_boolean, to_number


@dataclass(frozen=True)
class AnswerProblem:
    question: str
    message: str
    row: int | None = None  # the repeat instance (1-based), for answers inside a repeat


@dataclass
class Contribution:
    question: str
    answer: object
    score: float | None  # the answer's score on 0–1; None when unanswered
    weight: float
    share: float  # part of the dimension's value this answer makes (0 when unanswered)


@dataclass
class ScoreValue:
    name: str
    type: str
    value: float | None  # what the bands apply to: 0–1, or the formula's own value
    normalised: float | None  # 0–1
    band: str = ""
    answered: float = 0.0  # share of the weight answered (dimensions)
    contributions: list[Contribution] = field(default_factory=list)

    def to_dict(self) -> dict:
        return {
            "name": self.name,
            "type": self.type,
            "value": self.value,
            "normalised": self.normalised,
            "band": self.band,
            "answered": self.answered,
            "contributions": [c.__dict__ for c in self.contributions],
        }


# --- answers ------------------------------------------------------------------------------


class _Answers:
    """Answers as expressions see them: relevance applied, calculations computed.

    Inside a repeat, one of these per instance: the repeat's own questions are read from
    the instance, every other name from the answers around it (`outer`).
    """

    def __init__(self, form: Form, answers: dict, instance=None, outer=None, local=()):
        self.form = form
        self.source = answers if instance is None else instance
        self.outer = outer
        self.local = frozenset(local)
        self._index = form.index()
        self._parents = {q.name: parents for q, parents, _ in form.walk()}
        self._computing: set[str] = set()
        self._relevant: dict[str, bool] = {}
        self._calculated: dict[str, object] = {}

    def raw(self, name: str):
        return self.source.get(name)

    def relevant(self, question: Question) -> bool:
        if self.outer is not None and question.name not in self.local:
            return self.outer.relevant(question)
        if question.name in self._relevant:
            return self._relevant[question.name]
        result = True
        for node in [*self._parents.get(question.name, []), question]:
            if node.relevant and not self._holds(node.name, node.relevant):
                result = False
                break
        self._relevant[question.name] = result
        return result

    def _holds(self, name: str, text: str) -> bool:
        key = f"relevant:{name}"
        if key in self._computing:  # a relevance that depends on itself counts as false
            return False
        self._computing.add(key)
        try:
            return parse(text).holds(self.value)
        finally:
            self._computing.discard(key)

    def value(self, name: str):
        if self.outer is not None and name not in self.local:
            return self.outer.value(name)
        question = self._index.get(name)
        if question is None:
            return self.raw(name)
        if not self.relevant(question):
            return ""
        if question.type == "calculate":
            return self._calculate(question)
        value = self.raw(name)
        if question.type == "select_multiple":
            return _as_list(value)
        return "" if value is None else value

    def _calculate(self, question: Question):
        if question.name in self._calculated:
            return self._calculated[question.name]
        if question.name in self._computing:  # a calculation that uses itself is blank
            return ""
        self._computing.add(question.name)
        try:
            # The question's own value is `.`: once() keeps it (a uuid stays the same).
            result = parse(question.calculation).evaluate(
                self.value, current=self.raw(question.name)
            )
        finally:
            self._computing.discard(question.name)
        if isinstance(result, float) and (math.isnan(result) or math.isinf(result)):
            result = ""
        self._calculated[question.name] = result
        return result


def _as_list(value) -> list[str]:
    if value is None or value == "":
        return []
    if isinstance(value, list | tuple):
        return [str(v) for v in value]
    return str(value).split()


def _blank(value) -> bool:
    return value is None or value == "" or value == []


def _repeat_answers(form: Form, repeat: Question, answers: dict, outer: _Answers):
    """One view per instance of a repeat, its own questions read from the instance."""
    names = {q.name for q, _, _ in form.walk(repeat.children)}
    instances = answers.get(repeat.name)
    for number, instance in enumerate(instances if isinstance(instances, list) else [], 1):
        yield (
            number,
            _Answers(form, answers, instance if isinstance(instance, dict) else {}, outer, names),
        )


def relevant_answers(form: Form, answers: dict) -> dict:
    """The answers that count: not-relevant ones dropped, calculations filled in."""
    view = _Answers(form, answers)
    out: dict = {}
    for question, _parents, in_repeat in form.walk():
        if in_repeat or not view.relevant(question):
            continue
        if question.type == "repeat":
            out[question.name] = [
                {
                    q.name: instance.value(q.name)
                    for q, _, _ in form.walk(question.children)
                    if (q.takes_answer or q.type == "calculate")
                    and instance.relevant(q)
                    and not _blank(instance.value(q.name))
                }
                for _number, instance in _repeat_answers(form, question, answers, view)
            ]
        elif question.takes_answer or question.type == "calculate":
            value = view.value(question.name)
            if not _blank(value):
                out[question.name] = value
    return out


def relevance(form: Form, answers: dict) -> dict[str, bool]:
    """Whether each question and group outside repeats is relevant to these answers."""
    view = _Answers(form, answers)
    return {q.name: view.relevant(q) for q, _parents, in_repeat in form.walk() if not in_repeat}


def offered_choices(form: Form, answers: dict) -> dict[str, list[str]]:
    """For each question outside repeats with a choice_filter, the choices it offers now."""
    view = _Answers(form, answers)
    return {
        q.name: [c.name for c in _choices_for(form, q, view)]
        for q, _parents, in_repeat in form.walk()
        if q.choice_filter and not in_repeat
    }


# --- checking answers -------------------------------------------------------------------


MAX_INSTANCES = 50  # of one repeat: more is not a form a person fills


def _count(view: _Answers, repeat: Question) -> int | None:
    """How many times a repeat with a `repeat_count` is filled, for these answers (None for
    a repeat without one). A count that is not a number is none, as in ODK."""
    if not repeat.repeat_count:
        return None
    number = to_number(parse(repeat.repeat_count).evaluate(view.value))
    if not math.isfinite(number):
        return 0
    return max(0, min(int(number), MAX_INSTANCES))


def repeat_count(form: Form, repeat: Question, answers: dict) -> int | None:
    return _count(_Answers(form, answers), repeat)


def check_answers(form: Form, answers: dict, *, final: bool, language: str = "") -> list:
    """What is wrong with the answers, question by question. With `final`, required
    questions must be answered (a draft may be incomplete but not wrong)."""
    problems: list[AnswerProblem] = []
    view = _Answers(form, answers)
    for question, _parents, in_repeat in form.walk():
        if in_repeat:
            continue
        if question.type == "repeat":
            if not view.relevant(question):
                continue
            instances = list(_repeat_answers(form, question, answers, view))
            wanted = _count(view, question)
            if final and wanted is not None and wanted != len(instances):
                problems.append(
                    AnswerProblem(
                        question.name,
                        f"This section is filled {wanted} times, as the form asks; "
                        f"it has {len(instances)}.",
                    )
                )
            for number, instance in instances:
                for inner, _, _ in form.walk(question.children):
                    problems.extend(_check_one(form, inner, instance, final, language, row=number))
        elif not question.is_container:
            problems.extend(_check_one(form, question, view, final, language))
    return problems


def _message(form: Form, messages: dict[str, str], language: str, fallback: str) -> str:
    return form.text(messages, language) or fallback


def _check_one(form, question: Question, view: _Answers, final, language, row=None):
    if not question.takes_answer or not view.relevant(question):
        return []
    raw = view.raw(question.name)
    if question.read_only and not _blank(raw) and str(raw) != question.default:
        return [
            AnswerProblem(question.name, "This question is read-only: it keeps its value.", row)
        ]
    problem = _type_problem(form, question, raw, view)
    if problem:
        return [AnswerProblem(question.name, problem, row)]
    if _blank(raw):
        required = question.required == "yes" or (
            question.required and parse(question.required).holds(view.value)
        )
        if final and required:
            return [
                AnswerProblem(
                    question.name,
                    _message(
                        form, question.required_message, language, "This question is required."
                    ),
                    row,
                )
            ]
        return []
    if question.constraint and not parse(question.constraint).holds(
        view.value, current=view.value(question.name)
    ):
        return [
            AnswerProblem(
                question.name,
                _message(
                    form,
                    question.constraint_message,
                    language,
                    "This answer is not allowed by the form's constraint.",
                ),
                row,
            )
        ]
    return []


def _type_problem(form: Form, question: Question, raw, view: _Answers) -> str:
    if _blank(raw):
        return ""
    kind = question.type
    if kind in ("select_one", "select_multiple"):
        values = _as_list(raw) if kind == "select_multiple" else [str(raw)]
        if kind == "select_one" and isinstance(raw, list | tuple):
            return "Choose one answer."
        allowed = {c.name for c in _choices_for(form, question, view)}
        unknown = [v for v in values if v not in allowed]
        if unknown:
            return f"Not one of the choices: {', '.join(unknown)}."
        return ""
    return type_problem(question, raw)


def _choices_for(form: Form, question: Question, view: _Answers):
    """The choices offered, after the question's choice_filter."""
    items = form.choices.get(question.list_name, [])
    if not question.choice_filter:
        return items
    expression = parse(question.choice_filter)
    offered = []
    for choice in items:
        columns = {"name": choice.name, **choice.extra}

        def lookup(name, columns=columns):
            return view.value(name)

        # In a choice_filter, bare names are the choice's own columns.
        if to_boolean(expression.evaluate(lookup, scores=columns)):
            offered.append(choice)
    return offered


# --- scoring ------------------------------------------------------------------------------


def score(form: Form, answers: dict) -> dict[str, ScoreValue]:
    """Every score of the form's scoring sheet, in sheet order."""
    view = _Answers(form, answers)
    results: dict[str, ScoreValue] = {}
    for rule in form.scores:
        if rule.type == "dimension":
            results[rule.name] = _dimension(form, rule, view)
        elif rule.type == "score":
            results[rule.name] = _formula_score(rule, view)
    pending = [rule for rule in form.scores if rule.type == "composite"]
    # Composites may use each other (never in a circle: checked at upload).
    while pending:
        ready = [
            r for r in pending if parse(r.formula).names <= set(results) | _names_outside(form)
        ]
        if not ready:
            break
        for rule in ready:
            results[rule.name] = _composite(rule, results)
            pending.remove(rule)
    return {rule.name: results[rule.name] for rule in form.scores if rule.name in results}


def _names_outside(form: Form) -> set[str]:
    return {r.name for r in form.scores if r.type != "composite"}


def answer_score(form: Form, question: Question, value) -> float | None:
    """An answer's score mapped onto 0–1, or None when it has none."""
    if _blank(value):
        return None
    if question.type == "select_one":
        scores = form.choice_scores(question.list_name)
        chosen = next(
            (c.score for c in form.choices[question.list_name] if c.name == str(value)), None
        )
        return _unit(chosen, min(scores), max(scores)) if chosen is not None else None
    if question.type == "select_multiple":
        scores = form.choice_scores(question.list_name)
        lowest = sum(s for s in scores if s < 0)
        highest = sum(s for s in scores if s > 0)
        picked = set(_as_list(value))
        total = sum(c.score or 0 for c in form.choices[question.list_name] if c.name in picked)
        return _unit(total, lowest, highest)
    number = to_number(value)
    low, high = question.score_min, question.score_max
    if question.type == "range" and low is None and high is None:
        low, high, _step = range_bounds(question)
    if math.isnan(number) or low is None or high is None:  # the checker requires both
        return None
    return _unit(number, low, high)


def _unit(value: float, low: float, high: float) -> float:
    """`value` mapped from low..high onto 0..1, clamped; high < low reverses the scale."""
    if high == low:
        return 0.0
    return min(1.0, max(0.0, (value - low) / (high - low)))


def _dimension(form: Form, rule: ScoreRule, view: _Answers) -> ScoreValue:
    questions = form.dimension_questions(rule.name)
    items = []
    for question in questions:
        value = view.value(question.name) if view.relevant(question) else ""
        items.append((question, value, answer_score(form, question, value)))
    total_weight = sum(q.weight for q, _, _ in items)
    answered_weight = sum(q.weight for q, _, s in items if s is not None)
    answered = answered_weight / total_weight if total_weight else 0.0
    missing_any = any(s is None for _, _, s in items)
    if rule.missing == "zero":
        counted = [(q, v, 0.0 if s is None else s) for q, v, s in items]
        denominator = total_weight
    else:
        counted = [(q, v, s) for q, v, s in items if s is not None]
        denominator = answered_weight
    value = None
    if (
        counted
        and denominator > 0
        and not (rule.missing == "fail" and missing_any)
        and (answered_weight > 0 or rule.missing == "zero")
        and answered >= rule.min_answered
    ):
        value = sum(q.weight * s for q, _, s in counted) / denominator
    contributions = []
    for question, answer, item_score in items:
        share = 0.0
        if value is not None and item_score is not None and denominator:
            share = question.weight * item_score / denominator
        contributions.append(
            Contribution(question.name, answer, item_score, question.weight, share)
        )
    return ScoreValue(
        rule.name,
        rule.type,
        value,
        value,
        rule.band_for(value),
        answered,
        contributions,
    )


def _formula_score(rule: ScoreRule, view: _Answers) -> ScoreValue:
    expression = parse(rule.formula)
    used = {name: view.value(name) for name in expression.references}
    value = None
    if not any(_blank(v) for v in used.values()):
        number = to_number(expression.evaluate(view.value))
        if math.isfinite(number):
            value = number
    normalised = None
    if value is not None and rule.minimum is not None and rule.maximum is not None:
        normalised = _unit(value, rule.minimum, rule.maximum)
    contributions = [
        Contribution(name, answer, None, 0.0, 0.0) for name, answer in sorted(used.items())
    ]
    return ScoreValue(
        rule.name, rule.type, value, normalised, rule.band_for(value), 1.0, contributions
    )


def _composite(rule: ScoreRule, results: dict[str, ScoreValue]) -> ScoreValue:
    expression = parse(rule.formula)
    # A composite combines the values of its scores, which the bands also use: dimensions
    # are on 0–1, formula scores on their own scale (e.g. the highest of several risks).
    inputs = {name: results[name].value for name in expression.names if name in results}
    value = None
    blocked = rule.missing == "fail" and any(v is None for v in inputs.values())
    if not blocked and any(v is not None for v in inputs.values()):
        number = to_number(expression.evaluate({}, scores=inputs))
        if math.isfinite(number):
            value = number
    normalised = value
    if value is not None and rule.minimum is not None and rule.maximum is not None:
        normalised = _unit(value, rule.minimum, rule.maximum)
    contributions = [
        Contribution(name, results[name].band, inputs[name], 0.0, 0.0) for name in sorted(inputs)
    ]
    return ScoreValue(
        rule.name, rule.type, value, normalised, rule.band_for(value), 1.0, contributions
    )

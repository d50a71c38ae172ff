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

from haven.scoring.answer_checks import MAX_INSTANCES, AnswerProblem, check_answers, repeat_count
from haven.scoring.answer_types import range_bounds
from haven.scoring.answers import (
    AnswersView,
    choice_list,
    offered_choices,
    relevance,
    relevant_answers,
    unanswered,
)
from haven.scoring.expressions import parse
from haven.scoring.xlsform import Form, Question, ScoreRule
from haven.scoring.xpath_values import to_number

# What the engine offers besides scores: the answers that count and what is wrong in them.
__all__ = [
    "MAX_INSTANCES",
    "AnswerProblem",
    "check_answers",
    "offered_choices",
    "relevance",
    "relevant_answers",
    "repeat_count",
    "score",
    "answer_score",
]


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


# --- scoring ------------------------------------------------------------------------------


def score(form: Form, answers: dict) -> dict[str, ScoreValue]:
    """Every score of the form's scoring sheet, in sheet order."""
    view = AnswersView(form, answers)
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
    if unanswered(value):
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
        picked = set(choice_list(value))
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


def _dimension(form: Form, rule: ScoreRule, view: AnswersView) -> ScoreValue:
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


def _formula_score(rule: ScoreRule, view: AnswersView) -> ScoreValue:
    expression = parse(rule.formula)
    used = {name: view.value(name) for name in expression.references}
    value = None
    if not any(unanswered(v) for v in used.values()):
        number = to_number(expression.evaluate(view.value, tables=view.form.tables))
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

"""What is wrong with a response's answers, question by question: each answer's type and
choices, read-only answers, required questions, constraints, and repeats filled as many
times as the form says — at every level of repeats."""

from __future__ import annotations

import math
from dataclasses import dataclass

from haven.scoring.answer_types import type_problem
from haven.scoring.answers import (
    AnswersView,
    choice_list,
    choices_for,
    questions_at,
    repeat_entries,
    unanswered,
)
from haven.scoring.xlsform import CHOICE_TYPES, Form, Question
from haven.scoring.xpath_values import to_number


@dataclass(frozen=True)
class AnswerProblem:
    question: str
    message: str
    row: int | None = None  # the repeat instance (1-based), for answers inside a repeat


MAX_INSTANCES = 50  # of one repeat: more is not a form a person fills


def _count(view: AnswersView, repeat: Question) -> int | None:
    """How many times a repeat with a `repeat_count` is filled, for these answers (None for
    a repeat without one). A count that is not a number is none, as in ODK."""
    if not repeat.repeat_count:
        return None
    number = to_number(view.evaluate(repeat.repeat_count))
    if not math.isfinite(number):
        return 0
    return max(0, min(int(number), MAX_INSTANCES))


def repeat_count(form: Form, repeat: Question, answers: dict) -> int | None:
    return _count(AnswersView(form, answers), repeat)


def check_answers(form: Form, answers: dict, *, final: bool, language: str = "") -> list:
    """What is wrong with the answers, question by question, at every level of repeats.
    With `final`, required questions must be answered (a draft may be incomplete but not
    wrong)."""
    problems: list[AnswerProblem] = []
    top = questions_at(form, form.questions, "")
    _check_level(form, top, AnswersView(form, answers), final, language, None, problems)
    return problems


def _check_level(form, level, view, final, language, row, problems) -> None:
    """Check one level's questions (`level`: see questions_at) in `view`, and each entry of
    the repeats among them."""
    for question in level:
        if question.type != "repeat":
            if not question.is_container:
                problems.extend(_check_one(form, question, view, final, language, row=row))
            continue
        if not view.relevant(question):
            continue
        entries = list(repeat_entries(form, question, view))
        wanted = _count(view, question)
        if final and wanted is not None and wanted != len(entries):
            problems.append(
                AnswerProblem(
                    question.name,
                    f"This section is filled {wanted} times, as the form asks; "
                    f"it has {len(entries)}.",
                    row,
                )
            )
        inner = questions_at(form, question.children, question.name)
        for number, entry in entries:
            _check_level(form, inner, entry, final, language, number, problems)


def _message(form: Form, messages: dict[str, str], language: str, fallback: str) -> str:
    return form.text(messages, language) or fallback


def _check_one(form, question: Question, view: AnswersView, final, language, row=None):
    if not question.takes_answer or not view.relevant(question):
        return []
    raw = view.raw(question.name)
    if question.read_only and not unanswered(raw) and str(raw) != question.default:
        return [
            AnswerProblem(question.name, "This question is read-only: it keeps its value.", row)
        ]
    problem = _type_problem(form, question, raw, view)
    if problem:
        return [AnswerProblem(question.name, problem, row)]
    if unanswered(raw):
        required = question.required == "yes" or (
            question.required and view.holds(question.required)
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
    if question.constraint and not view.holds(
        question.constraint, current=view.value(question.name)
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


def _type_problem(form: Form, question: Question, raw, view: AnswersView) -> str:
    if unanswered(raw):
        return ""
    kind = question.type
    if kind in CHOICE_TYPES:
        values = [str(raw)] if kind == "select_one" else choice_list(raw)
        if kind == "select_one" and isinstance(raw, list | tuple):
            return "Choose one answer."
        allowed = {c.name for c in choices_for(form, question, view)}
        unknown = [v for v in values if v not in allowed]
        if unknown:
            return f"Not one of the choices: {', '.join(unknown)}."
        if kind == "rank" and sorted(values) != sorted(allowed):
            return "Rank every option, each once."
        return ""
    return type_problem(question, raw)

"""Answers as a form's expressions see them: relevance applied, calculations computed, a
view per entry of a repeat (at any depth) that reads the repeat's own questions from the
entry and every other name from the answers around it; and the answers that count."""

from __future__ import annotations

import math

from haven.scoring.expressions import parse
from haven.scoring.xlsform import Form, Question
from haven.scoring.xpath_values import to_boolean


class AnswersView:
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

    def evaluate(self, text: str, *, current=None):
        """An expression of the form over these answers (and the form's CSV files)."""
        return parse(text).evaluate(self.value, current=current, tables=self.form.tables)

    def holds(self, text: str, *, current=None) -> bool:
        return to_boolean(self.evaluate(text, current=current))

    def _holds(self, name: str, text: str) -> bool:
        key = f"relevant:{name}"
        if key in self._computing:  # a relevance that depends on itself counts as false
            return False
        self._computing.add(key)
        try:
            return self.holds(text)
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
        if question.type in ("select_multiple", "rank"):
            return choice_list(value)
        return "" if value is None else value

    def _calculate(self, question: Question):
        if question.trigger:  # set when its trigger changed, by the engine or the page
            value = self.raw(question.name)
            return "" if value is None else value
        if question.name in self._calculated:
            return self._calculated[question.name]
        if question.name in self._computing:  # a calculation that uses itself is blank
            return ""
        self._computing.add(question.name)
        try:
            # The question's own value is `.`: once() keeps it (a uuid stays the same).
            result = self.evaluate(question.calculation, current=self.raw(question.name))
        finally:
            self._computing.discard(question.name)
        if isinstance(result, float) and (math.isnan(result) or math.isinf(result)):
            result = ""
        self._calculated[question.name] = result
        return result


def choice_list(value) -> list[str]:
    if value is None or value == "":
        return []
    if isinstance(value, list | tuple):
        return [str(v) for v in value]
    return str(value).split()


def unanswered(value) -> bool:
    return value is None or value == "" or value == []


def repeat_entries(form: Form, repeat: Question, outer: AnswersView):
    """(number, view) per entry of a repeat, its own questions read from the entry and
    every other name from the answers around it (`outer`: the response, or the entry of
    the repeat it is in)."""
    names = {q.name for q, _, _ in form.walk(repeat.children)}
    instances = outer.source.get(repeat.name)
    for number, instance in enumerate(instances if isinstance(instances, list) else [], 1):
        yield (
            number,
            AnswersView(
                form, outer.source, instance if isinstance(instance, dict) else {}, outer, names
            ),
        )


def questions_at(form: Form, questions: list[Question], level: str):
    """The questions answered at one level — the form's top (`level` "") or the entries of
    the repeat named `level` — groups looked through, a repeat inside as one question."""
    return [q for q, _parents, in_repeat in form.walk(questions, level) if in_repeat == level]


def relevant_answers(form: Form, answers: dict) -> dict:
    """The answers that count: not-relevant ones dropped, calculations filled in, at every
    level of repeats."""
    return _kept(form, questions_at(form, form.questions, ""), AnswersView(form, answers))


def _kept(form: Form, level: list[Question], view: AnswersView) -> dict:
    """The values of one level's questions (`level`: see questions_at) in `view`."""
    out: dict = {}
    for question in level:
        if not view.relevant(question):
            continue
        if question.type == "repeat":
            inner = questions_at(form, question.children, question.name)
            out[question.name] = [
                _kept(form, inner, entry) for _number, entry in repeat_entries(form, question, view)
            ]
        elif question.has_value:
            value = view.value(question.name)
            if not unanswered(value):
                out[question.name] = value
    return out


def relevance(form: Form, answers: dict) -> dict[str, bool]:
    """Whether each question and group outside repeats is relevant to these answers."""
    view = AnswersView(form, answers)
    return {q.name: view.relevant(q) for q, _parents, in_repeat in form.walk() if not in_repeat}


def offered_choices(form: Form, answers: dict) -> dict[str, list[str]]:
    """For each question outside repeats with a choice_filter, the choices it offers now."""
    view = AnswersView(form, answers)
    return {
        q.name: [c.name for c in choices_for(form, q, view)]
        for q, _parents, in_repeat in form.walk()
        if q.choice_filter and not in_repeat
    }


def choices_for(form: Form, question: Question, view: AnswersView):
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

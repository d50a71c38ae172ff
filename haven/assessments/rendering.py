"""A form definition turned into what the fill page shows, and posted fields back into
answers. Plain data: the template lays it out, the engine checks it."""

import math
from dataclasses import dataclass, field

from django.utils import translation

from haven.scoring.answer_types import range_bounds, typed
from haven.scoring.answers import AnswersView, choice_list
from haven.scoring.engine import MAX_INSTANCES, repeat_count
from haven.scoring.xlsform import CHOICE_TYPES, Form, Question
from haven.scoring.xpath_values import to_number

NUMBER_TYPES = {"integer", "decimal"}


def pick(texts: dict[str, str], form: Form, language: str | None = None) -> str:
    """The text in the page's language, else the form's default language."""
    return form.text(texts, (language or translation.get_language() or "en").split("-")[0])


@dataclass
class Item:
    """One thing on the page: a question, a note, a group with items of its own, or a
    repeat with a list of items per instance."""

    name: str
    type: str
    label: str
    hint: str = ""
    required: bool = False
    value: object = ""
    values: list = field(default_factory=list)
    choices: list[tuple[str, str]] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    items: list["Item"] = field(default_factory=list)
    instances: list[list["Item"]] = field(default_factory=list)
    field_name: str = ""  # the posted field: the name, or repeat__index__name
    filtered: bool = False  # choices narrowed by a choice_filter as answers come
    read_only: bool = False
    bounds: tuple = ()  # a range's lowest, highest and step
    counted: bool = False  # a repeat filled as many times as its repeat_count says
    # A rank's options with the position each has now ("" for none yet).
    ranked: list[tuple[str, str, object]] = field(default_factory=list)
    url: str = ""  # a photo, recording or file answer: where its file is shown

    def __post_init__(self):
        self.field_name = self.field_name or self.name

    @property
    def input_id(self) -> str:
        return f"q-{self.field_name}"


def problem_key(question: str, row: int | None) -> str:
    """How a problem is filed for the page: by question, and instance inside a repeat."""
    return question if row is None else f"{question}#{row}"


def items(form: Form, answers: dict, problems: dict[str, list[str]], questions=None) -> list:
    questions = form.questions if questions is None else questions
    return [i for i in (_item(form, q, answers, problems) for q in questions) if i]


def _item(form, question: Question, answers: dict, problems, repeat="", index=None):
    if question.type == "calculate":
        return None
    prefix = f"{repeat}__{index}__" if repeat else ""
    item = Item(
        name=question.name,
        type=question.type,
        label=pick(question.labels, form) or question.name,
        hint=pick(question.hints, form),
        required=question.required == "yes",
        errors=problems.get(problem_key(question.name, None if index is None else index + 1), []),
        field_name=prefix + question.name,
        read_only=question.read_only,
    )
    if question.type == "range":
        start, end, step = range_bounds(question)
        item.bounds = (f"{min(start, end):g}", f"{max(start, end):g}", f"{step:g}")
    if question.type == "group":
        item.items = [
            i
            for i in (_item(form, q, answers, problems, repeat, index) for q in question.children)
            if i
        ]
    elif question.type == "repeat":
        if repeat:  # a repeat inside a repeat: answered through the API
            return None
        stored = answers.get(question.name)
        stored = stored if isinstance(stored, list) else []
        wanted = repeat_count(form, question, answers)
        if wanted is not None:  # as many as the form says: no adding or removing by hand
            item.counted = True
            stored = (stored + [{}] * wanted)[:wanted]
        for position, instance in enumerate(stored):
            values = instance if isinstance(instance, dict) else {}
            item.instances.append(
                [
                    i
                    for i in (
                        _item(form, q, values, problems, question.name, position)
                        for q in question.children
                    )
                    if i
                ]
            )
    elif question.type == "geopoint":
        # Typed in: the location's latitude and longitude, what a device measured beside
        # them (altitude, accuracy) kept as it was.
        parts = str(answers.get(question.name) or "").split()
        item.values = (parts + ["", ""])[:2]
        item.value = " ".join(parts[2:])
    elif question.type == "rank":
        order = choice_list(answers.get(question.name))
        item.ranked = [
            (choice.name, pick(choice.labels, form) or choice.name, _position(order, choice.name))
            for choice in form.choices.get(question.list_name, [])
        ]
    elif question.type.startswith("select"):
        item.filtered = bool(question.choice_filter) and not repeat
        item.choices = [
            (choice.name, pick(choice.labels, form) or choice.name)
            for choice in form.choices.get(question.list_name, [])
        ]
        raw = answers.get(question.name)
        if question.type == "select_multiple":
            item.values = raw if isinstance(raw, list) else str(raw or "").split()
        else:
            item.value = "" if raw is None else str(raw)
    else:
        raw = answers.get(question.name)
        item.value = "" if raw is None else raw
    return item


def answers_from_post(form: Form, post, kept: dict | None = None) -> dict:
    """The posted fields as answers: numbers as numbers where they read as such (anything
    else is kept as typed, for the engine to name the problem), blanks left out. A repeat
    posts its number of instances as `repeat__count`. A repeat inside a repeat is not on
    the page: its entries in `kept` (the draft as saved) stay with their entry."""
    answers: dict = {}
    for question, _parents, in_repeat in form.walk():
        if in_repeat:
            continue
        if question.type == "repeat":
            stored = (kept or {}).get(question.name)
            answers[question.name] = _instances_from_post(
                form, question, post, stored if isinstance(stored, list) else []
            )
        elif question.read_only:
            if question.default:  # shown, not typed in: what the form set stays
                answers[question.name] = typed(question.type, question.default)
        elif question.takes_answer:
            value = _posted(form, question, post, question.name)
            if value is not None:
                answers[question.name] = value
    _set_triggered(form, answers, kept or {})
    return {k: v for k, v in answers.items() if v != []}


def _set_triggered(form: Form, answers: dict, kept: dict) -> None:
    """A question with a `trigger` keeps the value it was set to; when one of its triggers
    is answered differently on this save, its calculation sets it anew, as the form engine
    does."""
    for question, _parents, in_repeat in form.walk():
        if in_repeat or not question.trigger:
            continue
        changed = any(answers.get(name) != kept.get(name) for name in question.trigger)
        if changed and question.calculation:
            value = AnswersView(form, answers).evaluate(
                question.calculation, current=kept.get(question.name)
            )
            answers[question.name] = "" if value is None else value
        elif question.type == "calculate" and question.name in kept:
            answers[question.name] = kept[question.name]


def _instances_from_post(form: Form, repeat: Question, post, stored: list) -> list[dict]:
    try:
        count = min(int(post.get(f"{repeat.name}__count", 0)), MAX_INSTANCES)
    except ValueError:
        count = 0
    instances = []
    for index in range(max(0, count)):
        instance = {}
        for question, _parents, in_repeat in form.walk(repeat.children, repeat.name):
            if in_repeat != repeat.name:
                continue
            if question.type == "repeat" or (question.type == "calculate" and question.trigger):
                # Not on the page: what the entry holds stays with it.
                before = stored[index] if index < len(stored) else {}
                if isinstance(before, dict) and before.get(question.name):
                    instance[question.name] = before[question.name]
            elif question.typed_in:
                value = _posted(form, question, post, f"{repeat.name}__{index}__{question.name}")
                if value is not None:
                    instance[question.name] = value
        instances.append(instance)
    return instances


def _position(order: list[str], name: str):
    return order.index(name) + 1 if name in order else ""


def _posted(form: Form, question: Question, post, field_name: str):
    if question.type in ("image", "audio", "video", "file"):
        # The file kept with the draft, unless removed; a new one comes in the files.
        if post.get(f"{field_name}__remove"):
            return None
        return post.get(field_name, "").strip() or None
    if question.type == "geopoint":
        latitude = post.get(f"{field_name}__latitude", "").strip()
        longitude = post.get(f"{field_name}__longitude", "").strip()
        if not (latitude or longitude):
            return None
        measured = post.get(f"{field_name}__measured", "").split() if latitude and longitude else []
        return " ".join(p for p in (latitude, longitude, *measured) if p)
    if question.type == "rank":
        # Each option's position as typed; the options in that order (ties in the list's).
        positions = {}
        for choice in form.choices.get(question.list_name, []):
            number = to_number(post.get(f"{field_name}__rank__{choice.name}", ""))
            if math.isfinite(number):
                positions[choice.name] = number
        return sorted(positions, key=positions.__getitem__) or None
    if question.type == "select_multiple":
        values = [v for v in post.getlist(field_name) if v]
        return values or None
    raw = post.get(field_name, "").strip()
    if raw == "":
        return None
    return typed(question.type, raw)


def answer_rows(form: Form, answers: dict) -> list[tuple[str, str]]:
    """(question label, answer as shown) in the order of the form; choices by their label."""
    rows = []
    for question, _parents, in_repeat in form.walk():
        if in_repeat or question.name not in answers or question.type == "repeat":
            continue
        value = answers[question.name]
        if question.type in CHOICE_TYPES:
            labels = {
                c.name: pick(c.labels, form) or c.name
                for c in form.choices.get(question.list_name, [])
            }
            chosen = [labels.get(v, v) for v in choice_list(value)]
            if question.type == "rank":
                chosen = [f"{n}. {label}" for n, label in enumerate(chosen, 1)]
            value = ", ".join(chosen)
        rows.append((pick(question.labels, form) or question.name, str(value)))
    return rows

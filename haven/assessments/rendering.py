"""A form definition turned into what the fill page shows, and posted fields back into
answers. Plain data: the template lays it out, the engine checks it."""

from dataclasses import dataclass, field

from django.utils import translation

from haven.scoring.forms import Form, Question

NUMBER_TYPES = {"integer", "decimal"}


def pick(texts: dict[str, str], form: Form, language: str | None = None) -> str:
    """The text in the page's language, else the form's default language."""
    return form.text(texts, (language or translation.get_language() or "en").split("-")[0])


@dataclass
class Item:
    """One thing on the page: a question, a note, or a group with items of its own."""

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

    @property
    def input_id(self) -> str:
        return f"q-{self.name}"


def items(form: Form, answers: dict, problems: dict[str, list[str]], questions=None) -> list:
    questions = form.questions if questions is None else questions
    return [i for i in (_item(form, q, answers, problems) for q in questions) if i]


def _item(form: Form, question: Question, answers: dict, problems) -> Item | None:
    if question.type == "calculate":
        return None
    item = Item(
        name=question.name,
        type=question.type,
        label=pick(question.labels, form) or question.name,
        hint=pick(question.hints, form),
        required=question.required == "yes",
        errors=problems.get(question.name, []),
    )
    if question.type == "group":
        item.items = [
            i for i in (_item(form, q, answers, problems) for q in question.children) if i
        ]
    elif question.type.startswith("select"):
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


def answers_from_post(form: Form, post) -> dict:
    """The posted fields as answers: numbers as numbers where they read as such (anything
    else is kept as typed, for the engine to name the problem), blanks left out."""
    answers: dict = {}
    for question, _parents, in_repeat in form.walk():
        if in_repeat or not question.takes_answer:
            continue
        if question.type == "select_multiple":
            values = [v for v in post.getlist(question.name) if v]
            if values:
                answers[question.name] = values
            continue
        raw = post.get(question.name, "").strip()
        if raw == "":
            continue
        answers[question.name] = _typed(question.type, raw)
    return answers


def _typed(kind: str, raw: str):
    try:
        if kind == "integer":
            return int(raw)
        if kind == "decimal":
            return float(raw)
    except ValueError:
        return raw
    return raw


def answer_rows(form: Form, answers: dict) -> list[tuple[str, str]]:
    """(question label, answer as shown) in the order of the form; choices by their label."""
    rows = []
    for question, _parents, in_repeat in form.walk():
        if in_repeat or question.name not in answers or question.type == "repeat":
            continue
        value = answers[question.name]
        if question.type.startswith("select"):
            labels = {
                c.name: pick(c.labels, form) or c.name
                for c in form.choices.get(question.list_name, [])
            }
            chosen = value if isinstance(value, list) else str(value).split()
            value = ", ".join(labels.get(v, v) for v in chosen)
        rows.append((pick(question.labels, form) or question.name, str(value)))
    return rows

"""The browser's form engine (ODK Web Forms, the bundle the fill page and the offline app
load) and Haven's scoring engine on the server agree: for every shipped form, and a form
that uses what the shipped ones do not (calculations, choice filters, several choices),
and one with the types and columns field forms add (time, dateTime, range, acknowledge,
default, read_only, or_other),
each generated set of answers makes the same questions relevant, the same answers break a
constraint, and a filtered question offers the same choices."""

import random
from datetime import date, timedelta

import pytest

from haven.accounts.models import Agency
from haven.assessments import actions as assessment_actions
from haven.assessments.models import AssessmentDefinition
from haven.cases import actions
from haven.scoring import engine
from tests.conftest import CASE, PERSON
from tests.e2e.conftest import login
from tests.e2e.webforms import wait_for_engine
from tests.test_assessments import CASCADE_CHOICES
from tests.xlsform import SURVEY, simple_form, survey_row

pytestmark = pytest.mark.e2e
SETS_PER_FORM = 25

# Every question the engine holds, answered with the values given (in the form's order,
# each cleared first), then what the engine says of each: relevant, constraint kept, and
# the choices a select offers now.
ENGINE_VERDICT = """(answers) => {
  const root = document.getElementById("engine-fill").havenForm.root;
  const nodes = [];
  const walk = (node) => {
    for (const child of node.currentState.children || []) {
      nodes.push(child);
      if (child.currentState.children) walk(child);
    }
  };
  walk(root);
  const name = (node) => node.definition.nodeset.split("/").pop();
  const typedIn = (node) => !node.currentState.readonly;
  for (const node of nodes) {
    if (!typedIn(node)) continue;
    if (node.nodeType === "select") node.selectValues([]);
    else if (node.nodeType === "input") node.setValue("");
    else if (node.nodeType === "range") node.setValue(null);
    else if (node.nodeType === "trigger") node.setValue(false);
  }
  for (const node of nodes) {
    const value = answers[name(node)];
    if (value === undefined || !typedIn(node)) continue;
    const values = Array.isArray(value) ? value : [String(value)];
    if (node.nodeType === "select") node.selectValues(values);
    else if (node.nodeType === "input") node.setValue(String(value));
    else if (node.nodeType === "range") node.setValue(Number(value));
    else if (node.nodeType === "trigger") node.setValue(value === "OK");
  }
  const out = {};
  for (const node of nodes) {
    const verdict = { relevant: node.currentState.relevant };
    const constraint = node.validationState && node.validationState.constraint;
    if (constraint) verdict.valid = constraint.valid;
    const options = node.nodeType === "select" ? node.currentState.valueOptions : null;
    if (options) verdict.options = options.map((o) => o.value);
    out[name(node)] = verdict;
  }
  return out;
}"""

RICH_SURVEY = [
    SURVEY,
    survey_row("select_one countries", "country", "Country"),
    survey_row("select_one cities", "city", "City", choice_filter="country = ${country}"),
    survey_row(
        "select_multiple needs",
        "needs",
        "Needs",
        constraint="not(selected(., 'none') and count-selected(.) > 1)",
        constraint_message="None goes alone.",
    ),
    survey_row("integer", "adults", "Adults", constraint=". >= 1 and . <= 20"),
    survey_row("integer", "children", "Children", constraint=". >= 0"),
    survey_row("calculate", "household", "", calculation="${adults} + ${children}"),
    survey_row(
        "text",
        "crowding",
        "Why so many?",
        relevant="${household} > 8 or selected(${needs}, 'shelter')",
        constraint="string-length(.) >= 3",
    ),
    survey_row("decimal", "debt", "Debt", constraint=". < 10000 or ${country} = 'ml'"),
    survey_row("date", "arrived", "Arrived", constraint=". <= today()"),
    survey_row(
        "text",
        "phone",
        "Phone",
        relevant="${country} != ''",
        constraint="regex(., '^[0-9+ ]{6,15}$')",
    ),
]
# The types and columns field forms add: times, a date and time, a range, an
# acknowledgement, a read-only default, and a choice with "Other" to specify.
FIELD_TYPES_SURVEY = [
    [*SURVEY, "parameters", "default", "read_only"],
    survey_row("text", "site", "Site") + ["", "BORDER-01", "yes"],
    survey_row("select_one reasons or_other", "reason", "Reason") + ["", "", ""],
    survey_row("time", "arrived_at", "Arrived at") + ["", "", ""],
    survey_row("dateTime", "seen_at", "Seen at") + ["", "", ""],
    survey_row("text", "late", "Why late?", relevant="${arrived_at} != ''") + ["", "", ""],
    survey_row("range", "distress", "Distress", constraint=". != 9")
    + ["start=0 end=10 step=1", "", ""],
    survey_row("text", "support", "Support offered", relevant="${distress} >= 7") + ["", "", ""],
    survey_row("acknowledge", "read", "Consent script read") + ["", "", ""],
    survey_row("text", "consent_note", "Note", relevant="${read} = 'OK'") + ["", "", ""],
    survey_row("integer", "household", "Household") + ["", "4", ""],
]
FIELD_TYPES_CHOICES = [
    ["list_name", "name", "label"],
    ["reasons", "conflict", "Conflict"],
    ["reasons", "work", "Work"],
    ["needs", "food", "Food"],
    ["needs", "water", "Water"],
    ["needs", "shelter", "Shelter"],
]
RICH_CHOICES = [
    *CASCADE_CHOICES,
    ["needs", "shelter", "Shelter", ""],
    ["needs", "food", "Food", ""],
    ["needs", "none", "None", ""],
]


def _answer(form, question, answers, rng: random.Random):
    """A value a caseworker could type: mostly fine, sometimes one a constraint refuses."""
    if question.type == "select_one":
        offered = engine.offered_choices(form, answers).get(question.name)
        names = (
            offered if offered is not None else [c.name for c in form.choices[question.list_name]]
        )
        return rng.choice(names) if names else None
    if question.type == "select_multiple":
        names = [c.name for c in form.choices[question.list_name]]
        return rng.sample(names, rng.randint(1, len(names)))
    if question.type == "integer":
        return rng.choice([-3, -1, 0, 1, 2, 3, 4, 5, 6, 9, 12, 25, 31, 121])
    if question.type == "decimal":
        return rng.choice([0.5, 12.25, 9999.5, 10000, 25000.75])
    if question.type == "date":
        return (date.today() + timedelta(days=rng.choice([-400, -3, 0, 5]))).isoformat()
    if question.type == "time":
        # As a device writes it: the engine takes seconds, a fraction and a zone.
        return rng.choice(["06:05:00", "12:00:00.000", "23:59:59.000+03:00"])
    if question.type == "datetime":
        return rng.choice(["2024-05-01T10:30", "2026-12-06T08:00"])
    if question.type == "range":
        return rng.choice([0, 3, 7, 9, 10])
    if question.type == "acknowledge":
        return "OK"
    return rng.choice(["ok", "no", "Amal", "+227 90 12 34", "12", "سميرة", "a b c d"])


def answer_sets(form, seed: int):
    rng = random.Random(seed)
    for _ in range(SETS_PER_FORM):
        answers: dict = {}
        for question, _parents, in_repeat in form.walk():
            if in_repeat or not question.typed_in or rng.random() < 0.15:
                continue
            value = _answer(form, question, answers, rng)
            if value is not None:
                answers[question.name] = value
        yield answers


def server_verdict(form, answers) -> tuple[dict, set, dict]:
    relevant = engine.relevance(form, answers)
    broken = {p.question for p in engine.check_answers(form, answers, final=False)}
    return relevant, broken, engine.offered_choices(form, answers)


def _compare(form, verdict, answers) -> list[str]:
    relevant, broken, offered = server_verdict(form, answers)
    differences = []
    for name, is_relevant in relevant.items():
        if name in verdict and verdict[name]["relevant"] != is_relevant:
            differences.append(f"{name}: relevant {verdict[name]['relevant']} vs {is_relevant}")
    in_browser = {n for n, v in verdict.items() if v["relevant"] and v.get("valid") is False}
    if in_browser != broken:
        differences.append(f"constraints broken: browser {sorted(in_browser)} vs {sorted(broken)}")
    for name, choices in offered.items():
        if relevant.get(name) and verdict[name].get("options") != choices:
            differences.append(f"{name}: offers {verdict[name].get('options')} vs {choices}")
    return differences


def publish_field_types(survey: list[list]):
    """The form of field types (or a variant of its survey), published in agency A."""
    return assessment_actions.publish_definition(
        None,
        simple_form(
            survey=survey,
            choices=FIELD_TYPES_CHOICES,
            scoring=[["name", "type", "label", "formula", "missing"]],
            settings=[["form_id"], ["field_types"]],
        ),
        "field_types.xlsx",
        agency=Agency.objects.get(code="aa"),
    )


def _definitions():
    assessment_actions.install_shipped_forms()
    rich = assessment_actions.publish_definition(
        None,
        simple_form(
            survey=RICH_SURVEY,
            choices=RICH_CHOICES,
            scoring=[["name", "type", "label", "formula", "missing"]],
        ),
        "rich.xlsx",
        agency=Agency.objects.get(code="aa"),
    )
    field_types = publish_field_types(FIELD_TYPES_SURVEY)
    return [*AssessmentDefinition.objects.filter(agency__isnull=True), rich, field_types]


def test_the_browser_engine_and_the_server_agree_on_every_form(people, new_page):
    case = actions.register(people["caseworker"], person=PERSON, case=CASE)
    page = new_page()
    login(page, "alice")
    compared, disagreements = 0, []
    seen_hidden = seen_broken = 0
    for seed, definition in enumerate(_definitions()):
        form = definition.parsed()
        assessment = assessment_actions.start(people["caseworker"], case, definition)
        page.goto(f"/assessments/{assessment.pk}/")
        wait_for_engine(page, "#engine-form")
        for number, answers in enumerate(answer_sets(form, seed)):
            verdict = page.evaluate(ENGINE_VERDICT, answers)
            assert set(verdict) >= set(engine.relevance(form, answers)), "a question is missing"
            disagreements += [
                f"{definition.form_id} set {number} {answers}: {d}"
                for d in _compare(form, verdict, answers)
            ]
            compared += 1
            seen_hidden += sum(1 for v in verdict.values() if not v["relevant"])
            seen_broken += sum(
                1 for v in verdict.values() if v["relevant"] and v.get("valid") is False
            )
    assert compared == SETS_PER_FORM * 6
    assert disagreements == []
    # The engine did hide questions and refuse answers: agreement was not all "nothing".
    assert seen_hidden > 0 and seen_broken > 0, (seen_hidden, seen_broken)


def test_the_generated_answers_reach_what_is_compared():
    """The answer sets are not all alike: they make questions relevant and not, keep and
    break constraints, on the shipped forms, so that agreement above means something."""
    from haven.scoring import xlsform_reader as form_reader

    relevant_flips = broken = 0
    for path in sorted(assessment_actions.SHIPPED_FORMS.glob("*.xlsx")):
        form = form_reader.load(path.read_bytes())
        for answers in answer_sets(form, 7):
            relevant, problems, _offered = server_verdict(form, answers)
            relevant_flips += sum(1 for yes in relevant.values() if not yes)
            broken += len(problems)
    assert relevant_flips > 0 and broken > 0

"""Haven's own checks of a form read from an XLSForm, beyond what pyxform checks: what a
caseworker would otherwise discover while filling it, and scoring rules that cannot work."""

from __future__ import annotations

from haven.scoring.expressions import ExpressionError, parse
from haven.scoring.xlsform import (
    CHOICE_TYPES,
    MISSING_RULES,
    SCORE_TYPES,
    Form,
    Problem,
    ScoreRule,
)


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
        expression(question.repeat_count, question, "repeat_count")
        if question.required != "yes":
            expression(question.required, question, "required")
        if question.type in CHOICE_TYPES and question.list_name not in form.choices:
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
    elif question.type in ("integer", "decimal", "range", "calculate"):
        if question.type == "range" and question.score_min is None and question.score_max is None:
            pass  # scored on its own scale, start to end
        elif question.score_min is None or question.score_max is None:
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

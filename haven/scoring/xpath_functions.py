"""The functions XLSForm expressions may call, as ODK evaluates them, and those Haven's
scoring formulas add (mean, weighted-mean, max, min, sum: absent scores left out). A lazy
function gets its arguments unevaluated (`if` evaluates only the branch it takes; `once`
evaluates its argument only while the question has no value yet)."""

import math
import random
import re
import secrets
import string
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime

from haven.scoring.xpath_dates import (
    date_time_of,
    days_since_epoch,
    format_date,
    iso_date,
    iso_date_time,
)
from haven.scoring.xpath_values import is_blank, to_boolean, to_number, to_text


@dataclass(frozen=True)
class Function:
    apply: Callable
    minimum: int
    maximum: int | None
    lazy: bool = False


def _selected(value, choice) -> bool:
    items = value if isinstance(value, list | tuple) else to_text(value).split()
    return to_text(choice) in {to_text(item) for item in items}


def _count_selected(value) -> float:
    items = value if isinstance(value, list | tuple) else to_text(value).split()
    return float(len(items))


def _if(env, condition, then, otherwise):
    chosen = then if to_boolean(condition.evaluate(env)) else otherwise
    return chosen.evaluate(env)


def _coalesce(a, b):
    return b if is_blank(a) else a


def _round(value, places=0.0):
    number, digits = to_number(value), to_number(places)
    if math.isnan(number) or math.isnan(digits):
        return math.nan
    factor = 10 ** int(digits)
    return math.floor(number * factor + 0.5) / factor


def _numbers(values) -> list[float]:
    """The arguments that are numbers: absent scores and blanks are left out."""
    out = []
    for value in values:
        if value is None or is_blank(value):
            continue
        number = to_number(value)
        if not math.isnan(number):
            out.append(number)
    return out


def _mean(*values):
    numbers = _numbers(values)
    return sum(numbers) / len(numbers) if numbers else None


def _weighted_mean(*pairs):
    if len(pairs) % 2:
        return math.nan
    total = weights = 0.0
    for value, weight in zip(pairs[::2], pairs[1::2], strict=True):
        if value is None or is_blank(value):
            continue
        total += to_number(value) * to_number(weight)
        weights += to_number(weight)
    return total / weights if weights else None


def _extreme(pick):
    def apply(*values):
        numbers = _numbers(values)
        return pick(numbers) if numbers else None

    return apply


def _int(value):
    number = to_number(value)
    return math.nan if math.isnan(number) or math.isinf(number) else float(math.trunc(number))


def _whole(rounding, value):
    number = to_number(value)
    return float(rounding(number)) if math.isfinite(number) else number


def _regex(value, pattern):
    try:
        return re.search(to_text(pattern), to_text(value)) is not None
    except re.error:
        return False


def _today():
    return date.today().isoformat()


def _now():
    return iso_date_time(datetime.now().astimezone())


def _once(env, argument):
    # The question's own value (`.`) once it has one: a draft reopened keeps its uuid().
    return env.current if not is_blank(env.current) else argument.evaluate(env)


def _pulldata(env, table, wanted, column, key):
    """The `wanted` column of the first row of the CSV file `table` (beside the form) whose
    `column` holds `key`; empty when no row does."""
    name, wanted_name, column_name, key_text = (
        to_text(argument.evaluate(env)) for argument in (table, wanted, column, key)
    )
    for row in env.tables.get(name, ()):
        if row.get(column_name) == key_text:
            return row.get(wanted_name, "")
    return ""


def _uuid(length=None):
    """A version 4 UUID, or with a length, that many random letters and digits."""
    if length is None:
        return str(uuid.uuid4())
    size = to_number(length)
    size = int(size) if math.isfinite(size) else 0
    return "".join(secrets.choice(_ALPHANUMERIC) for _ in range(max(0, min(size, 256))))


_ALPHANUMERIC = string.ascii_letters + string.digits


def _substr(value, start, end=None):
    text = to_text(value)
    first = to_number(start)
    if math.isnan(first):
        return ""
    last = len(text) if end is None else to_number(end)
    if math.isnan(last):
        return ""
    return text[max(int(first), 0) : max(int(last), 0)]


def _before(value, mark):
    text, found = to_text(value), to_text(mark)
    return text.split(found, 1)[0] if found and found in text else ""


def _after(value, mark):
    text, found = to_text(value), to_text(mark)
    if not found:
        return text
    return text.split(found, 1)[1] if found in text else ""


def _translate(value, source, target):
    source, target = to_text(source), to_text(target)
    table = {ord(c): (target[i] if i < len(target) else None) for i, c in enumerate(source)}
    return to_text(value).translate(table)


def _selected_at(value, index):
    items = value if isinstance(value, list | tuple) else to_text(value).split()
    position = to_number(index)
    if math.isnan(position) or not 0 <= int(position) < len(items):
        return ""
    return to_text(items[int(position)])


def _math(function):
    def apply(*values):
        try:
            return function(*(to_number(v) for v in values))
        except (ValueError, OverflowError):
            return math.nan

    return apply


FUNCTIONS: dict[str, Function] = {
    "selected": Function(_selected, 2, 2),
    "count-selected": Function(_count_selected, 1, 1),
    "if": Function(_if, 3, 3, lazy=True),
    "coalesce": Function(_coalesce, 2, 2),
    "not": Function(lambda value: not to_boolean(value), 1, 1),
    "true": Function(lambda: True, 0, 0),
    "false": Function(lambda: False, 0, 0),
    "boolean": Function(to_boolean, 1, 1),
    "number": Function(to_number, 1, 1),
    "string": Function(to_text, 1, 1),
    "int": Function(_int, 1, 1),
    "round": Function(_round, 1, 2),
    "floor": Function(lambda v: _whole(math.floor, v), 1, 1),
    "ceiling": Function(lambda v: _whole(math.ceil, v), 1, 1),
    "abs": Function(lambda v: abs(to_number(v)), 1, 1),
    "pow": Function(lambda a, b: math.pow(to_number(a), to_number(b)), 2, 2),
    "concat": Function(lambda *values: "".join(to_text(v) for v in values), 0, None),
    "string-length": Function(lambda v: float(len(to_text(v))), 1, 1),
    "contains": Function(lambda a, b: to_text(b) in to_text(a), 2, 2),
    "starts-with": Function(lambda a, b: to_text(a).startswith(to_text(b)), 2, 2),
    "regex": Function(_regex, 2, 2),
    "today": Function(_today, 0, 0),
    "now": Function(_now, 0, 0),
    "date": Function(lambda v: iso_date(date_time_of(v)), 1, 1),
    "date-time": Function(lambda v: iso_date_time(date_time_of(v)), 1, 1),
    "decimal-date-time": Function(lambda v: days_since_epoch(date_time_of(v)), 1, 1),
    "format-date": Function(lambda v, f: format_date(date_time_of(v), to_text(f)), 2, 2),
    "format-date-time": Function(lambda v, f: format_date(date_time_of(v), to_text(f)), 2, 2),
    "once": Function(_once, 1, 1, lazy=True),
    "pulldata": Function(_pulldata, 4, 4, lazy=True),
    "uuid": Function(_uuid, 0, 1),
    "random": Function(random.random, 0, 0),
    "substr": Function(_substr, 2, 3),
    "substring-before": Function(_before, 2, 2),
    "substring-after": Function(_after, 2, 2),
    "ends-with": Function(lambda a, b: to_text(a).endswith(to_text(b)), 2, 2),
    "normalize-space": Function(lambda v: " ".join(to_text(v).split()), 1, 1),
    "translate": Function(_translate, 3, 3),
    "selected-at": Function(_selected_at, 2, 2),
    "boolean-from-string": Function(lambda v: to_text(v) in ("true", "1"), 1, 1),
    "sqrt": Function(_math(math.sqrt), 1, 1),
    "exp": Function(_math(math.exp), 1, 1),
    "exp10": Function(_math(lambda x: 10**x), 1, 1),
    "log": Function(_math(math.log), 1, 1),
    "log10": Function(_math(math.log10), 1, 1),
    "sin": Function(_math(math.sin), 1, 1),
    "cos": Function(_math(math.cos), 1, 1),
    "tan": Function(_math(math.tan), 1, 1),
    "asin": Function(_math(math.asin), 1, 1),
    "acos": Function(_math(math.acos), 1, 1),
    "atan": Function(_math(math.atan), 1, 1),
    "atan2": Function(_math(math.atan2), 2, 2),
    "pi": Function(lambda: math.pi, 0, 0),
    # Scoring formulas: absent scores are left out, as the row's missing rule declares.
    "mean": Function(_mean, 1, None),
    "weighted-mean": Function(_weighted_mean, 2, None),
    "max": Function(_extreme(max), 1, None),
    "min": Function(_extreme(min), 1, None),
    "sum": Function(lambda *values: sum(_numbers(values)), 1, None),
}

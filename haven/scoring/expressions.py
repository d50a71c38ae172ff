"""XLSForm expressions: the part of XPath that forms use in relevant, constraint, calculation,
choice_filter and Haven's scoring formulas.

    ${age} >= 18 and selected(${needs}, 'shelter')
    ${threat} * ${vulnerability} div ${capacity}
    mean(economic, social, psychosocial)

`parse` reads an expression once (at upload, so a form with an expression Haven cannot
evaluate is refused then, not when a caseworker fills it) and gives an `Expression` that
evaluates against answers. Values follow XPath: an unanswered question is the empty string,
arithmetic on it gives NaN, and a comparison involving NaN is false.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date

__all__ = ["Expression", "ExpressionError", "parse", "to_boolean", "to_number", "to_text"]


class ExpressionError(ValueError):
    """An expression that cannot be read or uses what Haven cannot evaluate."""


# --- values -------------------------------------------------------------------------------


def to_number(value) -> float:
    if isinstance(value, bool):
        return 1.0 if value else 0.0
    if isinstance(value, int | float):
        return float(value)
    if value is None:
        return math.nan
    if isinstance(value, list | tuple):
        return math.nan
    try:
        return float(str(value).strip())
    except ValueError:
        return math.nan


def to_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        if math.isnan(value):
            return "NaN"
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, list | tuple):
        return " ".join(to_text(item) for item in value)
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def to_boolean(value) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        return not (value == 0 or (isinstance(value, float) and math.isnan(value)))
    if isinstance(value, list | tuple):
        return bool(value)
    return to_text(value) != ""


def _is_blank(value) -> bool:
    return value is None or value == "" or value == [] or value == ()


# --- tokens -------------------------------------------------------------------------------

_TOKEN = re.compile(
    r"""
    (?P<space>\s+)
  | (?P<ref>\$\{\s*(?P<refname>[A-Za-z_][\w.\-]*)\s*\})
  | (?P<number>\d+(?:\.\d*)?|\.\d+)
  | (?P<string>'[^']*'|"[^"]*")
  | (?P<op><=|>=|!=|=|<|>|\+|-|\*|\(|\)|,)
  | (?P<name>[A-Za-z_][\w\-:]*(?<!-))
  | (?P<dot>\.)
    """,
    re.VERBOSE,
)

_WORD_OPERATORS = {"and", "or", "div", "mod"}


@dataclass(frozen=True)
class _Token:
    kind: str
    text: str
    position: int


def _tokens(text: str) -> list[_Token]:
    out, position = [], 0
    while position < len(text):
        match = _TOKEN.match(text, position)
        if match is None:
            raise ExpressionError(f"unexpected character {text[position]!r} at {position + 1}")
        kind = match.lastgroup
        if kind == "refname":
            kind = "ref"
        if kind == "ref":
            out.append(_Token("ref", match.group("refname"), position))
        elif kind == "name" and match.group() in _WORD_OPERATORS:
            out.append(_Token("op", match.group(), position))
        elif kind != "space":
            out.append(_Token(kind, match.group(), position))
        position = match.end()
    out.append(_Token("end", "", len(text)))
    return out


# --- syntax tree ------------------------------------------------------------------------


@dataclass(frozen=True)
class _Node:
    def evaluate(self, env: _Env):
        raise NotImplementedError


@dataclass(frozen=True)
class _Literal(_Node):
    value: object

    def evaluate(self, env):
        return self.value


@dataclass(frozen=True)
class _Ref(_Node):
    name: str

    def evaluate(self, env):
        return env.field(self.name)


@dataclass(frozen=True)
class _Name(_Node):
    """A bare name: in scoring formulas, another score of the same form."""

    name: str

    def evaluate(self, env):
        return env.score(self.name)


@dataclass(frozen=True)
class _Current(_Node):
    def evaluate(self, env):
        return env.current


@dataclass(frozen=True)
class _Negate(_Node):
    operand: _Node

    def evaluate(self, env):
        return -to_number(self.operand.evaluate(env))


@dataclass(frozen=True)
class _Binary(_Node):
    operator: str
    left: _Node
    right: _Node

    def evaluate(self, env):
        if self.operator == "and":
            return to_boolean(self.left.evaluate(env)) and to_boolean(self.right.evaluate(env))
        if self.operator == "or":
            return to_boolean(self.left.evaluate(env)) or to_boolean(self.right.evaluate(env))
        left, right = self.left.evaluate(env), self.right.evaluate(env)
        if self.operator in _ARITHMETIC:
            return _ARITHMETIC[self.operator](to_number(left), to_number(right))
        return _compare(self.operator, left, right)


@dataclass(frozen=True)
class _Call(_Node):
    function: str
    arguments: tuple[_Node, ...]

    def evaluate(self, env):
        spec = _FUNCTIONS[self.function]
        if spec.lazy:
            return spec.apply(env, *self.arguments)
        return spec.apply(*(argument.evaluate(env) for argument in self.arguments))


def _divide(a: float, b: float) -> float:
    if b == 0:
        if a == 0 or math.isnan(a):
            return math.nan
        return math.inf if a > 0 else -math.inf
    return a / b


def _modulo(a: float, b: float) -> float:
    if b == 0 or math.isnan(a) or math.isnan(b):
        return math.nan
    return math.fmod(a, b)


_ARITHMETIC: dict[str, Callable[[float, float], float]] = {
    "+": lambda a, b: a + b,
    "-": lambda a, b: a - b,
    "*": lambda a, b: a * b,
    "div": _divide,
    "mod": _modulo,
}


def _compare(operator: str, left, right) -> bool:
    if operator in ("=", "!="):
        if isinstance(left, bool) or isinstance(right, bool):
            equal = to_boolean(left) == to_boolean(right)
        elif isinstance(left, int | float) or isinstance(right, int | float):
            equal = to_number(left) == to_number(right)
        else:
            equal = to_text(left) == to_text(right)
        return equal if operator == "=" else not equal
    a, b = to_number(left), to_number(right)
    if math.isnan(a) or math.isnan(b):
        # Dates compare as text in ISO form, as ODK compares them.
        if _looks_like_date(left) and _looks_like_date(right):
            a, b = to_text(left), to_text(right)
        else:
            return False
    return {"<": a < b, "<=": a <= b, ">": a > b, ">=": a >= b}[operator]


def _looks_like_date(value) -> bool:
    return isinstance(value, date) or bool(re.fullmatch(r"\d{4}-\d{2}-\d{2}", to_text(value)))


# --- functions ----------------------------------------------------------------------------


@dataclass(frozen=True)
class _Function:
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
    return b if _is_blank(a) else a


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
        if value is None or _is_blank(value):
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
        if value is None or _is_blank(value):
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


_FUNCTIONS: dict[str, _Function] = {
    "selected": _Function(_selected, 2, 2),
    "count-selected": _Function(_count_selected, 1, 1),
    "if": _Function(_if, 3, 3, lazy=True),
    "coalesce": _Function(_coalesce, 2, 2),
    "not": _Function(lambda value: not to_boolean(value), 1, 1),
    "true": _Function(lambda: True, 0, 0),
    "false": _Function(lambda: False, 0, 0),
    "boolean": _Function(to_boolean, 1, 1),
    "number": _Function(to_number, 1, 1),
    "string": _Function(to_text, 1, 1),
    "int": _Function(_int, 1, 1),
    "round": _Function(_round, 1, 2),
    "floor": _Function(lambda v: _whole(math.floor, v), 1, 1),
    "ceiling": _Function(lambda v: _whole(math.ceil, v), 1, 1),
    "abs": _Function(lambda v: abs(to_number(v)), 1, 1),
    "pow": _Function(lambda a, b: math.pow(to_number(a), to_number(b)), 2, 2),
    "concat": _Function(lambda *values: "".join(to_text(v) for v in values), 0, None),
    "string-length": _Function(lambda v: float(len(to_text(v))), 1, 1),
    "contains": _Function(lambda a, b: to_text(b) in to_text(a), 2, 2),
    "starts-with": _Function(lambda a, b: to_text(a).startswith(to_text(b)), 2, 2),
    "regex": _Function(_regex, 2, 2),
    "today": _Function(_today, 0, 0),
    # Scoring formulas: absent scores are left out, as the row's missing rule declares.
    "mean": _Function(_mean, 1, None),
    "weighted-mean": _Function(_weighted_mean, 2, None),
    "max": _Function(_extreme(max), 1, None),
    "min": _Function(_extreme(min), 1, None),
    "sum": _Function(lambda *values: sum(_numbers(values)), 1, None),
}

FUNCTION_NAMES = frozenset(_FUNCTIONS)


# --- parser -------------------------------------------------------------------------------

# Binding power of the binary operators, loosest first (XPath 1.0 precedence).
_PRECEDENCE = {
    "or": 1,
    "and": 2,
    "=": 3,
    "!=": 3,
    "<": 4,
    "<=": 4,
    ">": 4,
    ">=": 4,
    "+": 5,
    "-": 5,
    "*": 6,
    "div": 6,
    "mod": 6,
}


class _Parser:
    def __init__(self, text: str):
        self.text = text
        self.tokens = _tokens(text)
        self.index = 0

    def peek(self) -> _Token:
        return self.tokens[self.index]

    def take(self) -> _Token:
        token = self.tokens[self.index]
        self.index += 1
        return token

    def expect(self, text: str) -> None:
        token = self.take()
        if token.text != text:
            found = token.text or "the end"
            raise ExpressionError(f"expected {text!r} at {token.position + 1}, found {found!r}")

    def parse(self) -> _Node:
        if self.peek().kind == "end":
            raise ExpressionError("the expression is empty")
        node = self.binary(0)
        token = self.peek()
        if token.kind != "end":
            raise ExpressionError(f"unexpected {token.text!r} at {token.position + 1}")
        return node

    def binary(self, floor: int) -> _Node:
        left = self.unary()
        while True:
            token = self.peek()
            power = _PRECEDENCE.get(token.text) if token.kind == "op" else None
            if power is None or power <= floor:
                return left
            self.take()
            left = _Binary(token.text, left, self.binary(power))

    def unary(self) -> _Node:
        token = self.peek()
        if token.kind == "op" and token.text == "-":
            self.take()
            return _Negate(self.unary())
        return self.primary()

    def primary(self) -> _Node:
        token = self.take()
        if token.kind == "number":
            return _Literal(float(token.text))
        if token.kind == "string":
            return _Literal(token.text[1:-1])
        if token.kind == "ref":
            return _Ref(token.text)
        if token.kind == "dot":
            return _Current()
        if token.kind == "op" and token.text == "(":
            node = self.binary(0)
            self.expect(")")
            return node
        if token.kind == "name":
            if self.peek().text == "(":
                return self.call(token)
            return _Name(token.text)
        found = token.text or "the end"
        raise ExpressionError(f"unexpected {found!r} at {token.position + 1}")

    def call(self, name: _Token) -> _Node:
        function = name.text.removeprefix("jr:")
        if function not in _FUNCTIONS:
            raise ExpressionError(f"the function {name.text}() is not supported by Haven")
        self.expect("(")
        arguments: list[_Node] = []
        if self.peek().text != ")":
            arguments.append(self.binary(0))
            while self.peek().text == ",":
                self.take()
                arguments.append(self.binary(0))
        self.expect(")")
        spec = _FUNCTIONS[function]
        if len(arguments) < spec.minimum or (
            spec.maximum is not None and len(arguments) > spec.maximum
        ):
            wanted = (
                str(spec.minimum)
                if spec.maximum == spec.minimum
                else f"{spec.minimum} or more"
                if spec.maximum is None
                else f"{spec.minimum} to {spec.maximum}"
            )
            raise ExpressionError(
                f"{function}() takes {wanted} argument(s), {len(arguments)} given"
            )
        return _Call(function, tuple(arguments))


# --- public -------------------------------------------------------------------------------


@dataclass
class _Env:
    fields: Callable[[str], object]
    scores: Mapping[str, float | None]
    current: object = None

    def field(self, name: str):
        return self.fields(name)

    def score(self, name: str):
        return self.scores.get(name)


def _walk(node: _Node):
    yield node
    if isinstance(node, _Negate):
        yield from _walk(node.operand)
    elif isinstance(node, _Binary):
        yield from _walk(node.left)
        yield from _walk(node.right)
    elif isinstance(node, _Call):
        for argument in node.arguments:
            yield from _walk(argument)


@dataclass(frozen=True)
class Expression:
    text: str
    root: _Node = field(repr=False)

    @property
    def references(self) -> frozenset[str]:
        """The questions named with ${…}."""
        return frozenset(n.name for n in _walk(self.root) if isinstance(n, _Ref))

    @property
    def names(self) -> frozenset[str]:
        """The bare names (other scores, in scoring formulas)."""
        return frozenset(n.name for n in _walk(self.root) if isinstance(n, _Name))

    @property
    def uses_current(self) -> bool:
        return any(isinstance(n, _Current) for n in _walk(self.root))

    def evaluate(self, fields: Callable[[str], object] | Mapping, *, scores=None, current=None):
        lookup = fields.get if isinstance(fields, Mapping) else fields
        return self.root.evaluate(_Env(lambda name: _blank(lookup(name)), scores or {}, current))

    def holds(self, fields, *, current=None) -> bool:
        return to_boolean(self.evaluate(fields, current=current))


def _blank(value):
    return "" if value is None else value


def parse(text: str) -> Expression:
    """Read an expression; ExpressionError says what is wrong and where."""
    return Expression(text, _Parser(str(text)).parse())

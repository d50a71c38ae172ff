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

from haven.scoring.xpath_functions import FUNCTIONS
from haven.scoring.xpath_values import to_boolean, to_number, to_text

__all__ = ["Expression", "ExpressionError", "parse"]


class ExpressionError(ValueError):
    """An expression that cannot be read or uses what Haven cannot evaluate."""


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
        kind = match.lastgroup or ""
        if kind == "refname":
            kind = "ref"
        if kind == "ref":
            out.append(_Token("ref", match["refname"] or "", position))
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
        spec = FUNCTIONS[self.function]
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
    if not (math.isnan(a) or math.isnan(b)):
        return _ordered(operator, a, b)
    # Dates compare as text in ISO form, as ODK compares them.
    if _looks_like_date(left) and _looks_like_date(right):
        return _ordered(operator, to_text(left), to_text(right))
    return False


def _ordered(operator: str, a: float | str, b: float | str) -> bool:
    return {"<": a < b, "<=": a <= b, ">": a > b, ">=": a >= b}[operator]  # type: ignore[operator]


def _looks_like_date(value) -> bool:
    return isinstance(value, date) or bool(re.fullmatch(r"\d{4}-\d{2}-\d{2}", to_text(value)))


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
        if function not in FUNCTIONS:
            raise ExpressionError(f"the function {name.text}() is not supported by Haven")
        self.expect("(")
        arguments: list[_Node] = []
        if self.peek().text != ")":
            arguments.append(self.binary(0))
            while self.peek().text == ",":
                self.take()
                arguments.append(self.binary(0))
        self.expect(")")
        spec = FUNCTIONS[function]
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
    # The CSV files beside the form that pulldata() reads, by name (without `.csv`).
    tables: Mapping[str, list] = field(default_factory=dict)

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

    def evaluate(
        self,
        fields: Callable[[str], object] | Mapping,
        *,
        scores=None,
        current=None,
        tables: Mapping[str, list] | None = None,
    ):
        lookup = fields.get if isinstance(fields, Mapping) else fields
        env = _Env(lambda name: _blank(lookup(name)), scores or {}, current, tables or {})
        return self.root.evaluate(env)

    def holds(self, fields, *, current=None, tables: Mapping[str, list] | None = None) -> bool:
        return to_boolean(self.evaluate(fields, current=current, tables=tables))


def _blank(value):
    return "" if value is None else value


def parse(text: str) -> Expression:
    """Read an expression; ExpressionError says what is wrong and where."""
    return Expression(text, _Parser(str(text)).parse())

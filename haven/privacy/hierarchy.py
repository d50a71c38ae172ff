"""Generalisation hierarchies: for each value of an attribute, what it becomes at each level.

Level 0 is the value itself; each next level is coarser (an age becomes a band, a town its
region); the last level is usually one value for everything ("*"). A hierarchy is a tree:
two values that meet at one level stay together at every level above it.

Missing values follow one rule: a missing value (None, "", NaN) is a value of its own,
"(missing)", at every level below the top, and joins the top value at the top level; a
hierarchy need not list it.
"""

import csv
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

import numpy as np

MISSING = "(missing)"
TOP = "*"
# CTDC's age bands (Counter-Trafficking Data Collaborative), as released.
CTDC_AGE_BANDS = (0, 9, 18, 21, 24, 27, 30, 39, 48)


class HierarchyError(ValueError):
    """A hierarchy that cannot be used, or data it does not cover; says what to fix."""


def is_missing(value: object) -> bool:
    if value is None:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    return isinstance(value, str) and not value.strip()


@dataclass
class Hierarchy:
    """`rows[i]` is one value and its generalisations: [value, level 1, …, top]."""

    name: str
    rows: list[list[str]]
    # Filled by _index(): per level, each leaf's code and how many codes the level has.
    codes: list[np.ndarray] = field(init=False, repr=False)
    sizes: list[int] = field(init=False, repr=False)
    labels: list[list[str]] = field(init=False, repr=False)
    leaf_of: dict[str, int] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self.rows = [[str(v) for v in row] for row in self.rows]
        if not self.rows:
            raise HierarchyError(f"{self.name}: the hierarchy is empty.")
        width = len(self.rows[0])
        if any(len(row) != width for row in self.rows):
            raise HierarchyError(f"{self.name}: every row needs the same number of levels.")
        self._index()

    def _index(self) -> None:
        self.leaf_of = {}
        for i, row in enumerate(self.rows):
            if row[0] in self.leaf_of:
                raise HierarchyError(f"{self.name}: the value {row[0]!r} is listed twice.")
            self.leaf_of[row[0]] = i
        self.codes, self.sizes, self.labels = [], [], []
        # Codes are numbered along the tree (values sorted by their path from the top), so
        # that every level's code order agrees with the level above: generalising keeps
        # sorted rows in sorted runs, which the search sorts fast.
        along = sorted(range(len(self.rows)), key=lambda i: self.rows[i][::-1])
        for level in range(self.levels):
            seen: dict[str, int] = {}
            codes = np.zeros(len(self.rows), dtype=np.int64)
            for i in along:
                codes[i] = seen.setdefault(self.rows[i][level], len(seen))
            self.codes.append(codes)
            self.sizes.append(len(seen))
            self.labels.append(list(seen))
        for level in range(1, self.levels):
            # A tree: a group at one level never splits at the next.
            parent: dict[int, int] = {}
            for low, high in zip(self.codes[level - 1], self.codes[level], strict=True):
                if parent.setdefault(int(low), int(high)) != int(high):
                    value = self.labels[level - 1][int(low)]
                    raise HierarchyError(
                        f"{self.name}: {value!r} at level {level - 1} generalises to two "
                        f"different values at level {level}."
                    )

    @property
    def levels(self) -> int:
        return len(self.rows[0])

    @property
    def leaves(self) -> int:
        return len(self.rows)

    def with_missing(self) -> "Hierarchy":
        """This hierarchy with the missing value added (see the module's rule)."""
        if MISSING in self.leaf_of:
            return self
        top = self.rows[0][-1] if len({row[-1] for row in self.rows}) == 1 else MISSING
        row = [MISSING] * (self.levels - 1) + [top] if self.levels > 1 else [MISSING]
        return Hierarchy(self.name, [*self.rows, row])

    def encode(self, values: Sequence) -> np.ndarray:
        """Each value's leaf number; values the hierarchy does not cover are an error
        that names them. Each distinct value is looked up once, then every value through a
        dict in C (a million values in a fraction of a second)."""
        leaf_of: dict = dict.fromkeys(values)
        unknown: list[str] = []
        for value in leaf_of:
            text = MISSING if is_missing(value) else _text(value)
            found = self.leaf_of.get(text, -1)
            if found < 0 and text not in unknown:
                unknown.append(text)
            leaf_of[value] = found
        codes = np.fromiter(map(leaf_of.__getitem__, values), dtype=np.int64, count=len(values))
        if unknown:
            shown = ", ".join(repr(v) for v in unknown[:5])
            more = f" and {len(unknown) - 5} more" if len(unknown) > 5 else ""
            raise HierarchyError(
                f"{self.name}: the hierarchy does not cover {shown}{more}. Add them to it, "
                "or choose a hierarchy built from the data."
            )
        return codes

    def map(self, low: int, high: int) -> np.ndarray:
        """Codes at level `low` → codes at level `high` (low ≤ high)."""
        out = np.zeros(self.sizes[low], dtype=np.int64)
        out[self.codes[low]] = self.codes[high]
        return out

    def cell_loss(self, level: int) -> np.ndarray:
        """Generalised information loss of one value at `level`, per code: (leaves under
        it − 1) / (leaves of the domain − 1)."""
        under = np.bincount(self.codes[level], minlength=self.sizes[level])
        return (under - 1) / max(self.leaves - 1, 1)


def _text(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


# ---- reading and building hierarchies ---------------------------------------------------


def read_csv(path: str | Path, name: str | None = None, delimiter: str = ";") -> Hierarchy:
    """A hierarchy as ARX and most tools write it: no header, column i = level i."""
    path = Path(path)
    with path.open(newline="", encoding="utf-8") as handle:
        rows = [row for row in csv.reader(handle, delimiter=delimiter) if row]
    return Hierarchy(name or path.stem, rows)


def age_bands(
    name: str, values: Iterable, edges: Sequence[int], *, wider: Sequence[Sequence[int]] = ()
) -> Hierarchy:
    """Ages → bands starting at `edges` (the last band is open: "48+"), then optionally
    wider band sets, then "*". Values that are not whole numbers are an error."""
    edges = sorted(set(int(e) for e in edges))
    ages = sorted({_age(name, v) for v in values if not is_missing(v)})
    rows = []
    for age in ages:
        row = [str(age), _band(age, edges)]
        row += [_band(age, sorted(set(int(e) for e in band))) for band in wider]
        rows.append([*row, TOP])
    if not rows:
        raise HierarchyError(f"{name}: there are no ages to build bands from.")
    return Hierarchy(name, rows)


def ctdc_age_bands(name: str, values: Iterable) -> Hierarchy:
    """CTDC's bands (0–8, 9–17, 18–20, 21–23, 24–26, 27–29, 30–38, 39–47, 48+), then
    minors and adults, then "*"."""
    return age_bands(name, values, CTDC_AGE_BANDS, wider=[(0, 18)])


def _age(name: str, value: Any) -> int:
    try:
        age = float(value)
    except (TypeError, ValueError):
        raise HierarchyError(f"{name}: {value!r} is not an age.") from None
    if not age.is_integer() or age < 0 or age > 130:
        raise HierarchyError(f"{name}: {value!r} is not an age in whole years (0 to 130).")
    return int(age)


def _band(age: int, edges: Sequence[int]) -> str:
    start = max((e for e in edges if e <= age), default=None)
    if start is None:
        return f"<{edges[0]}"
    later = [e for e in edges if e > start]
    return f"{start}–{later[0] - 1}" if later else f"{start}+"


def dates(name: str, values: Iterable) -> Hierarchy:
    """Dates (date objects or 'YYYY-MM-DD') → month → year → "*"."""
    rows = {}
    for value in values:
        if is_missing(value):
            continue
        day = _date(name, value)
        rows[day.isoformat()] = [day.isoformat(), day.strftime("%Y-%m"), str(day.year), TOP]
    if not rows:
        raise HierarchyError(f"{name}: there are no dates to build a hierarchy from.")
    return Hierarchy(name, [rows[key] for key in sorted(rows)])


def _date(name: str, value: Any) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise HierarchyError(f"{name}: {value!r} is not a date (YYYY-MM-DD).") from None


def tree(name: str, parent_of: Mapping[str, str | None], values: Iterable) -> Hierarchy:
    """Places up a location tree (or countries to regions): each value, its parent, its
    parent's parent… up to the root, then "*". Values deeper in the tree than others are
    padded at their own level, so that every row has the same number of levels."""
    chains = {}
    for value in {_text(v) for v in values if not is_missing(v)}:
        chain, seen = [value], {value}
        while (parent := parent_of.get(chain[-1])) is not None:
            if parent in seen:
                raise HierarchyError(f"{name}: the tree loops at {parent!r}.")
            chain.append(parent)
            seen.add(parent)
        if value not in parent_of:
            raise HierarchyError(f"{name}: {value!r} is not in the tree.")
        chains[value] = chain
    if not chains:
        raise HierarchyError(f"{name}: there are no values to build a hierarchy from.")
    depth = max(len(chain) for chain in chains.values())
    rows = []
    for value in sorted(chains):
        chain = chains[value]
        # Pad at the leaf end: a shallow value stays itself for the extra levels.
        padded = [chain[0]] * (depth - len(chain)) + chain
        rows.append([*padded, TOP])
    return Hierarchy(name, rows)


def flat(name: str, values: Iterable) -> Hierarchy:
    """A value or nothing: level 0 the values, level 1 "*" (sex, yes/no flags)."""
    distinct = sorted({_text(v) for v in values if not is_missing(v)})
    if not distinct:
        raise HierarchyError(f"{name}: there are no values to build a hierarchy from.")
    return Hierarchy(name, [[v, TOP] for v in distinct])

"""Identity document numbers and contacts compared as keys: does the pair share one, or one
that differs by a single character (a digit mistyped, two swapped)?

Haven passes keyed hashes, never the numbers or phone numbers themselves, so a typo cannot
be measured on the values: each value comes as its own key followed by the keys of its
variants with one character left out (`identifier_keys`), and two values one typo apart
share a variant. Several values are separated by ';'. Sharing one is strong evidence, but
not certainty: a family booklet's number or a household's phone is shared by relatives.
Sharing none says little, since one person shows different papers or numbers over time.
"""

from collections.abc import Callable

import numpy as np

from haven.linkage.comparisons import Comparison
from haven.linkage.texts import VOCABULARY, as_text, memoised, object_array

LEVELS = ("shares one", "one character off", "shares none")
MADE = "\x1f"  # begins and separates the keys `identifier_keys` made (never typed)
MIN_LENGTH = 5  # shorter values are not told apart by a single character


def normalised_identifier(value: str) -> str:
    return "".join(ch for ch in value.casefold() if ch.isalnum())


def identifier_keys(value: str, digest: Callable[[str], str] = lambda text: text) -> str:
    """The value's key and its one-character-off keys as `Identifiers` reads them (each
    after `MADE`); `digest` makes each a keyed hash (the identity leaves values readable)."""
    text = normalised_identifier(value)
    if len(text) < 3:
        return ""
    keys = [digest(text)]
    if len(text) >= MIN_LENGTH - 1:
        # With one character left out, a substitution and a transposition meet; the value
        # itself among them meets the same value with a character added.
        variants = {text, *(text[:i] + text[i + 1 :] for i in range(len(text)))}
        keys += [digest(f"~{variant}") for variant in sorted(variants)]
    return "".join(MADE + key for key in keys)


def _parse(value) -> tuple[frozenset, frozenset]:
    """(exact keys, one-off keys) of a field: values separated by ';', each either as
    `identifier_keys` wrote it or plain (its keys made here, for data that is not hashed)."""
    items = value if isinstance(value, list | tuple) else as_text(value).split(";")
    exact: set[str] = set()
    near: set[str] = set()
    for item in items:
        text = as_text(item)
        made = text if text.startswith(MADE) else identifier_keys(text)
        parts = made.split(MADE)[1:]
        if parts:
            exact.add(parts[0])
            near.update(parts[1:])
    return frozenset(exact), frozenset(near)


class Identifiers(Comparison):
    """`shared_by_others`: the least share of pairs of different people that share one (a
    household's phone); `changes`: the least share of one person's records, both with
    values, that share none."""

    def __init__(self, field: str, shared_by_others: float, changes: float = 0.2):
        self.field = field
        self.outputs = (field,)
        self.level_labels = (LEVELS,)
        self.term_frequency = (False,)
        self.shared_by_others = shared_by_others
        self.changes = changes

    def prepare(self, columns):
        found = memoised(columns[self.field], _parse)
        return {
            "keys": object_array([exact for exact, _near in found]),
            "near": object_array([near for _exact, near in found]),
            "first": VOCABULARY.encode([min(exact) if exact else "" for exact, _near in found]),
        }

    def levels(self, a, b, left, right):
        ka, kb = a["keys"][left], b["keys"][right]
        na, nb = a["near"][left], b["near"][right]
        level = np.zeros(len(left), dtype=np.int8)
        for i in range(len(left)):
            if ka[i] and kb[i]:
                level[i] = 1 if ka[i] & kb[i] else 2 if na[i] & nb[i] else 3
        return level[:, None]

    def m_bounds(self, output):
        return {3: (self.changes, 1.0)}

    def u_bounds(self, output):
        # One character off: ten times as likely as sharing one between different people.
        return {1: (self.shared_by_others, 1.0), 2: (10 * self.shared_by_others, 1.0)}

    def default_m(self, output) -> np.ndarray:
        # Of one person's two records with values on both: about half share one, one in ten
        # has a typo in it.
        return np.array([1.0, 0.5, 0.1, 0.4])

    def default_u(self, output) -> np.ndarray:
        shared = self.shared_by_others
        return np.array([1.0, shared, 10 * shared, 1.0 - 11 * shared])

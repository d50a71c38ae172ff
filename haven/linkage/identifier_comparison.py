"""Identity document numbers and contacts compared as exact keys: does the pair share one?

The values arrive already reduced to keys (Haven passes keyed hashes, never the numbers or
phone numbers themselves); several are separated by ';'. Sharing one is strong evidence,
but not certainty: a family booklet's number or a household's phone is shared by relatives.
Sharing none says little, since one person shows different papers or numbers over time.
"""

import numpy as np

from haven.linkage.comparisons import VOCABULARY, Comparison, as_text, memoised, object_array

LEVELS = ("shares one", "shares none")


def _keys(value) -> frozenset:
    items = value if isinstance(value, list | tuple) else as_text(value).split(";")
    found = ("".join(ch for ch in as_text(item).casefold() if ch.isalnum()) for item in items)
    return frozenset(key for key in found if len(key) >= 3)


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
        found = memoised(columns[self.field], _keys)
        return {
            "keys": object_array(found),
            "first": VOCABULARY.encode([min(f) if f else "" for f in found]),
        }

    def levels(self, a, b, left, right):
        ka, kb = a["keys"][left], b["keys"][right]
        level = np.zeros(len(left), dtype=np.int8)
        for i, (x, y) in enumerate(zip(ka, kb, strict=True)):
            if x and y:
                level[i] = 1 if x & y else 2
        return level[:, None]

    def m_bounds(self, output):
        return {2: (self.changes, 1.0)}

    def u_bounds(self, output):
        return {1: (self.shared_by_others, 1.0)}

    def default_m(self, output) -> np.ndarray:
        # Of one person's two records with values on both, about half share one.
        return np.array([1.0, 0.5, 0.5])

    def default_u(self, output) -> np.ndarray:
        return np.array([1.0, self.shared_by_others, 1.0 - self.shared_by_others])

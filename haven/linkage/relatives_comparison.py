"""Names of parents, spouse, children or siblings: does one agree, and how common is it?

A father's name shared by a tenth of the records (Mohamed) says less than a rare one: an
agreeing name counts as common when more than `COMMON_SHARE` of the relatives' names in the
records compared are that name. Where a person's family name is their father's name (a
patronymic, as in Somali, Eritrean and many Arabic names), the same name recorded again
as a relative says nothing more: a relative's name equal to the record's own family name
is left out, so that the two do not count twice.
"""

from collections import Counter

import numpy as np

from haven.linkage.comparisons import Comparison
from haven.linkage.scripts import skeleton, token_skeletons
from haven.linkage.texts import VOCABULARY, as_text, memoised, object_array

LEVELS = (
    "a rare relative's name agrees",
    "a common relative's name agrees",
    "no relative's name agrees",
)
COMMON_SHARE = 0.01
COMMON_AT_LEAST = 3  # fewer records than that tell nothing of a name's commonness


def _names(value) -> frozenset:
    items = value if isinstance(value, list | tuple) else as_text(value).split(";")
    return frozenset(s for item in items if (s := skeleton(as_text(item))) and len(s) >= 2)


class Relatives(Comparison):
    """`family`: the column of the person's own family name, when the records have one."""

    def __init__(self, field: str, label: str | None = None, family: str | None = None):
        self.field = field
        self.family = family
        self.outputs = (label or field,)
        self.level_labels = (LEVELS,)
        self.term_frequency = (False,)

    def prepare(self, columns):
        found = memoised(columns[self.field], _names)
        if self.family is not None:
            own = memoised(columns[self.family], lambda v: frozenset(token_skeletons(as_text(v))))
            found = [names - family for names, family in zip(found, own, strict=True)]
        counts = Counter(name for names in found for name in names)
        floor = max(COMMON_AT_LEAST, COMMON_SHARE * sum(counts.values()))
        common = memoised(found, lambda names: frozenset(n for n in names if counts[n] >= floor))
        return {
            "names": object_array(found),
            "common": object_array(common),
            "first": VOCABULARY.encode([min(f) if f else "" for f in found]),
        }

    def levels(self, a, b, left, right):
        na, nb = a["names"][left], b["names"][right]
        ca, cb = a["common"][left], b["common"][right]
        level = np.zeros(len(left), dtype=np.int8)
        for i, (x, y) in enumerate(zip(na, nb, strict=True)):
            if x and y:
                shared = x & y
                level[i] = 3 if not shared else 1 if shared - ca[i] - cb[i] else 2
        return level[:, None]

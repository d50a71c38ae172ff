"""Blocking: which pairs are worth comparing, from several keys, with a cap on block size.

A rule is a tuple of features ("family.skeleton", "dob.yyyy"); two records are candidates
when they share every feature of at least one rule. A feature may be cut to its first
characters with "[:n]". Records with an empty feature are left out of that rule only, so a
record with little data still meets others through the rules it does have. A block bigger
than the cap is left out and counted: it would cost more than it finds.

A feature may hold several values per record (a set: the forms of a name, the keys of
several documents); a rule with such a feature puts a record in one block per value.

Records identical on every feature are always candidates, however many there are: after the
rules, each group of identical records is paired within itself, and a group bigger than the
cap has each record paired with the group's first (enough to make them one cluster).
"""

import re
from dataclasses import dataclass, field

import numpy as np

from haven.linkage import sorted_windows
from haven.linkage.texts import VOCABULARY

_PREFIX = re.compile(r"^(?P<name>[^\[]+)(?:\[:(?P<n>\d+)\])?$")


@dataclass
class BlockingReport:
    pairs_per_rule: dict[str, int] = field(default_factory=dict)
    skipped_blocks: dict[str, int] = field(default_factory=dict)
    candidate_pairs: int = 0
    # Of the candidates, those compared because matches joined them (see through_matches).
    through_matches: int = 0


def rule_name(rule: tuple[str, ...]) -> str:
    return " & ".join(rule)


def feature_values(features: dict[str, np.ndarray], spec: str) -> np.ndarray:
    match = _PREFIX.match(spec)
    if not match or match["name"] not in features:
        known = ", ".join(sorted(features))
        raise KeyError(f"Unknown blocking feature {spec!r}; known features: {known}")
    values = features[match["name"]]
    if match["n"]:
        n = int(match["n"])
        texts = VOCABULARY.decode(values) if values.dtype.kind == "i" else values
        values = VOCABULARY.encode([str(v)[:n] for v in texts])
    return values


def is_multi(values: np.ndarray) -> bool:
    """Whether the feature holds a set of values per record."""
    return values.dtype == object and any(isinstance(v, frozenset) for v in values[:1000])


def _texts(value) -> list[str]:
    """A record's values of one feature as texts: none, one, or one per member of a set."""
    if isinstance(value, frozenset):
        return sorted(map(str, value))
    if value == "" or value is None or value == 0:
        return []
    return [str(value)]


def _joined_texts(values: np.ndarray) -> list[str]:
    """Each record's values as one text; each distinct value is read once (names, sets of
    forms and keys repeat a lot)."""
    seen: dict = {}
    out = []
    for value in values:
        try:
            text = seen.get(value)
        except TypeError:  # an unhashable value
            text, value = None, None
        if text is None:
            text = "\x1f".join(_texts(value))
            if value is not None:
                seen[value] = text
        out.append(text)
    return out


def sort_values(features: dict[str, np.ndarray], spec: str) -> np.ndarray:
    """The feature's values in a form that sorts: texts ("" where empty) or numbers."""
    values = feature_values(features, spec)
    if values.dtype == np.int64:  # vocabulary codes
        return np.where(values == 0, "", VOCABULARY.decode(values)).astype(str)
    if values.dtype.kind in "iu":
        return values.astype(np.int64)
    return np.array(_joined_texts(values), dtype=str)


def rule_keys(
    features: dict[str, np.ndarray], rule: tuple[str, ...], rows: slice = slice(None)
) -> list[list[str]]:
    """The keys of the records (`rows`) for this rule: none where a feature is empty, one
    per combination of values where a feature holds several. Keys are made of texts, so
    they mean the same in every process."""
    parts = []
    for spec in rule:
        values = feature_values(features, spec)[rows]
        # int64 features are vocabulary codes (see texts.Vocabulary); others are numbers.
        if values.dtype == np.int64:
            values = np.where(values == 0, "", VOCABULARY.decode(values))
        parts.append(values)
    keys: list[list[str]] = []
    for row in zip(*parts, strict=True):
        combined = [""]
        for value in row:
            texts = _texts(value)
            combined = [f"{k}\x1f{t}" if k else t for k in combined for t in texts]
        keys.append(combined)
    return keys


class FeatureCodes:
    """Integer codes of features and of rules, computed once per feature and reused."""

    def __init__(self, features: dict[str, np.ndarray]):
        self.features = features
        self.n = len(next(iter(features.values()))) if features else 0
        self._cache: dict[str, np.ndarray] = {}

    def feature(self, spec: str) -> np.ndarray:
        if spec not in self._cache:
            values = feature_values(self.features, spec)
            if values.dtype.kind not in "iu":
                values = VOCABULARY.encode(_joined_texts(values))
            # Text codes and years alike: 0 means "no value".
            self._cache[spec] = np.where(values == 0, -1, values).astype(np.int64)
        return self._cache[spec]

    def identity(self, name: str) -> np.ndarray:
        """Codes that are equal where the feature's values are (for a feature of sets or
        tuples, without making texts of them)."""
        values = self.features[name]
        if values.dtype != object:
            return self.feature(name)
        seen: dict = {}
        try:
            return np.array([seen.setdefault(v, len(seen)) for v in values], dtype=np.int64)
        except TypeError:  # an unhashable value: compare texts
            return self.feature(name)

    def order(self, spec: str) -> np.ndarray:
        """Each record's rank in the order of the feature's values (texts alphabetically,
        numbers by size; an empty value first)."""
        _, rank = np.unique(sort_values(self.features, spec), return_inverse=True)
        return rank.astype(np.int64).ravel()

    def rows_and_blocks(self, rule: tuple[str, ...]) -> tuple[np.ndarray, np.ndarray]:
        """(record, block) rows of the rule: one per record, or one per record and key for
        a rule with a feature of several values."""
        if self.is_multi(rule):
            return self.exploded(rule)
        return np.arange(self.n, dtype=np.int64), self.rule(rule)

    def is_multi(self, rule: tuple[str, ...]) -> bool:
        return any(is_multi(feature_values(self.features, spec)) for spec in rule)

    def exploded(self, rule: tuple[str, ...]) -> tuple[np.ndarray, np.ndarray]:
        """(record, code) for a rule with a feature of several values: one row for each
        record and key it has."""
        several = [spec for spec in rule if is_multi(feature_values(self.features, spec))]
        if len(several) != 1:
            return self._exploded_by_text(rule)
        single = tuple(spec for spec in rule if spec != several[0])
        base = self.rule(single) if single else np.zeros(self.n, dtype=np.int64)
        cache: dict = {}
        parts = []
        for value in feature_values(self.features, several[0]):
            codes = cache.get(value)
            if codes is None:
                codes = cache[value] = VOCABULARY.encode(_texts(value))
            parts.append(codes)
        rows = np.repeat(np.arange(self.n), [len(p) for p in parts])
        values = np.concatenate(parts) if parts else np.zeros(0, np.int64)
        keep = base[rows] >= 0
        rows, combined = rows[keep], base[rows[keep]] * (int(values.max(initial=0)) + 1)
        combined += values[keep]
        _, dense = np.unique(combined, return_inverse=True)
        return rows.astype(np.int64), dense.astype(np.int64).ravel()

    def _exploded_by_text(self, rule: tuple[str, ...]) -> tuple[np.ndarray, np.ndarray]:
        keys = rule_keys(self.features, rule)
        rows = np.repeat(np.arange(len(keys)), [len(k) for k in keys])
        codes = VOCABULARY.encode([k for record in keys for k in record])
        if not len(codes):
            return rows.astype(np.int64), codes
        _, dense = np.unique(codes, return_inverse=True)
        return rows.astype(np.int64), dense.astype(np.int64).ravel()

    def rule(self, rule: tuple[str, ...]) -> np.ndarray:
        """One code per record for the rule; -1 where any of its features is empty."""
        codes = self.feature(rule[0]).copy()
        for spec in rule[1:]:
            more = self.feature(spec)
            missing = (codes < 0) | (more < 0)
            combined = codes * (int(more.max(initial=0)) + 1) + more
            combined[missing] = -1
            present = ~missing
            codes = np.full(len(codes), -1, dtype=np.int64)
            if present.any():
                _, codes[present] = np.unique(combined[present], return_inverse=True)
        return codes


def pairs_within_blocks(
    codes: np.ndarray, max_block: int, source: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray, int]:
    """All pairs (i < j) that share a code; blocks above max_block are skipped.

    With `source`, only pairs from different sources are kept (linking two lists).
    Returns left, right and how many blocks were skipped.
    """
    order = np.argsort(codes, kind="stable")
    sorted_codes = codes[order]
    keep = sorted_codes >= 0
    order, sorted_codes = order[keep], sorted_codes[keep]
    if not len(order):
        return np.zeros(0, np.int64), np.zeros(0, np.int64), 0
    starts = np.flatnonzero(np.r_[True, sorted_codes[1:] != sorted_codes[:-1]])
    sizes = np.diff(np.r_[starts, len(order)])
    skipped = int((sizes > max_block).sum())
    ok = (sizes >= 2) & (sizes <= max_block)
    if not ok.any():
        return np.zeros(0, np.int64), np.zeros(0, np.int64), skipped
    # For a position p inside a block ending at e, its partners are p+1 .. e-1.
    block_of = np.repeat(np.arange(len(starts)), sizes)
    positions = np.flatnonzero(ok[block_of])
    block_end = (starts + sizes)[block_of[positions]]
    counts = block_end - positions - 1
    total = int(counts.sum())
    left_pos = np.repeat(positions, counts)
    offsets = np.arange(total) - np.repeat(np.cumsum(counts) - counts, counts)
    right_pos = left_pos + 1 + offsets
    left, right = order[left_pos], order[right_pos]
    if source is not None:
        cross = source[left] != source[right]
        left, right = left[cross], right[cross]
    swap = left > right
    left[swap], right[swap] = right[swap], left[swap]
    return left.astype(np.int64), right.astype(np.int64), skipped


IDENTICAL = "identical records"

# A rule's orderings for its blocks above the cap, and how many neighbours each record meets.
Windows = dict[tuple[str, ...], tuple[tuple[tuple[str, ...], ...], int]]


def _window_name(rule: tuple[str, ...], by: tuple[str, ...]) -> str:
    return f"{rule_name(rule)}, large blocks along {', '.join(by)}"


def candidate_pairs(
    features: dict[str, np.ndarray],
    rules: list[tuple[str, ...]],
    max_block: int = 1000,
    source: np.ndarray | None = None,
    caps: dict[tuple[str, ...], int] | None = None,
    windows: Windows | None = None,
) -> tuple[np.ndarray, np.ndarray, BlockingReport]:
    """The union of the pairs every rule finds, each pair once. `caps` gives a rule a
    smaller block cap of its own (a rule on names alone serves only rare names); `windows`
    gives a rule the orders its blocks above the cap are compared along (see
    `sorted_windows`), and how far.

    A pair that an earlier rule already found is dropped when a later rule finds it again,
    so no global de-duplication of (possibly tens of millions of) pairs is needed.
    """
    report = BlockingReport()
    codes = FeatureCodes(features)
    earlier: list[np.ndarray] = []
    lefts, rights = [], []
    several = [rule for rule in rules if codes.is_multi(rule)]

    def cap_of(rule: tuple[str, ...]) -> int:
        return min(max_block, (caps or {}).get(rule, max_block))

    windowed = [(rule, by) for rule, (orders, _) in (windows or {}).items() for by in orders]
    for rule in rules:
        if rule in several:
            continue
        cap = cap_of(rule)
        rule_codes = codes.rule(rule)
        left, right, skipped = pairs_within_blocks(rule_codes, cap, source)
        keep = _not_found_before(left, right, earlier)
        lefts.append(left[keep].astype(np.int32))
        rights.append(right[keep].astype(np.int32))
        report.pairs_per_rule[rule_name(rule)] = int(keep.sum())
        report.skipped_blocks[rule_name(rule)] = skipped
        earlier.append(_usable(rule_codes, cap))
    # Rules on a feature of several values come last: a record sits in several of their
    # blocks, so they cannot tell later rules what they found; their pairs (and the
    # identical records') are made unique together, each credited to the first that found it.
    found, found_by = [], []
    names = [*map(rule_name, several), IDENTICAL, *(_window_name(*w) for w in windowed)]
    for number, name in enumerate(names):
        if name == IDENTICAL:
            left, right = _identical(codes, rules, max_block, source)
        elif number > len(several):
            rule, by = windowed[number - len(several) - 1]
            cap = cap_of(rule)
            rows, blocks = codes.rows_and_blocks(rule)
            order = [codes.order(spec) for spec in by]
            window = (windows or {})[rule][1]
            left, right = sorted_windows.window_pairs(rows, blocks, order, cap, window, source)
        else:
            rule = several[number]
            cap = cap_of(rule)
            left, right, skipped = _pairs_of_several(codes, rule, cap, source)
            report.skipped_blocks[name] = skipped
        keep = _not_found_before(left, right, earlier)
        found.append(left[keep].astype(np.int64) * codes.n + right[keep])
        found_by.append(np.full(int(keep.sum()), number, dtype=np.int16))
    pair_codes, first = np.unique(np.concatenate(found), return_index=True)
    credited = np.bincount(np.concatenate(found_by)[first], minlength=len(names))
    for number, name in enumerate(names):
        report.pairs_per_rule[name] = int(credited[number])
    lefts.append((pair_codes // max(codes.n, 1)).astype(np.int32))
    rights.append((pair_codes % max(codes.n, 1)).astype(np.int32))
    left = np.concatenate(lefts) if lefts else np.zeros(0, np.int32)
    right = np.concatenate(rights) if rights else np.zeros(0, np.int32)
    report.candidate_pairs = len(left)
    return left.astype(np.int64), right.astype(np.int64), report


def _pairs_of_several(
    codes: FeatureCodes, rule: tuple[str, ...], cap: int, source: np.ndarray | None
) -> tuple[np.ndarray, np.ndarray, int]:
    rows, keys = codes.exploded(rule)
    left, right, skipped = pairs_within_blocks(keys, cap, None if source is None else source[rows])
    left, right = rows[left], rows[right]
    keep = left != right
    left, right = np.minimum(left[keep], right[keep]), np.maximum(left[keep], right[keep])
    return left, right, skipped


def _not_found_before(left: np.ndarray, right: np.ndarray, earlier: list[np.ndarray]) -> np.ndarray:
    """Which pairs no earlier rule found (the two records shared none of its blocks)."""
    keep = np.ones(len(left), dtype=bool)
    for seen in earlier:
        at_left = seen[left]
        keep &= ~((at_left >= 0) & (at_left == seen[right]))
    return keep


def _identical(
    codes: FeatureCodes, rules: list[tuple[str, ...]], max_block: int, source: np.ndarray | None
) -> tuple[np.ndarray, np.ndarray]:
    """Pairs of records identical on every feature (an empty feature counting as a value),
    leaving out records empty on every feature the rules block on (nothing identifies them):
    all pairs of a group up to the cap, and beyond it each record with the group's first."""
    names = sorted(codes.features)
    keyed = {spec for rule in rules for spec in rule}
    if not names or not keyed:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    group = np.zeros(len(codes.feature(names[0])), dtype=np.int64)
    empty = np.ones(len(group), dtype=bool)
    for spec in keyed:
        empty &= codes.feature(spec) < 0
    for name in names:
        values = codes.feature(name) if name in keyed else codes.identity(name)
        group = group * (int(values.max(initial=0)) + 2) + values + 1
        _, group = np.unique(group, return_inverse=True)
        group = group.astype(np.int64).ravel()
    group[empty] = -1
    left, right, _ = pairs_within_blocks(group, max_block, source)
    present = group >= 0
    sizes = np.bincount(group[present]) if present.any() else np.zeros(0, np.int64)
    big = np.flatnonzero(sizes > max_block)
    if len(big):
        members = np.flatnonzero(np.isin(group, big))
        order = members[np.argsort(group[members], kind="stable")]  # by group, then record
        sorted_groups = group[order]
        starts = np.flatnonzero(np.r_[True, sorted_groups[1:] != sorted_groups[:-1]])
        heads = np.repeat(order[starts], np.diff(np.r_[starts, len(order)]))
        others = order != heads
        star_left, star_right = heads[others], order[others]
        if source is not None:
            cross = source[star_left] != source[star_right]
            star_left, star_right = star_left[cross], star_right[cross]
        low, high = np.minimum(star_left, star_right), np.maximum(star_left, star_right)
        left, right = np.r_[left, low], np.r_[right, high]
    return left.astype(np.int64), right.astype(np.int64)


def _usable(codes: np.ndarray, max_block: int) -> np.ndarray:
    """The codes whose blocks produced pairs (a skipped block found nothing)."""
    usable = codes.copy()
    present = codes >= 0
    sizes = np.bincount(codes[present]) if present.any() else np.zeros(0, np.int64)
    big = np.zeros(len(codes), dtype=bool)
    big[present] = sizes[codes[present]] > max_block
    usable[big] = -1
    return usable

"""An index of known records for matching one new record at a time (at registration).

The records are prepared once and grouped by every blocking key; a query prepares the new
record, looks its keys up, compares it with the candidates found and scores them with a
trained model. Records added later go to a small second part that is merged into the main
one when it grows, so adding stays cheap and a query still sees everything.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from haven.linkage.blocking import rule_keys, rule_name, sort_values
from haven.linkage.linker import Settings
from haven.linkage.model import Dataset, Model, comparison_vectors
from haven.linkage.sorted_windows import LookupWindow

MERGE_AT = 5_000


@dataclass
class Candidate:
    row: int
    probability: float
    score: float
    vector: np.ndarray
    explanation: dict


@dataclass
class Lookup:
    candidates: list[Candidate]
    compared: int
    # Rules the record could not use (a field missing) or whose block was too big to read.
    unused_rules: list[str] = field(default_factory=list)


class _Part:
    def __init__(self, columns: Mapping[str, Sequence], settings: Settings, offset: int):
        self.columns = {k: list(v) for k, v in columns.items()}
        self.data = Dataset(self.columns, settings.comparisons)
        self.offset = offset
        self.blocks: list[dict[str, np.ndarray]] = []
        # Per rule, its large blocks along each of its orders (see sorted_windows).
        self.windows: list[list[LookupWindow]] = []
        for rule in settings.blocking:
            keys = rule_keys(self.data.features, rule)
            # A record with several keys for the rule sits in several blocks.
            rows = np.repeat(np.arange(len(keys)), [len(k) for k in keys])
            flat = np.array([k for record in keys for k in record], dtype=object)
            order = np.argsort(flat.astype(str), kind="stable")
            sorted_keys, sorted_rows = flat[order], rows[order]
            blocks: dict[str, np.ndarray] = {}
            if len(order):
                starts = np.flatnonzero(np.r_[True, sorted_keys[1:] != sorted_keys[:-1]])
                ends = np.r_[starts[1:], len(order)]
                blocks = {
                    sorted_keys[s]: sorted_rows[s:e] for s, e in zip(starts, ends, strict=True)
                }
            self.blocks.append(blocks)
            self.windows.append(self._windows(rule, settings, rows, flat, blocks))

    def _windows(self, rule, settings: Settings, rows, keys, blocks) -> list[LookupWindow]:
        if rule not in settings.windows:
            return []
        orders, window = settings.windows[rule]
        cap = settings.block_cap(rule)
        large = {key for key, members in blocks.items() if len(members) > cap}
        if not large:
            return []
        features = self.data.features
        return [
            LookupWindow(
                rows, list(keys), by, [sort_values(features, s) for s in by], large, window
            )
            for by in orders
        ]


class Index:
    def __init__(self, columns: Mapping[str, Sequence], settings: Settings, model: Model):
        self.settings = settings
        self.model = model
        self.main = _Part(columns, settings, 0)
        self.recent: _Part | None = None
        self._pending: dict[str, list] = {k: [] for k in columns}

    def __len__(self) -> int:
        return self.main.data.n + (self.recent.data.n if self.recent else 0)

    def add(self, record: dict) -> int:
        """Index one more record; returns its row number."""
        for key in self._pending:
            self._pending[key].append(record.get(key))
        row = len(self) + 0
        pending = len(next(iter(self._pending.values())))
        recent_columns = {
            k: (self.recent.columns[k] if self.recent else []) + v for k, v in self._pending.items()
        }
        if pending + (self.recent.data.n if self.recent else 0) >= MERGE_AT:
            merged = {k: self.main.columns[k] + recent_columns[k] for k in recent_columns}
            self.main = _Part(merged, self.settings, 0)
            self.recent = None
        else:
            self.recent = _Part(recent_columns, self.settings, self.main.data.n)
        self._pending = {k: [] for k in self._pending}
        return row

    def query(self, record: dict, limit: int = 10, min_probability: float = 0.0) -> Lookup:
        probe = Dataset({k: [record.get(k)] for k in self.main.columns}, self.settings.comparisons)
        found: list[tuple[float, int, np.ndarray]] = []
        compared = 0
        unused: set[str] = set()
        for part in (self.main, self.recent):
            if part is None:
                continue
            rows = self._candidates(part, probe, unused)
            compared += len(rows)
            if not len(rows):
                continue
            zeros = np.zeros(len(rows), dtype=np.int64)
            vectors = comparison_vectors(self.settings.comparisons, probe, part.data, zeros, rows)
            scores = self.model.scores(vectors, probe, zeros)
            probability = Model.probability(scores)
            for i in np.flatnonzero(probability >= min_probability):
                found.append((float(scores[i]), int(rows[i]) + part.offset, vectors[i]))
        found.sort(key=lambda item: -item[0])
        tf_values = self.model.tf_values_of(probe, 0)
        candidates = []
        for score, row, vector in found[:limit]:
            explanation = self.model.explain(vector, tf_values)
            candidates.append(
                Candidate(row, explanation["probability"], score, vector, explanation)
            )
        return Lookup(candidates, compared, sorted(unused))

    def _candidates(self, part: _Part, probe: Dataset, unused: set[str]) -> np.ndarray:
        rows = []
        rules = zip(self.settings.blocking, part.blocks, part.windows, strict=True)
        for rule, blocks, windows in rules:
            keys = rule_keys(probe.features, rule)[0]
            if not keys:
                unused.add(rule_name(rule))
            for key in keys:
                block = blocks.get(key)
                if block is None or len(block) <= self.settings.block_cap(rule):
                    rows.extend([] if block is None else [block])
                elif windows:
                    rows.extend(_neighbours(window, key, probe) for window in windows)
                else:
                    unused.add(rule_name(rule))
        return np.unique(np.concatenate(rows)) if rows else np.zeros(0, dtype=np.int64)


def _neighbours(window: LookupWindow, key: str, probe: Dataset) -> np.ndarray:
    values = [sort_values(probe.features, spec)[0] for spec in window.by]
    found = window.neighbours(key, values)
    return np.zeros(0, dtype=np.int64) if found is None else found

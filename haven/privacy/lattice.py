"""The optimal full-domain generalisation: a search over the lattice of level vectors.

A node of the lattice is one level per quasi-identifier. A node is *feasible* when the
records left in classes smaller than k (or not ℓ-diverse) — which are suppressed — are no
more than the limit. For k and distinct ℓ, feasibility is monotone: generalising never
makes it worse. The search uses that:

- an infeasible node proves every node below it infeasible (and a feasible one every node
  above it feasible): after one, the search climbs to the highest infeasible node above it
  it can find, and skips everything under that. Entropy ℓ-diversity is not monotone once
  records may be suppressed (a diverse class merged with a uniform one may stop being
  diverse): with it, nothing is skipped on that ground;
- for the generalised information loss, the loss of a node without any suppression is a
  lower bound of its loss (a suppressed record costs the most), and it grows with every
  generalisation: nodes are visited in that bound's order, and the search stops when the
  bound reaches the best loss found.

Other objectives (discernibility, average class size) have no such bound: every node not
proven infeasible is evaluated. Each node's classes are computed from a node just below
it (the table of distinct rows shrinks as the search climbs), not from the records.
"""

import itertools
from dataclasses import dataclass

import numpy as np

from haven.privacy.hierarchy import Hierarchy

OBJECTIVES = ("loss", "discernibility", "class_size")
# Tables of distinct rows kept to derive other nodes from, at most this many rows in all;
# the least recently used go first.
CACHE_ROWS = 4_000_000
# Infeasibility is first tried on the finest pairs of attributes, up to this many cells.
PAIRS_TRIED = 3
PAIR_CELLS = 4_000_000
# Bits of a row's key: every attribute's level-0 code and the sensitive value.
KEY_BITS = 62
# Keys with a descent more often than once in this many rows are sorted as if shuffled.
RUNS_SHORT = 16


class TooManyCombinations(ValueError):
    """The data's values do not fit one row key; the message says what to change."""


@dataclass
class Classes:
    """The equivalence classes of one node, as a table of distinct rows sorted by key.

    A row's key holds its codes at the node's levels (see Lattice.shifts) and, last, its
    sensitive value when ℓ-diversity is asked for: rows are then the distinct (class,
    sensitive value) pairs, and a class is a run of rows with the same key without the
    sensitive value's bits. Without ℓ each row is a class."""

    key: np.ndarray
    counts: np.ndarray  # records per row
    row_class: np.ndarray | None  # per row its class (None: each row is a class)
    sizes: np.ndarray  # records per class
    diverse: np.ndarray  # per class: meets ℓ (all True without ℓ)

    def released(self, k: int) -> np.ndarray:
        """Per class: kept (large enough and diverse enough)."""
        return (self.sizes >= k) & self.diverse


@dataclass
class Solution:
    levels: tuple[int, ...]
    suppressed: int
    loss: float
    discernibility: float
    class_size: float
    classes: int
    evaluated: int
    nodes: int


def _runs(ordered: np.ndarray) -> np.ndarray:
    """Where each run of equal values starts in a sorted array."""
    starts = np.empty(len(ordered), dtype=bool)
    if len(ordered):
        starts[0] = True
        np.not_equal(ordered[1:], ordered[:-1], out=starts[1:])
    return np.flatnonzero(starts)


class Lattice:
    def __init__(
        self,
        leaf_codes: np.ndarray,
        hierarchies: list[Hierarchy],
        k: int,
        max_suppressed: int,
        sensitive: np.ndarray | None = None,
        l_diversity: int | None = None,
        diversity: str = "distinct",
    ):
        self.h = hierarchies
        self.k, self.max_suppressed = k, max_suppressed
        if l_diversity and sensitive is None:
            raise ValueError("ℓ-diversity needs the sensitive value of every row")
        self.l, self.diversity = l_diversity or 0, diversity
        self.n = len(leaf_codes)
        self.q = len(hierarchies)
        self.top = tuple(h.levels - 1 for h in hierarchies)
        self.loss_of = [[h.cell_loss(level) for level in range(h.levels)] for h in hierarchies]
        self.up = [[h.map(0, level) for level in range(h.levels)] for h in hierarchies]
        level0 = np.stack(
            [h.codes[0][leaf_codes[:, i]] for i, h in enumerate(hierarchies)], 1
        ).astype(np.int64)
        # One key per row at every node: each attribute's code in its own bits, wide enough
        # for its level-0 size (a code never exceeds it), the sensitive value lowest, so
        # that generalising one attribute changes one field, read with a shift and a mask.
        bits = [max(1, (h.sizes[0] - 1).bit_length()) for h in hierarchies]
        self.sensitive_bits = (
            int(sensitive.max()).bit_length() if sensitive is not None and self.l else 0
        )
        if sum(bits) + self.sensitive_bits > KEY_BITS:
            raise TooManyCombinations(
                f"The quasi-identifiers have too many combinations of values to search "
                f"({sum(bits) + self.sensitive_bits} bits, at most {KEY_BITS}): use coarser "
                "hierarchies or fewer quasi-identifiers."
            )
        self.shifts = np.array(
            [self.sensitive_bits + sum(bits[i + 1 :]) for i in range(self.q)], dtype=np.int64
        )
        self.masks = np.array([(1 << b) - 1 for b in bits], dtype=np.int64)
        # Per attribute and pair of levels: what generalising adds to a key, per code.
        self.steps = [
            {
                (a, b): (h.map(a, b) - np.arange(h.sizes[a])) << self.shifts[i]
                for a in range(h.levels)
                for b in range(a + 1, h.levels)
            }
            for i, h in enumerate(hierarchies)
        ]
        # Entropy ℓ-diversity is not monotone once records are suppressed (a diverse class
        # merged with a uniform one may stop being diverse): no pruning by monotonicity.
        self.monotone = not (l_diversity and diversity == "entropy")
        self.tables: dict[tuple, Classes] = {}
        self.cached_rows = 0
        key = np.bitwise_or.reduce(level0 << self.shifts, axis=1)
        if sensitive is not None and self.l:
            key += sensitive
        bottom = self._group(key, np.ones(self.n, np.int64))
        self._keep((0,) * self.q, bottom)
        self.bottom_codes = [self.codes(bottom.key, i) for i in range(self.q)]
        self.bottom_counts = bottom.counts
        self.pair_counts: dict[tuple, int] = {}
        self.evaluated = 1
        # Nodes proven infeasible (so is every node below) and feasible (every node above).
        self.ceilings = np.zeros((0, self.q), dtype=np.int64)
        self.floors = np.zeros((0, self.q), dtype=np.int64)

    # -- one node -----------------------------------------------------------------------
    def codes(self, key: np.ndarray, i: int) -> np.ndarray:
        """Attribute i's code in each key."""
        return (key >> self.shifts[i]) & self.masks[i]

    def _group(self, key: np.ndarray, counts: np.ndarray) -> Classes:
        # Keys generalised from a sorted table come in sorted runs, which a stable sort
        # (timsort) merges far faster than a full sort; many short runs sort faster with
        # the vectorised quicksort. Either order serves: only equal keys are grouped.
        descents = np.count_nonzero(key[1:] < key[:-1]) if len(key) else 0
        order = np.argsort(key, kind="stable" if descents * RUNS_SHORT < len(key) else "quicksort")
        ordered = key[order]
        starts = _runs(ordered)
        counts = np.add.reduceat(counts[order], starts) if len(starts) else counts[:0]
        key = ordered[starts]
        if not self.l:
            return Classes(key, counts, None, counts, np.ones(len(key), dtype=bool))
        first = _runs(key >> self.sensitive_bits)
        row_class = np.zeros(len(key), dtype=np.int64)
        row_class[first[1:]] = 1
        row_class = np.cumsum(row_class)
        sizes = np.add.reduceat(counts, first) if len(first) else counts[:0]
        return Classes(key, counts, row_class, sizes, self._diverse(row_class, counts, sizes))

    def _diverse(self, row_class: np.ndarray, counts: np.ndarray, sizes: np.ndarray) -> np.ndarray:
        if self.diversity == "entropy":
            share = counts / sizes[row_class]
            entropy = -np.bincount(row_class, weights=share * np.log(share), minlength=len(sizes))
            return entropy >= np.log(self.l) - 1e-12
        distinct = np.bincount(row_class, minlength=len(sizes))
        return distinct >= self.l

    def classes(self, node: tuple) -> Classes:
        found = self.tables.get(node)
        if found is not None:
            self.tables[node] = self.tables.pop(node)  # most recently used last
            return found
        # The smallest table kept of a node one step below this one (or the records').
        base = None
        for i in range(self.q):
            if node[i]:
                below = node[:i] + (node[i] - 1,) + node[i + 1 :]
                table = self.tables.get(below)
                if table is not None and (base is None or len(table.key) < len(base[1].key)):
                    base = (below, table)
        if base is None:
            base = ((0,) * self.q, self.tables[(0,) * self.q])
        below, table = base
        # Only the attributes generalised since the base change their key's term.
        key = table.key
        for i in range(self.q):
            if below[i] != node[i]:
                key = key + self.steps[i][below[i], node[i]][self.codes(key, i)]
        found = self._group(key, table.counts)
        self._keep(node, found)
        self.evaluated += 1
        return found

    def _keep(self, node: tuple, table: Classes) -> None:
        self.tables[node] = table
        self.cached_rows += len(table.key)
        bottom = (0,) * self.q
        while self.cached_rows > CACHE_ROWS and len(self.tables) > 2:
            oldest = next(n for n in self.tables if n not in (bottom, node))
            self.cached_rows -= len(self.tables.pop(oldest).key)

    def suppressed(self, node: tuple) -> int:
        table = self.classes(node)
        return int(table.sizes[~table.released(self.k)].sum())

    def feasible(self, node: tuple) -> bool:
        known = self._proven(node)
        if known is not None:
            return known
        found = not self._pairs_forbid(node) and self.suppressed(node) <= self.max_suppressed
        self._prove(node, found)
        return found

    def _proven(self, node: tuple) -> bool | None:
        """What monotonicity already tells of a node: infeasible under a node proven
        infeasible, feasible over one proven feasible, else unknown."""
        if not self.monotone:
            return None
        point = np.array(node)
        if len(self.ceilings) and np.any(np.all(point <= self.ceilings, axis=1)):
            return False
        if len(self.floors) and np.any(np.all(point >= self.floors, axis=1)):
            return True
        return None

    def _prove(self, node: tuple, feasible: bool) -> None:
        if not self.monotone:
            return
        if feasible:
            self.floors = np.vstack([self.floors, np.array(node)[None, :]])
        else:
            self.ceilings = np.vstack([self.ceilings, np.array(node)[None, :]])

    def _pairs_forbid(self, node: tuple) -> bool:
        """A cheap proof of infeasibility: the classes of two attributes alone are coarser
        than the node's, so the records in their classes smaller than k are suppressed at
        the node too. The finest pairs are tried (each pair's count is made once)."""
        if self.q < 3:
            return False
        shapes = sorted(
            (
                (self.h[i].sizes[node[i]] * self.h[j].sizes[node[j]], i, j)
                for i in range(self.q)
                for j in range(i + 1, self.q)
            ),
            reverse=True,
        )
        for cells, i, j in shapes[:PAIRS_TRIED]:
            if cells > PAIR_CELLS:
                continue
            if self._pair_suppressed(i, node[i], j, node[j]) > self.max_suppressed:
                return True
        return False

    def _pair_suppressed(self, i: int, li: int, j: int, lj: int) -> int:
        found = self.pair_counts.get((i, li, j, lj))
        if found is None:
            codes_i = self.up[i][li][self.bottom_codes[i]]
            codes_j = self.up[j][lj][self.bottom_codes[j]]
            width = self.h[j].sizes[lj]
            cells = np.bincount(
                codes_i.astype(np.int64) * width + codes_j,
                weights=self.bottom_counts,
                minlength=self.h[i].sizes[li] * width,
            )
            found = int(cells[(cells > 0) & (cells < self.k)].sum())
            self.pair_counts[(i, li, j, lj)] = found
        return found

    def measure(self, node: tuple) -> Solution:
        table = self.classes(node)
        kept = table.released(self.k)
        suppressed = int(table.sizes[~kept].sum())
        cell = np.zeros(len(table.key))
        for i, level in enumerate(node):
            cell += self.loss_of[i][level][self.codes(table.key, i)]
        row_kept = kept if table.row_class is None else kept[table.row_class]
        loss = (float((cell * table.counts)[row_kept].sum()) + suppressed * self.q) / (
            self.n * self.q
        )
        sizes = table.sizes[kept]
        released = int(sizes.sum())
        return Solution(
            levels=tuple(node),
            suppressed=suppressed,
            loss=loss,
            discernibility=float((sizes.astype(float) ** 2).sum()) + suppressed * self.n,
            class_size=(released / len(sizes)) / self.k if len(sizes) else float("inf"),
            classes=len(sizes),
            evaluated=self.evaluated,
            nodes=self.size,
        )

    @property
    def size(self) -> int:
        return int(np.prod([h.levels for h in self.h]))

    # -- the search -----------------------------------------------------------------------
    def lower_bound(self) -> dict[tuple, float]:
        """Per node, its loss if nothing were suppressed (a lower bound of its loss)."""
        mean = [
            [
                float(
                    self.loss_of[i][level][self.up[i][level][self.bottom_codes[i]]]
                    @ self.bottom_counts
                )
                / self.n
                for level in range(h.levels)
            ]
            for i, h in enumerate(self.h)
        ]
        return {
            node: sum(mean[i][level] for i, level in enumerate(node)) / self.q
            for node in itertools.product(*[range(h.levels) for h in self.h])
        }

    def _climb(self, node: tuple) -> tuple:
        """From an infeasible node, up while a generalisation is still infeasible."""
        current = node
        while True:
            above = [
                current[:i] + (current[i] + 1,) + current[i + 1 :]
                for i in range(self.q)
                if current[i] < self.top[i]
            ]
            # What is already proven first, then a cheap proof, before any node is grouped.
            known = {n: self._proven(n) for n in above}
            step = (
                next((n for n in above if known[n] is False), None)
                or next((n for n in above if known[n] is None and self._pairs_forbid(n)), None)
                or next((n for n in above if known[n] is None and not self.feasible(n)), None)
            )
            if step is None:
                return current
            current = step

    def optimum(self, objective: str = "loss") -> Solution | None:
        bound = self.lower_bound()
        order = sorted(bound, key=lambda node: (bound[node], node))
        best: Solution | None = None
        for node in order:
            if objective == "loss" and best is not None and bound[node] >= best.loss - 1e-12:
                break
            if self._proven(node) is False:
                continue
            if not self.feasible(node):
                if self.monotone:
                    self._prove(self._climb(node), False)
                continue
            found = self.measure(node)
            if best is None or _better(found, best, objective):
                best = found
        if best is not None:
            best.evaluated = self.evaluated
        return best


def _better(a: Solution, b: Solution, objective: str) -> bool:
    value = {"loss": "loss", "discernibility": "discernibility", "class_size": "class_size"}[
        objective
    ]
    va, vb = getattr(a, value), getattr(b, value)
    if abs(va - vb) > 1e-12:
        return va < vb
    return (a.suppressed, sum(a.levels)) < (b.suppressed, sum(b.levels))

"""The optimal full-domain generalisation: a search over the lattice of level vectors.

A node of the lattice is one level per quasi-identifier. A node is *feasible* when the
records left in classes smaller than k (or not ℓ-diverse) — which are suppressed — are no
more than the limit. Feasibility is monotone: generalising never makes it worse. The
search uses that twice:

- an infeasible node proves every node below it infeasible: after one, the search climbs
  to the highest infeasible node above it it can find, and skips everything under that;
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
SORT = "stable"
PAIR_CELLS = 4_000_000


def _group_ids(key: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """First row of each distinct key, and each row's group: np.unique's answer, with a
    quicksort (np.unique asks for a stable sort when it returns first rows)."""
    if len(key) == 0:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    order = np.argsort(key, kind=SORT)
    ordered = key[order]
    starts = np.empty(len(key), dtype=bool)
    starts[0] = True
    np.not_equal(ordered[1:], ordered[:-1], out=starts[1:])
    group = np.empty(len(key), dtype=np.int64)
    group[order] = np.cumsum(starts) - 1
    return order[starts], group


@dataclass
class Classes:
    """The equivalence classes of one node: distinct rows (codes at the node's levels, and
    the sensitive value when there is one), their counts, and per row its class."""

    rows: np.ndarray
    key: np.ndarray  # per row, its class key (see Lattice.strides)
    counts: np.ndarray
    sensitive: np.ndarray | None
    row_class: np.ndarray
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
        self.l, self.diversity = l_diversity, diversity
        self.n = len(leaf_codes)
        self.q = len(hierarchies)
        self.top = tuple(h.levels - 1 for h in hierarchies)
        self.maps = [
            {(a, b): h.map(a, b) for a in range(h.levels) for b in range(a, h.levels)}
            for h in hierarchies
        ]
        self.loss_of = [[h.cell_loss(level) for level in range(h.levels)] for h in hierarchies]
        level0 = np.stack(
            [h.codes[0][leaf_codes[:, i]] for i, h in enumerate(hierarchies)], 1
        ).astype(np.int32)
        self.level0 = level0
        # One key per class at every node: codes weighted by strides made from the level-0
        # sizes, so that generalising one attribute changes the key by one term.
        sizes0 = [h.sizes[0] for h in hierarchies]
        self.strides = np.ones(self.q, dtype=np.int64)
        for i in range(self.q - 2, -1, -1):
            self.strides[i] = self.strides[i + 1] * sizes0[i + 1]
        if float(np.prod(np.array(sizes0, dtype=float))) >= 2.0**62:
            raise ValueError("Too many combinations of values for one key: use coarser data.")
        self.tables: dict[tuple, Classes] = {}
        self.cached_rows = 0
        key = level0.astype(np.int64) @ self.strides
        bottom = self._group(level0, key, np.ones(self.n, np.int64), sensitive)
        self._keep((0,) * self.q, bottom)
        self.tables_bottom = bottom
        self.pair_counts: dict[tuple, int] = {}
        self.evaluated = 1

    # -- one node -----------------------------------------------------------------------
    def _group(self, rows, key, counts, sensitive) -> Classes:
        first, row_class = _group_ids(key)
        classes = len(first)
        if sensitive is None:
            counts = np.bincount(row_class, weights=counts).astype(np.int64)
            rows, key = rows[first], key[first]
            row_class = np.arange(classes)
        else:
            # Distinct (class, sensitive value) rows: ℓ needs the values within a class.
            pair_first, pair = _group_ids(row_class * (int(sensitive.max()) + 1) + sensitive)
            counts = np.bincount(pair, weights=counts).astype(np.int64)
            rows, key = rows[pair_first], key[pair_first]
            sensitive, row_class = sensitive[pair_first], row_class[pair_first]
        sizes = np.bincount(row_class, weights=counts, minlength=classes).astype(np.int64)
        diverse = (
            self._diverse(row_class, counts, sizes)
            if sensitive is not None
            else np.ones(classes, dtype=bool)
        )
        return Classes(rows, key, counts, sensitive, row_class, sizes, diverse)

    def _diverse(self, row_class, counts, sizes) -> np.ndarray:
        if not self.l:
            return np.ones(len(sizes), dtype=bool)
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
                if table is not None and (base is None or len(table.rows) < len(base[1].rows)):
                    base = (below, table)
        if base is None:
            base = ((0,) * self.q, self.tables[(0,) * self.q])
        below, table = base
        # Only the attributes generalised since the base change: their codes and key terms.
        rows, key = table.rows, table.key
        changed = [i for i in range(self.q) if below[i] != node[i]]
        if changed:
            rows, key = rows.copy(), key.copy()
            for i in changed:
                mapped = self.maps[i][below[i], node[i]][rows[:, i]]
                key += (mapped - rows[:, i]).astype(np.int64) * self.strides[i]
                rows[:, i] = mapped
        found = self._group(rows, key, table.counts, table.sensitive)
        self._keep(node, found)
        self.evaluated += 1
        return found

    def _keep(self, node: tuple, table: Classes) -> None:
        self.tables[node] = table
        self.cached_rows += len(table.rows)
        bottom = (0,) * self.q
        while self.cached_rows > CACHE_ROWS and len(self.tables) > 2:
            oldest = next(n for n in self.tables if n not in (bottom, node))
            self.cached_rows -= len(self.tables.pop(oldest).rows)

    def suppressed(self, node: tuple) -> int:
        table = self.classes(node)
        return int(table.sizes[~table.released(self.k)].sum())

    def feasible(self, node: tuple) -> bool:
        if self._pairs_forbid(node):
            return False
        return self.suppressed(node) <= self.max_suppressed

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
            bottom = self.tables_bottom
            codes_i = self.maps[i][0, li][bottom.rows[:, i]]
            codes_j = self.maps[j][0, lj][bottom.rows[:, j]]
            width = self.h[j].sizes[lj]
            cells = np.bincount(
                codes_i.astype(np.int64) * width + codes_j,
                weights=bottom.counts,
                minlength=self.h[i].sizes[li] * width,
            )
            found = int(cells[(cells > 0) & (cells < self.k)].sum())
            self.pair_counts[(i, li, j, lj)] = found
        return found

    def measure(self, node: tuple) -> Solution:
        table = self.classes(node)
        kept = table.released(self.k)
        suppressed = int(table.sizes[~kept].sum())
        cell = np.zeros(len(table.rows))
        for i, level in enumerate(node):
            cell += self.loss_of[i][level][table.rows[:, i]]
        row_kept = kept[table.row_class]
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
                float(self.loss_of[i][level][self.maps[i][0, level][self.level0[:, i]]].mean())
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
            for i in range(self.q):
                if current[i] < self.top[i]:
                    above = current[:i] + (current[i] + 1,) + current[i + 1 :]
                    if not self.feasible(above):
                        current = above
                        break
            else:
                return current

    def optimum(self, objective: str = "loss") -> Solution | None:
        bound = self.lower_bound()
        order = sorted(bound, key=lambda node: (bound[node], node))
        ceilings = np.zeros((0, self.q), dtype=np.int64)  # proven infeasible, with all below
        best: Solution | None = None
        for node in order:
            if objective == "loss" and best is not None and bound[node] >= best.loss - 1e-12:
                break
            if len(ceilings) and np.any(np.all(np.array(node) <= ceilings, axis=1)):
                continue
            if not self.feasible(node):
                ceilings = np.vstack([ceilings, np.array(self._climb(node))[None, :]])
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

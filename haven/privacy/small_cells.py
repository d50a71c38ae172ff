"""Small-cell protection for published counts (pure Python).

A count between 1 and threshold − 1 could point at a person, so it is hidden (primary
suppression). One hidden cell alone in its row or column could be worked out by
subtraction from the line's total, so the smallest other non-zero cell of that line is
hidden too (secondary suppression), until no line has a single hidden cell. `with_totals`
publishes the totals as part of the table, so they are protected by the same rule, and
audits the result twice: where rows and columns combined (not one line alone) would still
pin a hidden cell's value, one more cell is hidden, until none is pinned (`disclosed`);
then, as τ-ARGUS's audit does, every hidden cell's feasible interval is computed by linear
programming — the published cells and totals, and what a reader knows of hidden cells:
whole counts of at least 1, since zeros are published — and wherever one is narrower than
the threshold another cell of its row or column is hidden, until every interval is at
least the threshold wide (`intervals`). Zeros are published: they describe nobody.
`rounded` rounds published counts to a base.
"""

from collections.abc import Sequence
from typing import Any

import numpy as np

HIDDEN = None
# A table as counted (whole numbers) and as published (a hidden cell is None); a cell is
# (row, column).
Counts = list[list[int]]
Published = list[list[int | None]]
Cell = tuple[int, int]


def suppress(table: list[list[int]], threshold: int) -> list[list[int | None]]:
    """The table with small counts, and the cells that would give them away, as None."""
    return _close_lines(table, [[0 < n < threshold for n in row] for row in table])


def _close_lines(table: Counts, hidden: list[list[bool]]) -> Published:
    """Hide, beside each hidden cell alone in its line, the smallest other non-zero cell
    of that line, until no line has a single hidden cell."""
    lines = _lines(table)
    changed = True
    while changed:
        changed = False
        for line in lines:
            secret = [cell for cell in line if hidden[cell[0]][cell[1]]]
            if len(secret) != 1:
                continue
            candidates = [
                cell
                for cell in line
                if not hidden[cell[0]][cell[1]] and table[cell[0]][cell[1]] > 0
            ]
            if candidates:
                r, c = min(candidates, key=lambda cell: table[cell[0]][cell[1]])
                hidden[r][c] = True
                changed = True
    return [
        [HIDDEN if hidden[r][c] else n for c, n in enumerate(row)] for r, row in enumerate(table)
    ]


def _lines(table: Sequence[Sequence[int | None]]) -> list[list[Cell]]:
    rows = [[(r, c) for c in range(len(row))] for r, row in enumerate(table)]
    width = max((len(row) for row in table), default=0)
    columns = [[(r, c) for r in range(len(table)) if c < len(table[r])] for c in range(width)]
    return rows + columns


def with_totals(table: list[list[int]], threshold: int) -> list[list[int | None]]:
    """The table with a total column and a total row (the grand total last), every cell
    and total protected together."""
    width = len(table[0]) if table else 0
    rows = [[*row, sum(row)] for row in table]
    full = [*rows, [sum(row[c] for row in rows) for c in range(width + 1)]]
    published = suppress(full, threshold)
    # Where rows and columns combined (not one line alone) still pin a hidden cell, hide
    # one more cell — the smallest that frees it, looking first in its own lines — until
    # none is pinned. Each round hides at least one cell, so this ends.
    while pinned := disclosed(published):
        published = _free(full, published, pinned[0])
    return _widen(full, published, threshold)


def _relations(published: Published) -> list[list[tuple[int, int, int]]]:
    """Each interior row sums to its total, each column to its total (the totals row too)."""
    height, width = len(published), len(published[0])
    relations = []
    for r in range(height):
        relations.append([(r, c, 1) for c in range(width - 1)] + [(r, width - 1, -1)])
    for c in range(width):
        relations.append([(r, c, 1) for r in range(height - 1)] + [(height - 1, c, -1)])
    return relations


class _Audit:
    """The linear programme of a reader of the table: the hidden cells as unknowns, held by
    the published relations, each at least `lower`. One HiGHS model is kept and only its
    objective changes from cell to cell, so each solve starts from the last basis."""

    def __init__(self, published: Published, lower: int = 1):
        import highspy
        from scipy.sparse import lil_matrix

        self.hidden = [
            (r, c) for r, row in enumerate(published) for c, v in enumerate(row) if v is None
        ]
        index = {cell: i for i, cell in enumerate(self.hidden)}
        relations = [rel for rel in _relations(published) if any(r[:2] in index for r in rel)]
        matrix = lil_matrix((len(relations), len(self.hidden)))
        bounds = np.zeros(len(relations))
        for i, relation in enumerate(relations):
            for r, c, sign in relation:
                if (r, c) in index:
                    matrix[i, index[(r, c)]] = sign
                else:
                    bounds[i] -= sign * (published[r][c] or 0)  # published: a count
        self.index = index
        if not self.hidden:
            return
        matrix = matrix.tocsc()
        model = highspy.HighsLp()
        model.num_col_, model.num_row_ = len(self.hidden), len(relations)
        model.col_cost_ = np.zeros(len(self.hidden))
        model.col_lower_ = np.full(len(self.hidden), float(lower))
        model.col_upper_ = np.full(len(self.hidden), highspy.kHighsInf)
        model.row_lower_ = model.row_upper_ = bounds
        model.a_matrix_.format_ = highspy.MatrixFormat.kColwise
        model.a_matrix_.start_ = matrix.indptr
        model.a_matrix_.index_ = matrix.indices
        model.a_matrix_.value_ = matrix.data
        self.solver = highspy.Highs()
        self.solver.setOptionValue("output_flag", False)
        self.solver.passModel(model)
        self.highspy = highspy

    def interval(self, cell: Cell) -> tuple[float, float]:
        """The lowest and highest value the cell can take (a narrow (v, v) when the solver
        cannot tell: the cell is then treated as exposed and protected further)."""
        highs, solver, column = self.highspy, self.solver, self.index[cell]
        solver.changeColCost(column, 1.0)
        ends = [
            self._solve(highs.ObjSense.kMinimize, unbounded=None),
            self._solve(highs.ObjSense.kMaximize, unbounded=float("inf")),
        ]
        solver.changeColCost(column, 0.0)
        low, high = ends
        if low is None or high is None:
            known = low if low is not None else high if high is not None else 0.0
            return known, known
        return low, high

    def _solve(self, sense: Any, unbounded: float | None) -> float | None:
        states = self.highspy.HighsModelStatus
        for attempt in range(2):
            if attempt:
                # A warm start can end undecided (seen with unbounded cells): start afresh.
                self.solver.clearSolver()
            self.solver.changeObjectiveSense(sense)
            self.solver.run()
            status = self.solver.getModelStatus()
            if status == states.kOptimal:
                return self.solver.getInfo().objective_function_value
            if status in (states.kUnbounded, states.kUnboundedOrInfeasible) and unbounded:
                # The true counts satisfy every relation, so the programme is feasible:
                # nothing holds the cell from above (from below, it is at least `lower`).
                return unbounded
        return None


def intervals(published: Published, lower: int = 1) -> dict[Cell, tuple[float, float]]:
    """Every hidden cell's feasible interval for a reader of the table published with its
    totals (the last column and the last row), hidden cells being at least `lower`."""
    audit = _Audit(published, lower)
    return {cell: audit.interval(cell) for cell in audit.hidden}


def _width(audit: _Audit, cell: Cell) -> float:
    low, high = audit.interval(cell)
    return high - low


def _rectangle_room(full: Counts, published: Published, cell: Cell) -> int:
    """How far a reader cannot tell `cell` apart, found without a linear programme: four
    hidden interior cells at the corners of a rectangle can all move together (+d, −d, −d,
    +d) with every relation still true, as far as each stays at least 1."""
    r, c = cell
    height, width = len(full) - 1, len(full[0]) - 1
    if r >= height or c >= width:
        return 0
    columns = [j for j in range(width) if j != c and published[r][j] is HIDDEN]
    rows = [i for i in range(height) if i != r and published[i][c] is HIDDEN]
    best = 0
    for i in rows:
        for j in columns:
            if published[i][j] is HIDDEN:
                up = min(full[r][j], full[i][c]) - 1
                down = min(full[r][c], full[i][j]) - 1
                best = max(best, up + down)
    return best


def _narrow(
    full: Counts, published: Published, audit: _Audit, cells: list[Cell], threshold: int
) -> list[Cell]:
    """The cells whose interval is narrower than `threshold` (the linear programme only
    where no rectangle already shows room enough)."""
    return [
        cell
        for cell in cells
        if _rectangle_room(full, published, cell) < threshold and _width(audit, cell) < threshold
    ]


def _widen(full: Counts, published: Published, threshold: int) -> Published:
    """Hide more cells until every hidden cell's interval is at least `threshold` wide.
    Hiding a cell only widens the others' intervals, so a cell found wide stays wide and
    only the narrow ones, and the cells newly hidden, are checked again."""
    if threshold < 2:
        return published
    audit = _Audit(published)
    narrow = _narrow(full, published, audit, audit.hidden, threshold)
    while narrow:
        target = narrow[0]
        choice = _slack_cell(full, published, target, threshold)
        if choice is None:
            return [[HIDDEN if value else value for value in row] for row in full]
        before = set(audit.hidden)
        hidden = [[v is HIDDEN for v in row] for row in published]
        hidden[choice[0]][choice[1]] = True
        published = _close_lines(full, hidden)
        audit = _Audit(published)
        suspects = narrow + [cell for cell in audit.hidden if cell not in before]
        narrow = _narrow(full, published, audit, suspects, threshold)
    return published


def _slack_cell(full: Counts, published: Published, target: Cell, threshold: int) -> Cell | None:
    """The published cell to hide for `target`: in its row or column, the smallest count
    that gives its line enough room (a line whose hidden cells sum to S over k cells lets
    each move by S − k), else the largest; else the largest anywhere."""
    r, c = target
    height, width = len(full), len(full[0])
    options = []
    for line in ([(r, j) for j in range(width)], [(i, c) for i in range(height)]):
        secret = [full[i][j] for i, j in line if published[i][j] is HIDDEN]
        needed = threshold + len(secret) + 1 - sum(secret)
        for i, j in line:
            value = published[i][j]
            if value not in (HIDDEN, 0):
                options.append((value < needed, value if value >= needed else -value, i, j))
    if not options:
        options = [
            (True, -value, i, j)
            for i, row in enumerate(published)
            for j, value in enumerate(row)
            if value not in (HIDDEN, 0)
        ]
    if not options:
        return None
    _short, _order, i, j = min(options)
    return i, j


def _free(full: Counts, published: Published, target: Cell) -> Published:
    r, c = target
    options = sorted(
        (
            (i != r and j != c, full[i][j], i, j)
            for i, row in enumerate(published)
            for j, value in enumerate(row)
            if value not in (HIDDEN, 0)
        )
    )
    for _outside, _value, i, j in options:
        hidden = [[v is HIDDEN for v in row] for row in published]
        hidden[i][j] = True
        trial = _close_lines(full, hidden)
        if target not in disclosed(trial):
            return trial
    # Nothing short of hiding every count protects it: publish no count at all.
    return [[HIDDEN if value else value for value in row] for row in full]


def rounded(published: list[list[int | None]], base: int) -> list[list[int | None]]:
    """Published counts rounded to the nearest multiple of `base` (halves up); hidden
    cells stay hidden, zeros stay zero."""
    if base < 2:
        return [list(row) for row in published]
    return [
        [v if v is HIDDEN else (v + base // 2) // base * base for v in row] for row in published
    ]


def disclosed(published: list[list[int | None]]) -> list[tuple[int, int]]:
    """Hidden cells of a table published with its totals (the last column and the last row
    are totals) that its published cells still determine: the linear relations of the
    rows and columns pin their value whatever the other hidden cells are."""
    hidden = [(r, c) for r, row in enumerate(published) for c, v in enumerate(row) if v is None]
    if not hidden:
        return []
    index = {cell: i for i, cell in enumerate(hidden)}
    relations = []
    height, width = len(published), len(published[0])
    # Each interior row sums to its total, each column to its total (the totals row too).
    for r in range(height):
        relations.append([(r, c, 1) for c in range(width - 1)] + [(r, width - 1, -1)])
    for c in range(width):
        relations.append([(r, c, 1) for r in range(height - 1)] + [(height - 1, c, -1)])
    matrix = np.zeros((len(relations), len(hidden)))
    for i, relation in enumerate(relations):
        for r, c, sign in relation:
            if (r, c) in index:
                matrix[i, index[(r, c)]] = sign
    # A hidden cell is pinned when no way of changing the hidden cells that keeps every
    # relation true changes it: its coordinate is zero across the null space.
    _, singular, rows = np.linalg.svd(matrix)
    rank = int((singular > 1e-9 * max(singular.max(initial=0.0), 1.0)).sum())
    free = rows[rank:]
    return [cell for cell, i in index.items() if not np.any(np.abs(free[:, i]) > 1e-9)]

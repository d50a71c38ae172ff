"""Small-cell protection for published counts (pure Python).

A count between 1 and threshold − 1 could point at a person, so it is hidden (primary
suppression). One hidden cell alone in its row or column could be worked out by
subtraction from the line's total, so the smallest other non-zero cell of that line is
hidden too (secondary suppression), until no line has a single hidden cell. `with_totals`
publishes the totals as part of the table, so they are protected by the same rule, and
audits the result: where rows and columns combined (not one line alone) would still pin
a hidden cell's value, one more cell is hidden, until none is pinned (`disclosed`).
Zeros are published: they describe nobody. `rounded` rounds published counts to a base.
"""

import numpy as np

HIDDEN = None


def suppress(table: list[list[int]], threshold: int) -> list[list[int | None]]:
    """The table with small counts, and the cells that would give them away, as None."""
    return _close_lines(table, [[0 < n < threshold for n in row] for row in table])


def _close_lines(table, hidden) -> list[list[int | None]]:
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


def _lines(table):
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
    return published


def _free(full, published, target):
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

"""Small-cell protection for published counts (pure Python).

A count between 1 and threshold − 1 could point at a person, so it is hidden (primary
suppression). One hidden cell alone in its row or column could be worked out by
subtraction from the line's total, so the smallest other non-zero cell of that line is
hidden too (secondary suppression), until no line has a single hidden cell. `with_totals`
publishes the totals as part of the table, so they are protected by the same rule.
Zeros are published: they describe nobody.
"""

HIDDEN = None


def suppress(table: list[list[int]], threshold: int) -> list[list[int | None]]:
    """The table with small counts, and the cells that would give them away, as None."""
    hidden = [[0 < n < threshold for n in row] for row in table]
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
    totals = [sum(row[c] for row in rows) for c in range(width + 1)]
    return suppress([*rows, totals], threshold)

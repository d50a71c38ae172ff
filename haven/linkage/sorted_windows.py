"""Blocks too large to compare whole, compared along a sorted order (sorted neighbourhood).

A block bigger than its rule's cap (a name part a thousand records share) would cost more
pairs than it finds, and is otherwise left out. With a window, its records are sorted by
other features (the birth year, then the place) and each is compared with the next
`window` records in that order: records alike on those features meet, at a cost that grows
with the block's size, not with its square. Ties are broken by a fixed shuffle, never by
the order the records came in: a list kept in order of person must not find its duplicates
for that reason alone.
"""

import numpy as np

SHUFFLE_SEED = 0


def window_pairs(
    rows: np.ndarray,
    blocks: np.ndarray,
    order: list[np.ndarray],
    cap: int,
    window: int,
    source: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Pairs (i < j) of records `window` or fewer places apart in `order` within each block
    bigger than `cap`. `rows[k]` is in block `blocks[k]` (-1: in none); `order` holds one
    array per sort feature, indexed by record, the first sorting first. With `source`, only
    pairs from different sources are kept (linking two lists)."""
    present = blocks >= 0
    rows, blocks = rows[present], blocks[present]
    if not len(rows) or window < 1:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    large = np.bincount(blocks)[blocks] > cap
    rows, blocks = rows[large], blocks[large]
    n = max((len(o) for o in order), default=int(rows.max(initial=-1)) + 1)
    shuffle = np.random.default_rng(SHUFFLE_SEED).permutation(max(n, 1))
    # np.lexsort sorts by its last key first: the block, then each feature, then the shuffle.
    sorted_at = np.lexsort([shuffle[rows], *(o[rows] for o in reversed(order)), blocks])
    rows, blocks = rows[sorted_at], blocks[sorted_at]
    lefts, rights = [], []
    for distance in range(1, window + 1):
        same_block = blocks[distance:] == blocks[:-distance]
        a, b = rows[:-distance][same_block], rows[distance:][same_block]
        if source is not None:
            across = source[a] != source[b]
            a, b = a[across], b[across]
        keep = a != b  # one record in a block twice (two of its keys there)
        lefts.append(np.minimum(a[keep], b[keep]))
        rights.append(np.maximum(a[keep], b[keep]))
    return np.concatenate(lefts).astype(np.int64), np.concatenate(rights).astype(np.int64)


class LookupWindow:
    """One rule's large blocks in one order, for a lookup: the neighbours a new record would
    meet, were it among the records (`window` on each side of where it would sort)."""

    def __init__(
        self,
        rows: np.ndarray,
        keys: list[str],
        by: tuple[str, ...],
        values: list[np.ndarray],
        large: set[str],
        window: int,
    ):
        """`rows[k]` sits in block `keys[k]`; `values` are every record's values of each sort
        feature `by` (texts or numbers; the empty value sorts first); `large` are the
        blocks above the rule's cap."""
        self.by = by
        self.window = window
        self.known = [np.unique(v) for v in values]
        ranks = self._ranks([v[rows] for v in values])
        shuffle = np.random.default_rng(SHUFFLE_SEED).permutation(max(len(values[0]), 1))
        in_large = np.array([key in large for key in keys], dtype=bool)
        self.blocks: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        if not in_large.any():
            return
        chosen = np.flatnonzero(in_large)
        block_keys = np.array(keys, dtype=object)[chosen].astype(str)
        at = np.lexsort((shuffle[rows[chosen]], ranks[chosen], block_keys))
        sorted_keys = block_keys[at]
        starts = np.flatnonzero(np.r_[True, sorted_keys[1:] != sorted_keys[:-1]])
        for start, end in zip(starts, np.r_[starts[1:], len(at)], strict=True):
            members = chosen[at[start:end]]
            self.blocks[str(sorted_keys[start])] = (ranks[members], rows[members])

    def _ranks(self, values: list[np.ndarray]) -> np.ndarray:
        """One number per record that sorts as its values do: a value held ranks 2i + 1
        (i its place among the values held), one not held 2i, between its neighbours."""
        combined = np.zeros(len(values[0]), dtype=np.int64)
        for known, v in zip(self.known, values, strict=True):
            at = np.searchsorted(known, v)
            held = (at < len(known)) & (known[np.minimum(at, len(known) - 1)] == v)
            combined = combined * (2 * len(known) + 1) + 2 * at + held
        return combined

    def neighbours(self, key: str, values: list) -> np.ndarray | None:
        """The rows a record with these sort values meets in block `key`; None when the
        block is not a large one."""
        block = self.blocks.get(key)
        if block is None:
            return None
        ranks, rows = block
        # As given, not in the stored values' type: a text longer than any held would be cut.
        probe = self._ranks([np.array([value]) for value in values])
        at = int(np.searchsorted(ranks, probe[0]))
        return rows[max(at - self.window, 0) : at + self.window]

"""Compare the records that matches join: a match of a match.

Blocking compares records that share a key. A person registered many times under different
spellings, with a date mistyped here and a name missing there, may have two records that
share none, although each matches a third. Once the candidates are scored, the records two
matches apart (three across two lists) are compared too — scored on their own evidence,
never matched because of the path — and the round repeats while it finds new pairs; a path
may follow a likely pair that is not a match. Then every two records of a small cluster
(records joined by matches, however far apart) are compared: a person registered a dozen
times is seen whole.
"""

import numpy as np
from scipy.sparse import csr_matrix, diags

from haven.linkage.linker import Result, cluster_ids
from haven.linkage.model import comparison_vectors

ROUNDS = 4
# A record matching more than this many others (a common name in a poor list) is not a
# path: its matches of matches would be most of a block too large to compare.
MAX_MATCHES = 50
# Clusters up to this size are compared whole; a larger one is more often two people
# joined by one wrong match, and its pairs grow with the square of its size.
MAX_CLUSTER = 20


def compare(result: Result, cut: float, path_cut: float | None = None, rounds: int = ROUNDS) -> int:
    """Add to `result` the pairs that matches (scores + `result.extra["prior_shift"]` at or
    above `cut` bits) join and blocking did not compare, scored by the result's model;
    returns how many were added (also in `result.report.through_matches`).

    Paths follow pairs from `path_cut` bits up (a lower cut: a likely pair is worth
    following, although only a match is proposed); clusters are made of matches alone.
    """
    linking = len(result.datasets) == 2
    n_left = result.extra.get("n_left", result.n)
    n_right = result.n - n_left if linking else result.n
    shift = result.extra.get("prior_shift", 0.0)
    cut -= shift
    path_cut = cut if path_cut is None else min(path_cut - shift, cut)
    matched = [(result.left[result.scores >= cut], result.right[result.scores >= cut])]
    followed = [(result.left[result.scores >= path_cut], result.right[result.scores >= path_cut])]
    # Sorted once: a membership test by binary search, not a hash of every candidate.
    seen = [np.sort(_codes(result.left, result.right, n_right, linking))]
    added = _Added()

    def compare_new(left: np.ndarray, right: np.ndarray) -> bool:
        codes = _codes(left, right, n_right, linking)
        new = _unseen(codes, seen)
        if not new.any():
            return False
        seen.append(np.sort(codes[new]))
        scores = added.compare(result, left[new], right[new])
        matched.append((left[new][scores >= cut], right[new][scores >= cut]))
        followed.append((left[new][scores >= path_cut], right[new][scores >= path_cut]))
        return True

    for _ in range(rounds):
        if not compare_new(*_paths(*_joined(followed), n_left, n_right, linking)):
            break
    compare_new(*_cluster_pairs(result.n, matched, n_left, linking))
    added.into(result)
    return added.count


def _joined(parts: list[tuple[np.ndarray, np.ndarray]]) -> tuple[np.ndarray, np.ndarray]:
    return np.concatenate([p[0] for p in parts]), np.concatenate([p[1] for p in parts])


def _codes(left: np.ndarray, right: np.ndarray, n_right: int, linking: bool) -> np.ndarray:
    """One number per pair, the same whichever way round a pair of one list is written."""
    if linking:
        return left.astype(np.int64) * n_right + right
    return np.minimum(left, right).astype(np.int64) * n_right + np.maximum(left, right)


def _paths(
    left: np.ndarray, right: np.ndarray, n_left: int, n_right: int, linking: bool
) -> tuple[np.ndarray, np.ndarray]:
    """The pairs two matches apart in one list (i < j), three across two lists (A to B to
    A to B), through records with at most `MAX_MATCHES` matches."""
    ones = np.ones(len(left), dtype=np.float32)
    if linking:
        m = csr_matrix((ones, (left, right)), shape=(n_left, n_right))
        m.data[:] = 1
        busy_a = np.asarray(m.sum(axis=1)).ravel() > MAX_MATCHES
        busy_b = np.asarray(m.sum(axis=0)).ravel() > MAX_MATCHES
        through = (m @ diags((~busy_b).astype(np.float32)) @ m.T) @ diags(
            (~busy_a).astype(np.float32)
        )
        reach = (through @ m).tocoo()
        return reach.row.astype(np.int64), reach.col.astype(np.int64)
    both = np.r_[left, right], np.r_[right, left]
    m = csr_matrix((np.r_[ones, ones], both), shape=(n_left, n_left))
    m.data[:] = 1
    busy = np.asarray(m.sum(axis=1)).ravel() > MAX_MATCHES
    reach = (m @ diags((~busy).astype(np.float32)) @ m).tocoo()
    upper = reach.row < reach.col
    return reach.row[upper].astype(np.int64), reach.col[upper].astype(np.int64)


def _cluster_pairs(
    n: int, matched: list[tuple[np.ndarray, np.ndarray]], n_left: int, linking: bool
) -> tuple[np.ndarray, np.ndarray]:
    """The pairs within clusters as blocking's matches (`matched[0]`) make them and as all
    matches do: a cluster the paths' matches grow past `MAX_CLUSTER` is still compared as
    it was."""
    parts = [_within_clusters(n, *_joined(m), n_left, linking) for m in (matched[:1], matched)]
    return _joined(parts)


def _within_clusters(
    n: int, left: np.ndarray, right: np.ndarray, n_left: int, linking: bool
) -> tuple[np.ndarray, np.ndarray]:
    """Every pair of records in each cluster of 3 to `MAX_CLUSTER` records that the matches
    (`left`, `right`) make (across the two lists when linking)."""
    offset = n_left if linking else 0
    labels = cluster_ids(n, left, right + offset)
    sizes = np.bincount(labels)
    order = np.argsort(labels, kind="stable")  # members of a cluster in ascending order
    starts = np.r_[0, np.cumsum(sizes)[:-1]]
    lefts, rights = [np.zeros(0, np.int64)], [np.zeros(0, np.int64)]
    for size in range(3, MAX_CLUSTER + 1):
        clusters = np.flatnonzero(sizes == size)
        if not len(clusters):
            continue
        members = order[starts[clusters][:, None] + np.arange(size)]
        first, second = np.triu_indices(size, 1)
        left, right = members[:, first].ravel(), members[:, second].ravel()
        if linking:  # one record of each list; left < right, so left is A's
            across = (left < n_left) & (right >= n_left)
            left, right = left[across], right[across] - n_left
        lefts.append(left.astype(np.int64))
        rights.append(right.astype(np.int64))
    return np.concatenate(lefts), np.concatenate(rights)


def _unseen(codes: np.ndarray, seen: list[np.ndarray]) -> np.ndarray:
    """Which codes are in none of the sorted arrays `seen`."""
    new = np.ones(len(codes), bool)
    for known in seen:
        if len(known):
            at = np.searchsorted(known, codes).clip(max=len(known) - 1)
            new &= known[at] != codes
    return new


class _Added:
    """The pairs compared through matches, kept apart until the end so that the result's
    (large) arrays are copied once."""

    def __init__(self) -> None:
        self.parts: list[tuple[np.ndarray, ...]] = []
        self.count = 0

    def compare(self, result: Result, left: np.ndarray, right: np.ndarray) -> np.ndarray:
        """Compare and score the pairs; their scores (the model's prior, as the result's)."""
        a, b = result.datasets[0], result.datasets[-1]
        vectors = comparison_vectors(result.model.comparisons, a, b, left, right)
        scores = result.model.scores(vectors, a, left)
        self.parts.append((left, right, vectors, scores))
        self.count += len(left)
        return scores

    def into(self, result: Result) -> None:
        if self.parts:
            left, right, vectors, scores = (list(side) for side in zip(*self.parts, strict=True))
            result.left = np.concatenate([result.left, *left])
            result.right = np.concatenate([result.right, *right])
            result.vectors = np.concatenate([result.vectors, *vectors])
            result.scores = np.concatenate([result.scores, *scores])
        result.report.through_matches += self.count
        result.report.candidate_pairs += self.count

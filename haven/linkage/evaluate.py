"""Accuracy against known identities: pairwise precision, recall and F1."""

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Accuracy:
    true_positives: int
    false_positives: int
    false_negatives: int

    @property
    def precision(self) -> float:
        found = self.true_positives + self.false_positives
        return self.true_positives / found if found else 1.0

    @property
    def recall(self) -> float:
        real = self.true_positives + self.false_negatives
        return self.true_positives / real if real else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


def true_pair_count(identity: Sequence) -> int:
    """Pairs of records that share an identity (within one list)."""
    return sum(n * (n - 1) // 2 for n in Counter(identity).values())


def pairwise(
    left: np.ndarray,
    right: np.ndarray,
    identity_left: Sequence,
    identity_right: Sequence,
    true_pairs: int,
) -> Accuracy:
    """Predicted pairs against the truth; true_pairs is how many matching pairs exist."""
    ids_l = np.asarray(identity_left, dtype=object)[left]
    ids_r = np.asarray(identity_right, dtype=object)[right]
    hits = int((ids_l == ids_r).sum())
    return Accuracy(hits, len(left) - hits, true_pairs - hits)


def clusters(predicted: np.ndarray, identity: Sequence) -> Accuracy:
    """Pairs implied by predicted clusters against pairs implied by true identities."""
    truth = np.asarray(identity, dtype=object)
    predicted_pairs = true_pair_count(predicted.tolist())
    real_pairs = true_pair_count(truth.tolist())
    both = true_pair_count(list(zip(predicted.tolist(), truth.tolist(), strict=True)))
    return Accuracy(both, predicted_pairs - both, real_pairs - both)

"""The Fellegi–Sunter model: weights learnt without labels, adjusted for common values.

For every comparison output and level, m is the chance that two records of the same person
are at that level and u the chance for two different people. u starts from random pairs
(which are almost all different people); then expectation–maximisation over the candidate
pairs learns m, refines u for the candidate population and learns how many candidates are
matches. A level's weight is log2(m/u) bits; a pair's score is the prior plus the weights
of its levels, and its probability follows from the score. An exact agreement on a common
value ("Mohamed") counts for less than on a rare one, in proportion to how often the value
occurs. Caseworkers' confirmed and rejected matches can then pull m and u towards what they
saw (`calibrate`).
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from haven.linkage.comparisons import Comparison, PersonName

CHUNK = 500_000  # pairs compared at a time
MAX_TF_BITS = 8.0  # a one-off value can only add so much certainty
_EPS = 1e-6


@dataclass(frozen=True)
class Output:
    comparison: int
    index: int
    label: str
    level_labels: tuple[str, ...]
    term_frequency: bool


class Dataset:
    """Records prepared once for every comparison; features are what blocking reads."""

    def __init__(self, columns: Mapping[str, Sequence], comparisons: list[Comparison]):
        lengths = {len(values) for values in columns.values()}
        if len(lengths) > 1:
            raise ValueError("Every column must have one value per record.")
        missing = sorted({f for c in comparisons for f in _fields(c)} - set(columns))
        if missing:
            raise ValueError(f"Columns missing from the records: {', '.join(missing)}")
        self.n = lengths.pop() if lengths else 0
        self.prepared = [c.prepare(columns) for c in comparisons]
        self.features: dict[str, np.ndarray] = {}
        self.owners: dict[str, int] = {}  # feature name -> the comparison that made it
        for index, (comparison, prepared) in enumerate(
            zip(comparisons, self.prepared, strict=True)
        ):
            for local, values in prepared.items():
                name = feature_name(comparison, local)
                self.features[name] = values
                self.owners[name] = index


def _fields(comparison: Comparison) -> list[str]:
    return [
        getattr(comparison, name)
        for name in ("field", "given", "family")
        if hasattr(comparison, name)
    ]


def feature_name(comparison: Comparison, local: str) -> str:
    """'g_skeleton' of PersonName('first', 'last') is 'first.skeleton', and so on."""
    if isinstance(comparison, PersonName):
        if local.startswith("g_"):
            return f"{comparison.given}.{local[2:]}"
        if local.startswith("f_"):
            return f"{comparison.family}.{local[2:]}"
        return f"names.{local}"
    return f"{comparison.outputs[0]}.{local}"


def comparison_vectors(
    comparisons: list[Comparison], a: Dataset, b: Dataset, left: np.ndarray, right: np.ndarray
) -> np.ndarray:
    """Levels for every pair: one int8 column per comparison output.

    Pairs are compared a chunk at a time so that the temporary text arrays stay small
    however many candidates there are; only the int8 levels are kept.
    """
    width = sum(len(c.outputs) for c in comparisons)
    out = np.zeros((len(left), width), dtype=np.int8)
    for start in range(0, len(left), CHUNK):
        chunk_left, chunk_right = left[start : start + CHUNK], right[start : start + CHUNK]
        columns = [
            c.levels(pa, pb, chunk_left, chunk_right)
            for c, pa, pb in zip(comparisons, a.prepared, b.prepared, strict=True)
        ]
        out[start : start + len(chunk_left)] = np.concatenate(columns, axis=1)
    return out


class Model:
    def __init__(self, comparisons: list[Comparison]):
        self.comparisons = comparisons
        self.outputs = [
            Output(ci, oi, label, c.level_labels[oi], c.term_frequency[oi])
            for ci, c in enumerate(comparisons)
            for oi, label in enumerate(c.outputs)
        ]
        self.m = [_default_m(len(o.level_labels)) for o in self.outputs]
        self.u = [np.full(len(o.level_labels) + 1, 1 / len(o.level_labels)) for o in self.outputs]
        self.prior = 1e-4
        self.tf: list[dict | None] = [None] * len(self.outputs)
        self.tf_average = np.zeros(len(self.outputs))

    # -- estimation -------------------------------------------------------------------
    def estimate_u(self, vectors: np.ndarray) -> None:
        """u from (mostly non-matching) random pairs; a pseudo-count keeps unseen levels > 0."""
        for o, output in enumerate(self.outputs):
            self.u[o] = _frequencies(vectors[:, o], len(output.level_labels), pseudo=1.0)

    def estimate_em(
        self,
        vectors: np.ndarray,
        max_iterations: int = 60,
        tolerance: float = 1e-5,
        update_u: bool = True,
    ) -> None:
        """Expectation–maximisation over the distinct comparison patterns."""
        if len(vectors):
            self._em(vectors, list(range(len(self.outputs))), update_u, max_iterations, tolerance)

    def estimate_em_sessions(
        self,
        sessions: list[tuple[np.ndarray, set[int]]],
        all_vectors: np.ndarray,
        total_pairs: int,
    ) -> None:
        """EM as a series of sessions, each over the pairs one blocking rule found.

        The fields a session's rule blocked on agree by construction there, so they say
        nothing about m in that session: they are held out, and their m comes from the
        sessions that did not block on them. u stays as random pairs gave it. Finally the
        chance that two records taken at random match is estimated with m and u held.
        """
        estimates: list[list[np.ndarray]] = [[] for _ in self.outputs]
        start_m = [m.copy() for m in self.m]
        for vectors, held_out in sessions:
            if not len(vectors):
                continue
            self.m = [m.copy() for m in start_m]
            free = [o for o in range(len(self.outputs)) if o not in held_out]
            self._em(vectors, free, update_u=False)
            for o in free:
                estimates[o].append(self.m[o])
        self.m = [
            _normalised(np.mean(found, axis=0)) if found else start_m[o]
            for o, found in enumerate(estimates)
        ]
        self.estimate_prior(all_vectors, total_pairs)

    def estimate_prior(self, candidates: np.ndarray, total_pairs: int) -> None:
        """EM for the prior alone over every possible pair, all outside the candidates being
        taken as non-matches; weights come from random-pair u, so this is the prior they need.
        """
        if not len(candidates) or total_pairs <= 0:
            return
        patterns, counts = distinct_patterns(candidates)
        bits = self._pattern_scores(patterns)
        prior = min(0.5, len(candidates) / total_pairs / 2)
        for _ in range(200):
            logit = np.log2(prior / (1 - prior)) + bits
            expected = float((counts / (1 + np.exp2(-np.clip(logit, -1000, 1000)))).sum())
            new_prior = float(np.clip(expected / total_pairs, 1e-12, 0.5))
            if abs(new_prior - prior) <= prior * 1e-6:
                prior = new_prior
                break
            prior = new_prior
        self.prior = prior

    def _em(self, vectors, free: list[int], update_u: bool, max_iterations=60, tolerance=1e-5):
        patterns, counts = distinct_patterns(vectors)
        prior = self._starting_prior(patterns, counts)
        for _ in range(max_iterations):
            log_m, log_u = self._log_likelihoods(patterns, free if free else None)
            odds = np.log(prior) - np.log1p(-prior) + log_m - log_u
            match = 1 / (1 + np.exp(-np.clip(odds, -700, 700)))
            new_prior = float(np.clip((match * counts).sum() / counts.sum(), _EPS, 1 - _EPS))
            change = abs(new_prior - prior)
            for o in free:
                k = len(self.outputs[o].level_labels)
                new_m = _weighted_frequencies(patterns[:, o], match * counts, k)
                change = max(change, float(np.abs(new_m - self.m[o]).max()))
                self.m[o] = new_m
                if update_u:
                    self.u[o] = _weighted_frequencies(patterns[:, o], (1 - match) * counts, k)
            prior = new_prior
            if change < tolerance:
                break
        self.prior = prior

    def _starting_prior(self, patterns: np.ndarray, counts: np.ndarray) -> float:
        scores = self._pattern_scores(patterns)
        share = float(counts[scores > 0].sum() / counts.sum())
        return float(np.clip(share, 0.001, 0.5))

    def _log_likelihoods(self, patterns: np.ndarray, outputs: list[int] | None = None):
        log_m = np.zeros(len(patterns))
        log_u = np.zeros(len(patterns))
        for o in range(len(self.outputs)) if outputs is None else outputs:
            levels = patterns[:, o]
            log_m += np.log(self.bounded_m(o))[levels]
            log_u += np.log(self.u[o])[levels]
        return log_m, log_u

    def _pattern_scores(self, patterns: np.ndarray) -> np.ndarray:
        return sum(self.weights(o)[patterns[:, o]] for o in range(len(self.outputs)))

    def learn_term_frequencies(self, datasets: list[Dataset]) -> None:
        for o, output in enumerate(self.outputs):
            if not output.term_frequency:
                continue
            comparison = self.comparisons[output.comparison]
            values = np.concatenate(
                [
                    comparison.tf_values(d.prepared[output.comparison], output.index)
                    for d in datasets
                ]
            )
            values = values[values != 0]
            if not len(values):
                continue
            names, counts = np.unique(values, return_counts=True)
            share = counts / counts.sum()
            self.tf[o] = dict(zip(names.tolist(), share.tolist(), strict=True))
            self.tf_average[o] = float((share**2).sum())

    def calibrate(self, confirmed: np.ndarray, rejected: np.ndarray, strength: float = 50.0):
        """Blend in caseworkers' decisions: confirmed pairs inform m, rejected ones u.

        `strength` is how many labelled pairs the unsupervised estimate is worth.
        """
        for o, output in enumerate(self.outputs):
            k = len(output.level_labels)
            for labelled, target in ((confirmed, self.m), (rejected, self.u)):
                if not len(labelled):
                    continue
                levels = labelled[:, o]
                seen = np.bincount(levels[levels > 0], minlength=k + 1)[: k + 1].astype(float)
                blended = target[o] * strength + seen
                blended[0] = 0
                target[o] = _normalised(blended)

    # -- scoring ----------------------------------------------------------------------
    def weights(self, o: int) -> np.ndarray:
        """Bits per level of output o; level 0 (nothing to compare) weighs nothing.

        Levels are ordered from the strongest agreement down, and the weights are kept in
        that order (a closer agreement never counts for less), with an exact agreement
        never counting against a match: so a record always scores highest against itself,
        and an explanation reads the way a caseworker expects.
        """
        w = np.log2(self.bounded_m(o) / self.u[o])
        w[0] = 0.0
        w[1:] = np.minimum.accumulate(w[1:])
        w[1] = max(w[1], 0.0)
        return w

    def bounded_m(self, o: int) -> np.ndarray:
        """m of output o within its comparison's bounds, the other levels rescaled so that
        the levels still share what they shared."""
        output = self.outputs[o]
        bounds = self.comparisons[output.comparison].m_bounds(output.index)
        m = self.m[o]
        if not bounds:
            return m
        bounded = m.copy()
        for level, (low, high) in bounds.items():
            bounded[level] = min(max(bounded[level], low), high)
        free = [level for level in range(1, len(m)) if level not in bounds]
        rest = float(m[1:].sum()) - sum(float(bounded[level]) for level in bounds)
        held = float(bounded[free].sum())
        if free and held > 0 and rest > 0:
            bounded[free] *= rest / held
        return bounded

    @property
    def prior_bits(self) -> float:
        return float(np.log2(self.prior / (1 - self.prior)))

    def tf_adjustment(self, o: int, levels: np.ndarray, values: np.ndarray | None) -> np.ndarray:
        """Extra bits on an exact agreement: + for a rare value, - for a common one."""
        table = self.tf[o]
        out = np.zeros(len(levels))
        if table is None or values is None:
            return out
        exact = np.flatnonzero(levels == 1)
        if not len(exact):
            return out
        shares = np.array([table.get(int(v), 0.0) for v in values[exact]])
        shares = np.where(shares > 0, shares, min(table.values()))
        bits = np.clip(np.log2(self.tf_average[o] / shares), -MAX_TF_BITS, MAX_TF_BITS)
        # However common the value, an exact agreement outweighs the next level down.
        w = self.weights(o)
        floor = max(w[2], 0.0) if len(w) > 2 else 0.0
        out[exact] = np.maximum(bits, floor - w[1])
        return out

    def scores(
        self, vectors: np.ndarray, a: Dataset | None = None, left: np.ndarray | None = None
    ) -> np.ndarray:
        """Match weight in bits for each pair (prior included)."""
        total = np.full(len(vectors), self.prior_bits)
        for o, output in enumerate(self.outputs):
            total += self.weights(o)[vectors[:, o]]
            if output.term_frequency and a is not None and left is not None:
                comparison = self.comparisons[output.comparison]
                values = comparison.tf_values(a.prepared[output.comparison], output.index)
                if values is not None:
                    total += self.tf_adjustment(o, vectors[:, o], values[left])
        return total

    @staticmethod
    def probability(scores: np.ndarray) -> np.ndarray:
        return 1 / (1 + np.exp2(-np.clip(scores, -1000, 1000)))

    def tf_values_of(self, data: Dataset, row: int) -> list:
        """The values that term frequencies look up, for one record."""
        out = []
        for output in self.outputs:
            comparison = self.comparisons[output.comparison]
            values = comparison.tf_values(data.prepared[output.comparison], output.index)
            out.append(None if values is None else values[row])
        return out

    def explain(self, vector: np.ndarray, tf_values: list | None = None) -> dict:
        """Which fields agreed and how much each contributed, for one pair."""
        parts = []
        total = self.prior_bits
        for o, output in enumerate(self.outputs):
            level = int(vector[o])
            bits = float(self.weights(o)[level])
            if tf_values is not None and level == 1 and output.term_frequency:
                bits += float(self.tf_adjustment(o, np.array([1]), np.array([tf_values[o]]))[0])
            total += bits
            parts.append(
                {
                    "field": output.label,
                    "level": "missing" if level == 0 else output.level_labels[level - 1],
                    "bits": round(bits, 2),
                }
            )
        probability = float(self.probability(np.array([total]))[0])
        return {
            "prior_bits": round(self.prior_bits, 2),
            "fields": parts,
            "score": round(total, 2),
            "probability": probability,
        }

    def to_dict(self) -> dict:
        return {
            "prior": self.prior,
            "outputs": [
                {"field": o.label, "m": self.m[i].tolist(), "u": self.u[i].tolist()}
                for i, o in enumerate(self.outputs)
            ],
        }

    def load(self, data: dict) -> "Model":
        by_label = {o["field"]: o for o in data["outputs"]}
        for i, output in enumerate(self.outputs):
            if output.label in by_label:
                self.m[i] = np.array(by_label[output.label]["m"], dtype=float)
                self.u[i] = np.array(by_label[output.label]["u"], dtype=float)
        self.prior = float(data["prior"])
        return self


def distinct_patterns(vectors: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Distinct rows of the level matrix and how often each occurs (one code per row)."""
    radix = int(vectors.max()) + 1 if len(vectors) else 1
    codes = np.zeros(len(vectors), dtype=np.int64)
    for column in range(vectors.shape[1]):
        codes = codes * radix + vectors[:, column]
    distinct, first, counts = np.unique(codes, return_index=True, return_counts=True)
    return vectors[first], counts.astype(np.float64)


def _default_m(k: int) -> np.ndarray:
    # Matches mostly agree strongly: geometric decline from the exact level.
    raw = np.r_[0.0, 0.5 ** np.arange(k)]
    raw[-1] = max(raw[-1], 0.02)
    return _normalised(raw)


def _normalised(counts: np.ndarray) -> np.ndarray:
    counts = counts.astype(np.float64).copy()
    counts[0] = 0
    total = counts[1:].sum()
    out = counts / total if total > 0 else np.r_[0, np.full(len(counts) - 1, 1 / (len(counts) - 1))]
    out[1:] = np.maximum(out[1:], _EPS)
    out[0] = 1.0  # level 0 cancels out in m/u
    return out


def _frequencies(levels: np.ndarray, k: int, pseudo: float) -> np.ndarray:
    counts = np.bincount(levels, minlength=k + 1)[: k + 1].astype(np.float64)
    counts[1:] += pseudo
    return _normalised(counts)


def _weighted_frequencies(levels: np.ndarray, weights: np.ndarray, k: int) -> np.ndarray:
    counts = np.bincount(levels, weights=weights, minlength=k + 1)[: k + 1]
    return _normalised(counts)

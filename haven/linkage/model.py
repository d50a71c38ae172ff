"""The Fellegi–Sunter model: weights per comparison level, adjusted for common values.

For every comparison output and level, m is the chance that two records of the same person
are at that level and u the chance for two different people (`estimation` learns both
without labels). A level's weight is log2(m/u) bits; a pair's score is the prior plus the
weights of its levels, and its probability follows from the score. An exact agreement on a
common value ("Mohamed") counts for less than on a rare one, in proportion to how often
the value occurs. Caseworkers' confirmed and rejected matches can then pull m and u
towards what they saw (`calibrate`).
"""

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from haven.linkage.comparisons import Comparison, PersonName
from haven.linkage.texts import VOCABULARY

CHUNK = 500_000  # pairs compared at a time
MAX_TF_BITS = 8.0  # a one-off value can only add so much certainty
_EPS = 1e-6


# The explanation's line for what sharing a family name took from the other agreements.
WITHIN_FAMILY = "within a family"
SHARED_BY_RELATIVES = "relatives often share these"


@dataclass(frozen=True)
class Family:
    """Pairs that share a family name are often relatives, who also share a date of birth
    (twins), a place, a phone, parents' names and a nationality far more often than two
    people taken at random: for such pairs those agreements are weighed against how often
    they occur among pairs sharing a family name (u within families), not among all pairs.

    `output` is the family-name output, its levels 1..`levels` count as sharing; `rule`
    blocks the records into families to measure u; the outputs in `kept` keep their u (the
    given name is what tells a family's members apart: within a family the matches agree
    on it too, and the model cannot yet tell them from siblings)."""

    output: str
    levels: int
    rule: tuple[str, ...]
    kept: tuple[str, ...] = ()


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
        self.m = [self._start(o, "default_m", _default_m) for o in self.outputs]
        self.u = [self._start(o, "default_u", _even) for o in self.outputs]
        self.prior = 1e-4
        self.tf: list[dict | None] = [None] * len(self.outputs)
        self.tf_average = np.zeros(len(self.outputs))
        self.fit: Any = None  # what learning it did, when it was learnt (estimation.Fit)
        # u among pairs sharing a family name (see `Family`), measured on a population.
        self.family: Family | None = None
        self.u_family: list[np.ndarray] | None = None
        # Term frequencies kept as a profile (`use_profile`): shares by digest of the value.
        self.tf_digest: Callable[[str], str] | None = None
        self.tf_profile: list[dict | None] = [None] * len(self.outputs)

    def _start(self, output: Output, which: str, fallback) -> np.ndarray:
        given = getattr(self.comparisons[output.comparison], which)(output.index)
        return fallback(len(output.level_labels)) if given is None else normalised(given)

    def pattern_scores(self, patterns: np.ndarray) -> np.ndarray:
        """Bits of each comparison pattern (no prior, no term frequencies)."""
        total = np.zeros(len(patterns))
        for o in range(len(self.outputs)):
            total += self.weights(o)[patterns[:, o]]
        return total + self.family_adjustment(patterns)

    def family_adjustment(self, patterns: np.ndarray) -> np.ndarray:
        """Bits that pairs sharing a family name lose because their other agreements are
        weighed within families (never a gain); never more than the family name's agreement
        gave over the first level that is not sharing (so that a shared family name never
        counts against a pair, and a score never rises when a field stops agreeing)."""
        out = np.zeros(len(patterns))
        inside = self.in_family(patterns)
        family = self.family_output()
        if not inside.any() or family is None or self.family is None:
            return out
        for o in self.family_outputs():
            delta = self.weights(o, within_family=True) - self.weights(o)
            out[inside] += delta[patterns[inside, o]]
        w = self.weights(family)
        gain = w - w[min(self.family.levels + 1, len(w) - 1)]
        # Only ever less: where families make an agreement rarer than it is among all pairs
        # (siblings seldom share a given name), the agreement keeps what it weighs anyway.
        out[inside] = np.clip(out[inside], -gain[patterns[inside, family]], 0.0)
        return out

    def family_output(self) -> int | None:
        if self.family is None:
            return None
        labels = [output.label for output in self.outputs]
        return labels.index(self.family.output) if self.family.output in labels else None

    def family_outputs(self) -> list[int]:
        """The outputs weighed by their u within families (when that was measured)."""
        family = self.family_output()
        if family is None or self.u_family is None or self.family is None:
            return []
        kept = set(self.family.kept)
        return [
            o for o, output in enumerate(self.outputs) if o != family and output.label not in kept
        ]

    def in_family(self, patterns: np.ndarray) -> np.ndarray:
        """Which pairs share a family name (always none before u within families is known)."""
        family = self.family_output()
        if family is None or self.u_family is None or self.family is None:
            return np.zeros(len(patterns), dtype=bool)
        levels = patterns[:, family]
        return (levels >= 1) & (levels <= self.family.levels)

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

    def term_frequency_profile(self, digest: Callable[[str], str]) -> dict:
        """The term frequencies learnt, to keep beside the model: per output, the average,
        the share of a value seen once ("rare") and the shares of the values seen more
        often, each keyed by `digest` of the value (a keyed hash: the profile does not list
        names)."""
        profile = {}
        for o, output in enumerate(self.outputs):
            table = self.tf[o]
            if not table:
                continue
            rare = min(table.values())
            codes = [code for code, share in table.items() if share > rare]
            texts = list(VOCABULARY.decode(np.array(codes, dtype=np.int64))) if codes else []
            profile[output.label] = {
                "average": float(self.tf_average[o]),
                "rare": float(rare),
                "shares": {
                    digest(str(text)): float(table[code])
                    for code, text in zip(codes, texts, strict=True)
                },
            }
        return profile

    def use_profile(self, profile: dict, digest: Callable[[str], str]) -> None:
        """Score with the term frequencies of a profile (`term_frequency_profile`), for a
        lookup that compares a handful of records from a population counted before."""
        self.tf_digest = digest
        for o, output in enumerate(self.outputs):
            found = profile.get(output.label)
            if found is not None and output.term_frequency:
                self.tf_profile[o] = found
                self.tf_average[o] = float(found["average"])

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
                target[o] = normalised(blended)

    # -- scoring ----------------------------------------------------------------------
    def weights(self, o: int, within_family: bool = False) -> np.ndarray:
        """Bits per level of output o; level 0 (nothing to compare) weighs nothing.

        Levels are ordered from the strongest agreement down, and the weights are kept in
        that order (a closer agreement never counts for less), with an exact agreement
        never counting against a match: so a record always scores highest against itself,
        and an explanation reads the way a caseworker expects.
        """
        w = np.log2(self.bounded_m(o) / self.bounded_u(o, within_family))
        w[0] = 0.0
        w[1:] = np.minimum.accumulate(w[1:])
        w[1] = max(w[1], 0.0)
        return w

    def bounded_m(self, o: int) -> np.ndarray:
        """m of output o within its comparison's bounds (see `_bounded`)."""
        output = self.outputs[o]
        return _bounded(self.m[o], self.comparisons[output.comparison].m_bounds(output.index))

    def bounded_u(self, o: int, within_family: bool = False) -> np.ndarray:
        """u of output o (among pairs sharing a family name, when asked and known) within
        its comparison's bounds (see `_bounded`)."""
        output = self.outputs[o]
        u = self.u_family[o] if within_family and self.u_family is not None else self.u[o]
        return _bounded(u, self.comparisons[output.comparison].u_bounds(output.index))

    @property
    def prior_bits(self) -> float:
        return float(np.log2(self.prior / (1 - self.prior)))

    def tf_adjustment(self, o: int, levels: np.ndarray, values: np.ndarray | None) -> np.ndarray:
        """Extra bits on an exact agreement: + for a rare value, - for a common one."""
        table, profile = self.tf[o], self.tf_profile[o]
        out = np.zeros(len(levels))
        if (table is None and profile is None) or values is None:
            return out
        exact = np.flatnonzero(levels == 1)
        if not len(exact):
            return out
        if table is not None:
            shares = np.array([table.get(int(v), 0.0) for v in values[exact]])
            shares = np.where(shares > 0, shares, min(table.values()))
        else:
            assert profile is not None and self.tf_digest is not None
            texts = VOCABULARY.decode(np.asarray(values[exact], dtype=np.int64))
            common = profile["shares"]
            shares = np.array([common.get(self.tf_digest(str(t)), profile["rare"]) for t in texts])
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
        total = self.prior_bits + self.pattern_scores(vectors)
        for o, output in enumerate(self.outputs):
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

    def explain(
        self, vector: np.ndarray, tf_values: list | None = None, prior_shift: float = 0.0
    ) -> dict:
        """Which fields agreed and how much each contributed, for one pair; `tf_values` (of
        one of its records) for term frequencies, `prior_shift` bits added to the prior (the
        prior the pair was scored with): the prior and the fields add up to the score."""
        parts = []
        total = self.prior_bits + prior_shift
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
        lost = float(self.family_adjustment(np.asarray(vector)[None, :])[0])
        if lost:
            total += lost
            parts.append(
                {"field": WITHIN_FAMILY, "level": SHARED_BY_RELATIVES, "bits": round(lost, 2)}
            )
        probability = float(self.probability(np.array([total]))[0])
        return {
            "prior_bits": round(self.prior_bits + prior_shift, 2),
            "fields": parts,
            "score": round(total, 2),
            "probability": probability,
        }

    def to_dict(self) -> dict:
        outputs = []
        for i, o in enumerate(self.outputs):
            output = {"field": o.label, "m": self.m[i].tolist(), "u": self.u[i].tolist()}
            if self.u_family is not None:
                output["u_within_families"] = self.u_family[i].tolist()
            outputs.append(output)
        data: dict = {"prior": self.prior, "outputs": outputs}
        if self.family is not None:
            data["family"] = {
                "output": self.family.output,
                "levels": self.family.levels,
                "rule": list(self.family.rule),
                "kept": list(self.family.kept),
            }
        return data

    def copy(self) -> "Model":
        """The same m, u, prior and u within families, without term frequencies (they
        belong to a population)."""
        return Model(self.comparisons).load(self.to_dict())

    def load(self, data: dict) -> "Model":
        by_label = {o["field"]: o for o in data["outputs"]}
        for i, output in enumerate(self.outputs):
            if output.label in by_label:
                self.m[i] = np.array(by_label[output.label]["m"], dtype=float)
                self.u[i] = np.array(by_label[output.label]["u"], dtype=float)
        self.prior = float(data["prior"])
        family = data.get("family")
        self.family = (
            None
            if family is None
            else Family(
                family["output"],
                int(family["levels"]),
                tuple(family["rule"]),
                tuple(family["kept"]),
            )
        )
        self.u_family = None
        if family is not None and all(
            "u_within_families" in by_label.get(o.label, {}) for o in self.outputs
        ):
            self.u_family = [
                np.array(by_label[o.label]["u_within_families"], dtype=float) for o in self.outputs
            ]
        return self


def _bounded(shares: np.ndarray, bounds: dict[int, tuple[float, float]]) -> np.ndarray:
    """Shares per level with the bounded levels held within their bounds, the other levels
    rescaled so that the levels still share what they shared."""
    if not bounds:
        return shares
    bounded = shares.copy()
    for level, (low, high) in bounds.items():
        bounded[level] = min(max(bounded[level], low), high)
    free = [level for level in range(1, len(shares)) if level not in bounds]
    rest = float(shares[1:].sum()) - sum(float(bounded[level]) for level in bounds)
    held = float(bounded[free].sum())
    if free and held > 0 and rest > 0:
        bounded[free] *= rest / held
    return bounded


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
    return normalised(raw)


def _even(k: int) -> np.ndarray:
    return normalised(np.ones(k + 1))


def normalised(counts: np.ndarray) -> np.ndarray:
    counts = counts.astype(np.float64).copy()
    counts[0] = 0
    total = counts[1:].sum()
    out = counts / total if total > 0 else np.r_[0, np.full(len(counts) - 1, 1 / (len(counts) - 1))]
    out[1:] = np.maximum(out[1:], _EPS)
    out[0] = 1.0  # level 0 cancels out in m/u
    return out

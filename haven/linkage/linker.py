"""Deduplicate one list or link two: blocking, comparison, unsupervised training, scores."""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from haven.linkage import estimation
from haven.linkage.blocking import (
    BlockingReport,
    FeatureCodes,
    Windows,
    candidate_pairs,
    pairs_within_blocks,
)
from haven.linkage.comparisons import Comparison
from haven.linkage.model import Dataset, Family, Model, comparison_vectors

Rule = tuple[str, ...]


@dataclass
class Settings:
    comparisons: list[Comparison]
    blocking: list[Rule]
    max_block: int = 1000
    # Rules whose blocks are capped lower than max_block (names alone: rare names only).
    rule_caps: dict[Rule, int] = field(default_factory=dict)
    # Rules whose blocks above the cap are compared along sorted orders (sorted_windows).
    windows: Windows = field(default_factory=dict)
    random_pairs: int = 200_000
    seed: int = 42
    # Training looks at this many candidate pairs at most (a random sample beyond that).
    training_pairs: int = 2_000_000
    # EM sessions, one per rule (the blocking rules when empty); see estimation.em_sessions.
    training_rules: list[Rule] = field(default_factory=list)
    # Agreements weighed within families (see model.Family); None: never.
    family: Family | None = None
    # How many pairs sharing a family name measure u within families.
    family_pairs: int = 200_000

    def block_cap(self, rule: Rule) -> int:
        """The largest block the rule still compares within."""
        return min(self.max_block, self.rule_caps.get(rule, self.max_block))


@dataclass
class Result:
    model: Model
    left: np.ndarray
    right: np.ndarray
    vectors: np.ndarray
    scores: np.ndarray
    report: BlockingReport
    n: int
    extra: dict = field(default_factory=dict)
    # The prepared records (one list, or the two linked), for term frequencies in `explain`.
    datasets: tuple[Dataset, ...] = ()

    @property
    def probability(self) -> np.ndarray:
        return Model.probability(self.scores)

    def matches(self, threshold: float = 0.5) -> tuple[np.ndarray, np.ndarray]:
        keep = self.probability >= threshold
        return self.left[keep], self.right[keep]

    def explain(self, i: int, prior_shift: float = 0.0) -> dict:
        """Pair i's explanation by the model that scored it, term frequencies included, with
        `prior_shift` bits added to the prior: its fields and prior sum to its score."""
        tf_values = (
            self.model.tf_values_of(self.datasets[0], int(self.left[i])) if self.datasets else None
        )
        return self.model.explain(self.vectors[i], tf_values, prior_shift)

    def clusters(self, threshold: float = 0.5) -> np.ndarray:
        """A cluster number per record: connected components of the pairs above threshold."""
        left, right = self.matches(threshold)
        return cluster_ids(self.n, left, right + self.extra.get("n_left", 0))


def cluster_ids(n: int, left: np.ndarray, right: np.ndarray) -> np.ndarray:
    graph = coo_matrix((np.ones(len(left), dtype=np.int8), (left, right)), shape=(n, n))
    _, labels = connected_components(graph, directed=False)
    return labels


def _random_pairs(n_left: int, n_right: int, count: int, seed: int, same: bool):
    rng = np.random.default_rng(seed)
    left = rng.integers(0, n_left, size=count)
    right = rng.integers(0, n_right, size=count)
    if same:
        keep = left != right
        left, right = left[keep], right[keep]
    return left, right


def train(
    model: Model,
    settings: Settings,
    a: Dataset,
    b: Dataset,
    vectors: np.ndarray,
    same: bool,
    reference: Model | None = None,
) -> None:
    """u from random pairs, then EM over (a sample of) the candidate pairs, guarded by the
    reference model (see `estimation`)."""
    if a.n == 0 or b.n == 0 or (same and a.n < 2):
        return  # no pair to learn from (nor to score): the model keeps its defaults
    rl, rr = _random_pairs(a.n, b.n, settings.random_pairs, settings.seed, same)
    estimation.estimate_u(model, comparison_vectors(settings.comparisons, a, b, rl, rr))
    rng = np.random.default_rng(settings.seed)
    sessions = []
    for rule in settings.training_rules or settings.blocking:
        left, right = _rule_pairs(a, b, rule, settings, same, rng)
        if len(left) > settings.training_pairs:
            pick = rng.choice(len(left), settings.training_pairs, replace=False)
            left, right = left[pick], right[pick]
        session = comparison_vectors(settings.comparisons, a, b, left, right)
        sessions.append((session, _outputs_of_rule(model, a, rule)))
    total = a.n * (a.n - 1) // 2 if same else a.n * b.n
    estimation.em_sessions(model, sessions, vectors, total, a.n if same else a.n + b.n, reference)
    model.learn_term_frequencies([a] if same else [a, b])


def adapted(model: Model, settings: Settings, a: Dataset, b: Dataset, same: bool) -> Model:
    """A copy of `model` for these records: u from their random pairs (blended with the
    model's, see `estimation.adapt_u`) and term frequencies from their values; m and the
    prior, which describe one person's records, stay."""
    model = model.copy()
    pairs = a.n * (a.n - 1) // 2 if same else a.n * b.n
    if pairs:
        rl, rr = _random_pairs(a.n, b.n, min(settings.random_pairs, pairs), settings.seed, same)
        estimation.adapt_u(model, comparison_vectors(settings.comparisons, a, b, rl, rr))
    model.learn_term_frequencies([a] if same else [a, b])
    return model


def within_families(
    model: Model, settings: Settings, a: Dataset, b: Dataset, candidates: np.ndarray, same: bool
) -> None:
    """Measure u among pairs sharing a family name (`settings.family`), with the prior the
    candidates' scores imply for these records."""
    if settings.family is None or a.n == 0 or b.n == 0:
        return
    # Measured afresh for every population: no family found, nothing weighed otherwise.
    model.family, model.u_family = settings.family, None
    rng = np.random.default_rng(settings.seed)
    left, right = _rule_pairs(a, b, settings.family.rule, settings, same, rng)
    if not len(left):
        return
    if len(left) > settings.family_pairs:
        pick = rng.choice(len(left), settings.family_pairs, replace=False)
        left, right = left[pick], right[pick]
    vectors = comparison_vectors(settings.comparisons, a, b, left, right)
    scores = model.scores(vectors, a, left) - model.prior_bits
    prior = model.copy()
    pairs = a.n * (a.n - 1) // 2 if same else a.n * b.n
    estimation.estimate_prior(prior, candidates, pairs)
    estimation.estimate_u_within_families(model, vectors, scores, prior.prior_bits)


def _rule_pairs(a: Dataset, b: Dataset, rule: Rule, settings: Settings, same: bool, rng):
    """Pairs agreeing on a training rule; on a large list, those of a random share of its
    blocks, so that at most about `training_pairs` are made.

    Sampling whole blocks (not records) keeps the share of matches among the pairs what it
    is for the rule, which is what EM needs to tell the two classes apart.
    """
    if same:
        codes = FeatureCodes(a.features).rule(rule)
        source = None
    else:
        both = {k: np.concatenate([a.features[k], b.features[k]]) for k in a.features}
        codes = FeatureCodes(both).rule(rule)
        source = np.r_[np.zeros(a.n, np.int8), np.ones(b.n, np.int8)]
    present = codes >= 0
    sizes = np.bincount(codes[present]) if present.any() else np.zeros(0, np.int64)
    usable = (sizes >= 2) & (sizes <= settings.max_block)
    pairs = int((sizes[usable] * (sizes[usable] - 1) // 2).sum())
    if pairs > settings.training_pairs:
        keep_block = usable & (rng.random(len(sizes)) < settings.training_pairs / pairs)
        codes = np.where(present & keep_block[np.maximum(codes, 0)], codes, -1)
    left, right, _ = pairs_within_blocks(codes, settings.max_block, source)
    return (left, right) if same else (left, right - a.n)


def _outputs_of_rule(model: Model, data: Dataset, rule: Rule) -> set[int]:
    """The outputs whose comparison supplied a feature of the rule."""
    owners = {data.owners[spec.split("[")[0]] for spec in rule}
    return {o for o, output in enumerate(model.outputs) if output.comparison in owners}


def dedupe(
    columns: Mapping[str, Sequence],
    settings: Settings,
    model: Model | None = None,
    reference: Model | None = None,
) -> Result:
    """Find the records of one list that belong to the same person: with `model`, scored by
    it adapted to these records (`adapted`); without, by a model learnt from them (guarded
    by `reference`)."""
    data = Dataset(columns, settings.comparisons)
    left, right, report = candidate_pairs(
        data.features,
        settings.blocking,
        settings.max_block,
        caps=settings.rule_caps,
        windows=settings.windows,
    )
    vectors = comparison_vectors(settings.comparisons, data, data, left, right)
    if model is None:
        model = Model(settings.comparisons)
        train(model, settings, data, data, vectors, same=True, reference=reference)
    else:
        model = adapted(model, settings, data, data, same=True)
    within_families(model, settings, data, data, vectors, same=True)
    scores = model.scores(vectors, data, left)
    return Result(model, left, right, vectors, scores, report, data.n, datasets=(data,))


def link(
    columns_a: Mapping[str, Sequence],
    columns_b: Mapping[str, Sequence],
    settings: Settings,
    model: Model | None = None,
    reference: Model | None = None,
) -> Result:
    """Pairs (record of A, record of B) that are the same person; right indexes into B.
    `model` and `reference` as for `dedupe`."""
    a = Dataset(columns_a, settings.comparisons)
    b = Dataset(columns_b, settings.comparisons)
    both = {name: np.concatenate([a.features[name], b.features[name]]) for name in a.features}
    source = np.r_[np.zeros(a.n, np.int8), np.ones(b.n, np.int8)]
    left, right, report = candidate_pairs(
        both,
        settings.blocking,
        settings.max_block,
        source,
        caps=settings.rule_caps,
        windows=settings.windows,
    )
    right = right - a.n
    vectors = comparison_vectors(settings.comparisons, a, b, left, right)
    if model is None:
        model = Model(settings.comparisons)
        train(model, settings, a, b, vectors, same=False, reference=reference)
    else:
        model = adapted(model, settings, a, b, same=False)
    within_families(model, settings, a, b, vectors, same=False)
    scores = model.scores(vectors, a, left)
    return Result(
        model, left, right, vectors, scores, report, a.n + b.n, {"n_left": a.n}, datasets=(a, b)
    )

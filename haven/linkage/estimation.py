"""Learning a model's m, u and prior without labels, guarded for a population it has not seen.

u comes from random pairs (almost all different people). m comes from expectation–
maximisation (EM) in sessions, one per training rule, each over the pairs the rule finds
(see `em_sessions`). Three guards keep the estimate from going astray when the records
differ from those the reference model was learnt on:

- a prior on m: the reference's m (the shipped model, or the engine's default decline)
  counts as `PRIOR_MATCHES` matched pairs, so that a session with few matches stays near
  what is known and a level no match reached keeps a share;
- a session is used only when EM converged and found both classes (a share of matches
  strictly between 0 and 1): otherwise its outputs keep what other sessions found;
- the result is checked: an output whose learnt m makes an exact agreement count (almost)
  nothing for a match, or a disagreement count for one, has learnt another
  split of the pairs (households, people sharing a name) and takes the reference's m; when
  more than half of the outputs learnt do, or the prior promises more matches than the records
  can hold, all of m comes from the reference and only the prior is learnt. u, measured
  on this population's own random pairs, always stays.

`model.fit` says what happened, for the job's log and the benchmark.
"""

from dataclasses import dataclass, field

import numpy as np

from haven.linkage.model import Model, distinct_patterns, normalised

U_PRIOR_PAIRS = 2_000.0  # how many random pairs the reference's u is worth when adapting
PRIOR_MATCHES = 100.0  # how many matched pairs the reference's m is worth in each session
MIN_AGREEMENT_BITS = 0.1  # an exact agreement must count at least this much for a match
MAX_PAIRS_PER_RECORD = 5.0  # more expected matching pairs than this per record is not a match
_EPS = 1e-6


@dataclass
class Fit:
    """What an estimate did: the sessions that converged, and what fell back and why."""

    sessions: list[dict] = field(default_factory=list)
    fallback: dict[str, str] = field(default_factory=dict)  # output label -> reason
    whole_model: str = ""  # why all of m came from the reference, when it did

    @property
    def fell_back(self) -> bool:
        return bool(self.fallback or self.whole_model)

    def to_dict(self) -> dict:
        return {
            "sessions": self.sessions,
            "fallback": self.fallback,
            "whole_model": self.whole_model,
        }


def estimate_u(model: Model, vectors: np.ndarray) -> None:
    """u from (mostly non-matching) random pairs; a pseudo-count keeps unseen levels > 0.
    A field no pair has values on both sides of keeps the u it had."""
    for o, output in enumerate(model.outputs):
        k = len(output.level_labels)
        seen = np.bincount(vectors[:, o], minlength=k + 1)[: k + 1].astype(np.float64)
        if seen[1:].sum() == 0:
            continue
        counts = seen + np.r_[0.0, np.ones(k)]
        model.u[o] = normalised(counts)


def adapt_u(model: Model, vectors: np.ndarray) -> None:
    """u measured on this population's random pairs, the model's own u counting as
    `U_PRIOR_PAIRS` of them: a few dozen records keep close to what the model knew, a
    large population speaks for itself (how common each level is among different people
    is a property of the population, unlike m, which describes one person's records).
    Each random pair counts as much as the model thinks it is two people, so that a list
    full of copies of one record does not teach that agreement means nothing."""
    different = 1 - model.probability(model.pattern_scores(vectors) + model.prior_bits)
    for o, output in enumerate(model.outputs):
        k = len(output.level_labels)
        counts = np.bincount(vectors[:, o], weights=different, minlength=k + 1)[: k + 1]
        counts[0] = 0
        known = model.u[o][1:] / model.u[o][1:].sum()
        model.u[o] = normalised(counts + U_PRIOR_PAIRS * np.r_[0.0, known])


def estimate_u_within_families(
    model: Model, vectors: np.ndarray, scores: np.ndarray, prior_bits: float
) -> None:
    """u among pairs that share a family name (`vectors`, `scores` without a prior: pairs
    taken from blocks of one family name), each counting as much as the model, with the
    prior `prior_bits`, thinks it is two people; the model's u over all pairs counts as
    `U_PRIOR_PAIRS` of them, so that a few families change little (and nothing is weighed
    otherwise than among all pairs until families show it)."""
    different = 1 - model.probability(scores + prior_bits)
    found = []
    for o, output in enumerate(model.outputs):
        k = len(output.level_labels)
        counts = np.bincount(vectors[:, o], weights=different, minlength=k + 1)[: k + 1]
        counts[0] = 0
        known = model.u[o][1:] / model.u[o][1:].sum()
        found.append(normalised(counts + U_PRIOR_PAIRS * np.r_[0.0, known]))
    model.u_family = found


def em_sessions(
    model: Model,
    sessions: list[tuple[np.ndarray, set[int]]],
    all_vectors: np.ndarray,
    total_pairs: int,
    records: int,
    reference: Model | None = None,
) -> Fit:
    """EM as a series of sessions, each over the pairs one blocking rule found.

    The fields a session's rule blocked on agree by construction there, so they say
    nothing about m in that session: they are held out, and their m comes from the
    sessions that did not block on them. u stays as random pairs gave it. Then the guards
    above; finally the chance that two records taken at random match is estimated with m
    and u held.
    """
    fit = Fit()
    known = [m.copy() for m in (reference.m if reference is not None else model.m)]
    estimates: list[list[np.ndarray]] = [[] for _ in model.outputs]
    for number, (vectors, held_out) in enumerate(sessions):
        if not len(vectors):
            fit.sessions.append({"session": number, "pairs": 0, "used": False})
            continue
        model.m = [m.copy() for m in known]
        free = [o for o in range(len(model.outputs)) if o not in held_out]
        iterations, converged, share = _em(model, vectors, free, known)
        used = converged and _EPS < share < 1 - _EPS
        fit.sessions.append(
            {
                "session": number,
                "pairs": len(vectors),
                "iterations": iterations,
                "converged": converged,
                "match_share": share,
                "used": used,
            }
        )
        if used:
            for o in free:
                if (vectors[:, o] > 0).any():  # a field never filled in teaches nothing
                    estimates[o].append(model.m[o])
    model.m = [
        normalised(np.mean(found, axis=0)) if found else known[o]
        for o, found in enumerate(estimates)
    ]
    _check_m(model, known, [o for o, found in enumerate(estimates) if found], fit)
    estimate_prior(model, all_vectors, total_pairs)
    if not fit.whole_model and model.prior * total_pairs > MAX_PAIRS_PER_RECORD * records:
        fit.whole_model = "more matches expected than the records can hold"
        model.m = [m.copy() for m in known]
        estimate_prior(model, all_vectors, total_pairs)
    model.fit = fit
    return fit


def _check_m(model: Model, known: list[np.ndarray], learnt: list[int], fit: Fit) -> None:
    """Outputs whose learnt m is not evidence of a match take the reference's m."""
    for o in learnt:
        output = model.outputs[o]
        bits = np.log2(model.bounded_m(o)[1:] / model.bounded_u(o)[1:])
        if bits[0] < MIN_AGREEMENT_BITS:
            fit.fallback[output.label] = "agreement counted too little for a match"
        elif bits[-1] > 0:
            fit.fallback[output.label] = "disagreement counted for a match"
    if learnt and len(fit.fallback) * 2 > len(learnt):
        fit.whole_model = "most fields learnt another split of the pairs"
        model.m = [m.copy() for m in known]
        return
    for o, output in enumerate(model.outputs):
        if output.label in fit.fallback:
            model.m[o] = known[o].copy()


def estimate_prior(model: Model, candidates: np.ndarray, total_pairs: int) -> None:
    """EM for the prior alone over every possible pair, all outside the candidates being
    taken as non-matches; weights come from random-pair u, so this is the prior they need.
    """
    if not len(candidates) or total_pairs <= 0:
        return
    patterns, counts = distinct_patterns(candidates)
    bits = model.pattern_scores(patterns)
    prior = min(0.5, len(candidates) / total_pairs / 2)
    for _ in range(200):
        logit = np.log2(prior / (1 - prior)) + bits
        expected = float((counts / (1 + np.exp2(-np.clip(logit, -1000, 1000)))).sum())
        new_prior = float(np.clip(expected / total_pairs, 1e-12, 0.5))
        if abs(new_prior - prior) <= prior * 1e-6:
            prior = new_prior
            break
        prior = new_prior
    model.prior = prior


def _em(
    model: Model,
    vectors: np.ndarray,
    free: list[int],
    known: list[np.ndarray],
    max_iterations: int = 100,
    tolerance: float = 1e-5,
) -> tuple[int, bool, float]:
    """EM over the distinct comparison patterns, m of the free outputs only, each with the
    reference's m as its prior. Returns (iterations, converged, share of matches)."""
    if not free:
        return 0, False, 0.0  # the rule blocked on every field: nothing left to learn
    patterns, counts = distinct_patterns(vectors)
    prior = _starting_prior(model, patterns, counts)
    for iteration in range(1, max_iterations + 1):
        log_m, log_u = _log_likelihoods(model, patterns, free)
        odds = np.log(prior) - np.log1p(-prior) + log_m - log_u
        match = 1 / (1 + np.exp(-np.clip(odds, -700, 700)))
        new_prior = float(np.clip((match * counts).sum() / counts.sum(), _EPS, 1 - _EPS))
        change = abs(new_prior - prior)
        for o in free:
            k = len(model.outputs[o].level_labels)
            seen = np.bincount(patterns[:, o], weights=match * counts, minlength=k + 1)[: k + 1]
            pseudo = PRIOR_MATCHES * np.r_[0.0, known[o][1:] / known[o][1:].sum()]
            new_m = normalised(seen + pseudo)
            change = max(change, float(np.abs(new_m - model.m[o]).max()))
            model.m[o] = new_m
        prior = new_prior
        if change < tolerance:
            return iteration, True, prior
    return max_iterations, False, prior


def _starting_prior(model: Model, patterns: np.ndarray, counts: np.ndarray) -> float:
    scores = model.pattern_scores(patterns)
    share = float(counts[scores > 0].sum() / counts.sum())
    return float(np.clip(share, 0.001, 0.5))


def _log_likelihoods(model: Model, patterns: np.ndarray, outputs: list[int]):
    log_m = np.zeros(len(patterns))
    log_u = np.zeros(len(patterns))
    for o in outputs:
        levels = patterns[:, o]
        log_m += np.log(model.bounded_m(o))[levels]
        log_u += np.log(model.bounded_u(o))[levels]
    return log_m, log_u

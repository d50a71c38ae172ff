"""k-anonymous (and ℓ-diverse) releases of records, with the least information lost.

`anonymise(columns, request)` checks the request before any work, finds the optimal
full-domain generalisation (haven.privacy.lattice), and returns the released rows —
generalised, without the suppressed records, shuffled, with no source identifier — and a
report of what was achieved. `haven.privacy.verify` re-checks a release independently.
"""

from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

from haven.privacy.hierarchy import MISSING, Hierarchy, HierarchyError, is_missing
from haven.privacy.lattice import OBJECTIVES, Lattice, Solution, TooManyCombinations

DIVERSITY = ("distinct", "entropy")
MISSING_RULE = (
    'A missing value is a value of its own, "(missing)", at every level below the top of its '
    "hierarchy, and joins the top value at the top level."
)


class RequestError(ValueError):
    """A release that cannot be made as asked; the message says what to change."""


@dataclass
class Request:
    quasi_identifiers: list[str]
    hierarchies: Mapping[str, Hierarchy]
    k: int
    suppression_limit: float = 0.0  # the share of records that may be suppressed, 0 to 1
    sensitive: str | None = None
    l_diversity: int | None = None
    diversity: str = "distinct"
    objective: str = "loss"
    # Other columns to release as they are (never the quasi-identifiers' raw values).
    keep: list[str] = field(default_factory=list)


@dataclass
class Report:
    k: int
    k_achieved: int
    l_diversity: int | None
    l_achieved: float | None
    diversity: str | None
    suppression_limit: float
    records_in: int
    records_out: int
    suppressed: int
    classes: int
    levels: dict[str, int]
    information_loss: float
    discernibility: float
    average_class_size: float
    max_risk: float
    average_risk: float
    nodes_evaluated: int
    lattice_size: int
    objective: str
    missing_rule: str = MISSING_RULE

    def as_dict(self) -> dict:
        return asdict(self)


@dataclass
class Release:
    columns: dict[str, list[str]]
    report: Report


def check(columns: Mapping[str, Sequence], request: Request) -> int:
    """Every problem with the request, before any work; returns the number of records."""
    qis = list(request.quasi_identifiers)
    if not qis:
        raise RequestError("Choose at least one quasi-identifier.")
    if len(set(qis)) != len(qis):
        raise RequestError("A quasi-identifier is listed twice.")
    missing = [c for c in [*qis, *request.keep, request.sensitive] if c and c not in columns]
    if missing:
        raise RequestError(f"No such column: {', '.join(missing)}.")
    lengths = {len(columns[c]) for c in [*qis, *request.keep, request.sensitive] if c}
    if len(lengths) > 1:
        raise RequestError("The columns do not all have the same number of records.")
    n = lengths.pop()
    if n == 0:
        raise RequestError("There are no records to release: the selection is empty.")
    if request.sensitive in qis:
        raise RequestError(
            f"{request.sensitive} cannot be both a quasi-identifier and the sensitive attribute."
        )
    if set(request.keep) & set(qis):
        raise RequestError("A quasi-identifier cannot also be released as it is.")
    if not isinstance(request.k, int) or request.k < 2:
        raise RequestError("k must be a whole number of at least 2.")
    if request.k > n:
        raise RequestError(
            f"k = {request.k} is larger than the {n} records selected: no release can put "
            f"{request.k} records in every class. Lower k or select more records."
        )
    if not 0 <= request.suppression_limit <= 1:
        raise RequestError("The suppression limit is a share of the records, from 0 to 1.")
    if request.objective not in OBJECTIVES:
        raise RequestError(f"The objective is one of {', '.join(OBJECTIVES)}.")
    absent = [q for q in qis if q not in request.hierarchies]
    if absent:
        raise RequestError(f"No hierarchy for {', '.join(absent)}.")
    if request.l_diversity is not None:
        if not request.sensitive:
            raise RequestError("ℓ-diversity needs a sensitive attribute.")
        if request.diversity not in DIVERSITY:
            raise RequestError("ℓ-diversity is 'distinct' or 'entropy'.")
        distinct = len({v for v in _distinct(columns[request.sensitive]) if not is_missing(v)})
        if request.l_diversity < 2 or request.l_diversity > distinct:
            raise RequestError(
                f"ℓ = {request.l_diversity} is not possible: {request.sensitive} has "
                f"{distinct} distinct values (ℓ goes from 2 to that)."
            )
    return n


def anonymise(
    columns: Mapping[str, Sequence], request: Request, seed: int | None = None
) -> Release:
    n = check(columns, request)
    qis = list(request.quasi_identifiers)
    hierarchies = []
    for name in qis:
        hierarchy = request.hierarchies[name]
        if any(is_missing(v) for v in _distinct(columns[name])):
            hierarchy = hierarchy.with_missing()
        hierarchies.append(hierarchy)
    try:
        leaf = np.stack([h.encode(columns[q]) for h, q in zip(hierarchies, qis, strict=True)], 1)
    except HierarchyError as exc:
        raise RequestError(str(exc)) from None
    sensitive = values = None
    if request.sensitive:
        values = np.array(
            [MISSING if is_missing(v) else str(v) for v in columns[request.sensitive]], dtype=str
        )
        if request.l_diversity:
            _, sensitive = np.unique(values, return_inverse=True)
    try:
        lattice = Lattice(
            leaf,
            hierarchies,
            request.k,
            int(np.floor(request.suppression_limit * n + 1e-9)),
            sensitive,
            request.l_diversity,
            request.diversity,
        )
    except TooManyCombinations as exc:
        raise RequestError(str(exc)) from None
    best = lattice.optimum(request.objective)
    if best is None:
        raise RequestError(
            f"No generalisation reaches k = {request.k}"
            + (f" and ℓ = {request.l_diversity}" if request.l_diversity else "")
            + f" while suppressing at most {request.suppression_limit:.0%} of the records: "
            "allow more suppression, lower k, or use coarser hierarchies."
        )
    return _release(columns, request, hierarchies, leaf, (values, sensitive), best, lattice, seed)


def _release(
    columns: Mapping[str, Sequence[Any]],
    request: Request,
    hierarchies: list[Hierarchy],
    leaf: np.ndarray,
    sensitive: tuple[np.ndarray | None, np.ndarray | None],
    best: Solution,
    lattice: Lattice,
    seed: int | None,
) -> Release:
    qis = list(request.quasi_identifiers)
    n = len(leaf)
    generalised = np.stack(
        [
            h.codes[level][leaf[:, i]]
            for i, (h, level) in enumerate(zip(hierarchies, best.levels, strict=True))
        ],
        1,
    )
    key = np.zeros(n, dtype=np.int64)
    for i, (h, level) in enumerate(zip(hierarchies, best.levels, strict=True)):
        key = key * h.sizes[level] + generalised[:, i]
    _, record_class, sizes = np.unique(key, return_inverse=True, return_counts=True)
    kept = sizes[record_class] >= request.k
    sensitive_values, sensitive_codes = sensitive
    diversity = None
    if request.l_diversity and sensitive_codes is not None:
        diversity = _diversity(record_class, sensitive_codes, len(sizes), request.diversity)
        kept &= diversity[record_class] >= request.l_diversity - 1e-9
    order = np.flatnonzero(kept)
    np.random.default_rng(seed).shuffle(order)
    out = {}
    for i, (name, h, level) in enumerate(zip(qis, hierarchies, best.levels, strict=True)):
        labels = np.array(h.labels[level], dtype=object)
        out[name] = labels[generalised[order, i]].tolist()
    for name in request.keep:
        values = list(columns[name])
        out[name] = [values[r] for r in order]
    if request.sensitive and request.sensitive not in out and sensitive_values is not None:
        out[request.sensitive] = sensitive_values[order].tolist()
    kept_classes = np.unique(record_class[kept])
    kept_sizes = sizes[kept_classes]
    report = Report(
        k=request.k,
        k_achieved=int(kept_sizes.min()) if len(kept_sizes) else 0,
        l_diversity=request.l_diversity,
        l_achieved=float(diversity[kept_classes].min())
        if diversity is not None and len(kept_classes)
        else None,
        diversity=request.diversity if request.l_diversity else None,
        suppression_limit=request.suppression_limit,
        records_in=n,
        records_out=len(order),
        suppressed=n - len(order),
        classes=len(kept_classes),
        levels=dict(zip(qis, best.levels, strict=True)),
        information_loss=best.loss,
        discernibility=best.discernibility,
        average_class_size=best.class_size,
        max_risk=float(1 / kept_sizes.min()) if len(kept_sizes) else 0.0,
        average_risk=len(kept_classes) / len(order) if len(order) else 0.0,
        nodes_evaluated=lattice.evaluated,
        lattice_size=lattice.size,
        objective=request.objective,
    )
    return Release(out, report)


def _distinct(values: Sequence[Any]) -> set[Any]:
    try:
        return set(values)
    except TypeError:  # unhashable values: compared as text
        return {str(v) for v in values}


def _diversity(record_class: np.ndarray, codes: np.ndarray, classes: int, kind: str) -> np.ndarray:
    """ℓ per class: distinct sensitive values, or exp(entropy) for entropy ℓ-diversity."""
    width = int(codes.max()) + 1 if len(codes) else 1
    pairs, counts = np.unique(record_class * width + codes, return_counts=True)
    of = pairs // width
    if kind == "entropy":
        share = counts / np.bincount(of, weights=counts, minlength=classes)[of]
        return np.exp(-np.bincount(of, weights=share * np.log(share), minlength=classes))
    return np.bincount(of, minlength=classes).astype(float)

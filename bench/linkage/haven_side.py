"""Haven's side of the linkage benchmark: python haven_side.py DATASET TABLE... OUT.npz"""

import json
import resource
import sys
import time
from collections import Counter
from pathlib import Path

import numpy as np
import pyarrow.parquet as pq

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from haven.linkage.index import Index  # noqa: E402
from haven.linkage.linker import cluster_ids, dedupe, link  # noqa: E402
from haven.linkage.model import Model  # noqa: E402
from haven.linkage.people import (  # noqa: E402
    COLUMNS,
    THRESHOLD,
    default_model,
    find_duplicates,
    find_links,
    learn_model,
    person_settings,
)
from haven.linkage.synthetic import cross_script_records  # noqa: E402


# Every data set is read as person records and run through the product's own person
# settings: FEBRL's social security number is an identity document and its street address
# a contact; historical_50k's birth place is the place and its (fake) postcode of residence
# a contact, the only part of an address it has.
def _iso(value) -> str:
    text = (value or "").strip()
    return f"{text[:4]}-{text[4:6]}-{text[6:]}" if len(text) == 8 and text.isdigit() else text


def _febrl(frame: dict) -> dict:
    address = zip(frame["street_number"], frame["address_1"], frame["postcode"], strict=True)
    return {
        "given_name": frame["given_name"],
        "family_name": frame["surname"],
        "birth_date": [_iso(d) for d in frame["date_of_birth"]],
        "place": frame["suburb"],
        "documents": frame["soc_sec_id"],
        "contacts": [" ".join(part for part in parts if part) for parts in address],
    }


def _historical(frame: dict) -> dict:
    return {
        "given_name": frame["first_name"],
        "family_name": frame["surname"],
        "sex": frame["gender"],
        "birth_date": frame["dob"],
        "place": frame["birth_place"],
        "contacts": frame["postcode_fake"],
    }


AS_PERSONS = {
    "febrl4": _febrl,
    "febrl1": _febrl,
    "febrl2": _febrl,
    "febrl3": _febrl,
    "historical_50k": _historical,
}


def as_persons(dataset: str, frame: dict) -> dict[str, list]:
    """The data set's records in the product's person columns (absent ones empty)."""
    mapped = AS_PERSONS.get(dataset, lambda f: f)(frame)
    n = len(next(iter(frame.values())))
    return {name: list(mapped[name]) if name in mapped else [""] * n for name in COLUMNS}


def _columns(path: str) -> dict[str, list]:
    table = pq.read_table(path)
    return {name: table.column(name).to_pylist() for name in table.column_names}


def lookup(table: str, out: str) -> None:
    """Index every record, then time one lookup per probe (existing and new people)."""
    columns = as_persons("synthetic_1m", _columns(table))
    settings = person_settings()
    rng = np.random.default_rng(5)
    started = time.perf_counter()
    sample = rng.choice(len(columns["given_name"]), 100_000, replace=False)
    model = learn_model({k: [columns[k][i] for i in sample] for k in COLUMNS})
    trained = time.perf_counter() - started
    index = Index({k: columns[k] for k in COLUMNS}, settings, model)
    built = time.perf_counter() - started - trained
    latencies = []
    for record in _probes(columns, rng):
        begin = time.perf_counter()
        index.query(record, limit=10)
        latencies.append(time.perf_counter() - begin)
    ms = np.array(latencies) * 1000
    np.savez(out, latencies=ms)
    print(
        json.dumps(
            {
                "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                "seconds": trained + built,
                "train_seconds": trained,
                "index_seconds": built,
                "p50_ms": float(np.percentile(ms, 50)),
                "p95_ms": float(np.percentile(ms, 95)),
                "p99_ms": float(np.percentile(ms, 99)),
                "queries": len(ms),
            }
        )
    )


def _probes(columns: dict[str, list], rng, count: int = 500) -> list[dict]:
    """Half records already indexed, half new people from another seed."""
    rows = rng.choice(len(columns["given_name"]), count // 2, replace=False)
    fresh = cross_script_records(count, seed=123)
    return [{k: columns[k][i] for k in COLUMNS} for i in rows] + [
        {k: fresh[k][i] for k in COLUMNS} for i in range(count - len(rows))
    ]


def _blocking_recall(truth: list[list], result) -> float:
    """Share of the true pairs that blocking made candidates (after the clock stopped)."""
    truth_left = np.asarray(truth[0], dtype=object)
    truth_right = np.asarray(truth[-1], dtype=object)
    found = int((truth_left[result.left] == truth_right[result.right]).sum())
    if len(truth) == 2:
        right = Counter(truth[1])
        real = sum(n * right[k] for k, n in Counter(truth[0]).items())
    else:
        real = sum(n * (n - 1) // 2 for n in Counter(truth[0]).values())
    return found / real if real else 1.0


# Clusters are the records joined by pairs this sure, as Splink's side clusters them.
CLUSTER_THRESHOLD = 0.95

DECISIONS = 300  # pairs the product proposed that caseworkers confirm or reject


def _after_decisions(frames, truth, result, probability) -> dict[str, np.ndarray]:
    """The product again after caseworkers decided on `DECISIONS` of the pairs it proposed
    (a random sample, decided by the true identities), the shipped model calibrated from
    those decisions as `haven.tracing.match_jobs.recalibrate` does."""
    proposed = np.flatnonzero(probability >= THRESHOLD)
    rng = np.random.default_rng(21)
    picked = rng.choice(proposed, min(DECISIONS, len(proposed)), replace=False)
    left_truth = np.asarray(truth[0], dtype=object)[result.left[picked]]
    same = left_truth == np.asarray(truth[-1], dtype=object)[result.right[picked]]
    model = default_model().copy()
    model.calibrate(result.vectors[picked][same], result.vectors[picked][~same])
    if len(frames) == 2:
        again, scores = find_links(frames[0], frames[1], model)
    else:
        again, scores = find_duplicates(frames[0], model)
    p = Model.probability(scores)
    keep = p >= THRESHOLD
    return {
        "decided_left": again.left[keep],
        "decided_right": again.right[keep],
        "decided_probability": p[keep],
        "decisions": np.array([len(picked), int((~same).sum())]),
    }


def main(dataset: str, tables: list[str], out: str) -> None:
    if dataset == "lookup":
        lookup(tables[0], out)
        return
    started = time.perf_counter()
    frames = [as_persons(dataset, _columns(t)) for t in tables]
    truth = [_columns(t)["truth"] for t in tables]
    # The product, as its deduplication job runs: the person settings, the shipped model
    # adapted to these records, its prior and its threshold; then the same data learnt
    # without labels, the shipped model as prior and fallback.
    if len(frames) == 2:
        result, scores = find_links(frames[0], frames[1])
    else:
        result, scores = find_duplicates(frames[0])
    probability = Model.probability(scores)
    keep = probability >= THRESHOLD
    left, right = result.left[keep], result.right[keep]
    sure = probability >= CLUSTER_THRESHOLD
    clusters = []
    if len(frames) == 1:
        clusters = cluster_ids(result.n, result.left[sure], result.right[sure])
    seconds = time.perf_counter() - started
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # the product's
    if len(frames) == 2:
        learnt = link(frames[0], frames[1], person_settings(), reference=default_model())
    else:
        learnt = dedupe(frames[0], person_settings(), reference=default_model())
    learnt_left, learnt_right = learnt.matches(THRESHOLD)
    learnt_seconds = time.perf_counter() - started - seconds
    recall = _blocking_recall(truth, result)
    decided = _after_decisions(frames, truth, result, probability)
    np.savez(
        out,
        left=left,
        right=right,
        clusters=clusters,
        probability=probability[keep],
        learnt_left=learnt_left,
        learnt_right=learnt_right,
        **decided,
    )
    print(
        json.dumps(
            {
                "peak_mb": peak_mb,
                "learnt_peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                "seconds": seconds,
                "candidates": int(result.report.candidate_pairs),
                "through_matches": int(result.report.through_matches),
                "blocking_recall": recall,
                "learnt_seconds": learnt_seconds,
                "learnt_fit": learnt.model.fit.to_dict() if learnt.model.fit else {},
            }
        )
    )


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2:-1], sys.argv[-1])

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

from haven.linkage import comparisons as c  # noqa: E402
from haven.linkage.date_comparison import BirthDate  # noqa: E402
from haven.linkage.index import Index  # noqa: E402
from haven.linkage.linker import Settings, cluster_ids, dedupe, link  # noqa: E402
from haven.linkage.model import Model  # noqa: E402
from haven.linkage.people import (  # noqa: E402
    COLUMNS,
    THRESHOLD,
    find_duplicates,
    person_settings,
)
from haven.linkage.synthetic import cross_script_records  # noqa: E402

FEBRL = [
    c.PersonName("given_name", "surname"),
    BirthDate("date_of_birth"),
    c.EditDistance("soc_sec_id", (1, 2)),
    c.Exact("street_number", term_frequency=True),
    c.EditDistance("postcode", (1, 2), term_frequency=True),
    c.Place("suburb"),
    c.Exact("state"),
]
FEBRL_BLOCKING = [
    ("given_name.skeleton", "surname.skeleton"),
    ("names.unordered",),
    ("date_of_birth.ymd",),
    ("soc_sec_id.value",),
    ("postcode.value", "street_number.value"),
    ("postcode.value",),
    ("surname.norm", "date_of_birth.yyyy"),
]
HISTORICAL = Settings(
    comparisons=[
        c.PersonName("first_name", "surname"),
        BirthDate("dob"),
        c.Place("postcode_fake"),
        c.Place("birth_place"),
        c.Exact("gender"),
        c.Exact("occupation", term_frequency=True),
    ],
    blocking=[
        ("first_name.skeleton", "surname.skeleton"),
        ("names.unordered",),
        ("first_name.latin[:3]", "surname.latin[:4]"),
        ("surname.norm", "dob.ymd"),
        ("first_name.norm", "dob.ymd"),
        ("postcode_fake.value", "first_name.norm"),
        ("postcode_fake.value", "surname.norm"),
        ("dob.ymd", "birth_place.value"),
        ("postcode_fake.area", "dob.ymd"),
        ("postcode_fake.area", "first_name.norm"),
        ("postcode_fake.area", "surname.norm"),
        ("first_name.latin[:2]", "surname.latin[:2]", "dob.yyyy"),
        ("surname.skeleton", "dob.yyyy"),
        ("first_name.skeleton", "dob.yyyy"),
        ("dob.ymd",),
        ("postcode_fake.value",),
        ("surname.skeleton", "birth_place.value"),
        ("first_name.skeleton", "birth_place.value"),
        ("surname.skeleton", "occupation.value"),
        ("first_name.norm", "occupation.value", "dob.yyyy"),
    ],
    training_rules=[("first_name.norm", "surname.norm"), ("dob.ymd",)],
)
# Person data: the product's own matching is measured on them (and learning without labels).
PERSON_SETS = {"cross_script", "pseudopeople", "synthetic_1m"}
SETTINGS = {
    "febrl4": Settings(comparisons=FEBRL, blocking=FEBRL_BLOCKING),
    "febrl3": Settings(comparisons=FEBRL, blocking=FEBRL_BLOCKING),
    "historical_50k": HISTORICAL,
    "cross_script": person_settings(),
    "pseudopeople": person_settings(),
    "synthetic_1m": person_settings(),
}


def _columns(path: str) -> dict[str, list]:
    table = pq.read_table(path)
    return {name: table.column(name).to_pylist() for name in table.column_names}


def lookup(table: str, out: str) -> None:
    """Index every record, then time one lookup per probe (existing and new people)."""
    columns = _columns(table)
    settings = person_settings()
    rng = np.random.default_rng(5)
    started = time.perf_counter()
    sample = rng.choice(len(columns["unique_id"]), 100_000, replace=False)
    model = dedupe({k: [v[i] for i in sample] for k, v in columns.items()}, settings).model
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
    rows = rng.choice(len(columns["unique_id"]), count // 2, replace=False)
    fresh = cross_script_records(count, seed=123)
    return [{k: columns[k][i] for k in COLUMNS} for i in rows] + [
        {k: fresh[k][i] for k in COLUMNS} for i in range(count - len(rows))
    ]


def _blocking_recall(frames: list[dict], result) -> float:
    """Share of the true pairs that blocking made candidates (after the clock stopped)."""
    truth_left = np.asarray(frames[0]["truth"], dtype=object)
    truth_right = np.asarray(frames[-1]["truth"], dtype=object)
    found = int((truth_left[result.left] == truth_right[result.right]).sum())
    if len(frames) == 2:
        right = Counter(frames[1]["truth"])
        real = sum(n * right[k] for k, n in Counter(frames[0]["truth"]).items())
    else:
        real = sum(n * (n - 1) // 2 for n in Counter(frames[0]["truth"]).values())
    return found / real if real else 1.0


def main(dataset: str, tables: list[str], out: str) -> None:
    if dataset == "lookup":
        lookup(tables[0], out)
        return
    started = time.perf_counter()
    settings = SETTINGS[dataset]
    frames = [_columns(t) for t in tables]
    extra: dict = {}
    if len(frames) == 2:
        result = link(frames[0], frames[1], settings)
        clusters = None
    elif dataset in PERSON_SETS:
        # The product, as its deduplication job runs: the person settings, the shipped
        # model, its prior and its threshold; then the same data learnt without labels.
        result, scores = find_duplicates({k: frames[0][k] for k in COLUMNS})
        keep = Model.probability(scores) >= THRESHOLD
        left, right = result.left[keep], result.right[keep]
        clusters = cluster_ids(result.n, left, right)
        extra["product_seconds"] = time.perf_counter() - started
        learnt = dedupe(frames[0], settings)
        extra["learnt_left"], extra["learnt_right"] = learnt.matches(0.5)
        extra["learnt_seconds"] = time.perf_counter() - started - extra["product_seconds"]
    else:
        result = dedupe(frames[0], settings)
        clusters = result.clusters(0.95)
    if dataset not in PERSON_SETS or len(frames) == 2:
        left, right = result.matches(0.5)
    seconds = time.perf_counter() - started
    recall = _blocking_recall(frames, result)
    arrays = {k: v for k, v in extra.items() if isinstance(v, np.ndarray)}
    np.savez(
        out, left=left, right=right, clusters=clusters if clusters is not None else [], **arrays
    )
    print(
        json.dumps(
            {
                "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                "seconds": seconds,
                "candidates": int(result.report.candidate_pairs),
                "blocking_recall": recall,
                **{k: v for k, v in extra.items() if not isinstance(v, np.ndarray)},
            }
        )
    )


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2:-1], sys.argv[-1])

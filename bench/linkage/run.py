"""Haven against Splink 5 on the same record-linkage data, in the same run.

    python bench/linkage/run.py [--million] [--only febrl4,historical_50k] [--lookup]

Splink (DuckDB backend) is installed from PyPI into bench/.venv-anchor on first use. Each
side runs in its own process on the same Parquet tables; the wall time is end to end (read,
train, predict, cluster) as the side measures it, peak memory is the process's maximum
resident set. Both sides' predicted pairs (match probability >= 0.5) and clusters (>= 0.95)
are scored here with the same code against the true identities.
"""

import argparse
import json
import subprocess
import sys
from collections import Counter
from pathlib import Path

import numpy as np
import pyarrow.parquet as pq

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
ANCHOR = ROOT / "bench" / ".venv-anchor"
ANCHOR_PACKAGES = ["splink==5.0.0", "duckdb==2.0.1", "pyarrow==26.0.1", "numpy==2.4.6"]
DATA = ROOT / "var" / "bench-linkage"
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(HERE))

from datasets import prepare  # noqa: E402

from bench.environments import ensure  # noqa: E402
from haven.linkage import evaluate  # noqa: E402


def ensure_anchor() -> Path:
    return ensure(ANCHOR, ANCHOR_PACKAGES, "import splink, duckdb, pyarrow, numpy")


def run_side(python: Path, script: str, dataset: str, tables: list[Path]) -> dict:
    out = DATA / f"{dataset}-{script.split('_')[0]}.npz"
    command = [str(python), str(HERE / script), dataset, *map(str, tables), str(out)]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)  # noqa: S603
    output, _ = process.communicate()
    if process.returncode:
        raise SystemExit(f"{script} failed on {dataset}")
    report = json.loads(output.strip().splitlines()[-1])
    report["result"] = np.load(out)
    return report


def score(dataset: str, tables: list[Path], result) -> dict:
    truth = [pq.read_table(t, columns=["truth"]).column("truth").to_pylist() for t in tables]
    if len(truth) == 2:
        a, b = Counter(truth[0]), Counter(truth[1])
        true_pairs = sum(a[k] * b[k] for k in a)
        pairs = evaluate.pairwise(result["left"], result["right"], truth[0], truth[1], true_pairs)
        return {"pairs": pairs}
    true_pairs = evaluate.true_pair_count(truth[0])
    pairs = evaluate.pairwise(result["left"], result["right"], truth[0], truth[0], true_pairs)
    if not len(result["clusters"]):
        return {"pairs": pairs}
    clusters = evaluate.clusters(result["clusters"], truth[0])
    return {"pairs": pairs, "clusters": clusters}


BANDS = (0.5, 0.6, 0.7, 0.8, 0.9, 0.99, 1.0)


def calibration(tables: list[Path], result) -> list[tuple[float, float, int, float]]:
    """Of the product's pairs in each probability band, the share that are true."""
    truth = [pq.read_table(t, columns=["truth"]).column("truth").to_pylist() for t in tables]
    left = np.asarray(truth[0], dtype=object)[result["left"]]
    right = np.asarray(truth[-1], dtype=object)[result["right"]]
    true, probability = left == right, result["probability"]
    rows = []
    for low, high in zip(BANDS, BANDS[1:], strict=False):
        inside = (probability >= low) & ((probability < high) | (high == 1.0))
        if inside.any():
            rows.append((low, high, int(inside.sum()), float(true[inside].mean())))
    return rows


def fmt(acc) -> str:
    return f"P {acc.precision:.4f} R {acc.recall:.4f} F1 {acc.f1:.4f}"


def lookups(anchor: Path, tables: list[Path]) -> None:
    haven = run_side(Path(sys.executable), "haven_side.py", "lookup", tables)
    splink = run_side(anchor, "splink_side.py", "lookup", tables)
    print("\n== lookup: one new record against 1,000,000 indexed records")
    for name, side in (("Haven ", haven), ("Splink", splink)):
        print(
            f"{name} p50 {side['p50_ms']:.1f} ms | p95 {side['p95_ms']:.1f} ms |"
            f" p99 {side['p99_ms']:.1f} ms over {side['queries']} lookups |"
            f" preparation {side['seconds']:.0f} s | peak {side['peak_mb']:.0f} MB"
        )
    print(f"ratio Haven/Splink: p95 {haven['p95_ms'] / splink['p95_ms']:.4f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[1])
    parser.add_argument("--million", action="store_true", help="also the 1,000,000 record set")
    parser.add_argument("--only", default="", help="comma-separated dataset names")
    parser.add_argument(
        "--lookup",
        action="store_true",
        help="also one-record lookups at 1,000,000 (implies --million)",
    )
    args = parser.parse_args()
    anchor = ensure_anchor()
    tables = prepare(DATA, args.million or args.lookup)
    chosen = [d for d in tables if not args.only or d in args.only.split(",")]
    if args.lookup:
        lookups(anchor, tables["synthetic_1m"])
    rows = []
    for dataset in chosen:
        haven = run_side(Path(sys.executable), "haven_side.py", dataset, tables[dataset])
        splink = run_side(anchor, "splink_side.py", dataset, tables[dataset])
        h, s = (
            score(dataset, tables[dataset], haven["result"]),
            score(dataset, tables[dataset], splink["result"]),
        )
        print(f"\n== {dataset}")
        for name, side, acc in (("Haven ", haven, h), ("Splink", splink, s)):
            extra = f" | clusters {fmt(acc['clusters'])}" if "clusters" in acc else ""
            if "blocking_recall" in side:
                extra += (
                    f" | blocking recall {side['blocking_recall']:.4f}"
                    f" of {side['candidates']:,} candidates"
                    f" ({side['through_matches']:,} through matches)"
                )
            print(
                f"{name} pairs {fmt(acc['pairs'])}{extra} | {side['seconds']:.1f} s"
                f" | peak {side['peak_mb']:.0f} MB"
            )
        learnt = score(
            dataset,
            tables[dataset],
            {
                "left": haven["result"]["learnt_left"],
                "right": haven["result"]["learnt_right"],
                "clusters": [],
            },
        )
        fit = haven["learnt_fit"]
        fell_back = fit.get("whole_model") or ", ".join(fit.get("fallback", {})) or "nothing"
        print(
            f"Haven, the same data learnt without labels: pairs {fmt(learnt['pairs'])}"
            f" | {haven['learnt_seconds']:.1f} s | fell back to the shipped model: {fell_back}"
        )
        print("calibration of the product's pairs (probability band: pairs, share true):")
        for low, high, count, share in calibration(tables[dataset], haven["result"]):
            print(f"  {low:.2f}-{high:.2f}: {count:,} pairs, {share:.3f} true")
        decided = {
            "left": haven["result"]["decided_left"],
            "right": haven["result"]["decided_right"],
            "probability": haven["result"]["decided_probability"],
            "clusters": [],
        }
        count, rejected = haven["result"]["decisions"]
        after = score(dataset, tables[dataset], decided)
        print(
            f"Haven after caseworkers decided {count} of its pairs ({rejected} rejected),"
            f" the model calibrated from them: pairs {fmt(after['pairs'])}; calibration:"
        )
        for low, high, count, share in calibration(tables[dataset], decided):
            print(f"  {low:.2f}-{high:.2f}: {count:,} pairs, {share:.3f} true")
        ratio_f1 = h["pairs"].f1 / s["pairs"].f1 if s["pairs"].f1 else float("inf")
        ratio_time = haven["seconds"] / splink["seconds"]
        print(
            f"ratio Haven/Splink: F1 {ratio_f1:.3f}, time {ratio_time:.2f},"
            f" memory {haven['peak_mb'] / splink['peak_mb']:.2f}"
        )
        rows.append((dataset, h, s, haven, splink))


if __name__ == "__main__":
    main()

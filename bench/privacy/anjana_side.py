"""anjana's side (run in bench/.venv-privacy): the same table, its k_anonymity; one
JSON line with the same measures, the loss computed by the shared code.

    python anjana_side.py DATASET LIMIT K REPEATS
"""

import json
import resource
import sys
import time
from pathlib import Path

import pandas as pd
from anjana.anonymity import k_anonymity

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from datasets import information_loss, quasi_identifiers, read_hierarchy, tables  # noqa: E402


def level_of(values: set, rows: list[list[str]]) -> int:
    """The lowest level of the hierarchy holding every released value."""
    for level in range(len(rows[0])):
        if values <= {row[level] for row in rows}:
            return level
    raise SystemExit(f"released values outside the hierarchy: {sorted(values)[:5]}")


def main(dataset: str, limit: float, k: int, repeats: int) -> None:
    data, files = tables(dataset)
    qis = quasi_identifiers(dataset)
    times, out = [], None
    for _ in range(repeats):
        start = time.perf_counter()
        frame = pd.read_csv(data, sep=";", dtype=str)
        hierarchies = {q: dict(pd.read_csv(files[q], header=None, sep=";", dtype=str)) for q in qis}
        out = k_anonymity(frame, [], qis, k, limit * 100, hierarchies)
        times.append(time.perf_counter() - start)
        records_in = len(frame)
    rows = {q: read_hierarchy(files[q]) for q in qis}
    released = {q: out[q].astype(str).tolist() for q in qis}
    levels = {q: level_of(set(released[q]), rows[q]) for q in qis}
    sizes = out.groupby(qis).size() if len(out) else pd.Series(dtype=int)
    print(
        json.dumps(
            {
                "times": times,
                "levels": [levels[q] for q in qis],
                "loss": information_loss(rows, released, levels, records_in),
                "suppressed": records_in - len(out),
                "classes": int(len(sizes)),
                "k_achieved": int(sizes.min()) if len(sizes) else 0,
                "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
            }
        )
    )


if __name__ == "__main__":
    main(sys.argv[1], float(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]))

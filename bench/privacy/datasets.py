"""The benchmark's data: the Adult extract as it lies in ../shared/data/adult, and a
synthetic set of 1,000,000 registrations with 8 quasi-identifiers, written once to
var/bench-privacy/ as a ';'-separated table and one hierarchy file per attribute (the
format both sides read). NumPy only, so that both environments can import it."""

import csv
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
ADULT = ROOT.parent / "shared" / "data" / "adult"
DATA = ROOT / "var" / "bench-privacy"
ADULT_QI = ["age", "sex", "race", "marital-status", "education", "native-country", "workclass"]
SYNTHETIC_QI = [
    "age",
    "sex",
    "nationality",
    "location",
    "registered",
    "vulnerability",
    "programme",
    "marital",
]
REGIONS = {
    "Western Africa": ["NE", "ML", "NG", "GN", "SN", "CI", "BF", "GM", "GH", "SL"],
    "Northern Africa": ["LY", "DZ", "MA", "TN", "EG", "SD"],
    "Eastern Africa": ["ER", "ET", "SO", "SS"],
    "Western Asia": ["SY", "IQ", "YE", "PS"],
    "Southern Asia": ["AF", "BD", "PK"],
}


def tables(name: str) -> tuple[Path, dict[str, Path]]:
    """The data file and the hierarchy files of a data set (made on first use)."""
    if name == "adult":
        return ADULT / "adult.csv", {q: ADULT / f"adult_hierarchy_{q}.csv" for q in ADULT_QI}
    if name == "synthetic_1m":
        return _synthetic(1_000_000)
    raise SystemExit(f"unknown data set {name}")


def quasi_identifiers(name: str) -> list[str]:
    return ADULT_QI if name == "adult" else SYNTHETIC_QI


def _write(path: Path, rows) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle, delimiter=";").writerows(rows)


def _synthetic(n: int, seed: int = 2026) -> tuple[Path, dict[str, Path]]:
    folder = DATA / f"synthetic_{n}"
    data = folder / "data.csv"
    files = {q: folder / f"hierarchy_{q}.csv" for q in SYNTHETIC_QI}
    if data.exists() and all(p.exists() for p in files.values()):
        return data, files
    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    countries = [c for members in REGIONS.values() for c in members]
    weights = rng.dirichlet(np.full(len(countries), 0.6))
    nationality = rng.choice(countries, size=n, p=weights)
    age = np.clip(rng.gamma(4.0, 7.0, size=n).astype(int), 0, 99)
    sex = rng.choice(["female", "male"], size=n, p=[0.42, 0.58])
    admin1 = [f"R{i:02d}" for i in range(12)]
    towns = {r: [f"{r}-T{j:02d}" for j in range(8)] for r in admin1}
    region = rng.choice(admin1, size=n)
    town = np.array([towns[r][j] for r, j in zip(region, rng.integers(0, 8, size=n), strict=True)])
    day = rng.integers(0, 3 * 365, size=n)
    registered = (np.datetime64("2024-01-01") + day).astype(str)
    vulnerabilities = {
        "protection": ["trafficking", "gbv", "torture", "detention"],
        "child": ["unaccompanied", "separated"],
        "assistance": ["stranded", "medical", "disability", "elderly"],
    }
    flat_vulnerabilities = [v for members in vulnerabilities.values() for v in members]
    vulnerability = rng.choice(flat_vulnerabilities, size=n)
    programme = rng.choice(["ct", "cp", "gbv", "vma", "rr"], size=n, p=[0.15, 0.2, 0.1, 0.4, 0.15])
    marital = rng.choice(
        ["single", "married", "partner", "divorced", "separated", "widowed"],
        size=n,
        p=[0.45, 0.3, 0.05, 0.07, 0.08, 0.05],
    )
    columns = [age, sex, nationality, town, registered, vulnerability, programme, marital]
    _write(data, [SYNTHETIC_QI, *zip(*columns, strict=True)])
    _write(
        files["age"],
        [
            [
                a,
                f"{a // 5 * 5}-{a // 5 * 5 + 4}",
                f"{a // 10 * 10}-{a // 10 * 10 + 9}",
                f"{a // 20 * 20}-{a // 20 * 20 + 19}",
                "*",
            ]
            for a in range(100)
        ],
    )
    _write(files["sex"], [["female", "*"], ["male", "*"]])
    _write(
        files["nationality"],
        [[c, region_name, "*"] for region_name, members in REGIONS.items() for c in members],
    )
    _write(files["location"], [[t, r, "NE", "*"] for r in admin1 for t in towns[r]])
    days = (np.datetime64("2024-01-01") + np.arange(3 * 365)).astype(str)
    _write(files["registered"], [[d, d[:7], d[:4], "*"] for d in days])
    _write(
        files["vulnerability"],
        [[v, group, "*"] for group, members in vulnerabilities.items() for v in members],
    )
    _write(files["programme"], [[p, "*"] for p in ["ct", "cp", "gbv", "vma", "rr"]])
    _write(
        files["marital"],
        [
            ["single", "not in a couple", "*"],
            ["divorced", "not in a couple", "*"],
            ["separated", "not in a couple", "*"],
            ["widowed", "not in a couple", "*"],
            ["married", "in a couple", "*"],
            ["partner", "in a couple", "*"],
        ],
    )
    return data, files


def information_loss(
    hierarchy_rows: dict[str, list[list[str]]],
    released: dict[str, list],
    levels: dict[str, int],
    records_in: int,
) -> float:
    """Generalised information loss of a release, computed the same way for both sides:
    per released cell (leaves under its value − 1) / (leaves of the domain − 1), a
    suppressed record costing 1 per quasi-identifier."""
    total = 0.0
    names = list(levels)
    for name in names:
        rows = hierarchy_rows[name]
        column = levels[name]
        under: dict[str, int] = {}
        for row in rows:
            under[row[column]] = under.get(row[column], 0) + 1
        leaves = len(rows)
        total += sum((under[str(v)] - 1) / (leaves - 1) for v in released[name])
    released_n = len(released[names[0]]) if names else 0
    total += (records_in - released_n) * len(names)
    return total / (records_in * len(names))


def read_hierarchy(path: Path) -> list[list[str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return [row for row in csv.reader(handle, delimiter=";") if row]

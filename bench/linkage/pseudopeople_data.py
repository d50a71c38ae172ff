"""Person records Haven did not generate: pseudopeople's sample population (BSD-3, PyPI),
written as one Parquet table of Haven's person columns.

    bench/.venv-pseudopeople/bin/python bench/linkage/pseudopeople_data.py OUT.parquet

pseudopeople simulates the records a population leaves in several registrations over
the years — three decennial censuses, the American Community Survey, the Current
Population Survey, WIC enrolments and Social Security — with the errors such records
carry: typos, phonetic and OCR errors, nicknames, swapped or missing fields, dates with
digits wrong or month and day swapped, ages instead of dates. Each record keeps the
simulated person's id (`simulant_id`), the true identity of the deduplication. It runs in
its own environment (bench/linkage/datasets.py makes it) so that its dependencies never
touch Haven's.
"""

import re
import sys
import warnings

import pseudopeople as psp
import pyarrow as pa
import pyarrow.parquet as pq

# Each source's date of birth, as it writes it.
SOURCES = {
    "census": (psp.generate_decennial_census, "%m/%d/%Y"),
    "acs": (psp.generate_american_community_survey, "%m/%d/%Y"),
    "cps": (psp.generate_current_population_survey, "%m/%d/%Y"),
    "wic": (psp.generate_women_infants_and_children, "%m%d%Y"),
    "ssa": (psp.generate_social_security, "%Y%m%d"),
}
PATTERNS = {
    "%m/%d/%Y": re.compile(r"^(\d\d)/(\d\d)/(\d{4})$"),
    "%m%d%Y": re.compile(r"^(\d\d)(\d\d)(\d{4})$"),
    "%Y%m%d": re.compile(r"^(\d{4})(\d\d)(\d\d)$"),
}


def iso(value, layout: str) -> str:
    """YYYY-MM-DD when the value has its source's layout (its digits may still be wrong, as
    a registration's are); otherwise the value as written."""
    text = "" if value is None or value != value else str(value).strip()
    match = PATTERNS[layout].match(text)
    if not match:
        return text
    if layout == "%Y%m%d":
        year, month, day = match.groups()
    else:
        month, day, year = match.groups()
    return f"{year}-{month}-{day}"


def text(value) -> str:
    return "" if value is None or value != value else str(value).strip()


def records() -> dict[str, list[str]]:
    out: dict[str, list[str]] = {
        name: []
        for name in (
            "unique_id",
            "truth",
            "source",
            "given_name",
            "family_name",
            "sex",
            "birth_date",
            "nationality",
            "place",
            "relatives",
        )
    }
    for source, (generate, layout) in SOURCES.items():
        frame = generate(year=None, verbose=False)
        if source == "ssa":  # a death is not a registration of the person
            frame = frame[frame["event_type"] == "creation"]
        for row in frame.itertuples(index=False):
            out["unique_id"].append(f"{source}-{len(out['unique_id'])}")
            out["truth"].append(str(row.simulant_id))
            out["source"].append(source)
            out["given_name"].append(text(row.first_name))
            out["family_name"].append(text(row.last_name))
            out["sex"].append(text(row.sex).lower())
            out["birth_date"].append(iso(row.date_of_birth, layout))
            out["nationality"].append("")  # none of the sources records one
            out["place"].append(text(getattr(row, "city", "")))
            out["relatives"].append("")
    return out


def main(path: str) -> None:
    warnings.filterwarnings("ignore")
    columns = records()
    pq.write_table(pa.table({k: pa.array(v, type=pa.string()) for k, v in columns.items()}), path)


if __name__ == "__main__":
    main(sys.argv[1])

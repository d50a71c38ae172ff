"""Splink 5's side of the linkage benchmark, run in the anchor's own environment.

python splink_side.py DATASET TABLE... OUT.npz. The models are those of Splink's own
documentation examples (febrl4, febrl3, deduplicate_50k_synthetic); the cross-script sets
use the same pattern with the columns they have.
"""

import json
import resource
import sys
import time

import duckdb
import numpy as np
import pyarrow.parquet as pq
import splink.comparison_library as cl
from splink import DuckDBAPI, Linker, SettingsCreator, block_on

FEBRL4_BLOCKING = [
    block_on("given_name", "surname"),
    "l.given_name = r.surname and l.surname = r.given_name",
    block_on("date_of_birth"),
    block_on("soc_sec_id"),
    block_on("state", "address_1"),
    block_on("street_number", "address_1"),
    block_on("postcode"),
]


def febrl4(con, tables):
    settings = SettingsCreator(
        unique_id_column_name="unique_id",
        link_type="link_only",
        blocking_rules_to_generate_predictions=FEBRL4_BLOCKING,
        comparisons=[
            cl.NameComparison("given_name").configure(term_frequency_adjustments=True),
            cl.NameComparison("surname").configure(term_frequency_adjustments=True),
            cl.DateOfBirthComparison(
                "date_of_birth",
                input_is_string=True,
                datetime_format="%Y%m%d",
                invalid_dates_as_null=True,
            ),
            cl.DamerauLevenshteinAtThresholds("soc_sec_id", [1, 2]),
            cl.ExactMatch("street_number").configure(term_frequency_adjustments=True),
            cl.DamerauLevenshteinAtThresholds("postcode", [1, 2]).configure(
                term_frequency_adjustments=True
            ),
        ],
    )
    db_api = DuckDBAPI(connection=con)
    linker = Linker([db_api.register(t) for t in tables], settings)
    linker.training.estimate_probability_two_random_records_match(
        [block_on("soc_sec_id"), block_on("given_name", "surname", "date_of_birth")], recall=0.8
    )
    linker.training.estimate_u_using_random_sampling(max_pairs=1e6)
    linker.training.estimate_parameters_using_expectation_maximisation(
        block_on("date_of_birth"), estimate_without_term_frequencies=True
    )
    linker.training.estimate_parameters_using_expectation_maximisation(
        block_on("postcode"), estimate_without_term_frequencies=True
    )
    return linker


def febrl3(con, tables):
    settings = SettingsCreator(
        unique_id_column_name="unique_id",
        link_type="dedupe_only",
        blocking_rules_to_generate_predictions=[
            block_on("soc_sec_id"),
            block_on("given_name"),
            block_on("surname"),
            block_on("date_of_birth"),
            block_on("postcode"),
        ],
        comparisons=[
            cl.NameComparison("given_name"),
            cl.NameComparison("surname"),
            cl.DateOfBirthComparison(
                "date_of_birth", input_is_string=True, datetime_format="%Y%m%d"
            ),
            cl.DamerauLevenshteinAtThresholds("soc_sec_id", [2]),
            cl.ExactMatch("street_number").configure(term_frequency_adjustments=True),
            cl.ExactMatch("postcode").configure(term_frequency_adjustments=True),
        ],
    )
    linker = Linker(DuckDBAPI(connection=con).register(tables[0]), settings)
    linker.training.estimate_probability_two_random_records_match(
        [
            block_on("soc_sec_id"),
            block_on("given_name", "surname", "date_of_birth"),
            "l.given_name = r.surname and l.surname = r.given_name "
            "and l.date_of_birth = r.date_of_birth",
        ],
        recall=0.9,
    )
    linker.training.estimate_u_using_random_sampling(max_pairs=1e6, seed=2)
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("date_of_birth"))
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("postcode"))
    return linker


def historical(con, tables):
    blocking = [
        block_on("substr(first_name,1,3)", "substr(surname,1,4)"),
        block_on("surname", "dob"),
        block_on("first_name", "dob"),
        block_on("postcode_fake", "first_name"),
        block_on("postcode_fake", "surname"),
        block_on("dob", "birth_place"),
        block_on("substr(postcode_fake,1,3)", "dob"),
        block_on("substr(postcode_fake,1,3)", "first_name"),
        block_on("substr(postcode_fake,1,3)", "surname"),
        block_on("substr(first_name,1,2)", "substr(surname,1,2)", "substr(dob,1,4)"),
    ]
    settings = SettingsCreator(
        link_type="dedupe_only",
        blocking_rules_to_generate_predictions=blocking,
        comparisons=[
            cl.ForenameSurnameComparison(
                "first_name",
                "surname",
                forename_surname_concat_col_name="first_name_surname_concat",
            ),
            cl.DateOfBirthComparison("dob", input_is_string=True),
            cl.PostcodeComparison("postcode_fake"),
            cl.ExactMatch("birth_place").configure(term_frequency_adjustments=True),
            cl.ExactMatch("occupation").configure(term_frequency_adjustments=True),
        ],
    )
    db_api = DuckDBAPI(connection=con)
    frame = con.from_arrow(tables[0]).project(
        "*, first_name || ' ' || surname as first_name_surname_concat"
    )
    linker = Linker(db_api.register(frame), settings)
    linker.training.estimate_probability_two_random_records_match(
        [
            block_on("first_name", "surname", "dob"),
            block_on("substr(first_name,1,2)", "surname", "substr(postcode_fake,1,2)"),
            block_on("dob", "postcode_fake"),
        ],
        recall=0.6,
    )
    linker.training.estimate_u_using_random_sampling(max_pairs=1e7)
    linker.training.estimate_parameters_using_expectation_maximisation(
        block_on("first_name", "surname"), estimate_without_term_frequencies=True
    )
    linker.training.estimate_parameters_using_expectation_maximisation(
        block_on("dob"), estimate_without_term_frequencies=True
    )
    return linker


def persons(con, tables, identifiers: bool = False):
    """The historical example's pattern applied to the cross-script person columns (and,
    where the set has them, documents and contacts compared exactly)."""
    extra = [cl.ExactMatch("documents"), cl.ExactMatch("contacts")] if identifiers else []
    settings = SettingsCreator(
        link_type="dedupe_only",
        blocking_rules_to_generate_predictions=[
            block_on("given_name", "family_name", "substr(birth_date,1,4)"),
            "l.given_name = r.family_name and l.family_name = r.given_name",
            block_on("birth_date", "given_name"),
            block_on("birth_date", "family_name"),
            block_on("given_name", "family_name", "nationality"),
            block_on("given_name", "family_name", "place"),
            block_on("substr(given_name,1,2)", "substr(family_name,1,2)", "substr(birth_date,1,4)"),
        ],
        comparisons=[
            cl.NameComparison("given_name").configure(term_frequency_adjustments=True),
            cl.NameComparison("family_name").configure(term_frequency_adjustments=True),
            cl.DateOfBirthComparison(
                "birth_date", input_is_string=True, invalid_dates_as_null=True
            ),
            cl.ExactMatch("sex"),
            cl.ExactMatch("nationality"),
            cl.ExactMatch("place").configure(term_frequency_adjustments=True),
            cl.NameComparison("relatives"),
            *extra,
        ],
    )
    frame = con.from_arrow(tables[0]).project(NULLS_WITH_IDENTIFIERS if identifiers else NULLS)
    linker = Linker(DuckDBAPI(connection=con).register(frame), settings)
    linker.training.estimate_probability_two_random_records_match(
        [block_on("given_name", "family_name", "birth_date")], recall=0.6
    )
    linker.training.estimate_u_using_random_sampling(max_pairs=1e7)
    linker.training.estimate_parameters_using_expectation_maximisation(
        block_on("given_name", "family_name"), estimate_without_term_frequencies=True
    )
    linker.training.estimate_parameters_using_expectation_maximisation(
        block_on("birth_date"), estimate_without_term_frequencies=True
    )
    return linker


NULLS = (
    "* replace (nullif(given_name, '') as given_name, nullif(family_name, '') as family_name,"
    " nullif(sex, '') as sex, nullif(birth_date, '') as birth_date,"
    " nullif(nationality, '') as nationality, nullif(place, '') as place,"
    " nullif(relatives, '') as relatives)"
)

NULLS_WITH_IDENTIFIERS = NULLS[:-1] + (
    ", nullif(documents, '') as documents, nullif(contacts, '') as contacts)"
)

MODELS = {
    "febrl4": febrl4,
    # FEBRL1 and FEBRL2 are deduplication sets of the same shape as FEBRL3.
    "febrl1": febrl3,
    "febrl2": febrl3,
    "febrl3": febrl3,
    "historical_50k": historical,
    "cross_script": persons,
    "pseudopeople": persons,
    "synthetic_1m": persons,
    "reregistration": lambda con, tables: persons(con, tables, identifiers=True),
}


def lookup(path, out, queries: int = 50):
    """Train on a 100,000 record sample, then score each probe against every record."""
    started = time.perf_counter()
    con = duckdb.connect()
    table = pq.read_table(path)
    rng = np.random.default_rng(5)
    sample = table.take(rng.choice(table.num_rows, 100_000, replace=False))
    trained_on = persons(con, [sample])
    settings = trained_on.misc.save_model_to_json()
    db_api = DuckDBAPI(connection=con)
    linker = Linker(db_api.register(_nulls(con, table)), settings)
    for column in ("given_name", "family_name", "place", "relatives"):
        linker.table_management.compute_tf_table(column)
    existing = list(linker._input_tables_dict.values())[0]
    prepared = time.perf_counter() - started
    rows = rng.choice(table.num_rows, queries, replace=False)
    latencies = []
    for row in rows:
        new = db_api.register(_nulls(con, table.slice(int(row), 1)))
        begin = time.perf_counter()
        linker.inference.predict_between(existing, new).as_record_list()
        latencies.append(time.perf_counter() - begin)
    ms = np.array(latencies) * 1000
    np.savez(out, latencies=ms)
    print(
        json.dumps(
            {
                "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                "seconds": prepared,
                "p50_ms": float(np.percentile(ms, 50)),
                "p95_ms": float(np.percentile(ms, 95)),
                "p99_ms": float(np.percentile(ms, 99)),
                "queries": len(ms),
            }
        )
    )


def _nulls(con, table):
    return con.from_arrow(table).project(NULLS)


def main(dataset, paths, out):
    if dataset == "lookup":
        lookup(paths[0], out)
        return
    import logging

    logging.disable(logging.WARNING)
    started = time.perf_counter()
    con = duckdb.connect()
    tables = [pq.read_table(p) for p in paths]
    linker = MODELS[dataset](con, tables)
    predictions = linker.inference.predict(threshold_match_probability=0.5)
    pairs = predictions.as_duckdbpyrelation().select("unique_id_l, unique_id_r").fetchnumpy()
    clusters = None
    if len(tables) == 1:
        clustered = linker.clustering.cluster_pairwise_predictions_at_threshold(
            predictions, threshold_match_probability=0.95
        )
        clusters = clustered.as_duckdbpyrelation().select("unique_id, cluster_id").fetchnumpy()
    seconds = time.perf_counter() - started
    position = [{uid: i for i, uid in enumerate(t.column("unique_id").to_pylist())} for t in tables]
    right_position = position[-1]
    left = np.array([position[0][u] for u in pairs["unique_id_l"]], dtype=np.int64)
    right = np.array([right_position[u] for u in pairs["unique_id_r"]], dtype=np.int64)
    labels = []
    if clusters is not None:
        labels = np.zeros(tables[0].num_rows, dtype=np.int64)
        ids = {c: i for i, c in enumerate(dict.fromkeys(clusters["cluster_id"].tolist()))}
        for uid, cid in zip(clusters["unique_id"], clusters["cluster_id"], strict=True):
            labels[position[0][uid]] = ids[cid]
    np.savez(out, left=left, right=right, clusters=labels)
    print(
        json.dumps(
            {
                "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                "seconds": seconds,
            }
        )
    )


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2:-1], sys.argv[-1])

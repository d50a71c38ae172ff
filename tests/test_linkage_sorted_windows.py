"""A block too large to compare whole is compared along a sorted order: each record meets its
nearest neighbours in it, not every record of the block."""

import numpy as np

from haven.linkage.blocking import candidate_pairs, rule_name
from haven.linkage.index import Index
from haven.linkage.linker import dedupe
from haven.linkage.people import COLUMNS, NAME_PART_ALONE, default_model, person_settings
from haven.linkage.sorted_windows import LookupWindow, window_pairs
from tests.test_linkage_bad_input import pairs


def _pairs(left: np.ndarray, right: np.ndarray) -> set[tuple[int, int]]:
    return set(zip(left.tolist(), right.tolist(), strict=True))


def test_blocks_within_the_cap_are_left_to_the_rule():
    rows, blocks = np.arange(4), np.array([0, 0, 1, 1])
    years = np.array([1990, 1991, 1990, 1991])
    assert _pairs(*window_pairs(rows, blocks, [years], cap=2, window=2)) == set()


def test_records_of_a_large_block_meet_their_neighbours_in_the_order():
    rows = np.arange(6)
    blocks = np.array([0, 0, 0, 0, 0, -1])  # the last record is in no block
    years = np.array([1990, 1950, 1991, 1949, 1992, 1990])
    # In order of year: 3 (1949), 1 (1950), 0 (1990), 2 (1991), 4 (1992).
    found = _pairs(*window_pairs(rows, blocks, [years], cap=3, window=1))
    assert found == {(1, 3), (0, 1), (0, 2), (2, 4)}
    wider = _pairs(*window_pairs(rows, blocks, [years], cap=3, window=2))
    assert wider == found | {(0, 3), (1, 2), (0, 4)}


def test_the_first_order_sorts_first_and_the_next_breaks_its_ties():
    rows, blocks = np.arange(4), np.zeros(4, dtype=np.int64)
    nationality = np.array([1, 2, 1, 2])
    years = np.array([1990, 1990, 2000, 2000])
    found = _pairs(*window_pairs(rows, blocks, [nationality, years], cap=2, window=1))
    assert found == {(0, 2), (1, 2), (1, 3)}


def test_ties_are_not_broken_by_the_order_records_came_in():
    # A list kept in order of person: ties in record order would pair each with the next.
    rows, blocks = np.arange(200), np.zeros(200, dtype=np.int64)
    found = _pairs(*window_pairs(rows, blocks, [np.zeros(200, np.int64)], cap=10, window=1))
    assert len(found) == 199
    assert sum(right - left == 1 for left, right in found) < 20
    again = _pairs(*window_pairs(rows, blocks, [np.zeros(200, np.int64)], cap=10, window=1))
    assert again == found  # the shuffle is fixed: the same records give the same pairs


def test_linking_keeps_pairs_across_the_two_lists_only():
    rows, blocks = np.arange(4), np.zeros(4, dtype=np.int64)
    source = np.array([0, 0, 1, 1])
    years = np.array([1990, 1991, 1992, 1993])
    found = _pairs(*window_pairs(rows, blocks, [years], cap=2, window=3, source=source))
    assert found == {(0, 2), (0, 3), (1, 2), (1, 3)}


def test_window_pairs_are_counted_once_and_credited_to_the_window():
    features = {
        "name": np.array([5, 5, 5, 5, 9, 9], dtype=np.int64),
        "year": np.array([1990, 1990, 1950, 1950, 1, 2], dtype=np.int32),
    }
    windows = {("name",): ((("year",),), 3)}
    left, right, report = candidate_pairs(
        features, [("name",), ("name", "year")], max_block=3, windows=windows
    )
    found = list(zip(left.tolist(), right.tolist(), strict=True))
    assert len(found) == len(set(found))
    assert set(found) == {(4, 5), (0, 1), (2, 3), (0, 2), (0, 3), (1, 2), (1, 3)}
    assert report.pairs_per_rule["name & year"] == 2  # (0, 1) and (2, 3), found first
    assert report.pairs_per_rule["name, large blocks along year"] == 4
    assert report.candidate_pairs == len(found)


def _people(count: int) -> dict[str, list]:
    """`count` people called Mohammed with other names each, of several nationalities."""
    rng = np.random.default_rng(4)
    family = [f"{a}{b}" for a in "BDFGKLMNPRST" for b in "abcdefghij"]
    return {
        "given_name": ["Mohammed"] * count,
        "family_name": [f"{family[i % len(family)]}ova{i}" for i in range(count)],
        "sex": ["male"] * count,
        "birth_date": [str(1950 + int(y)) for y in rng.integers(0, 50, count)],
        "nationality": [["SY", "IQ", "AF", "SD"][i % 4] for i in range(count)],
        "place": [["Aleppo", "Mosul", "Herat", "Nyala"][int(p)] for p in rng.integers(0, 4, count)],
        "relatives": [""] * count,
        "documents": [""] * count,
        "contacts": [""] * count,
    }


def _registered_again() -> tuple[dict[str, list], dict]:
    """400 records, and the 8th registered again with only "Mohammed" as a name and a year
    later: it shares no key with its first record but a name part that hundreds share
    (the two are the only ones of their nationality born before 1950)."""
    columns = _people(400)
    columns["birth_date"][7] = "1940"
    again = {k: columns[k][7] for k in COLUMNS} | {"family_name": "", "birth_date": "1941"}
    return columns, again


def test_a_common_given_name_still_meets_its_kind_in_the_person_settings():
    columns, again = _registered_again()
    columns = {k: [*columns[k], again[k]] for k in COLUMNS}
    settings = person_settings()
    assert NAME_PART_ALONE in settings.windows
    found = pairs(dedupe(columns, settings, default_model()))
    assert (7, 400) in found
    settings.windows = {}
    assert (7, 400) not in pairs(dedupe(columns, settings, default_model()))


def test_a_lookup_meets_the_same_neighbours():
    columns, again = _registered_again()
    settings = person_settings()
    lookup = Index(columns, settings, default_model()).query(again, limit=500)
    assert 7 in {candidate.row for candidate in lookup.candidates}
    assert lookup.compared < 50  # the neighbours, not the block of 400
    assert rule_name(NAME_PART_ALONE) not in lookup.unused_rules
    settings.windows = {}
    lookup = Index(columns, settings, default_model()).query(again, limit=500)
    assert 7 not in {candidate.row for candidate in lookup.candidates}
    assert rule_name(NAME_PART_ALONE) in lookup.unused_rules


def test_a_lookup_sorts_a_value_no_record_holds_between_its_neighbours():
    rows, keys = np.arange(6), ["k"] * 6
    places = np.array(["a", "b", "c", "d", "e", "f"])
    window = LookupWindow(rows, keys, ("place",), [places], {"k"}, window=1)
    # Longer than any place held, and between "c" and "d".
    assert window.neighbours("k", ["cz and beyond"]).tolist() == [2, 3]
    assert window.neighbours("k", ["c"]).tolist() == [1, 2]
    assert window.neighbours("other", ["c"]) is None

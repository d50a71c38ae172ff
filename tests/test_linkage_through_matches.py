"""Records that share no blocking key but are joined by matches are compared too, each pair
scored on its own evidence."""

import numpy as np

from haven.linkage import through_matches
from haven.linkage.linker import dedupe
from haven.linkage.model import comparison_vectors
from haven.linkage.people import (
    COLUMNS,
    default_model,
    find_duplicates,
    find_links,
    person_settings,
)
from haven.linkage.synthetic import cross_script_records
from tests.test_linkage_bad_input import AMAL

# Registered again with a phone; then a third time by the phone and her given name only:
# the first and the third share no key (no family name, date or place to block on, and a
# given name too common to block on alone).
WITH_PHONE = {**AMAL, "contacts": "+963 944 123 456"}
PHONE_ONLY = {
    "given_name": "Amal",
    "sex": "female",
    "nationality": "SY",
    "contacts": "+963 944 123 456",
}


def _records(*records: dict) -> dict[str, list]:
    """The records after 300 other people (a population to measure commonness in), 40 of
    them Syrians called Amal born before her (the nearest a record without a year meets
    along the common name's window, see sorted_windows)."""
    others = cross_script_records(300, seed=3)
    others["given_name"][:40] = ["Amal"] * 40
    others["nationality"][:40] = ["SY"] * 40
    others["birth_date"][:40] = [f"{1940 + year}-03-15" for year in range(40)]
    return {
        name: [*others.get(name, [None] * len(others["given_name"]))]
        + [r.get(name) for r in records]
        for name in COLUMNS
    }


def _pairs(result) -> dict[tuple[int, int], int]:
    pairs = zip(result.left.tolist(), result.right.tolist(), strict=True)
    return {tuple(sorted(pair)): i for i, pair in enumerate(pairs)}


def test_records_a_match_joins_are_compared_on_their_own_evidence():
    columns = _records(AMAL, WITH_PHONE, PHONE_ONLY)
    first, phone, third = (len(columns["given_name"]) - 3 + k for k in range(3))
    blocked = _pairs(dedupe(columns, person_settings(), default_model()))
    assert (first, third) not in blocked
    result, scores = find_duplicates(columns)
    pairs = _pairs(result)
    shift = result.extra["prior_shift"]
    assert scores[pairs[(first, phone)]] > 0 and scores[pairs[(phone, third)]] > 0
    assert (first, third) in pairs and result.report.through_matches >= 1
    i = pairs[(first, third)]
    data = result.datasets[0]
    pair = np.array([first]), np.array([third])
    alone = comparison_vectors(result.model.comparisons, data, data, *pair)
    assert (result.vectors[i] == alone[0]).all()
    assert scores[i] == result.model.scores(alone, data, np.array([first]))[0] + shift
    assert result.report.candidate_pairs == len(result.left)


def test_without_the_match_between_them_nothing_is_added():
    stranger = {**PHONE_ONLY, "contacts": "+963 933 000 111"}
    columns = _records(AMAL, WITH_PHONE, stranger)
    first, _, third = (len(columns["given_name"]) - 3 + k for k in range(3))
    result, _ = find_duplicates(columns)
    assert (first, third) not in _pairs(result)


def test_paths_two_matches_apart_in_one_list_skip_busy_records():
    left, right = np.array([0, 1, 5]), np.array([1, 2, 6])
    found = through_matches._paths(left, right, 7, 7, linking=False)
    assert sorted(zip(*(a.tolist() for a in found), strict=True)) == [(0, 2)]
    hub = through_matches.MAX_MATCHES + 1
    spokes = np.arange(1, hub + 1)
    busy = through_matches._paths(np.zeros(hub, int), spokes, hub + 1, hub + 1, linking=False)
    assert len(busy[0]) == 0  # a record matching everyone joins no one


def test_paths_across_two_lists_go_there_back_and_there_again():
    # A0-B0, A1-B0, A1-B1: A0 reaches B1 through B0 and A1.
    left, right = np.array([0, 1, 1]), np.array([0, 0, 1])
    found = through_matches._paths(left, right, 2, 2, linking=True)
    assert (0, 1) in set(zip(*(a.tolist() for a in found), strict=True))


def test_small_clusters_are_compared_whole_and_large_ones_are_not():
    chain = np.arange(4)  # 0-1-2-3: 0 and 3 are three matches apart
    big = np.arange(10, 10 + through_matches.MAX_CLUSTER + 1)
    matched = np.r_[chain[:-1], big[:-1]], np.r_[chain[1:], big[1:]]
    left, right = through_matches._within_clusters(40, *matched, 40, linking=False)
    found = set(zip(left.tolist(), right.tolist(), strict=True))
    assert found == {(a, b) for a in range(4) for b in range(a + 1, 4)}


def test_no_records_one_or_an_empty_list_to_link_against_give_no_pairs():
    for count in (0, 1):
        result, scores = find_duplicates(_columns_of(count))
        assert len(result.left) == len(scores) == 0 and result.report.through_matches == 0
    result, scores = find_links(_columns_of(1), _columns_of(0))
    assert len(result.left) == len(scores) == 0


def _columns_of(count: int) -> dict[str, list]:
    return {name: [AMAL.get(name)] * count for name in COLUMNS}


def test_clusters_across_two_lists_give_pairs_of_one_record_from_each():
    # A0-B0, A1-B0, A1-B1 (three records of list A, two of B).
    left, right = through_matches._within_clusters(5, np.r_[0, 1, 1], np.r_[0, 0, 1], 3, True)
    assert set(zip(left.tolist(), right.tolist(), strict=True)) == {(0, 0), (0, 1), (1, 0), (1, 1)}


def test_likely_pairs_below_the_threshold_are_followed_but_do_not_make_clusters():
    columns = _records(AMAL, WITH_PHONE, PHONE_ONLY)
    first, phone, third = (len(columns["given_name"]) - 3 + k for k in range(3))

    def compared(cut_above: float, path_cut: float | None) -> set:
        result = dedupe(columns, person_settings(), default_model())
        pairs = _pairs(result)
        weakest = min(result.scores[pairs[(first, phone)]], result.scores[pairs[(phone, third)]])
        through_matches.compare(result, cut=weakest + cut_above, path_cut=path_cut)
        return set(_pairs(result))

    # Both pairs matches: the path is followed whatever the path cut.
    assert (first, third) in compared(0.0, None)
    # One of them just short of a match: followed only from a lower path cut.
    assert (first, third) not in compared(0.5, None)
    assert (first, third) in compared(0.5, -1000.0)


def test_clusters_are_also_compared_as_blocking_matches_made_them():
    # Blocking's matches make a small cluster 0-1-2; the paths' matches grow it past the
    # largest cluster compared whole: its first three records are still compared.
    small = np.r_[0, 1], np.r_[1, 2]
    grown = np.arange(2, 3 + through_matches.MAX_CLUSTER)
    paths = grown[:-1], grown[1:]
    left, right = through_matches._cluster_pairs(40, [small, paths], 40, linking=False)
    assert set(zip(left.tolist(), right.tolist(), strict=True)) == {(0, 1), (0, 2), (1, 2)}
    left, right = through_matches._within_clusters(
        40, *map(np.concatenate, zip(small, paths, strict=True)), 40, False
    )
    assert len(left) == 0

"""The privacy engine: hierarchies, the optimal k-anonymous (ℓ-diverse) generalisation, the
release and its independent verifier."""

import itertools
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from haven.privacy import hierarchy as hy
from haven.privacy.kanonymity import Request, RequestError, anonymise
from haven.privacy.lattice import Lattice
from haven.privacy.verify import verify

ADULT = Path(__file__).resolve().parents[2] / "shared" / "data" / "adult"
QI = ["age", "sex", "race", "marital-status", "education", "native-country", "workclass"]

AGES = hy.Hierarchy(
    "age", [["21", "20–29", "*"], ["25", "20–29", "*"], ["34", "30–39", "*"], ["38", "30–39", "*"]]
)
SEX = hy.Hierarchy("sex", [["F", "*"], ["M", "*"]])


def test_a_hand_computed_release():
    # Ages 21, 25 | 34, 38; sexes F F | M M. With k = 2: bands for age, sex kept.
    columns = {"age": [21, 25, 34, 38], "sex": ["F", "F", "M", "M"]}
    release = anonymise(columns, Request(["age", "sex"], {"age": AGES, "sex": SEX}, k=2), seed=3)
    report = release.report
    assert report.levels == {"age": 1, "sex": 0}
    assert report.suppressed == 0 and report.classes == 2 and report.k_achieved == 2
    # Age band covers 2 of 4 leaves: (2 - 1) / (4 - 1) = 1/3 per age cell; sex 0.
    assert report.information_loss == pytest.approx((1 / 3 + 0) / 2)
    assert report.max_risk == 0.5 and report.average_risk == 0.5
    assert sorted(zip(release.columns["age"], release.columns["sex"], strict=True)) == [
        ("20–29", "F"),
        ("20–29", "F"),
        ("30–39", "M"),
        ("30–39", "M"),
    ]


def test_suppression_beats_generalisation_when_it_loses_less():
    # One odd record: suppressing it (cost 1 per cell, over 5 records) is cheaper than
    # generalising everyone's sex.
    columns = {"age": [21, 21, 25, 25, 34], "sex": ["F", "F", "F", "F", "M"]}
    hierarchies = {"age": AGES, "sex": SEX}
    strict = anonymise(columns, Request(["age", "sex"], hierarchies, k=2))
    loose = anonymise(columns, Request(["age", "sex"], hierarchies, k=2, suppression_limit=0.2))
    assert strict.report.suppressed == 0 and strict.report.levels == {"age": 2, "sex": 1}
    assert loose.report.suppressed == 1 and loose.report.levels == {"age": 0, "sex": 0}
    assert loose.report.information_loss < strict.report.information_loss


@pytest.mark.skipif(not ADULT.exists(), reason="needs ../shared/data/adult (the benchmark data)")
@pytest.mark.parametrize(
    "limit,levels,suppressed,loss,classes",
    [
        (0.0, (4, 0, 0, 1, 3, 2, 2), 0, 0.6333, 20),
        (0.01, (3, 0, 0, 1, 3, 1, 1), 273, 0.3183, 147),
        (0.05, (3, 0, 0, 0, 1, 1, 1), 1458, 0.1765, 399),
        (0.10, (3, 0, 0, 0, 1, 1, 0), 2265, 0.1620, 540),
        (1.0, (3, 0, 0, 0, 1, 0, 0), 3332, 0.1592, 541),
    ],
)
def test_the_adult_optimum_at_every_suppression_limit(limit, levels, suppressed, loss, classes):
    import csv

    with (ADULT / "adult.csv").open() as handle:
        rows = list(csv.DictReader(handle, delimiter=";"))
    columns = {q: [r[q] for r in rows] for q in QI}
    hierarchies = {q: hy.read_csv(ADULT / f"adult_hierarchy_{q}.csv", q) for q in QI}
    release = anonymise(columns, Request(QI, hierarchies, k=5, suppression_limit=limit))
    report = release.report
    assert tuple(report.levels.values()) == levels
    assert report.suppressed == suppressed and report.classes == classes
    assert round(report.information_loss, 4) == loss
    assert report.nodes_evaluated < report.lattice_size  # pruned, not exhaustive
    assert verify(release.columns, QI, 5, records_in=len(rows), suppression_limit=limit).ok


# ---- properties -------------------------------------------------------------------------


def _hierarchy(name: str, leaves: int, fanout: int) -> hy.Hierarchy:
    """Leaves 0..n-1, grouped by `fanout` at level 1, then "*"."""
    return hy.Hierarchy(name, [[str(v), f"g{v // fanout}", "*"] for v in range(leaves)])


@st.composite
def problems(draw):
    n = draw(st.integers(4, 40))
    q = draw(st.integers(1, 3))
    shapes = [(draw(st.integers(2, 6)), draw(st.integers(2, 3))) for _ in range(q)]
    names = [f"q{i}" for i in range(q)]
    columns = {
        name: [str(draw(st.integers(0, leaves - 1))) for _ in range(n)]
        for name, (leaves, _f) in zip(names, shapes, strict=True)
    }
    columns["s"] = [draw(st.sampled_from("abc")) for _ in range(n)]
    hierarchies = {
        name: _hierarchy(name, leaves, fanout)
        for name, (leaves, fanout) in zip(names, shapes, strict=True)
    }
    k = draw(st.integers(2, max(2, n // 3)))
    limit = draw(st.sampled_from([0.0, 0.1, 0.25, 1.0]))
    l_div = draw(st.sampled_from([None, 2]))
    return columns, Request(
        names,
        hierarchies,
        k,
        limit,
        sensitive="s" if l_div else None,
        l_diversity=l_div,
        diversity=draw(st.sampled_from(["distinct", "entropy"])),
        keep=[],
    )


def _exhaustive_best_loss(columns, request) -> float | None:
    hierarchies = [request.hierarchies[q] for q in request.quasi_identifiers]
    leaf = np.stack(
        [h.encode(columns[q]) for h, q in zip(hierarchies, request.quasi_identifiers, strict=True)],
        1,
    )
    sensitive = None
    if request.l_diversity:
        _, sensitive = np.unique(np.array(columns["s"]), return_inverse=True)
    n = len(leaf)
    lattice = Lattice(
        leaf,
        hierarchies,
        request.k,
        int(np.floor(request.suppression_limit * n + 1e-9)),
        sensitive,
        request.l_diversity,
        request.diversity,
    )
    # Every node judged on its own classes, with nothing inferred from another node.
    losses = [
        lattice.measure(node).loss
        for node in itertools.product(*[range(h.levels) for h in hierarchies])
        if lattice.suppressed(node) <= lattice.max_suppressed
    ]
    return min(losses) if losses else None


@given(problems())
def test_every_release_is_k_anonymous_diverse_within_the_limit_and_optimal(problem):
    columns, request = problem
    if request.l_diversity and len(set(columns["s"])) < request.l_diversity:
        with pytest.raises(RequestError, match="is not possible"):
            anonymise(columns, request)
        return
    best = _exhaustive_best_loss(columns, request)
    if best is None:
        with pytest.raises(RequestError, match="No generalisation reaches|is not possible"):
            anonymise(columns, request)
        return
    release = anonymise(columns, request, seed=0)
    report = release.report
    verdict = verify(
        release.columns,
        request.quasi_identifiers,
        request.k,
        records_in=len(columns["s"]),
        suppression_limit=request.suppression_limit,
        sensitive=request.sensitive,
        l_diversity=request.l_diversity,
    )
    assert verdict.ok, verdict.problems
    assert report.suppressed <= request.suppression_limit * len(columns["s"]) + 1e-9
    assert report.information_loss == pytest.approx(best, abs=1e-6)


# ---- the verifier -----------------------------------------------------------------------


def _release():
    columns = {"age": [21, 25, 34, 38, 21, 34], "sex": ["F", "F", "M", "M", "F", "M"]}
    return anonymise(columns, Request(["age", "sex"], {"age": AGES, "sex": SEX}, k=3), seed=1)


def test_the_verifier_passes_a_good_release_and_catches_broken_ones():
    release = _release()
    args = {"records_in": 6, "suppression_limit": 0.0}
    assert verify(release.columns, ["age", "sex"], 3, **args).ok
    broken = {name: list(values) for name, values in release.columns.items()}
    broken["age"][0] = "21"  # one record left ungeneralised: a class of one
    verdict = verify(broken, ["age", "sex"], 3, **args)
    assert not verdict.ok and verdict.k_achieved == 1
    short = {name: values[:-1] for name, values in release.columns.items()}
    assert "suppressed" in " ".join(verify(short, ["age", "sex"], 3, **args).problems)
    leaked = {**release.columns, "person_id": list(range(6))}
    assert not verify(leaked, ["age", "sex"], 3, forbidden=["person_id"], **args).ok
    same = {**release.columns, "s": ["x"] * 6}
    verdict = verify(same, ["age", "sex"], 3, sensitive="s", l_diversity=2, **args)
    assert "not 2-diverse" in " ".join(verdict.problems)


def test_the_release_is_shuffled_and_carries_no_source_identifier():
    columns = {
        "age": [21, 25, 34, 38] * 5,
        "sex": ["F", "F", "M", "M"] * 5,
        "note": list("abcdefghijklmnopqrst"),
    }
    request = Request(["age", "sex"], {"age": AGES, "sex": SEX}, k=2, keep=["note"])
    release = anonymise(columns, request, seed=5)
    assert set(release.columns) == {"age", "sex", "note"}
    assert release.columns["note"] != columns["note"]
    assert sorted(release.columns["note"]) == columns["note"]


def test_entropy_diversity_needs_even_classes():
    columns = {"age": [21, 25, 34, 38] * 3, "sex": ["F"] * 12, "s": list("aab") * 4}
    request = Request(
        ["age", "sex"],
        {"age": AGES, "sex": SEX},
        k=2,
        sensitive="s",
        l_diversity=2,
        diversity="entropy",
        suppression_limit=1.0,
    )
    # Every class holds two "a" to one "b", whatever the generalisation: two distinct
    # values, but an entropy below log 2, so no class is entropy-2-diverse.
    assert anonymise(columns, request).report.records_out == 0
    request.diversity = "distinct"
    distinct = anonymise(columns, request).report
    assert distinct.records_out == 12 and distinct.l_achieved == 2


def test_entropy_diversity_is_found_between_two_infeasible_nodes():
    two = [["0", "g", "*"], ["1", "g", "*"]]
    columns = {
        "q0": list("000010000"),
        "q1": list("000000001"),
        "s": list("aaaaabbbb"),
    }
    request = Request(
        ["q0", "q1"],
        {"q0": hy.Hierarchy("q0", two), "q1": hy.Hierarchy("q1", two)},
        k=2,
        sensitive="s",
        l_diversity=2,
        diversity="entropy",
        suppression_limit=0.25,  # two records of nine
    )
    # (0, 0) keeps seven records, four "a" to three "b": below log 2, suppressed. (1, 1)
    # puts all nine in one class, five to four: suppressed too. Between them, (0, 1)
    # holds four "a" and four "b" together and suppresses one record: the optimum, which
    # a search that trusts monotonicity would prune under (1, 1).
    report = anonymise(columns, request).report
    assert report.levels == {"q0": 0, "q1": 1}
    assert report.suppressed == 1 and report.l_achieved == pytest.approx(2.0)


# ---- bad input --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "change,message",
    [
        ({"k": 50}, "k = 50 is larger than the 4 records"),
        ({"quasi_identifiers": []}, "at least one quasi-identifier"),
        ({"sensitive": "age", "l_diversity": 2}, "both a quasi-identifier and the sensitive"),
        ({"k": 1}, "at least 2"),
        ({"suppression_limit": 1.5}, "from 0 to 1"),
        ({"quasi_identifiers": ["age", "town"]}, "No such column: town"),
        ({"sensitive": "sex2", "l_diversity": 2}, "No such column: sex2"),
    ],
)
def test_bad_requests_are_refused_before_any_work(change, message):
    columns = {"age": [21, 25, 34, 38], "sex": ["F", "F", "M", "M"]}
    request = Request(["age", "sex"], {"age": AGES, "sex": SEX}, k=2)
    for key, value in change.items():
        setattr(request, key, value)
    with pytest.raises(RequestError, match=message):
        anonymise(columns, request)


def test_an_empty_selection_and_an_uncovered_value_are_refused():
    request = Request(["age"], {"age": AGES}, k=2)
    with pytest.raises(RequestError, match="selection is empty"):
        anonymise({"age": []}, request)
    with pytest.raises(RequestError, match="does not cover '77'"):
        anonymise({"age": [21, 77, 25, 34]}, request)
    columns = {"age": [21, 25], "s": ["a", "a"]}
    with pytest.raises(RequestError, match="ℓ = 2 is not possible"):
        anonymise(columns, Request(["age"], {"age": AGES}, k=2, sensitive="s", l_diversity=2))


def test_too_many_combinations_of_values_are_refused_with_what_to_change():
    # Seven attributes of 1,000 values each need 70 bits: more than one row key holds.
    wide = {f"q{i}": hy.flat(f"q{i}", [str(v) for v in range(1000)]) for i in range(7)}
    columns = {name: ["1", "2", "3"] for name in wide}
    with pytest.raises(RequestError, match=r"70 bits, at most 62\): use coarser hierarchies"):
        anonymise(columns, Request(list(wide), wide, k=2))


def test_missing_values_follow_the_stated_rule():
    columns = {"age": [21, 25, None, ""], "sex": ["F", "F", "F", "F"]}
    release = anonymise(columns, Request(["age", "sex"], {"age": AGES, "sex": SEX}, k=2))
    assert sorted(release.columns["age"]) == ["(missing)", "(missing)", "20–29", "20–29"]
    assert "missing value is a value of its own" in release.report.missing_rule


# ---- hierarchies ------------------------------------------------------------------------


def test_ctdc_age_bands():
    h = hy.ctdc_age_bands("age", [0, 8, 9, 17, 18, 20, 29, 30, 47, 48, 90])
    band = {row[0]: row[1] for row in h.rows}
    assert band == {
        "0": "0–8",
        "8": "0–8",
        "9": "9–17",
        "17": "9–17",
        "18": "18–20",
        "20": "18–20",
        "29": "27–29",
        "30": "30–38",
        "47": "39–47",
        "48": "48+",
        "90": "48+",
    }
    assert {row[2] for row in h.rows} == {"0–17", "18+"} and h.levels == 4
    with pytest.raises(hy.HierarchyError, match="not an age"):
        hy.ctdc_age_bands("age", ["twelve"])


def test_dates_places_and_broken_trees():
    d = hy.dates("seen", ["2026-03-14", "2026-03-02", "2025-12-31"])
    assert d.rows[0] == ["2025-12-31", "2025-12", "2025", "*"]
    parents = {"Agadez town": "Agadez", "Agadez": "Niger", "Niamey": "Niger", "Niger": None}
    places = hy.tree("place", parents, ["Agadez town", "Niamey"])
    assert places.rows == [
        ["Agadez town", "Agadez", "Niger", "*"],
        ["Niamey", "Niamey", "Niger", "*"],
    ]
    with pytest.raises(hy.HierarchyError, match="not in the tree"):
        hy.tree("place", parents, ["Zinder"])
    with pytest.raises(hy.HierarchyError, match="two different values"):
        hy.Hierarchy(
            "x", [["a", "g1", "*"], ["b", "g1", "*"], ["c", "g2", "*"], ["d", "g2", "top2"]]
        )
    with pytest.raises(hy.HierarchyError, match="listed twice"):
        hy.Hierarchy("x", [["a", "*"], ["a", "*"]])

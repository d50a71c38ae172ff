"""Learning without labels on a population the model has not seen: sessions that teach
nothing are left out, a field that learnt no evidence takes the shipped model's, and the
shipped model is adapted to the records it scores (u and term frequencies)."""

import numpy as np
import pytest

from haven.linkage.linker import dedupe
from haven.linkage.model import Dataset, Model
from haven.linkage.people import (
    COLUMNS,
    THRESHOLD,
    default_model,
    find_duplicates,
    learn_model,
    person_settings,
)
from haven.linkage.synthetic import cross_script_records


@pytest.fixture(scope="module")
def town():
    """Registrations in one town: every record has the same place."""
    columns = cross_script_records(1500, seed=21)
    columns["place"] = ["Anytown"] * len(columns["given_name"])
    return columns


def output_index(model, label: str) -> int:
    return next(i for i, output in enumerate(model.outputs) if output.label == label)


def test_a_field_everyone_shares_takes_the_shipped_evidence(town):
    model = learn_model(town)
    assert model.fit.fallback == {"place": "agreement counted too little for a match"}
    place = output_index(model, "place")
    assert np.allclose(model.m[place], default_model().m[place])
    # The other fields were learnt, and the model still finds the registrations.
    assert not model.fit.whole_model
    given = output_index(model, "given_name")
    assert not np.allclose(model.m[given], default_model().m[given])


def test_sessions_that_find_no_pairs_are_reported_and_left_out(town):
    without = {**town, "nationality": [""] * len(town["given_name"])}
    fit = learn_model(without).fit
    # The first training rule needs a nationality: it found nothing to learn from.
    assert fit.sessions[0] == {"session": 0, "pairs": 0, "used": False}
    assert fit.sessions[1]["used"] and fit.sessions[1]["converged"]
    assert 0 < fit.sessions[1]["match_share"] < 1


def test_without_a_reference_the_engine_defaults_guard_instead(town):
    result = dedupe(town, person_settings())
    assert "place" in result.model.fit.fallback


def test_the_shipped_model_learns_the_population_it_scores(town):
    """Agreeing on a family name half the records share counts for less than on a rare one;
    a place everyone shares counts for nothing."""
    columns = {k: list(v) for k, v in town.items()}
    n = len(columns["given_name"])
    columns["family_name"] = ["Haddad" if i % 2 else f"Rare{i}" for i in range(n)]
    result, _ = find_duplicates(columns)
    model = result.model
    family = output_index(model, "family_name")
    data = Dataset(columns, person_settings().comparisons)
    haddad, rare2 = (model.tf_values_of(data, row)[family] for row in (1, 2))
    common = model.tf_adjustment(family, np.array([1]), np.array([haddad]))
    rare = model.tf_adjustment(family, np.array([1]), np.array([rare2]))
    assert common[0] <= 0 < rare[0]
    assert model.weights(family)[1] < default_model().weights(family)[1]
    place = output_index(model, "place")
    assert model.weights(place)[1] < 0.5 < default_model().weights(place)[1]


def test_a_handful_of_records_cannot_talk_the_prior_up():
    """Three records, two of one woman: the third, another name born the same day, stays
    apart however many of the three pairs the estimate would call matches."""
    amal = {
        "given_name": "Amal",
        "family_name": "Haddad",
        "sex": "female",
        "birth_date": "1994-05-02",
        "nationality": "SY",
    }
    again = {**amal, "family_name": "Hadad"}
    other = {**amal, "given_name": "Yusuf", "family_name": "Bello"}
    columns = {k: [r.get(k, "") for r in (amal, again, other)] for k in COLUMNS}
    result, scores = find_duplicates(columns)
    kept = Model.probability(scores) >= THRESHOLD
    pairs = set(zip(result.left[kept].tolist(), result.right[kept].tolist(), strict=True))
    assert pairs == {(0, 1)}

"""What an agreement or a disagreement is worth in the product's person model: a field often
recorded differently between registrations of one person weighs, it never vetoes; dates of
birth far apart count strongly against."""

from haven.linkage.model import Model
from haven.linkage.people import COLUMNS, THRESHOLD, default_model, find_duplicates
from tests.test_linkage_bad_input import AMAL


def weight(label: str, level: str) -> float:
    model = default_model()
    o = next(i for i, output in enumerate(model.outputs) if output.label == label)
    return float(model.weights(o)[model.outputs[o].level_labels.index(level) + 1])


def probability(first: dict, second: dict) -> float:
    columns = {name: [first.get(name), second.get(name)] for name in COLUMNS}
    result, scores = find_duplicates(columns)
    assert list(zip(result.left, result.right, strict=True)) == [(0, 1)]
    return float(Model.probability(scores)[0])


def test_sex_and_nationality_recorded_differently_weigh_but_do_not_veto():
    assert -6 < weight("nationality", "different") < 0
    assert -6 < weight("sex", "different") < 0
    assert weight("birth_date", "different") < -9


def test_a_re_registration_with_another_nationality_and_a_typo_is_still_found():
    again = {**AMAL, "family_name": "Hadad", "nationality": "LB", "sex": "male"}
    assert probability(AMAL, again) >= THRESHOLD


def test_dates_far_apart_outweigh_an_agreeing_relative():
    """Before, births 30 years apart cost 7 bits and a parent's name agreeing gave 6: the
    date barely counted. Now it outweighs even a rare relative's name, and the sex and
    nationality agreeing too."""
    against = weight("birth_date", "different")
    assert against + weight("relatives", "a rare relative's name agrees") < -2
    assert against + weight("sex", "same") + weight("nationality", "same") < -5

"""Nicknames and short forms, initials, blocks on a feature of several values (a name's
forms, a document number's one-typo variants), term frequencies of dates, and agreements
weighed within families (twins, a household's phone)."""

import hashlib
import json

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from haven.linkage import comparisons as c
from haven.linkage.blocking import rule_keys
from haven.linkage.index import Index
from haven.linkage.keys import KEY_LENGTH, stable_keys
from haven.linkage.linker import dedupe, link
from haven.linkage.model import SHARED_BY_RELATIVES, WITHIN_FAMILY, Dataset, Model
from haven.linkage.name_forms import name_forms
from haven.linkage.people import (
    DOCUMENT_NEAR,
    FAMILY_AND_GIVEN_FORM,
    GIVEN_FORM_AND_FAMILY_START,
    NAME_PART_ALONE,
    default_model,
    find_duplicates,
    person_settings,
)
from tests.test_linkage_bad_input import AMAL, columns, pairs, settings_without

OTHER_FORM = c.NAME_LEVELS.index("the same name in another spelling, script or short form") + 1
SIMILAR = c.NAME_LEVELS.index("similar") + 1


def name_level(first: str, second: str) -> int:
    name = c.Name("n")
    a, b = name.prepare({"n": [first]}), name.prepare({"n": [second]})
    return int(name.levels(a, b, np.array([0]), np.array([0]))[0, 0])


def test_nicknames_and_short_forms_are_the_same_name():
    assert name_level("Bill", "William") == OTHER_FORM
    assert name_level("William", "Bill") == OTHER_FORM
    assert name_level("Ned", "Eddie") == OTHER_FORM  # two short forms of Edward
    assert name_level("Md", "Mohamed") == OTHER_FORM
    assert name_level("Mohd", "محمد") == OTHER_FORM


def test_names_that_only_share_a_form_with_a_third_are_not_one():
    assert name_level("Albert", "Alfred") > OTHER_FORM  # both are "Al", they are not one
    # A name inside a longer one stays a containment, not another form of it.
    assert name_level("Mohamed", "Mohamad Ali") > OTHER_FORM
    assert name_forms("Amal")[0] == frozenset()  # no other form known: spelling alone


def test_an_initial_agrees_with_the_name_it_begins():
    assert name_level("R.", "Rowland") == SIMILAR
    assert name_level("Rowland", "R") == SIMILAR
    assert name_level("R.", "Thomas") > SIMILAR


def test_a_nickname_with_a_rare_family_name_is_compared_without_a_date():
    """Neither the initial, the name's skeleton nor a date brings these two together: the
    nickname's blocks do (and the rare family name's alone)."""
    bill = {"given_name": "Bill", "family_name": "Featherstonehaugh", "birth_date": "1950"}
    william = {"given_name": "William", "family_name": "Featherstonehaugh", "place": "Leeds"}
    result = dedupe(columns(bill, william), person_settings(), default_model())
    assert pairs(result) == {(0, 1)}
    assert result.report.pairs_per_rule[" & ".join(FAMILY_AND_GIVEN_FORM)] == 1
    without = settings_without(FAMILY_AND_GIVEN_FORM, GIVEN_FORM_AND_FAMILY_START, NAME_PART_ALONE)
    assert not pairs(dedupe(columns(bill, william), without, default_model()))


def test_a_mistyped_document_number_is_still_compared():
    """Two registrations that share nothing but a document number with two digits swapped
    (names changed, no date): the one-typo variants meet in a block."""
    first = {"given_name": "Jacobie", "family_name": "Tilleq", "documents": "4137877"}
    second = {"given_name": "Blake", "family_name": "Moody", "documents": "4137787"}
    result = dedupe(columns(first, second), person_settings(), default_model())
    assert pairs(result) == {(0, 1)}
    assert result.report.pairs_per_rule[DOCUMENT_NEAR[0]] == 1
    documents = [o.label for o in result.model.outputs].index("documents")
    assert result.model.outputs[documents].level_labels[result.vectors[0, documents] - 1] == (
        "one character off"
    )


def test_a_lookup_finds_a_record_by_another_form_of_its_name():
    known = columns(
        {"given_name": "William", "family_name": "Featherstonehaugh"},
        {"given_name": "Amal", "family_name": "Haddad"},
    )
    index = Index(known, person_settings(), default_model())
    found = index.query({"given_name": "Bill", "family_name": "Featherstonehaugh"})
    assert [candidate.row for candidate in found.candidates] == [0]


def test_stored_keys_of_one_value_rules_are_what_they_were_and_several_values_give_several():
    """A rule on features of one value keeps the key text it always had (so keys stored by
    earlier versions still meet); a feature of several values gives a key for each."""
    data = Dataset(columns({**AMAL, "given_name": "Bill"}), person_settings().comparisons)
    rule = ("family_name.skeleton", "birth_date.yyyy")
    text = "\x1f".join([repr(rule), "hd", "1990"])
    expected = hashlib.blake2b(text.encode(), digest_size=KEY_LENGTH // 2).hexdigest()
    assert stable_keys(data, [rule], 0) == [expected]
    forms = rule_keys(data.features, FAMILY_AND_GIVEN_FORM)[0]
    assert len(forms) > 1 and all(key.startswith("hd\x1f") for key in forms)
    assert len(stable_keys(data, [FAMILY_AND_GIVEN_FORM], 0)) == len(forms)


def test_a_common_exact_date_counts_for_less_than_a_rare_one():
    """An assigned 1 January shared by many says less than a date few share."""
    rng = np.random.default_rng(5)
    many = [
        {
            "given_name": "".join(rng.choice(list("bdfhklmnrstz"), 3)) + "a",
            "family_name": "".join(rng.choice(list("bdfhklmnrstz"), 4)) + "i",
            # One in ten was given 1 January 1985, the others their own day.
            "birth_date": "1985-01-01"
            if i % 10 == 0
            else f"19{rng.integers(50, 99)}-0{rng.integers(1, 9)}-{rng.integers(10, 28)}",
        }
        for i in range(300)
    ]
    pair_common = [
        {"given_name": "Amal", "family_name": "Haddad", "birth_date": "1985-01-01"},
        {"given_name": "Amal", "family_name": "Haddad", "birth_date": "1985-01-01"},
    ]
    pair_rare = [
        {"given_name": "Huda", "family_name": "Barakat", "birth_date": "1983-06-17"},
        {"given_name": "Huda", "family_name": "Barakat", "birth_date": "1983-06-17"},
    ]
    result, scores = find_duplicates(columns(*many, *pair_common, *pair_rare))
    found = dict(zip(pairs_list(result), scores, strict=True))
    n = len(many)
    date = [o.label for o in result.model.outputs].index("birth_date")
    data = Dataset(columns(*many, *pair_common, *pair_rare), person_settings().comparisons)
    tf = result.model.tf_values_of(data, n)[date], result.model.tf_values_of(data, n + 2)[date]
    common = result.model.tf_adjustment(date, np.array([1]), np.array([tf[0]]))[0]
    rare = result.model.tf_adjustment(date, np.array([1]), np.array([tf[1]]))[0]
    assert common < 0 < rare
    assert found[(n + 2, n + 3)] > found[(n, n + 1)]
    # A pair's explanation, term frequencies included, adds up to the score it was given.
    at = pairs_list(result).index((n, n + 1))
    explained = result.explain(at, result.extra["prior_shift"])
    parts = explained["prior_bits"] + sum(part["bits"] for part in explained["fields"])
    assert abs(parts - scores[at]) < 0.1 and abs(explained["score"] - scores[at]) < 0.01
    assert abs(result.model.explain(result.vectors[at])["score"] - result.scores[at]) > 0.5
    # Kept as a profile keyed by digests (as lookups use it), the counts weigh the same.
    digest = lambda text: hashlib.sha256(f"key:{text}".encode()).hexdigest()[:20]  # noqa: E731
    profile = result.model.term_frequency_profile(digest)
    assert (
        "1985" not in json.dumps(profile) and digest("19850101") in profile["birth_date"]["shares"]
    )
    lookup = result.model.copy()
    lookup.use_profile(profile, digest)
    assert lookup.tf_adjustment(date, np.array([1]), np.array([tf[0]]))[0] == common
    assert lookup.tf_adjustment(date, np.array([1]), np.array([tf[1]]))[0] == rare


def pairs_list(result) -> list[tuple[int, int]]:
    return list(zip(result.left.tolist(), result.right.tolist(), strict=True))


def households(count: int = 400) -> list[dict]:
    """Households of four: one family name, place and phone, the parents' names; each
    child born on their own day, except that every household has twins."""
    rng = np.random.default_rng(3)
    given = ["Omar", "Nour", "Rami", "Hiba", "Sami", "Lina", "Yara", "Ziad", "Huda", "Karim"]
    records = []
    for h in range(count):
        family = "".join(rng.choice(list("bdfghklmnrstvz"), 4)) + "ani"
        twins = f"20{rng.integers(0, 20):02d}-0{rng.integers(1, 9)}-1{rng.integers(0, 9)}"
        for child in range(4):
            records.append(
                {
                    "given_name": given[(h + child * 3) % len(given)],
                    "family_name": family,
                    "sex": "female" if child % 2 else "male",
                    "birth_date": twins if child < 2 else f"199{child}-0{h % 9 + 1}-15",
                    "nationality": "SY",
                    "place": f"Camp {h % 7}",
                    "relatives": f"Father{h} {family}",
                    "contacts": f"0933{h:06d}",
                }
            )
    return records


def test_twins_weigh_less_when_agreements_are_weighed_within_families():
    records = households()
    with_families = dedupe(columns(*records), person_settings(), default_model())
    without_settings = person_settings()
    without_settings.family = None
    without = dedupe(columns(*records), without_settings, default_model())
    twins = (0, 1)  # the first household's twins: other given names, one date, one home
    at = pairs_list(with_families).index(twins)
    assert with_families.model.u_family is not None
    assert with_families.scores[at] < without.scores[pairs_list(without).index(twins)] - 3
    explanation = with_families.model.explain(with_families.vectors[at])
    lines = {part["field"]: part for part in explanation["fields"]}
    assert lines[WITHIN_FAMILY]["level"] == SHARED_BY_RELATIVES
    assert lines[WITHIN_FAMILY]["bits"] < 0
    total = explanation["prior_bits"] + sum(part["bits"] for part in explanation["fields"])
    assert abs(total - explanation["score"]) < 0.05
    # The same person registered twice in the same household still scores high.
    again = dedupe(columns(*records, dict(records[2])), person_settings(), default_model())
    assert again.probability[pairs_list(again).index((2, len(records)))] > 0.98


def model_with_families() -> Model:
    """The shipped model with u within families far from its u: the hardest case for the
    property below."""
    model = dedupe(columns(*households()), person_settings(), default_model()).model
    rng = np.random.default_rng(0)
    model.u_family = [u * rng.uniform(0.2, 50, len(u)) for u in model.u]
    return model


MODEL = model_with_families()
WIDTHS = [len(output.level_labels) for output in MODEL.outputs]


@settings(max_examples=300, deadline=None)
@given(
    pattern=st.tuples(*[st.integers(0, width) for width in WIDTHS]),
    output=st.integers(0, len(WIDTHS) - 1),
    worse=st.integers(1, 8),
)
def test_a_pattern_never_scores_more_when_one_field_agrees_less(pattern, output, worse):
    """With agreements weighed within families, a worse level of any field (the family
    name included: leaving the family) never raises the score."""
    before = np.array([pattern], dtype=np.int8)
    if before[0, output] == 0:
        return
    after = before.copy()
    after[0, output] = min(WIDTHS[output], before[0, output] + worse)
    assert MODEL.pattern_scores(after)[0] <= MODEL.pattern_scores(before)[0] + 1e-9


def test_a_model_keeps_its_families_through_json():
    model = MODEL
    restored = Model(person_settings().comparisons).load(model.to_dict())
    assert restored.family == model.family
    patterns = np.array([[1, 6, 1, 1, 1, 1, 1, 1, 1], [2, 2, 1, 1, 1, 1, 1, 1, 1]], np.int8)
    assert np.allclose(restored.pattern_scores(patterns), model.pattern_scores(patterns))
    assert model.family_adjustment(patterns)[1] < 0 == model.family_adjustment(patterns)[0]


def test_two_lists_meet_on_a_mistyped_document_and_on_a_nickname():
    """Linking two lists: the blocks of several values pair records across the lists only."""
    first = [
        {"given_name": "Jacobie", "family_name": "Tilleq", "documents": "4137877"},
        {"given_name": "Bill", "family_name": "Featherstonehaugh", "birth_date": "1950"},
    ]
    second = [
        {"given_name": "Blake", "family_name": "Moody", "documents": "4137787"},
        {"given_name": "William", "family_name": "Featherstonehaugh", "place": "Leeds"},
        {"given_name": "Will", "family_name": "Featherstonehaugh", "place": "York"},
    ]
    result = link(columns(*first), columns(*second), person_settings(), default_model())
    assert pairs(result) == {(0, 0), (1, 1), (1, 2)}

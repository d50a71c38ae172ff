"""The person matching on input it must survive: no records, one, empty fields, huge blocks
of identical copies, records without a name, names in scripts the engine does not know — a
correct result or a clear error, never a crash and never a silent "no candidates"."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from haven.linkage.linker import dedupe, link
from haven.linkage.people import COLUMNS, default_model, person_settings


def columns(*records: dict) -> dict[str, list]:
    return {name: [record.get(name) for record in records] for name in COLUMNS}


def pairs(result) -> set[tuple[int, int]]:
    return set(zip(result.left.tolist(), result.right.tolist(), strict=True))


def settings_without(*rules: tuple[str, ...]):
    """The person settings without these blocking rules (to show what they find)."""
    settings = person_settings()
    settings.blocking = [rule for rule in settings.blocking if rule not in rules]
    return settings


AMAL = {
    "given_name": "Amal",
    "family_name": "Haddad",
    "sex": "female",
    "birth_date": "1990-04-12",
    "nationality": "SY",
    "place": "Aleppo",
    "relatives": "Omar Haddad",
}


@pytest.mark.parametrize("model", [None, "shipped"], ids=["learnt", "shipped"])
@pytest.mark.parametrize("count", [0, 1])
def test_no_records_or_one_give_no_pairs(count, model):
    shipped = default_model() if model else None
    result = dedupe(columns(*[AMAL] * count), person_settings(), shipped)
    assert result.n == count and len(result.left) == 0 and len(result.scores) == 0
    assert list(result.clusters()) == list(range(count))
    linked = link(columns(*[AMAL] * count), columns(), person_settings(), shipped)
    assert len(linked.left) == 0


def test_identical_copies_are_found_however_large_their_block():
    copies = 1500  # more than any block the blocking keeps (max_block 1000)
    result = dedupe(columns(*[AMAL] * copies), person_settings(), default_model())
    assert len(np.unique(result.clusters())) == 1
    assert len(result.left) >= copies - 1 and result.report.candidate_pairs >= copies - 1


def test_a_record_without_a_name_meets_one_whose_date_and_place_agree():
    nameless = {**AMAL, "given_name": None, "family_name": None, "relatives": None}
    other = {**AMAL, "given_name": "Nour", "family_name": "Saleh", "birth_date": "1971-01-30"}
    result = dedupe(columns(AMAL, nameless, other), person_settings(), default_model())
    assert (0, 1) in set(zip(result.left.tolist(), result.right.tolist(), strict=True))


def test_records_with_every_field_empty_are_left_alone():
    empty = dict.fromkeys(COLUMNS)
    result = dedupe(columns(empty, empty, AMAL), person_settings(), default_model())
    assert result.n == 3 and len(result.left) == 0


@pytest.mark.parametrize(
    "given, family",
    [("明", "王"), ("प्रिया", "शर्मा"), ("สมชาย", "ใจดี"), ("ⵜⵉⴼⴰⵡⵜ", "ⴰⵎⴰⵣⵉⵖ"), ("🙂", "???")],
)
def test_names_in_scripts_the_engine_does_not_know(given, family):
    record = {**AMAL, "given_name": given, "family_name": family}
    result = dedupe(columns(record, record, AMAL), person_settings(), default_model())
    assert (0, 1) in set(zip(result.left.tolist(), result.right.tolist(), strict=True))
    assert np.isfinite(result.scores).all()


OTHER_VALUES = {
    "given_name": ["Nour", "Amel", "Mohamed", "أمل"],
    "family_name": ["Saleh", "Hadad", "Jallow", "حداد"],
    "sex": ["male"],
    "birth_date": ["1990-04-13", "1991", "1960-01-01", "~1990"],
    "nationality": ["ER", "SD"],
    "place": ["Homs", "Khartoum", "Alepo"],
    "relatives": ["Omar Saleh", "Fatima Haddad"],
}


def pair_score(first: dict, second: dict) -> float:
    """The pair's score by the shipped model itself (dedupe adapts a model to the records it
    is given, and two lists are two populations)."""
    result = dedupe(columns(first, second), person_settings(), default_model())
    assert list(zip(result.left, result.right, strict=True)) == [(0, 1)], "never compared"
    return float(default_model().scores(result.vectors)[0])


@settings(max_examples=60, deadline=None)
@given(
    field=st.sampled_from(sorted(OTHER_VALUES)),
    pick=st.integers(min_value=0, max_value=3),
)
def test_a_score_never_rises_when_a_field_stops_agreeing(field, pick):
    values = OTHER_VALUES[field]
    changed = {**AMAL, field: values[pick % len(values)]}
    assert pair_score(AMAL, changed) <= pair_score(AMAL, AMAL)

"""A name recorded alone, in the other field, or beside a mistyped date still meets its
other records: blocks on each part of either name."""

from haven.linkage.linker import dedupe
from haven.linkage.people import (
    GIVEN_FORM_AND_FAMILY_START,
    NAME_PART_ALONE,
    NAME_PART_AND_CONTACT,
    NAME_PART_AND_PLACE,
    NAME_PART_AND_YEAR,
    default_model,
    person_settings,
)
from tests.test_linkage_bad_input import columns, pairs, settings_without

NAME_PART_RULES = (NAME_PART_AND_YEAR, NAME_PART_AND_PLACE, NAME_PART_AND_CONTACT, NAME_PART_ALONE)


def without_name_part_rules():
    return settings_without(*NAME_PART_RULES)


def test_a_family_name_recorded_alone_in_the_given_field_meets_the_full_record():
    """Only a part of the name is shared, in different fields, and the day of birth was
    mistyped: no other rule brings the two together; the name part with the year does."""
    full = {"given_name": "Marie", "family_name": "Wright", "birth_date": "1961-12-18"}
    alone = {"given_name": "Wright", "birth_date": "1961-12-19"}
    result = dedupe(columns(full, alone), person_settings(), default_model())
    assert pairs(result) == {(0, 1)}
    assert result.report.pairs_per_rule[" & ".join(NAME_PART_AND_YEAR)] == 1
    assert not pairs(dedupe(columns(full, alone), without_name_part_rules(), default_model()))


def test_a_name_part_meets_through_the_place_or_a_shared_contact_when_the_date_is_missing():
    full = {"given_name": "Flora", "family_name": "Bernard", "place": "Harrow"}
    alone = {"given_name": "Barnard", "place": "Harrow"}  # the family name, spelled otherwise
    assert pairs(dedupe(columns(full, alone), person_settings(), default_model())) == {(0, 1)}
    # An office's phone, given by a dozen people: too many to pair on the phone alone.
    office = "0791234567"
    names = [
        "Amal",
        "Omar",
        "Fatima",
        "Yusuf",
        "Layla",
        "Karim",
        "Nour",
        "Samir",
        "Hana",
        "Tariq",
        "Rania",
        "Bilal",
    ]
    others = [{"given_name": name, "contacts": office} for name in names]
    phone = {"given_name": "Hodges", "contacts": office}
    both = {"given_name": "Charles", "family_name": "Hodges", "contacts": office}
    result = dedupe(columns(*others, phone, both), person_settings(), default_model())
    assert (12, 13) in pairs(result)
    assert result.report.pairs_per_rule[" & ".join(NAME_PART_AND_CONTACT)] == 1
    assert (12, 13) not in pairs(
        dedupe(columns(*others, phone, both), without_name_part_rules(), default_model())
    )


def test_a_common_name_part_with_a_common_year_makes_no_block():
    """The name-part rules serve rare parts: fifty-one Johns born in one year are left to
    the rules that need more (the block is skipped and counted)."""
    johns = [
        {"given_name": "John", "family_name": f"F{i:03d}x", "birth_date": "1950"} for i in range(51)
    ]
    result = dedupe(columns(*johns), person_settings(), default_model())
    assert result.report.skipped_blocks[" & ".join(NAME_PART_AND_YEAR)] >= 1


def test_a_rare_name_part_alone_meets_a_record_with_nothing_else_but_a_common_one_does_not():
    """One name written down and nothing more: a rare one still meets the full record; one
    that thirty others share is left to the rules that need more."""
    alone = {"given_name": "Maxwell"}
    full = {"given_name": "Jimmy", "family_name": "Maxwell", "birth_date": "1836-03-28"}
    result = dedupe(columns(alone, full), person_settings(), default_model())
    assert pairs(result) == {(0, 1)}
    assert result.report.pairs_per_rule[" & ".join(NAME_PART_ALONE)] == 1
    namesakes = [{"given_name": "Maxwell", "place": f"Town {i}"} for i in range(30)]
    crowded = dedupe(columns(alone, full, *namesakes), person_settings(), default_model())
    assert (0, 1) not in pairs(crowded)
    assert crowded.report.skipped_blocks[" & ".join(NAME_PART_ALONE)] >= 1


def test_a_nickname_beside_a_mistyped_family_name_is_compared():
    """Bill for William and a letter mistyped late in the family name, no date: the given
    name's usual form with the family name's first letters brings them together."""
    bill = {"given_name": "Bill", "family_name": "Atkinson", "birth_date": "1850"}
    william = {"given_name": "William", "family_name": "Atkindon", "place": "Leeds"}
    result = dedupe(columns(bill, william), person_settings(), default_model())
    assert pairs(result) == {(0, 1)}
    assert result.report.pairs_per_rule[" & ".join(GIVEN_FORM_AND_FAMILY_START)] == 1
    without = settings_without(GIVEN_FORM_AND_FAMILY_START)
    assert not pairs(dedupe(columns(bill, william), without, default_model()))

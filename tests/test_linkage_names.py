"""Name normalisation and names across scripts (haven.linkage.normalise, .scripts)."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from haven.linkage.normalise import fold, normalise, only_titles, ordered_key, tokens
from haven.linkage.scripts import latin_variants, script_of, skeleton

NAME_TEXT = st.text(
    alphabet=st.sampled_from(
        list("abcdehiklmnorstuyzAEHMS éçü-'.,") + list("محمدأحسنيعلفاطمةالبنو") + list("Мухамедጀ")
    ),
    max_size=30,
)


def test_honorifics_particles_and_punctuation_are_dropped():
    assert tokens("Dr. Amal El-Haddad") == ["amal", "haddad"]
    assert tokens("Sheikh Mohamed bin Rashid") == ["mohamed", "rashid"]
    assert normalise("  JOSÉ   da  SILVA ") == "jose silva"


def test_ranks_generational_suffixes_and_ordinals_are_dropped_beside_a_name():
    assert tokens("Rev. John Smith Jr") == ["john", "smith"]
    assert tokens("Maj.-Gen. Frederick Minchin") == ["frederick", "minchin"]
    assert tokens("Arthur Carnock 11th Baronet") == ["arthur", "carnock"]
    assert tokens("الشيخ محمد") == tokens("محمد")
    assert tokens("Sir") == ["sir"]  # a name made only of a title is kept


def test_article_written_onto_the_name_is_dropped():
    assert normalise("Alhassan") == normalise("Al-Hassan") == normalise("El Hassan") == "hassan"
    assert normalise("Attamimi") == "tamimi"
    assert normalise("Ali") == "ali"  # too short to carry an article


def test_compound_abd_names_agree_however_spelled():
    spellings = ["Abdulrahman", "Abd al-Rahman", "Abdel Rahman", "Abd-ar-Rahman", "عبد الرحمن"]
    assert {skeleton(s) for s in spellings} == {"bdrhmn"}


def test_a_name_of_particles_only_is_kept_rather_than_emptied():
    assert tokens("El") == ["el"]
    assert tokens("Mr") == ["mr"]


def test_name_order_does_not_change_the_ordered_key():
    assert ordered_key("Amal", "Haddad") == ordered_key("HADDAD,", "amal")


@pytest.mark.parametrize(
    ("arabic", "latin"),
    [
        ("محمد", ["Mohamed", "Muhammad", "Mohammed", "Mohammad"]),
        ("أحمد", ["Ahmed", "Ahmad"]),
        ("فاطمة", ["Fatima", "Fatma", "Fatimah"]),
        ("عائشة", ["Aisha", "Aicha"]),
        ("حسين", ["Hussein", "Houssein", "Husain"]),
        ("يوسف", ["Youssef", "Yusuf", "Yousef"]),
        ("إبراهيم", ["Ibrahim", "Brahim"]),
        ("عمر", ["Omar", "Umar"]),
        ("جمال", ["Jamal", "Gamal", "Djamal"]),
        ("خالد", ["Khaled", "Khalid"]),
        ("مروان", ["Marwan"]),
    ],
)
def test_arabic_script_meets_its_latin_spellings(arabic, latin):
    assert {skeleton(name) for name in [arabic, *latin]} == {skeleton(arabic)}


def test_different_names_have_different_skeletons():
    assert skeleton("محمد") != skeleton("Ahmed")
    assert skeleton("Omar") != skeleton("Hassan")


def test_arabic_names_get_several_latin_spellings():
    spellings = latin_variants("محمد")
    assert len(spellings) == 2
    assert all(s.isascii() and s.startswith("m") for s in spellings)
    assert latin_variants("Mohamed") == ("mohamed",)


def test_other_scripts_are_transliterated():
    assert latin_variants("Мухаммед") == ("mukhammed",)
    assert skeleton("Мухаммед").startswith("m")


def test_the_same_name_written_twice_in_two_scripts_counts_once():
    assert skeleton("Mohamed محمد") == skeleton("Mohamed")
    assert script_of("Mohamed محمد") == "mixed"


@pytest.mark.parametrize(
    ("text", "script"),
    [("محمد", "arabic"), ("José", "latin"), ("Мария", "other"), ("", ""), ("123", "")],
)
def test_script_of(text, script):
    assert script_of(text) == script


def test_empty_input_gives_empty_keys():
    assert tokens(None) == [] and normalise("") == "" and skeleton("  ") == ""
    assert latin_variants("") == ()


@given(NAME_TEXT)
def test_normalisation_is_idempotent(text):
    once = normalise(text)
    assert normalise(once) == once
    assert fold(fold(text)) == fold(text)


@given(NAME_TEXT)
def test_skeleton_is_stable_under_normalisation(text):
    assert skeleton(normalise(text)) == skeleton(text)


def test_only_titles_tells_a_title_from_a_name():
    assert only_titles("Dr") and only_titles("Sir") and only_titles("6th Bt.")
    assert not only_titles("Dr Oliver") and not only_titles("") and not only_titles(None)


def test_a_title_in_place_of_the_given_name_is_compared_as_missing_not_as_different():
    """'Dr Goldsmith' is Oliver Goldsmith as well as any other Goldsmith: the given names
    neither agree nor disagree; a title with no name beside it is still compared."""
    from haven.linkage.comparisons import PersonName
    from haven.linkage.linker import dedupe
    from haven.linkage.people import default_model, person_settings
    from tests.test_linkage_bad_input import columns

    oliver = {"given_name": "Oliver", "family_name": "Goldsmith", "place": "Elphin"}
    titled = {"given_name": "Dr", "family_name": "Goldsmith", "place": "Elphin"}
    result = dedupe(columns(oliver, titled), person_settings(), default_model())
    assert result.model.outputs[0].label == "given_name"
    assert result.vectors[:, 0].tolist() == [0]  # missing, where it was "different"

    names = PersonName("given", "family").prepare(
        {"given": ["Dr", "Sir", "Oliver", "Lady"], "family": ["Goldsmith", "", "Bt.", "Baronet"]}
    )
    assert names["g_lone_title"].tolist() == [True, False, False, False]
    assert names["f_lone_title"].tolist() == [False, False, True, False]

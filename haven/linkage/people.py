"""The comparisons and blocking keys Haven uses for person records.

Columns: given_name, family_name, sex, birth_date ('YYYY-MM-DD', 'YYYY', or '~YYYY' for a
year estimated from a stated age), nationality, place, relatives (names of parents,
spouse, children or siblings, separated by ';'), documents and contacts (keys of identity
document numbers and of phone numbers or addresses, separated by ';': Haven passes keyed
hashes, never the values).
"""

import json
from collections.abc import Mapping, Sequence
from functools import lru_cache
from pathlib import Path

import numpy as np

from haven.linkage import comparisons as c
from haven.linkage import estimation, through_matches
from haven.linkage.date_comparison import BirthDate
from haven.linkage.identifier_comparison import Identifiers
from haven.linkage.linker import Result, Settings, dedupe, link
from haven.linkage.model import Family, Model
from haven.linkage.relatives_comparison import Relatives
from haven.linkage.synthetic import cross_script_records

COLUMNS = (
    "given_name",
    "family_name",
    "sex",
    "birth_date",
    "nationality",
    "place",
    "relatives",
    "documents",
    "contacts",
)
FAMILY_AND_INITIAL = ("family_name.skeleton", "given_name.initial")
FAMILY_AND_PLACE = ("family_name.skeleton", "place.value")
GIVEN_AND_PLACE = ("given_name.skeleton", "place.value")
DATE_SEX_NATIONALITY = ("birth_date.ymd", "sex.value", "nationality.value")
DOCUMENT_ALONE = ("documents.first",)
CONTACT_ALONE = ("contacts.first",)
DOCUMENT_NEAR = ("documents.near",)
CONTACT_NEAR = ("contacts.near",)
NAMES_ALONE = ("given_name.skeleton", "family_name.skeleton")
FAMILY_AND_GIVEN_FORM = ("family_name.skeleton", "given_name.known_as")
NAME_PART_AND_YEAR = ("names.parts", "birth_date.yyyy")
NAME_PART_AND_PLACE = ("names.parts", "place.value")
NAME_PART_AND_CONTACT = ("names.parts", "contacts.first")
NAME_PART_ALONE = ("names.parts",)
GIVEN_FORM_AND_FAMILY_START = ("given_name.known_as", "family_name.latin[:3]")


def person_settings(**overrides) -> Settings:
    settings = Settings(
        comparisons=[
            c.PersonName("given_name", "family_name"),
            # Dates more than 5 years apart: at most 1 in 1,000 of one person's records.
            BirthDate("birth_date", far_apart=0.001),
            # Recorded differently between registrations of one person, at least: sex 1 in
            # 50, nationality 1 in 20 (a second nationality, a country of birth taken
            # for one, an interpreter's guess): a disagreement weighs, it never vetoes.
            c.Exact("sex", recorded_differently=0.02),
            c.Exact("nationality", recorded_differently=0.05),
            c.Place("place"),
            Relatives("relatives", family="family_name"),
            # Different people share a document number rarely (a family booklet), a phone
            # more often (a household's, a smuggler's).
            Identifiers("documents", shared_by_others=1e-5),
            Identifiers("contacts", shared_by_others=1e-3),
        ],
        # Each rule pairs a name key with a date or two more attributes, so that blocks stay
        # small at a million records; together they still meet a person whose date of birth
        # is missing, estimated or mistyped, and whose name is swapped or spelled another way.
        blocking=[
            ("given_name.skeleton", "family_name.skeleton", "birth_date.yyyy"),
            ("names.unordered", "birth_date.yyyy"),
            ("birth_date.ymd", "given_name.skeleton"),
            ("birth_date.ymd", "family_name.skeleton"),
            ("given_name.skeleton", "family_name.skeleton", "nationality.value", "sex.value"),
            ("names.unordered", "place.value", "sex.value"),
            ("names.unordered", "relatives.first"),
            ("given_name.skeleton", "birth_date.yyyy", "nationality.value", "place.value"),
            ("family_name.skeleton", "birth_date.yyyy", "nationality.value", "place.value"),
            ("given_name.initial", "family_name.initial", "birth_date.yyyy", "nationality.value"),
            ("given_name.skeleton", "relatives.first", "nationality.value"),
            ("family_name.skeleton", "relatives.first", "nationality.value"),
            # A record without a name still meets one born the same day in the same place.
            ("birth_date.ymd", "place.value"),
            # A rare full name needs nothing more: the date may be missing or mistyped.
            NAMES_ALONE,
            # A given name shortened, a nickname or an initial, with a family name that is
            # not common (undated: a rare family name is already most of the evidence).
            FAMILY_AND_INITIAL,
            # A nickname or short form of the given name ("Bill" for William), with a
            # family name that is not common.
            FAMILY_AND_GIVEN_FORM,
            ("given_name.known_as", "birth_date.yyyy", "place.value"),
            # One name recorded alone, in the other field, or lost with the date mistyped:
            # any part of either name with the year, the place or a contact, when few
            # share them.
            NAME_PART_AND_YEAR,
            NAME_PART_AND_PLACE,
            NAME_PART_AND_CONTACT,
            # A rare name part needs nothing more: one name recorded, everything else missing.
            NAME_PART_ALONE,
            # A nickname and a typo late in the family name, when few share the given
            # name's usual form and the family name's first three letters.
            GIVEN_FORM_AND_FAMILY_START,
            # One name lost or changed (a married name, a title taken for a name) and the
            # date missing: the other name and the place, when few share them.
            FAMILY_AND_PLACE,
            GIVEN_AND_PLACE,
            # Both names written otherwise (a patronymic in one, a grandfather's name in the
            # other, a script each): a full date is rare enough, unless it is an assigned
            # 1 January shared by many.
            DATE_SEX_NATIONALITY,
            # A document or a contact needs nothing more, unless many share it.
            DOCUMENT_ALONE,
            CONTACT_ALONE,
            # The same, with one character mistyped or two swapped: a block for each variant.
            DOCUMENT_NEAR,
            CONTACT_NEAR,
        ],
        rule_caps={
            NAMES_ALONE: 50,
            FAMILY_AND_INITIAL: 50,
            FAMILY_AND_GIVEN_FORM: 50,
            NAME_PART_AND_YEAR: 50,
            NAME_PART_AND_PLACE: 50,
            NAME_PART_AND_CONTACT: 50,
            NAME_PART_ALONE: 30,
            GIVEN_FORM_AND_FAMILY_START: 20,
            FAMILY_AND_PLACE: 50,
            GIVEN_AND_PLACE: 50,
            DATE_SEX_NATIONALITY: 50,
            DOCUMENT_ALONE: 10,
            CONTACT_ALONE: 10,
            DOCUMENT_NEAR: 10,
            CONTACT_NEAR: 10,
        },
        # A name part that thousands share (Mohammed, at a million records) is still
        # compared among the records of one nationality, born about the same year in about
        # the same place: each meets its two nearest in that order.
        windows={NAME_PART_ALONE: ((("nationality.value", "birth_date.yyyy", "place.value"),), 2)},
        # Narrow enough that matches stay a fair share of their pairs at a million records:
        # the first teaches the date, sex and relatives, the second the names, nationality
        # and place.
        training_rules=[
            ("given_name.skeleton", "family_name.skeleton", "nationality.value", "place.value"),
            ("birth_date.ymd", "sex.value"),
        ],
        # Within a family, a shared date, place, phone, parents' names or nationality is
        # weighed against how often relatives share them: twins, a household's phone.
        family=Family(
            output="family_name", levels=4, rule=("family_name.skeleton",), kept=("given_name",)
        ),
    )
    for key, value in overrides.items():
        setattr(settings, key, value)
    return settings


MODEL_PATH = Path(__file__).parent / "data" / "person_model.json"


@lru_cache(maxsize=1)
def default_model() -> Model:
    """The person model Haven ships: learnt without labels from synthetic registrations
    across scripts (`python -m haven.linkage.people` makes it again)."""
    return Model(person_settings().comparisons).load(json.loads(MODEL_PATH.read_text()))


# The product's threshold: a pair at even odds or better goes to a caseworker.
THRESHOLD = 0.5


def prior_bits(records: int) -> float:
    """The product's prior: at most about one earlier record of the same person is expected
    among those held."""
    prior = 1 / max(records, 100)
    return float(np.log2(prior / (1 - prior)))


def prior_shift(model: Model, records: int) -> float:
    """Bits to add to the model's scores for the product's prior over `records` records."""
    return prior_bits(records) - model.prior_bits


def find_duplicates(
    columns: Mapping[str, Sequence], model: Model | None = None
) -> tuple[Result, np.ndarray]:
    """The product's deduplication of persons, as its job runs it: the person settings, the
    shipped model (or the one calibrated from caseworkers' decisions) adapted to these
    records (`result.model`), the prior estimated for them; the candidate pairs and their
    scores in bits with that prior (`Model.probability` turns them into probabilities,
    kept from `THRESHOLD` up)."""
    model = model or default_model()
    result = dedupe(columns, person_settings(), model)
    return result, _with_prior(result, result.n * (result.n - 1) // 2)


def find_links(
    columns_a: Mapping[str, Sequence], columns_b: Mapping[str, Sequence], model: Model | None = None
) -> tuple[Result, np.ndarray]:
    """As `find_duplicates`, for the persons of one list who are in another."""
    model = model or default_model()
    result = link(columns_a, columns_b, person_settings(), model)
    left = result.extra["n_left"]
    return result, _with_prior(result, left * (result.n - left))


# Pairs at least this likely are followed to their matches of matches (through_matches).
PATH_THRESHOLD = 0.02


def _bits(probability: float) -> float:
    return float(np.log2(probability / (1 - probability)))


PRIOR_MATCHES = 100  # how many matching pairs the product's prior is worth beside the data


def _with_prior(result: Result, pairs: int) -> np.ndarray:
    """The scores with the prior for these records, the records that matches join compared
    too (`through_matches`); the bits added are kept in `result.extra["prior_shift"]` (for
    explanations, whose prior must be the one used)."""
    result.extra["prior_shift"] = _population_shift(result, pairs)
    # Estimated from the blocked candidates only: those matches join are mostly matches.
    through_matches.compare(result, cut=_bits(THRESHOLD), path_cut=_bits(PATH_THRESHOLD))
    return result.scores + result.extra["prior_shift"]


def _population_shift(result: Result, pairs: int) -> float:
    """Bits to add to the scores for the prior of these records: how many of their pairs
    match, estimated with the model's m and u held (one number), the product's prior
    (about one earlier record of each person) counting as `PRIOR_MATCHES` matching pairs
    beside it, so that a handful of records cannot talk the prior up; never below the
    product's prior."""
    estimated = result.model.copy()
    estimation.estimate_prior(estimated, result.vectors, pairs)
    product = 1 / max(result.n, 100)
    prior = (estimated.prior * pairs + PRIOR_MATCHES) / (pairs + PRIOR_MATCHES / product)
    bits = float(np.log2(prior / (1 - prior)))
    return max(prior_bits(result.n), bits) - result.model.prior_bits


def learn_model(columns: Mapping[str, Sequence]) -> Model:
    """A person model learnt without labels from these records, the shipped model as its
    prior and fallback (`model.fit` says what fell back and why)."""
    return dedupe(columns, person_settings(), reference=default_model()).model


def train_default_model(people: int = 20_000, seed: int = 7) -> Model:
    """Documents and contacts are not in the synthetic records: their m and u are what
    `Identifiers` knows, until a population or caseworkers' decisions say more."""
    columns = cross_script_records(people, seed=seed)
    model = dedupe(columns, person_settings()).model
    MODEL_PATH.parent.mkdir(exist_ok=True)
    MODEL_PATH.write_text(json.dumps(model.to_dict(), indent=1) + "\n")
    return model


if __name__ == "__main__":
    train_default_model()

"""Dates of birth as stated (haven.linkage.dates) and how two of them compare."""

import datetime as dt

import numpy as np
import pytest

from haven.linkage import dates
from haven.linkage.date_comparison import DATE_LEVELS, BirthDate


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1990-05-17", (1990, 5, 17, dates.EXACT)),
        ("19900517", (1990, 5, 17, dates.EXACT)),
        ("17/05/1990", (1990, 5, 17, dates.EXACT)),
        ("1990", (1990, 0, 0, dates.PARTIAL)),
        ("1990-05", (1990, 5, 0, dates.PARTIAL)),
        ("~1990", (1990, 0, 0, dates.ESTIMATED)),
        ("1990-13-01", (1990, 1, 13, dates.EXACT)),  # only day before month makes a date
        ("", (0, 0, 0, 0)),
        ("unknown", (0, 0, 0, 0)),
    ],
)
def test_parse(text, expected):
    parsed = dates.parse(text)
    assert (parsed.year, parsed.month, parsed.day, parsed.precision) == expected


@pytest.mark.parametrize(
    ("text", "year"),
    [("1990-02-31", 1990), ("1990-13-14", 1990), ("1862-18-29", 1862), ("1990-00-10", 1990)],
)
def test_impossible_dates_keep_their_digits_and_their_year(text, year):
    """A typo in the month or the day (month 18, day 81) leaves the year standing: it is
    blocked and compared on, as a written year is."""
    parsed = dates.parse(text)
    assert parsed.precision == dates.INVALID and parsed.year == year
    assert (parsed.month, parsed.day) == (0, 0)


def test_a_date_whose_year_cannot_be_gives_nothing_but_its_digits():
    parsed = dates.parse("0000-01-01")
    assert parsed.precision == dates.INVALID and parsed.year == 0


def test_old_dates_are_dates():
    """A register of the past (an archive, a historical set) holds births centuries ago:
    the matcher compares them; whether a date is believable is the form's question."""
    assert dates.parse("1629-09-10").precision == dates.EXACT
    assert dates.parse("0500-01-01").year == 500


def test_estimated_from_age():
    assert dates.estimated_from_age(34, dt.date(2024, 5, 1)).year == 1990
    assert dates.estimated_from_age(400, dt.date(2024, 5, 1)) is dates.MISSING
    assert dates.estimated_from_age(-3, dt.date(2024, 5, 1)) is dates.MISSING


def _level(a: str, b: str) -> str:
    comparison = BirthDate("dob")
    pa = comparison.prepare({"dob": [a]})
    pb = comparison.prepare({"dob": [b]})
    level = int(comparison.levels(pa, pb, np.array([0]), np.array([0]))[0, 0])
    return "missing" if level == 0 else DATE_LEVELS[level - 1]


@pytest.mark.parametrize(
    ("a", "b", "level"),
    [
        ("1990-05-17", "1990-05-17", "exact"),
        ("1990-05-17", "1990-05-18", "one digit differs"),
        ("1990-05-07", "1990-07-05", "day and month transposed"),
        ("1990-05-17", "1990", "same year"),
        ("1990-05-17", "~1992", "same year"),  # an estimate within its uncertainty
        ("1990-05-17", "1990-11-30", "same year, another day"),
        ("1990-05-17", "1991-11-30", "within a year"),
        ("1990-05-17", "1994", "within 5 years"),
        ("1990-05-17", "1970-01-01", "different"),
        ("1990-05-17", "", "missing"),
        ("1990-02-31", "1990-02-21", "one digit differs"),
        # An impossible month or day is not a different date: its year still agrees, and
        # its digits say whether the rest was one typo away or another day of that year.
        ("1862-18-29", "1862", "same year"),
        ("1862-18-29", "1862-03-01", "same year, another day"),
        ("1908-60-11", "1908-04-12", "same year, another day"),
        ("1862-18-29", "1862-08-29", "one digit differs"),
        ("1862-18-29", "1863-03-01", "within a year"),
        ("1862-18-29", "1832-03-01", "different"),
    ],
)
def test_date_levels(a, b, level):
    assert _level(a, b) == level
    assert _level(b, a) == level

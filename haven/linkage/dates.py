"""Dates of birth as people state them: exact, year only, or estimated from a stated age."""

import calendar
import datetime as dt
import re
from dataclasses import dataclass

EXACT, PARTIAL, ESTIMATED, INVALID = 1, 2, 3, 4
# Any year the calendar module knows: the matcher compares what was written; whether a date
# is believable for a living person is the registration form's question, not the matcher's.
EARLIEST_YEAR, LATEST_YEAR = 1, 2100
OLDEST_AGE = 130  # a stated age beyond this is not an age

_ISO = re.compile(r"^(\d{4})[-/.]?(\d{1,2})?[-/.]?(\d{1,2})?$")
_DAY_FIRST = re.compile(r"^(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})$")
_ESTIMATE = re.compile(r"^~\s*(\d{4})$")


@dataclass(frozen=True, slots=True)
class BirthDate:
    """year/month/day are 0 when unknown; digits keeps what was written, for typo levels."""

    year: int = 0
    month: int = 0
    day: int = 0
    precision: int = 0
    digits: str = ""


MISSING = BirthDate()


def parse(value) -> BirthDate:
    """Read a date of birth; '~1990' is a year estimated from a stated age.

    A date that cannot exist (31 February, month 13) keeps its digits, so a typo can still
    be recognised, and its year, but gives no month or day.
    """
    if value is None:
        return MISSING
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        return BirthDate(value.year, value.month, value.day, EXACT, value.strftime("%Y%m%d"))
    text = str(value).strip()
    if not text or text.lower() in {"nan", "none", "null"}:
        return MISSING
    if match := _ESTIMATE.match(text):
        year = int(match[1])
        return BirthDate(year, 0, 0, ESTIMATED, "") if _plausible_year(year) else MISSING
    if match := _DAY_FIRST.match(text):
        year, month, day = int(match[3]), int(match[2]), int(match[1])
    elif match := _ISO.match(text):
        year = int(match[1])
        month = int(match[2]) if match[2] else 0
        day = int(match[3]) if match[3] else 0
    else:
        return MISSING
    if month > 12 and 1 <= day <= 12:
        month, day = day, month  # only day before month makes it a date
    digits = f"{year:04d}{month:02d}{day:02d}" if month and day else ""
    if not _plausible_year(year):
        return BirthDate(precision=INVALID, digits=digits)
    # A month or day that cannot be (a typo: month 18, day 81) leaves the year standing.
    if month > 12 or (day and not month):
        return BirthDate(year, precision=INVALID, digits=digits)
    if month and day:
        if day > calendar.monthrange(year, month)[1] or day == 0:
            return BirthDate(year, precision=INVALID, digits=digits)
        return BirthDate(year, month, day, EXACT, digits)
    return BirthDate(year, month, 0, PARTIAL, "")


def estimated_from_age(age: int, as_of: dt.date) -> BirthDate:
    """The birth year implied by an age stated on a given day."""
    if not 0 <= int(age) <= OLDEST_AGE:
        return MISSING
    return BirthDate(as_of.year - int(age), 0, 0, ESTIMATED, "")


def _plausible_year(year: int) -> bool:
    return EARLIEST_YEAR <= year <= LATEST_YEAR

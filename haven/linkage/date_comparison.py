"""Dates of birth compared with their precision: exact dates, a year, a year estimated from
an age; typos in the digits, day and month transposed, and how far apart two years are."""

import numpy as np
from rapidfuzz.distance import DamerauLevenshtein

from haven.linkage import dates
from haven.linkage.comparisons import Comparison
from haven.linkage.texts import VOCABULARY, memoised, similarity

DATE_LEVELS = (
    "exact",
    "one digit differs",
    "day and month transposed",
    "same year",
    "same year, another day",
    "within a year",
    "within 5 years",
    "different",
)


class BirthDate(Comparison):
    """Date of birth with its precision: exact, year only, or estimated from an age."""

    def __init__(self, field: str, label: str | None = None, far_apart: float = 1.0):
        self.field = field
        self.outputs = (label or field,)
        self.level_labels = (DATE_LEVELS,)
        # An exact date shared by many (an assigned 1 January, a registration day taken
        # for a birthday) says less than a rare one.
        self.term_frequency = (True,)
        # The most share of one person's records whose dates are more than 5 years apart.
        self.far_apart = far_apart

    def m_bounds(self, output):
        return {len(DATE_LEVELS): (0.0, self.far_apart)} if self.far_apart < 1.0 else {}

    def prepare(self, columns):
        parsed = memoised(columns[self.field], dates.parse)
        return {
            "year": np.array([p.year for p in parsed], dtype=np.int16),
            "month": np.array([p.month for p in parsed], dtype=np.int8),
            "day": np.array([p.day for p in parsed], dtype=np.int8),
            "precision": np.array([p.precision for p in parsed], dtype=np.int8),
            "digits": VOCABULARY.encode([p.digits for p in parsed]),
            "ymd": VOCABULARY.encode(
                [p.digits if p.precision == dates.EXACT else "" for p in parsed]
            ),
            "yyyy": np.array([p.year for p in parsed], dtype=np.int32),  # a number, not a code
            "mmdd": VOCABULARY.encode(
                [p.digits[4:] if p.precision == dates.EXACT else "" for p in parsed]
            ),
        }

    def tf_values(self, prepared, output):
        return prepared["ymd"]

    def levels(self, a, b, left, right):
        ya, yb = a["year"][left].astype(np.int32), b["year"][right].astype(np.int32)
        pa, pb = a["precision"][left], b["precision"][right]
        ma, mb = a["month"][left], b["month"][right]
        da, db = a["day"][left], b["day"][right]
        both_exact = (pa == dates.EXACT) & (pb == dates.EXACT)
        has_year = (ya > 0) & (yb > 0)
        gap = np.abs(ya - yb)
        estimated = (pa == dates.ESTIMATED) | (pb == dates.ESTIMATED)
        digits_a, digits_b = a["digits"][left], b["digits"][right]
        has_digits = (digits_a != 0) & (digits_b != 0)
        typo = np.zeros(len(left), dtype=bool)
        if has_digits.any():
            idx = np.flatnonzero(has_digits)
            typo[idx] = (digits_a[idx] == digits_b[idx]) | (
                similarity(
                    a, b, "digits", "digits", left[idx], right[idx], DamerauLevenshtein.distance
                )
                <= 1
            )
        level = np.full(len(left), 8, dtype=np.int8)
        level[has_year & (gap <= 5)] = 7
        level[has_year & (gap <= 1)] = 6
        # Two full dates in the same year but on different days say less than a bare year.
        level[both_exact & (gap == 0)] = 5
        # An estimate agrees with a year when it is within its own uncertainty.
        level[has_year & estimated & (gap <= 2)] = 4
        level[has_year & ~estimated & ~both_exact & (gap == 0)] = 4
        # A date with an impossible month or day still has its digits: written differently
        # beyond one typo, it is another day of that year, not a bare year.
        level[has_year & has_digits & ~both_exact & ~typo & (gap == 0)] = 5
        level[both_exact & (ya == yb) & (ma == db) & (da == mb) & (ma != da)] = 3
        level[typo] = 2
        level[both_exact & (ya == yb) & (ma == mb) & (da == db)] = 1
        level[~has_year & ~has_digits] = 0
        level[~has_year & has_digits & ~typo] = 8
        return level[:, None]

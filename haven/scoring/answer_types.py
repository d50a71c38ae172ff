"""What an answer of each question type may be, as ODK writes it: a whole number, a number,
a date (`YYYY-MM-DD`), a time (`HH:MM`, seconds, fraction and time zone optional), a date
and time (`YYYY-MM-DDTHH:MM…`), a number on a range's scale, the `OK` of an
acknowledgement, a location (`latitude longitude [altitude [accuracy]]` in decimal degrees
and metres, separated by spaces), or text. Choices are checked by the engine, which knows
the form's lists.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from datetime import date, datetime, time

from haven.scoring.xlsform import Question
from haven.scoring.xpath_values import to_number

NUMBER_TYPES = {"integer", "decimal", "range"}
ACKNOWLEDGED = "OK"

_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_ZONE = r"(?:Z|[+-]\d{2}(?::?\d{2})?)?"
_CLOCK = r"\d{2}:\d{2}(?::\d{2}(?:\.\d{1,6})?)?"
_TIME = re.compile(f"^{_CLOCK}{_ZONE}$")
_DATE_TIME = re.compile(rf"^\d{{4}}-\d{{2}}-\d{{2}}[T ]{_CLOCK}{_ZONE}$")


def typed(kind: str, value):
    """An answer given as text (a web form, a CSV export) as the number it reads as, for
    integer, decimal and range questions; anything else as given, for the checks to name."""
    if not isinstance(value, str):
        return value
    value = value.strip()
    try:
        if kind == "integer":
            return int(value)
        if kind in ("decimal", "range"):
            number = float(value)
            return int(number) if kind == "range" and number.is_integer() else number
    except ValueError:
        return value
    return value


def _with_zone(text: str) -> str:
    """Python reads "+03:00" and "Z" but not ODK's "+03" or "+0300"."""
    match = re.search(r"([+-]\d{2})(\d{2})?$", text)
    if text.endswith("Z") or not match or ":" in text[match.start() :]:
        return text.replace("Z", "+00:00")
    return text[: match.start()] + f"{match.group(1)}:{match.group(2) or '00'}"


def _reads_as(pattern: re.Pattern, parse: Callable[[str], object], text: str) -> bool:
    """The text has the shape ODK writes and is a real calendar date or clock time."""
    if not pattern.match(text):
        return False
    try:
        parse(text)
    except ValueError:
        return False
    return True


def is_time(text: str) -> bool:
    return _reads_as(_TIME, lambda t: time.fromisoformat(_with_zone(t)), text)


def is_date_time(text: str) -> bool:
    return _reads_as(
        _DATE_TIME, lambda t: datetime.fromisoformat(_with_zone(t.replace(" ", "T", 1))), text
    )


def is_date(text: str) -> bool:
    return _reads_as(_DATE, date.fromisoformat, text)


def range_bounds(question: Question) -> tuple[float, float, float]:
    """(start, end, step) of a range question; ODK's defaults are 1 to 10 by 1."""
    parameters = question.parameters or {}
    start = to_number(parameters.get("start", 1))
    end = to_number(parameters.get("end", 10))
    step = abs(to_number(parameters.get("step", 1))) or 1.0
    return start, end, step


def type_problem(question: Question, raw) -> str:
    """What is wrong with an answer of this question's type ("" when nothing is)."""
    kind = question.type
    if kind == "integer":
        whole = (isinstance(raw, int) and not isinstance(raw, bool)) or (
            isinstance(raw, float) and raw.is_integer()
        )
        if not whole and not (isinstance(raw, str) and re.fullmatch(r"-?\d+", raw.strip())):
            return "Enter a whole number."
    elif kind == "decimal":
        if isinstance(raw, bool) or not math.isfinite(to_number(raw)):
            return "Enter a number."
    elif kind == "range":
        return _range_problem(question, raw)
    elif kind == "date":
        if not (isinstance(raw, str) and is_date(raw)):
            return "Enter a date as YYYY-MM-DD."
    elif kind == "time":
        if not (isinstance(raw, str) and is_time(raw.strip())):
            return "Enter a time as HH:MM (24 hours)."
    elif kind == "datetime":
        if not (isinstance(raw, str) and is_date_time(raw.strip())):
            return "Enter a date and time as YYYY-MM-DDTHH:MM."
    elif kind == "geopoint":
        return geopoint_problem(raw)
    elif kind in ("geotrace", "geoshape"):
        return _line_problem(kind, raw)
    elif kind in ("image", "audio", "video", "file"):
        if not isinstance(raw, str) or len(raw) > 120 or "/" in raw:
            return "Attach the file: the answer is the attached file's name."
    elif kind == "acknowledge":
        if str(raw).strip() != ACKNOWLEDGED:
            return f"Answer {ACKNOWLEDGED} to acknowledge, or leave it blank."
    elif kind == "text" and not isinstance(raw, str | int | float):
        return "Enter text."
    return ""


def geopoint_parts(raw) -> list[float] | None:
    """[latitude, longitude, altitude?, accuracy?] of a location as ODK writes it."""
    parts = str(raw).replace(",", " ").split()
    numbers = [to_number(part) for part in parts]
    if not 2 <= len(numbers) <= 4 or not all(math.isfinite(n) for n in numbers):
        return None
    return numbers


def geopoint_problem(raw) -> str:
    numbers = geopoint_parts(raw) if not isinstance(raw, bool | list | dict) else None
    if numbers is None:
        return "Enter a location as latitude and longitude in decimal degrees, e.g. 13.5116 2.1254."
    if not -90 <= numbers[0] <= 90:
        return "The latitude must be from -90 to 90."
    if not -180 <= numbers[1] <= 180:
        return "The longitude must be from -180 to 180."
    if len(numbers) == 4 and numbers[3] < 0:
        return "The accuracy cannot be negative."
    return ""


def _line_problem(kind: str, raw) -> str:
    """A line (geotrace: two points or more) or a closed shape (geoshape: four points or
    more, the last the first again), points separated by `;` as ODK writes them."""
    points = [p.strip() for p in str(raw).split(";") if p.strip()]
    for number, point in enumerate(points, 1):
        problem = geopoint_problem(point)
        if problem:
            return f"Point {number}: {problem}"
    if kind == "geotrace" and len(points) < 2:
        return "A line needs two points or more, separated by ';'."
    if kind == "geoshape":
        first, last = (geopoint_parts(points[i]) if points else None for i in (0, -1))
        if len(points) < 4 or not first or not last or first[:2] != last[:2]:
            return "A shape needs three points or more, then the first one again to close it."
    return ""


def _range_problem(question: Question, raw) -> str:
    number = to_number(raw) if not isinstance(raw, bool) else math.nan
    start, end, step = range_bounds(question)
    if not math.isfinite(number) or not min(start, end) <= number <= max(start, end):
        return f"Enter a number from {start:g} to {end:g}."
    steps = (number - start) / step
    if abs(steps - round(steps)) > 1e-9:
        return f"Enter a number from {start:g} to {end:g} in steps of {step:g}."
    return ""

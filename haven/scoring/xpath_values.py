"""Values as XPath sees them in XLSForm expressions: an unanswered question is the empty
string, a number that is not one is NaN, a list of choices is text separated by spaces, a
date is a number of days since 1 January 1970 (`today() - ${dob}` counts days, as in ODK)."""

import math
import re
from datetime import date

from haven.scoring.xpath_dates import date_time_of, days_since_epoch

_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}.*)?")


def to_number(value) -> float:
    if isinstance(value, bool):
        return 1.0 if value else 0.0
    if isinstance(value, int | float):
        return float(value)
    if value is None:
        return math.nan
    if isinstance(value, list | tuple):
        return math.nan
    if isinstance(value, date):
        return days_since_epoch(date_time_of(value))
    text = str(value).strip()
    try:
        return float(text)
    except ValueError:
        if _ISO_DATE.fullmatch(text):
            return days_since_epoch(date_time_of(text))
        return math.nan


def to_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        if math.isnan(value):
            return "NaN"
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, list | tuple):
        return " ".join(to_text(item) for item in value)
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def to_boolean(value) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        return not (value == 0 or (isinstance(value, float) and math.isnan(value)))
    if isinstance(value, list | tuple):
        return bool(value)
    return to_text(value) != ""


def is_blank(value) -> bool:
    return value is None or value == "" or value == [] or value == ()

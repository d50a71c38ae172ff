"""Dates and times in XLSForm expressions as ODK reads and writes them: answers are ISO text
("2026-12-07", "2026-12-07T09:30:00.000+01:00"), numbers are days since 1 January 1970, and
format-date() takes ODK's codes (%Y %y %m %n %b %d %e %a %H %h %M %S %3)."""

import math
import re
from datetime import UTC, date, datetime, timedelta

_EPOCH = datetime(1970, 1, 1)
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_CODE = re.compile(r"%(.)")


def date_time_of(value) -> datetime | None:
    """A date or a date and time from an answer, a date() result or a number of days; None
    when it is none of these."""
    if isinstance(value, datetime):
        return value
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day)
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | float):
        if not math.isfinite(value) or abs(value) > 3_000_000:
            return None
        return _EPOCH + timedelta(days=value)
    text = str(value).strip()
    if re.fullmatch(r"-?\d+(\.\d+)?", text):
        return date_time_of(float(text))
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None


def iso_date(moment: datetime | None) -> str:
    return moment.date().isoformat() if moment else ""


def iso_date_time(moment: datetime | None) -> str:
    """As ODK writes a dateTime: milliseconds, and the offset when the time has one."""
    if moment is None:
        return ""
    text = moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}"
    if moment.utcoffset() is not None:
        offset = moment.strftime("%z")
        text += f"{offset[:3]}:{offset[3:]}"
    return text


def days_since_epoch(moment: datetime | None) -> float:
    if moment is None:
        return math.nan
    if moment.utcoffset() is not None:
        moment = moment.astimezone(UTC).replace(tzinfo=None)
    return (moment - _EPOCH).total_seconds() / 86400


def format_date(moment: datetime | None, pattern: str) -> str:
    """`moment` written with ODK's format-date codes; empty when there is no date."""
    if moment is None:
        return ""
    values = {
        "Y": f"{moment.year:04d}",
        "y": f"{moment.year % 100:02d}",
        "m": f"{moment.month:02d}",
        "n": str(moment.month),
        "b": _MONTHS[moment.month - 1],
        "d": f"{moment.day:02d}",
        "e": str(moment.day),
        "a": _DAYS[moment.weekday()],
        "H": f"{moment.hour:02d}",
        "h": str(moment.hour),
        "M": f"{moment.minute:02d}",
        "S": f"{moment.second:02d}",
        "3": f"{moment.microsecond // 1000:03d}",
        "%": "%",
    }
    return _CODE.sub(lambda found: values.get(found[1], found[0]), pattern)

"""Published tables as HXL-tagged CSV (the Humanitarian Exchange Language, 1.1): one line per
count and what it is a count of, each value under the core hashtag that means it.

- What is counted: `#indicator+num` for records (cases, referrals, submissions, incidents,
  days), `#affected` only for the people an incident affected.
- Sex and age are attributes of the count's column (`+f`, `+m`, `+i`, `+children`,
  `+adults`, `+elderly`, …, with `+age5_11`-style attributes for the exact band), so one line
  holds a row's counts for every sex or age.
- Every other dimension has a column of its own under its hashtag (`#status+name`,
  `#service+name`, `#country+name`, …); HXL has no core hashtag for a few of Haven's
  (MiGOF category, feedback category, rating, perpetrator): those are `#x_` extension
  hashtags, as HXL asks.
- `#date+start` and `#date+end` are the period the counts cover: the one chosen, else from
  the first thing counted to the day of the export; a month's counts carry that month.
Counts hidden as small cells stay empty; libhxl reads the file back as it is written."""

import calendar
import re
from dataclasses import dataclass
from datetime import date

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from haven.core.reporting import Table
from haven.core.spreadsheets import safe_row


@dataclass(frozen=True)
class Dimension:
    tag: str
    label: str


# Dimensions whose values go in a column of their own, by the kind a Table names.
DIMENSIONS = {
    "status": Dimension("#status+name", gettext_lazy("Status")),
    "stage": Dimension("#status+name", gettext_lazy("Status")),
    "risk": Dimension("#severity+name", gettext_lazy("Risk level")),
    "band": Dimension("#severity+code", gettext_lazy("Score band")),
    "programme": Dimension("#subsector+name", gettext_lazy("Programme")),
    "vulnerability": Dimension("#beneficiary+type", gettext_lazy("Vulnerability")),
    "service": Dimension("#service+name", gettext_lazy("Service")),
    "office": Dimension("#loc+name", gettext_lazy("Office or place")),
    "place": Dimension("#loc+name", gettext_lazy("Office or place")),
    "caseworker": Dimension("#contact+name", gettext_lazy("Caseworker")),
    "country": Dimension("#country+name", gettext_lazy("Country")),
    "departure": Dimension("#country+name+departure", gettext_lazy("Country of departure")),
    "return": Dimension("#country+name+return", gettext_lazy("Country of return")),
    "channel": Dimension("#channel+name", gettext_lazy("Channel")),
    "incident_type": Dimension("#event+type", gettext_lazy("Type of incident")),
    "migof": Dimension("#x_migof+name", gettext_lazy("MiGOF category")),
    "feedback_category": Dimension("#x_feedback+type", gettext_lazy("Category")),
    "rating": Dimension("#x_rating+num", gettext_lazy("Rating")),
    "perpetrator": Dimension("#x_perpetrator+type", gettext_lazy("Perpetrator")),
}
# Dimensions carried by the count column's attributes, and the two special ones.
SEX, AGE, MONTH, MEASURE = "sex", "age", "month", "measure"
SEX_ATTRIBUTES = {
    "female": "+f",
    "male": "+m",
    "intersex": "+i",
    "other": "+sex_other_or_unknown",
}
HEAD = [
    ("#indicator+code", gettext_lazy("Table")),
    ("#indicator+name", gettext_lazy("What is counted")),
    ("#date+start", gettext_lazy("From")),
    ("#date+end", gettext_lazy("To")),
]


def age_attributes(key) -> list[str]:
    """The HXL attributes of an age band ("0–4", "0_17", "60+", "60_plus", "<5"): the core
    one it falls within (+infants, +children, +adults, +elderly) and its exact range."""
    text = str(key)
    numbers = [int(n) for n in re.findall(r"\d+", text)]
    if not numbers:
        return ["+age_unknown"]
    if text.startswith("<"):
        low, high = 0, numbers[0] - 1
    elif len(numbers) == 1:
        low, high = numbers[0], None
    else:
        low, high = numbers[0], numbers[1]
    exact = f"+age{low}_{high}" if high is not None else f"+age{low}plus"
    if high is not None and high < 1:
        return ["+infants", exact]
    if high is not None and high <= 17:
        return ["+children", exact]
    if low >= 60:
        return ["+elderly", exact]
    if low >= 18 and (high is None or high <= 59):
        return ["+adults", exact]
    return [exact]


def _attributes(kind: str, key) -> list[str]:
    if kind == SEX:
        return [SEX_ATTRIBUTES.get(str(key), "+sex_unknown")]
    if kind == AGE:
        return age_attributes(key)
    return []


def _month(key, period: tuple[date, date]) -> tuple[date, date]:
    first = date(key.year, key.month, 1)
    last = date(key.year, key.month, calendar.monthrange(key.year, key.month)[1])
    return max(first, period[0]), min(last, period[1])


def _number(value):
    # Hidden cells (None) and placeholders ("—": nothing to take a median of) stay empty.
    return value if isinstance(value, int | float) and not isinstance(value, bool) else ""


def _cells(code: str, table: Table, period: tuple[date, date]):
    """(what the line is about, the count's hashtag, the count) for each cell of `table`."""
    row_kind, column_kind = table.kinds
    counted = "#affected" if table.people_affected else "#indicator+num"
    row_keys = table.row_keys or [label for label, _counts in table.rows]
    column_keys = table.column_keys or table.columns
    for (row_label, counts), row_key in zip(table.rows, row_keys, strict=False):
        for column_label, column_key, value in zip(
            table.columns, column_keys, counts, strict=False
        ):
            name, dates, values, attributes = str(table.title), period, {}, []
            for kind, key, label in (
                (row_kind, row_key, row_label),
                (column_kind, column_key, column_label),
            ):
                if kind in DIMENSIONS:
                    values[DIMENSIONS[kind].tag] = str(label)
                elif kind == MONTH:
                    dates = _month(key, period)
                elif kind in (SEX, AGE):
                    attributes += _attributes(kind, key)
                else:  # a measure, or a dimension with no hashtag: named with the count
                    name = f"{name} — {label}"
            about = (code, name, dates[0].isoformat(), dates[1].isoformat(), values)
            yield about, counted + "".join(attributes), _number(value)


def _count_label(tag: str) -> str:
    attributes = tag.split("+")[1:] if tag.startswith("#affected") else tag.split("+")[2:]
    base = _("People affected") if tag.startswith("#affected") else _("Count")
    return f"{base} ({', '.join(attributes)})" if attributes else base


def hxl_lines(named: list[tuple[str, Table]], period: tuple[date, date]) -> list[list]:
    """The tables' counts as lines under a line of headers and a line of hashtags: one line
    per table, dimension values and period, its counts by sex and age side by side."""
    lines: dict[tuple, dict[str, object]] = {}
    dimension_tags: dict[str, str] = {}
    count_tags: list[str] = []
    for code, table in named:
        for kind in table.kinds:
            if kind in DIMENSIONS:
                dimension_tags.setdefault(DIMENSIONS[kind].tag, str(DIMENSIONS[kind].label))
        for (code_, name, start, end, values), tag, value in _cells(code, table, period):
            key = (code_, name, start, end, tuple(values.items()))
            lines.setdefault(key, {})[tag] = value
            if tag not in count_tags:
                count_tags.append(tag)
    tags = [tag for tag, _label in HEAD] + list(dimension_tags) + count_tags
    headers = [str(label) for _tag, label in HEAD] + list(dimension_tags.values())
    headers += [_count_label(tag) for tag in count_tags]
    out = [headers, tags]
    for (code, name, start, end, values), counts in lines.items():
        found = dict(values)
        line = [code, name, start, end]
        line += [found.get(tag, "") for tag in dimension_tags]
        line += [counts.get(tag, "") for tag in count_tags]
        out.append(safe_row(line))
    return out


def as_hxl(named: list[tuple[str, Table]], period: tuple[date, date]) -> str:
    """The tables as HXL-tagged CSV, read back by libhxl as it is written."""
    import hxl

    return "".join(hxl.data(hxl_lines(named, period)).gen_csv())

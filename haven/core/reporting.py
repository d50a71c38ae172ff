"""Published tables of counts (rows × columns with totals, small cells protected) and the
period a report covers."""

from dataclasses import dataclass, field
from datetime import date, datetime

from django.utils import timezone
from django.utils.translation import gettext as _

from haven.privacy.small_cells import rounded, with_totals


@dataclass
class Table:
    title: str
    columns: list[str]
    rows: list[tuple[str, list]] = field(default_factory=list)  # (label, counts or None)
    totals: list = field(default_factory=list)  # per column, the grand total last
    summed: bool = True  # rows end with their total, and a totals row follows
    # What the rows and the columns are (names of haven.core.hxl_tables.DIMENSIONS, "" for
    # none), their keys in order, for files that say what they mean.
    kinds: tuple[str, str] = ("", "")
    row_keys: list = field(default_factory=list)
    column_keys: list = field(default_factory=list)
    people_affected: bool = False  # cells count people affected (#affected), not records


def cross_table(
    title,
    counts,
    rows,
    columns,
    floor: int,
    *,
    empty_columns=True,
    base: int = 1,
    kinds: tuple[str, str] = ("", ""),
    people_affected: bool = False,
) -> Table:
    """A table of `counts` ({(row key, column key): n}) over `rows` and `columns` (lists of
    (key, label)), with totals; counts below `floor` and those that would give them away are
    hidden (floor 1: exact), and what is published is rounded to `base`. Rows with no count
    at all are left out, and so are such columns when `empty_columns` is false (zeros
    describe nobody: leaving them out hides nothing)."""
    if not empty_columns:
        columns = [(c, label) for c, label in columns if any(counts.get((r, c)) for r, _ in rows)]
    present = [(key, label) for key, label in rows if any(counts.get((key, c)) for c, _ in columns)]
    grid = [[counts.get((key, c), 0) for c, _label in columns] for key, _label in present]
    protected = rounded(with_totals(grid, floor), base)
    return Table(
        title,
        [str(label) for _key, label in columns],
        [(str(label), row) for (_key, label), row in zip(present, protected[:-1], strict=True)],
        protected[-1] if present else [],
        kinds=kinds,
        row_keys=[key for key, _label in present],
        column_keys=[key for key, _label in columns],
        people_affected=people_affected,
    )


def covered(since: date | None, until: date | None, *firsts) -> tuple[date, date]:
    """The period a report's counts cover: the one chosen, else from the first thing counted
    (`firsts`: dates or times, None where nothing was found) to today."""
    today = timezone.localdate()
    known = [
        timezone.localdate(d) if isinstance(d, datetime) else d for d in firsts if d is not None
    ]
    end = until or today
    return since or min(known, default=end), end


def period_from(params) -> tuple[dict, list[str]]:
    """The `from` and `to` dates asked for (as `since`, `until`), and what was wrong."""
    period, problems = {}, []
    for name, key in (("from", "since"), ("to", "until")):
        text = params.get(name, "").strip()
        if not text:
            continue
        try:
            period[key] = date.fromisoformat(text)
        except ValueError:
            problems.append(_("“%(v)s” is not a date: write it as YYYY-MM-DD.") % {"v": text})
    if "since" in period and "until" in period and period["since"] > period["until"]:
        problems.append(_("The period ends before it starts: swap the dates."))
        period = {}
    return period, problems


def number_from(params, name: str) -> tuple[int | None, list[str]]:
    """A whole number from 0 to 100 named `name` in a query (None when absent), and what
    was wrong with it."""
    text = (params.get(name) or "").strip()
    if not text:
        return None, []
    if not text.isdigit() or not 0 <= int(text) <= 100:
        return None, [_("“%(v)s” is not a whole number from 0 to 100.") % {"v": text}]
    return int(text), []


def base_from(params) -> tuple[int, list[str]]:
    """The base every published count is rounded to (`?base=`, 1 when absent), and what
    was wrong with it. Applies only where counts are protected."""
    base, problems = number_from(params, "base")
    return max(base or 1, 1), problems


def dashboard_parameters(params) -> tuple[dict, int, list[str]]:
    """A dashboard's period (`since`, `until`), its rounding base, and what was wrong (the
    defaults then stand in for what could not be used)."""
    period, problems = period_from(params)
    base, wrong = base_from(params)
    return period, base, problems + wrong


def pair_counts(queryset, row: str, column: str, none_as=None) -> dict:
    """{(row value, column value): rows} of a queryset, for `cross_table` (a missing row
    value counted under `none_as`)."""
    from django.db.models import Count

    pairs = queryset.values_list(row, column).annotate(n=Count("id")).order_by()
    return {(none_as if r is None else r, c): n for r, c, n in pairs}


def published(n: int, floor: int, base: int = 1) -> int | None:
    """A single count as published: zero, or at least `floor` (rounded to `base`); hidden
    (None) otherwise."""
    if n != 0 and n < floor:
        return None
    return rounded([[n]], base)[0][0]

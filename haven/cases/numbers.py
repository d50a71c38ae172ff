"""Case numbers: each agency's own sequence per year (HA-2026-000042), and the check on a
number given by the caller."""

from django.core.exceptions import ValidationError
from django.db import connection
from django.utils.translation import gettext as _

from haven.accounts.models import Agency
from haven.cases.models import CaseCounter


def next_number(agency: Agency, year: int) -> str:
    """The next case number for the agency, e.g. HA-2026-000042 (call inside a transaction)."""
    last = _increment_counter(agency.pk, year)
    if last is None:
        CaseCounter.objects.get_or_create(agency=agency, year=year)
        last = _increment_counter(agency.pk, year)
    return f"{agency.code.upper()}-{year}-{last:06d}"


def check(agency: Agency, number: str) -> None:
    """A number given by the caller (a paper register, a device offline) must carry the
    agency's own prefix: another agency's prefix would pass for one of its cases."""
    prefix = f"{agency.code.upper()}-"
    if not number.upper().startswith(prefix) or len(number) <= len(prefix):
        raise ValidationError(
            {
                "number": _(
                    "A case number of your agency starts with %(prefix)s (e.g. "
                    "%(prefix)s2026-000123): correct it, or leave it out to number the "
                    "case automatically."
                )
                % {"prefix": prefix}
            }
        )


def _increment_counter(agency_id: int, year: int) -> int | None:
    """One statement: the UPDATE takes the row lock, so concurrent registrations differ."""
    table = CaseCounter._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET last = last + 1 WHERE agency_id = %s AND year = %s "  # noqa: S608
            "RETURNING last",
            [agency_id, year],
        )
        row = cursor.fetchone()
    return row[0] if row else None

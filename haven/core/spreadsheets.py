"""One rule for every cell Haven writes to CSV, XLSX or HXL: text that a spreadsheet would
run as a formula (`=HYPERLINK(…)`, `@SUM(…)`, `+1+2`, `-2+3`, a DDE call) is written as
text, prefixed with an apostrophe as OWASP recommends for CSV injection.

Every writer of a spreadsheet file goes through `csv_writer` or `safe_row` (XLSX rows: a
neutralised value no longer starts with `=`, so openpyxl stores it as text, never a formula);
a test writes a hostile name through each of them.
"""

import csv
import re
from collections.abc import Iterable
from typing import Any

# Spreadsheets start a formula at these characters; a tab or carriage return first can hide
# one from a reader's eye, and leading spaces are skipped by some spreadsheets.
_FORMULA_START = re.compile(r"^[\s]*[=+\-@＝＋－＠]|^[\t\r\n]")
# A plain signed number ("-12", "+3.5") is safe and stays as it is.
_PLAIN_NUMBER = re.compile(r"^[+-]?\d+(?:[.,]\d+)?$")


def safe_cell(value: Any) -> Any:
    """`value` as it can be written to a spreadsheet cell without running as a formula."""
    if not isinstance(value, str) or not value:
        return value
    if _FORMULA_START.match(value) and not _PLAIN_NUMBER.match(value):
        return "'" + value
    return value


def safe_row(row: Iterable[Any]) -> list[Any]:
    return [safe_cell(value) for value in row]


class SafeWriter:
    """A `csv.writer` whose every cell goes through `safe_cell`."""

    def __init__(self, out, **kwargs: Any) -> None:
        self._writer = csv.writer(out, **kwargs)

    def writerow(self, row: Iterable[Any]) -> Any:
        return self._writer.writerow(safe_row(row))

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        for row in rows:
            self.writerow(row)


def csv_writer(out, **kwargs: Any) -> SafeWriter:
    return SafeWriter(out, **kwargs)

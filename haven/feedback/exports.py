"""The feedback dashboard as CSV: the same protected figures and tables as the page."""

import io

from django.utils.translation import gettext as _

from haven.core.spreadsheets import csv_writer


def report_csv(report, period: dict) -> str:
    out = io.StringIO()
    write = csv_writer(out).writerow
    write([_("Feedback and complaints"), period.get("since", ""), period.get("until", "")])
    if report.protected:
        write([_("Counts below %(n)s are hidden (empty cells).") % {"n": report.threshold}])
    figures = report.figures
    for label, value in [
        (_("Submissions"), figures.submissions),
        (_("Overdue now"), figures.overdue),
        (_("Median hours to acknowledge"), figures.median_hours_to_acknowledge),
        (_("Median days to resolve"), figures.median_days_to_resolve),
        (_("Mean satisfaction (1–5)"), figures.mean_satisfaction),
        (_("Ratings"), figures.ratings),
    ]:
        write([label, "" if value is None else value])
    for table in (report.by_channel, report.by_office, report.satisfaction):
        write([])
        write([table.title])
        write(["", *table.columns, _("Total")])
        for label, counts in table.rows:
            write([label, *("" if n is None else n for n in counts)])
        if table.rows:
            write([_("Total"), *("" if n is None else n for n in table.totals)])
    return out.getvalue()

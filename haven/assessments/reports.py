"""Distributions of assessment results for dashboards: counts only, in the report scope,
latest round per case, small cells hidden."""

from dataclasses import dataclass, field
from datetime import date

from django.conf import settings
from django.db.models import Min
from django.utils.translation import gettext as _

from haven.accounts import policy
from haven.accounts.models import Office
from haven.assessments import rendering
from haven.assessments.models import Assessment, AssessmentStatus
from haven.assessments.selectors import current_definitions
from haven.cases.models import Case, Programme
from haven.core.reporting import Table, covered
from haven.privacy.small_cells import with_totals

NO_SCORE = ""


@dataclass
class FormReport:
    title: str
    cases: int | None  # None when too few to publish
    tables: list[Table] = field(default_factory=list)


def score_distributions(user) -> list[FormReport]:
    """For each current form: each dimension and composite, cases by band, by programme
    and by office (the latest submitted round of each case)."""
    threshold = settings.HAVEN_SMALL_CELL
    cases = Case.objects.filter(policy.scope_q(user, "report.view"))
    latest: dict[tuple[int, str], tuple] = {}
    submitted = (
        Assessment.objects.filter(status=AssessmentStatus.SUBMITTED, case__in=cases)
        .order_by("submitted_at", "id")
        .values_list(
            "case_id", "definition__form_id", "case__programme", "case__office_id", "scores"
        )
    )
    for case_id, form_id, programme, office_id, scores in submitted.iterator():
        latest[(case_id, form_id)] = (programme, office_id, scores)
    offices = dict(Office.objects.values_list("id", "name"))
    programmes = dict(Programme.choices)
    reports = []
    for definition in current_definitions(user):
        form = definition.parsed()
        rounds = [v for (_case, form_id), v in latest.items() if form_id == definition.form_id]
        if not rounds:
            continue
        report = FormReport(definition.title, len(rounds) if len(rounds) >= threshold else None)
        for rule in form.scores:
            if rule.type not in ("dimension", "composite"):
                continue
            columns = [band.code for band in rule.bands] + [NO_SCORE]
            label = rendering.pick(rule.labels, form).split(" — ")[0] or rule.name
            for by, key, names in (
                (_("by programme"), 0, programmes),
                (_("by office"), 1, offices),
            ):
                counts: dict[object, list[int]] = {}
                for values in rounds:
                    band = (values[2].get(rule.name) or {}).get("band") or NO_SCORE
                    row = counts.setdefault(values[key], [0] * len(columns))
                    row[columns.index(band) if band in columns else -1] += 1
                keys = sorted(counts, key=lambda k: str(names.get(k, k)))
                protected = with_totals([counts[k] for k in keys], threshold)
                kinds = ("programme" if key == 0 else "office", "band")
                table = Table(f"{label} — {by}", columns, totals=protected[-1], kinds=kinds)
                table.rows = [
                    (str(names.get(k, k)), row) for k, row in zip(keys, protected[:-1], strict=True)
                ]
                report.tables.append(table)
                # Every table counts the same cases: the grand total is published only
                # where each table's protection lets it be.
                if table.totals[-1] is None:
                    report.cases = None
        reports.append(report)
    return reports


@dataclass
class ResultTables:
    """Every form's tables as one report, for the dashboard's files (CSV, XLSX, HXL)."""

    protected: bool
    threshold: int
    tables: list[Table]
    covered: tuple[date, date]


def result_tables(user, found: list[FormReport]) -> ResultTables:
    """`found` (see score_distributions) as one report: each table named with its form, the
    period from the first round submitted in the user's scope to today."""
    tables = []
    for report in found:
        for table in report.tables:
            columns = [column or _("no score") for column in table.columns]
            title = f"{report.title}: {table.title}"
            tables.append(Table(title, columns, table.rows, table.totals, kinds=table.kinds))
    submitted = Assessment.objects.filter(
        status=AssessmentStatus.SUBMITTED,
        case__in=Case.objects.filter(policy.scope_q(user, "report.view")),
    )
    first = submitted.aggregate(first=Min("submitted_at"))["first"] if tables else None
    return ResultTables(True, settings.HAVEN_SMALL_CELL, tables, covered(None, None, first))

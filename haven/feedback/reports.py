"""The feedback dashboard: volumes by channel, category and office, time to acknowledge and
to resolve, overdue, satisfaction. Counts only, over the agency's submissions in the user's
reporting scope. Allegations of misconduct appear here as counts, never as records: only a
user who handles every kind (general and misconduct) sees exact figures; for everyone else
small cells, and the cells that would give them away, are hidden, and so are medians and
means drawn from fewer submissions than the threshold."""

from dataclasses import dataclass
from datetime import date
from statistics import mean, median

from django.conf import settings
from django.db.models import Min
from django.utils import timezone
from django.utils.translation import gettext as _

from haven.accounts import policy
from haven.accounts.models import Office
from haven.core.reporting import Table, covered, cross_table, pair_counts, published
from haven.feedback import selectors
from haven.feedback.models import RATINGS, Category, Channel, Submission

NO_OFFICE = 0


@dataclass
class Figures:
    submissions: int | None
    overdue: int | None
    median_hours_to_acknowledge: float | None
    median_days_to_resolve: float | None
    mean_satisfaction: float | None  # 1–5
    ratings: int | None


@dataclass
class Report:
    protected: bool
    threshold: int
    base: int  # published counts rounded to this base (1: as counted)
    figures: Figures
    by_channel: Table
    by_office: Table
    satisfaction: Table
    covered: tuple[date, date] | None = None  # the period counted (see reporting.covered)


def in_scope(user):
    return Submission.objects.filter(policy.feedback_scope_q(user, "report.view"))


def feedback_report(user, *, since=None, until=None, base: int = 1) -> Report:
    threshold = settings.HAVEN_SMALL_CELL
    sees_all = policy.has_perm(user, "feedback.handle") and policy.has_perm(
        user, "feedback.misconduct"
    )
    floor = 1 if sees_all else threshold
    base = 1 if sees_all else base
    found = in_scope(user)
    if since:
        found = found.filter(received_at__date__gte=since)
    if until:
        found = found.filter(received_at__date__lte=until)
    categories = Category.choices
    return Report(
        protected=not sees_all,
        threshold=threshold,
        base=base,
        figures=_figures(found, floor, base),
        by_channel=cross_table(
            _("Submissions by channel (rows) and category (columns)"),
            pair_counts(found, "channel", "category"),
            Channel.choices,
            categories,
            floor,
            base=base,
            kinds=("channel", "feedback_category"),
        ),
        by_office=cross_table(
            _("Submissions by office (rows) and category (columns)"),
            pair_counts(found, "office_id", "category", none_as=NO_OFFICE),
            _offices(found),
            categories,
            floor,
            base=base,
            kinds=("office", "feedback_category"),
        ),
        satisfaction=cross_table(
            _("Satisfaction ratings by category (rows)"),
            pair_counts(found.filter(satisfaction__isnull=False), "category", "satisfaction"),
            categories,
            [(n, label) for n, label in RATINGS],
            floor,
            base=base,
            kinds=("feedback_category", "rating"),
        ),
        covered=covered(since, until, found.aggregate(first=Min("received_at"))["first"]),
    )


def _offices(found) -> list[tuple]:
    ids = found.exclude(office__isnull=True).values_list("office_id", flat=True).distinct()
    offices = [(o.pk, o.name) for o in Office.objects.filter(pk__in=list(ids)).order_by("name")]
    return [*offices, (NO_OFFICE, _("No office (public form)"))]


def _figures(found, floor: int, base: int) -> Figures:
    now = timezone.now()
    total = found.count()
    overdue = found.filter(selectors.overdue_q(now)).count()
    rows = list(found.values_list("received_at", "acknowledged_at", "resolved_at"))
    acknowledged = [(a - r).total_seconds() / 3600 for r, a, _x in rows if a]
    resolved = [(z - r).total_seconds() / 86400 for r, _a, z in rows if z]
    ratings = list(found.filter(satisfaction__isnull=False).values_list("satisfaction", flat=True))

    return Figures(
        submissions=published(total, floor, base),
        overdue=published(overdue, floor, base),
        median_hours_to_acknowledge=(
            round(median(acknowledged), 1) if acknowledged and len(acknowledged) >= floor else None
        ),
        median_days_to_resolve=(
            round(median(resolved), 1) if resolved and len(resolved) >= floor else None
        ),
        mean_satisfaction=round(mean(ratings), 2) if ratings and len(ratings) >= floor else None,
        ratings=published(len(ratings), floor, base),
    )

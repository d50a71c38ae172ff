"""The assistance dashboard: referrals by service and status, how fast they are accepted
and completed, overdue ones, services delivered and their cost by funding source, returns by
country. Counts only, over the cases in the user's reporting scope; for roles without access
to the records, counts below the small-cell threshold (and those that would reveal them) are
hidden, and so are rates and medians drawn from fewer cases than the threshold."""

from dataclasses import dataclass
from datetime import date
from statistics import median

from django.conf import settings
from django.db.models import Count, Min, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from haven.accounts import policy
from haven.assistance import sla
from haven.assistance.models import (
    DeliveryStatus,
    Referral,
    ReferralStatus,
    ReturnMovement,
    ServiceDelivery,
    ServiceType,
)
from haven.cases.models import Case
from haven.core.reference import country_name
from haven.core.reporting import Table, covered, published
from haven.privacy.small_cells import rounded, suppress, with_totals

ACCEPTED_OR_LATER = (
    ReferralStatus.ACCEPTED,
    ReferralStatus.IN_PROGRESS,
    ReferralStatus.COMPLETED,
    ReferralStatus.NOT_COMPLETED,
)


@dataclass
class Figures:
    referrals: int | None
    acceptance_rate: float | None  # accepted (or further) of those answered, 0–1
    median_days_to_acceptance: float | None
    median_days_to_completion: float | None
    overdue: int | None


@dataclass
class Report:
    protected: bool  # small cells hidden
    threshold: int
    base: int  # published counts rounded to this base (1: as counted)
    figures: Figures
    referrals: Table
    costs: list[dict]
    returns: Table
    covered: tuple[date, date] | None = None  # the period counted (see reporting.covered)


def assistance_report(
    user, *, since: date | None = None, until: date | None = None, base: int = 1
) -> Report:
    threshold = settings.HAVEN_SMALL_CELL
    # Roles that may open the records see exact counts; the others, protected ones.
    protected = not policy.has_perm(user, "case.view")
    floor = threshold if protected else 1
    base = base if protected else 1
    cases = Case.objects.filter(policy.scope_q(user, "report.view"))
    referrals = Referral.objects.filter(case__in=cases)
    deliveries = ServiceDelivery.objects.filter(case__in=cases, status=DeliveryStatus.DELIVERED)
    returns = ReturnMovement.objects.filter(case__in=cases)
    if since:
        referrals = referrals.filter(created_at__date__gte=since)
        deliveries = deliveries.filter(delivered_on__gte=since)
        returns = returns.filter(created_at__date__gte=since)
    if until:
        referrals = referrals.filter(created_at__date__lte=until)
        deliveries = deliveries.filter(delivered_on__lte=until)
        returns = returns.filter(created_at__date__lte=until)
    return Report(
        protected=protected,
        threshold=threshold,
        base=base,
        figures=_figures(referrals, floor, base),
        referrals=_referral_table(referrals, floor, base),
        costs=_costs(deliveries, floor, base),
        returns=_return_table(returns, floor, base),
        covered=covered(
            since,
            until,
            referrals.aggregate(first=Min("created_at"))["first"],
            deliveries.aggregate(first=Min("delivered_on"))["first"],
            returns.aggregate(first=Min("created_at"))["first"],
        ),
    )


def _referral_table(referrals, floor: int, base: int) -> Table:
    statuses = list(ReferralStatus.values)
    counts: dict[int, list[int]] = {}
    for service_id, status, n in referrals.values_list("service_id", "status").annotate(
        n=Count("id")
    ):
        counts.setdefault(service_id, [0] * len(statuses))[statuses.index(status)] += n
    names = dict(ServiceType.objects.filter(pk__in=counts).values_list("id", "name"))
    keys = sorted(counts, key=lambda k: _(names[k]))
    protected = rounded(with_totals([counts[k] for k in keys], floor), base)
    return Table(
        _("Referrals by service and status"),
        [str(ReferralStatus(s).label) for s in statuses],
        [(_(names[k]), row) for k, row in zip(keys, protected[:-1], strict=True)],
        protected[-1] if keys else [],
        kinds=("service", "status"),
    )


def _figures(referrals, floor: int, base: int) -> Figures:
    rows = list(referrals.values_list("status", "created_at", "answered_at", "closed_at", "due_on"))
    answered = [r for r in rows if r[0] != ReferralStatus.PENDING]
    accepted = [r for r in answered if r[0] in ACCEPTED_OR_LATER]
    completed = [r for r in rows if r[0] == ReferralStatus.COMPLETED]
    today = timezone.localdate()
    overdue = sum(1 for r in rows if sla.days_overdue(r[0], r[4], today))

    def days(pairs):
        return [(end - start).total_seconds() / 86400 for start, end in pairs if end]

    def enough(n):
        return n >= floor

    def rate_safe(part, whole):
        # A rate gives away both its parts (6 answered at 0.667: 4 accepted, 2 declined):
        # each must be nobody or at least the threshold.
        return enough(whole) and all(n == 0 or enough(n) for n in (part, whole - part))

    return Figures(
        referrals=published(len(rows), floor, base),
        acceptance_rate=(
            round(len(accepted) / len(answered), 3)
            if answered and rate_safe(len(accepted), len(answered))
            else None
        ),
        median_days_to_acceptance=(
            round(median(days((r[1], r[2]) for r in accepted)), 1)
            if accepted and enough(len(accepted))
            else None
        ),
        median_days_to_completion=(
            round(median(days((r[1], r[3]) for r in completed)), 1)
            if completed and enough(len(completed))
            else None
        ),
        overdue=published(overdue, floor, base),
    )


def _costs(deliveries, floor: int, base: int) -> list[dict]:
    """Services delivered and their cost, by funding source and currency (amounts in
    different currencies are never added together). A hidden count hides its cost."""
    rows = list(
        deliveries.values("funding_source", "currency")
        .annotate(services=Count("id"), total=Sum("cost"))
        .order_by("funding_source", "currency")
    )
    counts = rounded(suppress([[r["services"]] for r in rows], floor), base)
    for index, row in enumerate(rows):
        if counts[index][0] is None:
            row["services"], row["total"] = None, None
        else:
            row["services"] = counts[index][0]
        row["funding_source"] = row["funding_source"] or _("(not given)")
    return rows


def _return_table(returns, floor: int, base: int) -> Table:
    pairs = list(
        returns.values_list("country_of_departure", "country_of_return").annotate(n=Count("id"))
    )
    departures = sorted({p[0] for p in pairs}, key=country_name)
    destinations = sorted({p[1] for p in pairs}, key=country_name)
    grid = [[0] * len(destinations) for _row in departures]
    for departure, destination, n in pairs:
        grid[departures.index(departure)][destinations.index(destination)] = n
    protected = rounded(with_totals(grid, floor), base)
    return Table(
        _("Returns by country of departure (rows) and of return (columns)"),
        [country_name(code) for code in destinations],
        [(country_name(code), row) for code, row in zip(departures, protected[:-1], strict=True)],
        protected[-1] if departures else [],
        kinds=("departure", "return"),
    )

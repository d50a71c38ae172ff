"""The incident monitoring dashboard: incidents by type and month, by place, by category of
perpetrator, and the people affected by sex and age band. Counts only; for roles that do
not record incidents, small cells (and those that would give them away) are hidden."""

from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.db.models import Count, Min, Sum
from django.db.models.functions import TruncMonth
from django.utils.translation import gettext as _

from haven.accounts import policy
from haven.core.models import Location
from haven.core.reporting import Table, covered, cross_table, pair_counts, published
from haven.feedback.models import (
    AffectedSex,
    AgeBand,
    Incident,
    IncidentCount,
    IncidentKind,
    Perpetrator,
)

NO_PLACE = 0


@dataclass
class IncidentReport:
    protected: bool
    threshold: int
    base: int  # published counts rounded to this base (1: as counted)
    incidents: int | None
    people_affected: int | None
    by_month: Table
    by_place: Table
    by_perpetrator: Table
    affected: Table
    covered: tuple[date, date] | None = None  # the period counted (see reporting.covered)


def incident_report(user, *, since=None, until=None, base: int = 1) -> IncidentReport:
    threshold = settings.HAVEN_SMALL_CELL
    protected = not policy.has_perm(user, "incident.record")
    floor = threshold if protected else 1
    base = base if protected else 1
    found = Incident.objects.filter(policy.incident_q(user, "report.view"))
    if since:
        found = found.filter(occurred_on__gte=since)
    if until:
        found = found.filter(occurred_on__lte=until)
    incident_kinds = IncidentKind.choices
    months = sorted(
        {m for m in found.annotate(m=TruncMonth("occurred_on")).values_list("m", flat=True)}
    )
    by_month = {
        (kind, month): n
        for kind, month, n in found.annotate(m=TruncMonth("occurred_on"))
        .values_list("kind", "m")
        .annotate(n=Count("id"))
        .order_by()
    }
    people = IncidentCount.objects.filter(incident__in=found)
    affected = {
        (sex, band): n
        for sex, band, n in people.values_list("sex", "age_band")
        .annotate(n=Sum("count"))
        .order_by()
    }
    return IncidentReport(
        protected=protected,
        threshold=threshold,
        base=base,
        incidents=published(found.count(), floor, base),
        people_affected=published(sum(affected.values()), floor, base),
        by_month=cross_table(
            _("Incidents by type (rows) and month (columns)"),
            by_month,
            incident_kinds,
            [(m, m.strftime("%Y-%m")) for m in months],
            floor,
            base=base,
            kinds=("incident_type", "month"),
        ),
        by_place=cross_table(
            _("Incidents by place (rows) and type (columns)"),
            pair_counts(found, "location_id", "kind", none_as=NO_PLACE),
            _places(found),
            incident_kinds,
            floor,
            base=base,
            empty_columns=False,
            kinds=("place", "incident_type"),
        ),
        by_perpetrator=cross_table(
            _("Incidents by category of perpetrator (rows) and type (columns)"),
            pair_counts(found, "perpetrator", "kind"),
            Perpetrator.choices,
            incident_kinds,
            floor,
            base=base,
            empty_columns=False,
            kinds=("perpetrator", "incident_type"),
        ),
        affected=cross_table(
            _("People affected by sex (rows) and age (columns)"),
            affected,
            AffectedSex.choices,
            AgeBand.choices,
            floor,
            base=base,
            kinds=("sex", "age"),
            people_affected=True,
        ),
        covered=covered(since, until, found.aggregate(first=Min("occurred_on"))["first"]),
    )


def _places(found) -> list[tuple]:
    ids = found.exclude(location__isnull=True).values_list("location_id", flat=True).distinct()
    places = [(p.pk, p.name) for p in Location.objects.filter(pk__in=list(ids)).order_by("name")]
    return [*places, (NO_PLACE, _("Place not given"))]

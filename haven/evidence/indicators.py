"""The indicators of casework: cases by status, programme, vulnerability and risk; one
disaggregation at a time (sex, age band, nationality, office, place at a chosen level);
caseload per caseworker; time spent in each workflow stage; cases by MiGOF category;
referrals by service and status, and services delivered by service and programme.

Over the cases in the user's reporting scope, registered in the period. Roles that may
open the records see exact counts; the others see small cells hidden, with the cells that
would give them away, and may ask for every count rounded to a base."""

from bisect import bisect_right
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date
from statistics import median

from django.conf import settings
from django.db.models import Case as DbCase
from django.db.models import CharField, Count, F, Min, Q, Value, When
from django.db.models.functions import Cast, ExtractDay, ExtractMonth, ExtractYear
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from haven.accounts import policy
from haven.assistance.models import (
    DeliveryStatus,
    Referral,
    ReferralStatus,
    ServiceDelivery,
    ServiceType,
)
from haven.audit.models import AuditEvent
from haven.cases.models import (
    DEFAULT_MIGOF,
    Case,
    Migof,
    Programme,
    ProgrammeSetting,
    RiskLevel,
    Vulnerability,
)
from haven.cases.workflow import OPEN_STATUSES, Status
from haven.core.models import Location
from haven.core.reference import country_name
from haven.core.reporting import (
    Table,
    base_from,
    covered,
    cross_table,
    number_from,
    pair_counts,
    period_from,
)
from haven.people.models import Sex

DIMENSIONS = {
    "sex": gettext_lazy("Sex"),
    "age": gettext_lazy("Age band"),
    "nationality": gettext_lazy("Nationality"),
    "office": gettext_lazy("Office"),
    "location": gettext_lazy("Place"),
}
DEFAULT_BANDS = (0, 5, 12, 18, 25, 60)
STAGES = [s for s in Status if s != Status.CLOSED]
# Cases that moved between stages are read this many at a time.
MOVED_CASES_READ = 5000


class IndicatorError(ValueError):
    """A parameter of the dashboard that cannot be used; the message says what to change."""


@dataclass
class Options:
    since: date | None = None
    until: date | None = None
    by: str = "sex"
    bands: tuple[int, ...] = DEFAULT_BANDS
    level: int = 1
    base: int = 1  # round every published count to this base (1: as counted)


@dataclass
class Report:
    protected: bool
    threshold: int
    base: int
    cases: int | None
    # Each None when not asked for (see `indicators(only=…)`).
    by_status: Table | None
    by_vulnerability: Table | None
    disaggregated: Table | None
    caseload: Table | None
    stages: Table | None
    migof: Table | None
    referrals: Table | None
    services: Table | None
    covered: tuple[date, date] | None = None  # the period counted (see reporting.covered)


def options_from(params) -> Options:
    """The dashboard's parameters from a query string; IndicatorError says what is wrong."""
    by = params.get("by", "sex") or "sex"
    if by not in DIMENSIONS:
        raise IndicatorError(_("Disaggregate by one of: %s.") % ", ".join(DIMENSIONS))
    options = Options(by=by, bands=parse_bands(params.get("bands", "")))
    level, problems = number_from(params, "level")
    options.base, wrong = base_from(params)
    if problems or wrong:
        raise IndicatorError((problems + wrong)[0])
    if level is not None:
        options.level = level
    return options


def parse(params) -> tuple[Options, dict, list[str]]:
    """Options with their period from a query string, and what was wrong (the defaults
    then stand in for what could not be used)."""
    period, problems = period_from(params)
    try:
        options = options_from(params)
    except IndicatorError as exc:
        problems.append(str(exc))
        options = Options()
    options.since, options.until = period.get("since"), period.get("until")
    return options, period, problems


def parse_bands(text: str) -> tuple[int, ...]:
    """Age bands from their lower edges, e.g. "0, 18, 60" → 0–17, 18–59, 60+."""
    if not text.strip():
        return DEFAULT_BANDS
    try:
        edges = tuple(int(part) for part in text.replace(";", ",").split(",") if part.strip())
    except ValueError:
        raise IndicatorError(
            _("Write the age bands as their lower edges, e.g. 0, 18, 60.")
        ) from None
    if not edges or edges[0] != 0 or list(edges) != sorted(set(edges)) or edges[-1] > 120:
        raise IndicatorError(_("Age bands start at 0 and rise, up to 120: e.g. 0, 5, 12, 18, 60."))
    return edges


def band_labels(edges: tuple[int, ...]) -> list[str]:
    labels = [f"{low}–{high - 1}" for low, high in zip(edges, edges[1:], strict=False)]
    return [*labels, f"{edges[-1]}+"]


def _band(age: int | None, edges: tuple[int, ...], labels: list[str]) -> str | None:
    if age is None:
        return None
    return labels[bisect_right(edges, age) - 1]


PARAMETERS = ("from", "to", "by", "bands", "level", "base")


TABLES = (
    "by_status",
    "by_vulnerability",
    "disaggregated",
    "caseload",
    "stages",
    "migof",
    "referrals",
    "services",
)


def indicators(user, options: Options, step=lambda: None, only=None) -> Report:
    """The report, or only the tables named in `only` (the others None); `step` is called
    after each table (a background job's progress)."""
    threshold = settings.HAVEN_SMALL_CELL
    protected = not policy.has_perm(user, "case.view")
    floor = threshold if protected else 1
    base = options.base if protected else 1
    cases = Case.objects.filter(policy.scope_q(user, "report.view"))
    if options.since:
        cases = cases.filter(registered_on__gte=options.since)
    if options.until:
        cases = cases.filter(registered_on__lte=options.until)
    total = cases.count()

    def table(title, counts, rows, columns, **kwargs):
        return cross_table(title, counts, rows, columns, floor, base=base, **kwargs)

    programmes = list(Programme.choices)
    builders = {
        "by_status": lambda: table(
            _("Cases by status and programme"),
            pair_counts(cases, "status", "programme"),
            list(Status.choices),
            programmes,
            kinds=("status", "programme"),
        ),
        "by_vulnerability": lambda: table(
            _("Cases by vulnerability and risk level"),
            _vulnerability_counts(cases),
            list(Vulnerability.choices),
            list(RiskLevel.choices),
            kinds=("vulnerability", "risk"),
        ),
        "disaggregated": lambda: _disaggregated(cases, options, table, programmes),
        "caseload": lambda: _caseload(cases, table),
        "stages": lambda: _stage_times(cases, floor),
        "migof": lambda: table(
            _("Cases by MiGOF category and programme"),
            _migof_counts(cases),
            list(Migof.choices),
            programmes,
            empty_columns=False,
            kinds=("migof", "programme"),
        ),
        # Over the same cases: the referrals made for them and the services they received.
        "referrals": lambda: table(
            _("Referrals by service and status"),
            pair_counts(Referral.objects.filter(case__in=cases), "service_id", "status"),
            _services(),
            list(ReferralStatus.choices),
            kinds=("service", "status"),
        ),
        "services": lambda: table(
            _("Services delivered by service and programme"),
            pair_counts(
                ServiceDelivery.objects.filter(case__in=cases, status=DeliveryStatus.DELIVERED),
                "service_id",
                "case__programme",
            ),
            _services(),
            programmes,
            empty_columns=False,
            kinds=("service", "programme"),
        ),
    }
    made = {}
    for name in TABLES:
        made[name] = builders[name]() if only is None or name in only else None
        step()
    return Report(
        protected=protected,
        threshold=threshold,
        base=base,
        cases=total if total == 0 or total >= floor else None,
        **made,
        covered=covered(
            options.since, options.until, cases.aggregate(first=Min("registered_on"))["first"]
        ),
    )


def _services() -> list[tuple[int, str]]:
    """Every service type as a table's rows, by its name (rows without a count are left
    out of the table)."""
    names = [(pk, _(name)) for pk, name in ServiceType.objects.values_list("id", "name")]
    return sorted(names, key=lambda row: row[1])


def _counts(cases, *fields) -> dict:
    return {
        tuple(row[f] for f in fields): row["n"]
        for row in cases.values(*fields).annotate(n=Count("id")).order_by()
    }


def migof_of(agency_ids) -> dict[tuple[int, str], list[str]]:
    """The MiGOF categories of each (agency, programme): the agency's own, or the default."""
    tags = {(a, p): list(DEFAULT_MIGOF.get(p, [])) for a in agency_ids for p in Programme}
    chosen = ProgrammeSetting.objects.filter(agency_id__in=agency_ids, migof__isnull=False)
    for agency_id, programme, migof in chosen.values_list("agency_id", "programme", "migof"):
        tags[(agency_id, programme)] = migof
    return tags


def _migof_counts(cases) -> dict:
    """A case counts under each category its agency's programme reports under."""
    counts = _counts(cases, "agency_id", "programme")
    tags = migof_of({agency_id for agency_id, _p in counts})
    found: Counter = Counter()
    for (agency_id, programme), n in counts.items():
        for tag in tags.get((agency_id, programme), []):
            found[(tag, programme)] += n
    return dict(found)


def _caseload(cases, table) -> Table:
    counts = pair_counts(cases.filter(status__in=OPEN_STATUSES), "owner__username", "status")
    return table(
        _("Open cases per caseworker and status"),
        counts,
        [(u, u) for u in sorted({owner for owner, _status in counts})],
        [(s, Status(s).label) for s in OPEN_STATUSES],
        empty_columns=False,
        kinds=("caseworker", "status"),
    )


def _vulnerability_counts(cases) -> dict:
    """A case counts under each of its vulnerability categories: the database counts the
    cases of each set of categories and risk level, and each set is unfolded here."""
    counts = Counter()
    groups = cases.values_list("vulnerabilities", "risk_level").annotate(n=Count("id"))
    for categories, risk, n in groups.order_by():
        for category in categories or []:
            counts[(category, risk)] += n
    return dict(counts)


def _disaggregated(cases, options: Options, table, programmes) -> Table:
    title = _("Cases by %(dimension)s and programme") % {
        "dimension": str(DIMENSIONS[options.by]).lower()
    }
    unknown = ("", _("Not known"))
    if options.by == "sex":
        counts = pair_counts(cases, "person__sex", "programme")
        return table(title, counts, list(Sex.choices), programmes, kinds=("sex", "programme"))
    if options.by == "office":
        counts = pair_counts(cases, "office__name", "programme")
        offices = sorted({office for office, _p in counts})
        return table(
            title, counts, [(o, o) for o in offices], programmes, kinds=("office", "programme")
        )
    counts: Counter = Counter()
    if options.by == "age":
        labels = band_labels(options.bands)
        for age, programme, n in _ages_at_registration(cases):
            counts[(_band(age, options.bands, labels) or "", programme)] += n
        rows = [(label, label) for label in labels]
    elif options.by == "nationality":
        for nationalities, programme in cases.values_list("person__nationalities", "programme"):
            counts[((nationalities or [""])[0], programme)] += 1
        rows = sorted(
            ((code, country_name(code)) for code, _p in counts if code), key=lambda r: r[1]
        )
    else:
        places = _places_at(options.level)
        for location, programme in cases.values_list("person__current_location", "programme"):
            counts[(places.get(location, ""), programme)] += 1
        rows = sorted({(name, name) for name, _p in counts if name})
        title = _("Cases by place (level %(level)s) and programme") % {"level": options.level}
    kind = {"age": "age", "nationality": "country"}.get(options.by, "place")
    return table(title, dict(counts), [*rows, unknown], programmes, kinds=(kind, "programme"))


def _ages_at_registration(cases):
    """(age in whole years when registered, or None; programme; cases), counted by the
    database: the years between the dates, less one before the birthday (as age_on)."""
    before_birthday = Q(registered_month__lt=F("birth_month")) | Q(
        registered_month=F("birth_month"), registered_day__lt=F("birth_day")
    )
    aged = cases.annotate(
        registered_month=ExtractMonth("registered_on"),
        registered_day=ExtractDay("registered_on"),
        birth_month=ExtractMonth("person__birth_date"),
        birth_day=ExtractDay("person__birth_date"),
    ).annotate(
        age=ExtractYear("registered_on")
        - ExtractYear("person__birth_date")
        - DbCase(When(before_birthday, then=Value(1)), default=Value(0))
    )
    return aged.values_list("age", "programme").annotate(n=Count("id")).order_by()


def _places_at(level: int) -> dict[int, str]:
    """Each location's ancestor at `level` (itself at its own level), by location id;
    places above the level have none."""
    rows = {
        pk: (parent, at, name)
        for pk, parent, at, name in Location.objects.values_list("id", "parent_id", "level", "name")
    }
    found = {}
    for pk in rows:
        node = pk
        while node is not None and rows[node][1] > level:
            node = rows[node][0]
        if node is not None and rows[node][1] == level:
            found[pk] = rows[node][2]
    return found


def _stage_times(cases, floor: int) -> Table:
    """Days spent in each workflow stage, from the case's registration and its recorded
    transitions (the stays ended and their median), and the cases in each stage now. Only
    the cases that ever moved are read one by one: the rest are counted by the database."""
    agencies = list(cases.values_list("agency_id", flat=True).distinct().order_by())
    events = AuditEvent.objects.filter(
        action="case.transition",
        object_type="case",
        agency_id__in=agencies,
        object_id__in=cases.annotate(key=Cast("id", CharField())).values("key"),
    )
    moves = defaultdict(list)
    for object_id, at, details in events.values_list("object_id", "created_at", "details"):
        moves[int(object_id)].append((at, details.get("to")))
    ended: dict[str, list[float]] = defaultdict(list)
    moved = list(moves)
    for first in range(0, len(moved), MOVED_CASES_READ):
        chunk = moved[first : first + MOVED_CASES_READ]
        for case_id, created in Case.objects.filter(id__in=chunk).values_list("id", "created_at"):
            stage, since = Status.REGISTERED, created
            for at, target in sorted(moves[case_id], key=lambda m: m[0]):
                ended[stage].append((at - since).total_seconds() / 86400)
                stage, since = target, at
    current = {status: n for (status,), n in _counts(cases, "status").items()}
    rows = []
    for stage in STAGES:
        stays = ended.get(stage, [])
        enough = len(stays) >= floor
        now_in = current.get(stage, 0)
        rows.append(
            (
                str(stage.label),
                [
                    len(stays) if enough or not stays else None,
                    (round(median(stays), 1) if enough else None) if stays else "—",
                    now_in if now_in == 0 or now_in >= floor else None,
                ],
            )
        )
    return Table(
        _("Time in each workflow stage"),
        [_("Stays ended"), _("Median days"), _("Cases in it now")],
        rows,
        [],
        summed=False,
        kinds=("stage", "measure"),
    )

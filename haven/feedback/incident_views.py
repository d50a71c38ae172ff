"""Pages of the incident monitoring mechanism: the list, recording one, one incident, and
the dashboard by type, place and time."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from haven.accounts.gates import requires
from haven.accounts.models import Office
from haven.audit.actions import record_access
from haven.core import report_pages
from haven.core.reporting import period_from
from haven.core.web import paginate, query_without_page, succeeded
from haven.feedback import incident_actions, incident_reports, incident_selectors, selectors
from haven.feedback.forms import IncidentForm
from haven.feedback.models import AffectedSex, AgeBand, Category, IncidentKind, Perpetrator


@require_safe
@requires("incident.record")
def incident_list(request):
    found = incident_selectors.visible(request.user)
    kind, perpetrator = request.GET.get("kind", ""), request.GET.get("perpetrator", "")
    if kind:
        found = found.filter(kind=kind)
    if perpetrator:
        found = found.filter(perpetrator=perpetrator)
    period, problems = period_from(request.GET)
    for problem in problems:
        messages.error(request, problem)
    if "since" in period:
        found = found.filter(occurred_on__gte=period["since"])
    if "until" in period:
        found = found.filter(occurred_on__lte=period["until"])
    return render(
        request,
        "feedback/incident_list.html",
        {
            "page": paginate(request, found),
            "querystring": query_without_page(request),
            "kinds": IncidentKind.choices,
            "perpetrators": Perpetrator.choices,
            "filters": {"kind": kind, "perpetrator": perpetrator, **request.GET.dict()},
        },
    )


def _source(request):
    """The rights-violation report an incident is recorded from (?from=ID), if the user
    handles it."""
    ident = request.GET.get("from") or request.POST.get("source", "")
    if not ident.isdigit():
        return None
    source = selectors.visible(request.user).filter(pk=int(ident)).first()
    if source is None or source.category != Category.RIGHTS_VIOLATION:
        return None
    return source


@requires("incident.record")
def incident_new(request):
    user = request.user
    form = IncidentForm(request.POST or None, offices=Office.objects.filter(agency=user.agency))
    source = _source(request)
    made = {}

    def save():
        data = form.cleaned_data
        made["incident"] = incident_actions.record_incident(
            user,
            kind=data["kind"],
            occurred_on=data["occurred_on"],
            perpetrator=data["perpetrator"],
            location=data["location"],
            office=data["office"],
            description=data["description"],
            counts=form.counts(),
            source=source,
        )

    if request.method == "POST" and form.is_valid() and succeeded(request, form, save):
        messages.success(request, _("Incident recorded."))
        return redirect(reverse("incident_detail", kwargs={"pk": made["incident"].pk}))
    return render(request, "feedback/incident_form.html", {"form": form, "source": source})


@require_safe
@requires("incident.record")
def incident_detail(request, pk):
    incident = incident_selectors.get_incident(request.user, pk)
    record_access(request.user, "incident.detail", incident)
    cells = {(c.sex, c.age_band): c.count for c in incident.affected.all()}
    return render(
        request,
        "feedback/incident_detail.html",
        {
            "incident": incident,
            "affected": [(label, n) for label, n in _labelled(cells) if n],
            "source_visible": incident.source_id
            and selectors.visible(request.user).filter(pk=incident.source_id).exists(),
        },
    )


def _labelled(cells):
    for sex, sex_label in AffectedSex.choices:
        for band, band_label in AgeBand.choices:
            yield f"{sex_label}, {band_label}", cells.get((sex, band), 0)


@require_safe
@requires("report.view")
def incident_report(request):
    return report_pages.period_report_page(
        request,
        incident_reports.incident_report,
        name="incident-report",
        title=_("Incidents and rights violations"),
        template="feedback/incident_report.html",
    )

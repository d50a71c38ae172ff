"""The release and export pages: the register, a new release or export, its report and its
download."""

from csp.decorators import csp_replace
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from haven.accounts import policy
from haven.accounts.gates import requires, requires_any
from haven.accounts.two_factor import (
    reauthentication,
    recent_login_required,
    recently_authenticated,
)
from haven.core import report_pages
from haven.core.web import paginate, submitted, succeeded
from haven.evidence import actions, charts, exports, indicators, selectors
from haven.evidence.datasets import fields_for
from haven.evidence.forms import ExportForm, ReleaseForm
from haven.evidence.models import IDENTIFIED, ReleaseKind, ReleaseStatus

MAY_SEE_REGISTER = ("release.create", "case.export", "report.view")


@require_safe
@requires("release.create")
def release_list(request):
    return render(
        request,
        "evidence/list.html",
        {"page": paginate(request, selectors.visible_releases(request.user)), "querystring": ""},
    )


@requires("release.create")
def release_new(request):
    form = ReleaseForm(request.POST or None)
    made = []
    if submitted(
        request,
        form,
        lambda: made.append(
            actions.request_release(
                request.user,
                kind=form.cleaned_data["kind"],
                purpose=form.cleaned_data["purpose"],
                fields=form.cleaned_data["fields"],
                k=form.cleaned_data["k"],
                suppression_limit=form.cleaned_data["suppression"] / 100,
                sensitive=form.cleaned_data["sensitive"],
                l_diversity=form.cleaned_data["l_diversity"],
            )
        ),
        _("Release requested: it is made in the background."),
    ):
        return redirect("release_detail", pk=made[0].pk)
    return render(request, "evidence/form.html", {"form": form})


@require_safe
@requires("case.export")
def export_list(request):
    own = selectors.visible_releases(request.user).filter(
        created_by=request.user, kind__in=IDENTIFIED
    )
    return render(
        request, "evidence/exports.html", {"page": paginate(request, own), "querystring": ""}
    )


@requires("case.export")
@recent_login_required
def export_new(request):
    form = ExportForm(request.POST or None)
    made = []
    if submitted(
        request,
        form,
        lambda: made.append(
            actions.request_export(
                request.user,
                kind=form.cleaned_data["kind"],
                purpose=form.cleaned_data["purpose"],
                fields=form.cleaned_data["fields"],
                file_format=form.cleaned_data["file_format"],
                password=form.cleaned_data["password"],
                filters={
                    "programme": form.cleaned_data["programme"],
                    "status": form.cleaned_data["status"],
                },
            )
        ),
        _("Export requested: it is made in the background."),
    ):
        return redirect("release_detail", pk=made[0].pk)
    return render(
        request,
        "evidence/export_form.html",
        {"form": form, "identity": policy.can_see_identity(request.user)},
    )


@require_safe
@requires_any(*MAY_SEE_REGISTER)
def release_detail(request, pk):
    release = selectors.get_release(request.user, pk)
    if release.identified:
        labels = [exports.columns_for(release.kind)[f].label for f in release.fields]
    else:
        labels = [fields_for(release.kind).get(f, f) for f in release.fields]
    back = "release_list" if policy.has_perm(request.user, "release.create") else "export_list"
    if release.kind == ReleaseKind.INDICATORS and back == "export_list":
        back = "indicator_dashboard"
    return render(
        request,
        "evidence/detail.html",
        {
            "release": release,
            "running": release.status in (ReleaseStatus.QUEUED, ReleaseStatus.RUNNING),
            "labels": labels,
            "expired": release.expires_at is not None and release.expires_at < timezone.now(),
            "may_handle": policy.may_handle_release(request.user, release),
            "back": back,
        },
    )


@require_POST
@requires_any(*MAY_SEE_REGISTER)
def release_cancel(request, pk):
    release = selectors.get_release(request.user, pk)
    if not policy.may_handle_release(request.user, release):
        raise PermissionDenied
    succeeded(
        request,
        None,
        lambda: actions.cancel_release(request.user, release),
        _("Cancelled: no file is made."),
    )
    return redirect("release_detail", pk=release.pk)


@require_safe
@requires_any(*MAY_SEE_REGISTER)
def release_download(request, pk):
    release = selectors.get_release(request.user, pk)
    if not policy.may_handle_release(request.user, release):
        raise PermissionDenied
    if release.identified and not recently_authenticated(request):
        # Names leave Haven: the same re-authentication as for asking.
        return reauthentication(request)
    path = selectors.available_file(release)
    if path is None:
        return HttpResponse(
            _("This file is not available: it is not ready, or it has expired."),
            status=410,
            content_type="text/plain; charset=utf-8",
        )
    actions.downloaded(request.user, release)
    return FileResponse(path.open("rb"), as_attachment=True, filename=release.file_name)


@require_safe
@requires("report.view")
def indicator_dashboard(request):
    options, period, problems = indicators.parse(request.GET)
    report = indicators.indicators(request.user, options)
    return report_pages.report_page(
        request,
        report,
        period=period,
        problems=problems,
        name="indicators",
        title=_("Indicators"),
        template="evidence/indicators.html",
        context={
            "tables": [(name, getattr(report, name)) for name in indicators.TABLES],
            "options": options,
            "bands": ", ".join(map(str, options.bands)),
            "dimensions": indicators.DIMENSIONS,
            "parameters": indicators.PARAMETERS,
        },
    )


@require_POST
@requires("report.view")
def indicator_file(request):
    """The indicators of the page's parameters as a file, made in the background."""
    made = []
    if succeeded(
        request,
        None,
        lambda: made.append(
            actions.request_indicator_file(
                request.user,
                params=request.POST,
                file_format=request.POST.get("file_format", ""),
            )
        ),
        _("The file is being made in the background."),
    ):
        return redirect("release_detail", pk=made[0].pk)
    return redirect("indicator_dashboard")


@require_safe
@csp_replace({"style-src": ["'unsafe-inline'"]})  # pygal styles its SVG inside it
@requires("report.view")
def indicator_chart(request, name):
    if name not in indicators.TABLES:
        raise Http404("No such chart")
    options, _period, _problems = indicators.parse(request.GET)
    report = indicators.indicators(request.user, options, only={name})
    return HttpResponse(charts.svg(getattr(report, name)), content_type="image/svg+xml")

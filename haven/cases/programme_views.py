"""Administration: the agency's settings per programme (approvals, MiGOF categories)."""

from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from haven.accounts import policy
from haven.accounts.gates import requires
from haven.accounts.models import Agency
from haven.cases import actions
from haven.cases.models import DEFAULT_MIGOF, Migof, Programme, ProgrammeSetting
from haven.core.web import succeeded

SETTINGS = ("plan_needs_approval", "closure_needs_approval", "migof")


def _rows(agency, posted=None) -> list[dict]:
    saved = {s.programme: s for s in ProgrammeSetting.objects.filter(agency=agency)}
    rows = []
    for code, label in Programme.choices:
        setting = saved.get(code) or ProgrammeSetting(programme=code)
        if posted is not None:
            values = {
                "plan_needs_approval": f"{code}-plan" in posted,
                "closure_needs_approval": f"{code}-closure" in posted,
                "migof": posted.getlist(f"{code}-migof"),
            }
        else:
            values = {
                "plan_needs_approval": setting.plan_needs_approval,
                "closure_needs_approval": setting.closure_needs_approval,
                "migof": DEFAULT_MIGOF.get(code, []) if setting.migof is None else setting.migof,
            }
        rows.append({"code": code, "label": label, **values})
    return rows


@requires("agency.manage")
def programmes_manage(request, pk):
    agency = Agency.objects.filter(pk=pk).first()
    if agency is None or not policy.may_manage_agency(request.user, agency.pk):
        raise Http404("No such agency")
    rows = _rows(agency, request.POST if request.method == "POST" else None)
    if request.method == "POST" and succeeded(
        request,
        None,
        lambda: actions.set_programme_settings(
            request.user,
            agency,
            {
                row["code"]: {
                    k: row[k] for k in ("plan_needs_approval", "closure_needs_approval", "migof")
                }
                for row in rows
            },
        ),
        _("Programme settings saved."),
    ):
        return redirect("programmes_manage", pk=agency.pk)
    return render(
        request,
        "cases/programmes.html",
        {"agency": agency, "rows": rows, "categories": Migof.choices},
    )

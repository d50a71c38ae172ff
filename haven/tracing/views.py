"""The family tracing pages: the requests in scope, opening one from a case, its matches
with the decision on each, and the reunification that ends it."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from haven.accounts import policy
from haven.accounts.gates import requires
from haven.audit.actions import record_access
from haven.cases import selectors as case_selectors
from haven.core.web import paginate, query_without_page, submitted, succeeded
from haven.people.models import ConsentPurpose
from haven.people.selectors import has_consent
from haven.tracing import actions, selectors
from haven.tracing.forms import CloseForm, DecisionForm, ReunificationForm, TracingRequestForm
from haven.tracing.models import TracingStatus


def case_tab_context(user, case) -> dict:
    """What the case's Family tab shows of tracing: the requests the enquirer made."""
    return {
        "tracing_requests": case.tracing.all(),
        "can_trace": policy.can_case(user, "tracing.manage", case),
        "has_tracing_consent": has_consent(case.person, ConsentPurpose.TRACING),
    }


@require_safe
@requires("case.view")
def tracing_list(request):
    user = request.user
    status = request.GET.get("status", "")
    text = request.GET.get("q", "")
    found = selectors.search_requests(user, status=status, text=text)
    return render(
        request,
        "tracing/list.html",
        {
            "page": paginate(request, found),
            "statuses": TracingStatus.choices,
            "status": status,
            "q": text,
            "querystring": query_without_page(request),
            "show_names": policy.can_see_identity(user),
        },
    )


@requires("tracing.manage")
def tracing_new(request, pk):
    user = request.user
    case = case_selectors.get_case(user, pk, "tracing.manage")
    form = TracingRequestForm(request.POST or None)
    created = []
    if submitted(
        request,
        form,
        lambda: created.append(actions.open_request(user, case, form.changes())),
        _("Tracing request opened: matches are looked for now and whenever records change."),
    ):
        return redirect("tracing_detail", pk=created[0].pk)
    return render(
        request,
        "tracing/form.html",
        {
            "form": form,
            "case": case,
            "has_tracing_consent": has_consent(case.person, ConsentPurpose.TRACING),
        },
    )


@require_safe
@requires("case.view")
def tracing_detail(request, pk):
    user = request.user
    tracing = selectors.get_request(user, pk)
    identity = policy.can_see_identity(user)
    if identity:
        record_access(user, "tracing.view", tracing.case)
    case = tracing.case
    can_manage = policy.can_case(user, "tracing.manage", case)
    matches = selectors.matches_for(user, tracing) if identity else None
    return render(
        request,
        "tracing/detail.html",
        {
            "tracing": tracing,
            "case": case,
            "show_identity": identity,
            "matches": matches,
            "can_manage": can_manage and tracing.active,
            "decision_form": DecisionForm(),
            "close_form": CloseForm(initial={"version": tracing.version}),
            "reunification": getattr(tracing, "reunification", None)
            if tracing.status == TracingStatus.REUNIFIED
            else None,
        },
    )


@requires("tracing.manage")
def tracing_edit(request, pk):
    user = request.user
    tracing = selectors.get_request(user, pk, "tracing.manage")
    if request.method == "GET":
        record_access(user, "tracing.edit", tracing.case)
    form = TracingRequestForm(request.POST or None, instance=tracing)
    version = form.data.get("version") if form.is_bound else tracing.version
    if submitted(
        request,
        form,
        lambda: actions.update_request(user, tracing, form.changes(), int(version or 0)),
        _("Tracing request saved: its matches are looked for again."),
    ):
        return redirect("tracing_detail", pk=tracing.pk)
    return render(
        request,
        "tracing/form.html",
        {"form": form, "case": tracing.case, "tracing": tracing, "has_tracing_consent": True},
    )


@require_POST
@requires("tracing.manage")
def tracing_decide(request, pk, match_pk):
    user = request.user
    tracing = selectors.get_request(user, pk, "tracing.manage")
    match = selectors.get_match(user, tracing, match_pk)
    form = DecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose whether to confirm or reject the match."))
        return redirect("tracing_detail", pk=tracing.pk)
    confirm = form.cleaned_data["decision"] == "confirm"
    succeeded(
        request,
        None,
        lambda: actions.decide_match(user, match, confirm=confirm, note=form.cleaned_data["note"]),
        _("Match confirmed: the person sought is located.") if confirm else _("Match rejected."),
    )
    return redirect("tracing_detail", pk=tracing.pk)


@require_POST
@requires("tracing.manage")
def tracing_close(request, pk):
    user = request.user
    tracing = selectors.get_request(user, pk, "tracing.manage")
    form = CloseForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Say why the request is closed."))
        return redirect("tracing_detail", pk=tracing.pk)
    succeeded(
        request,
        None,
        lambda: actions.close_request(
            user, tracing, form.cleaned_data["reason"], form.cleaned_data["version"]
        ),
        _("Tracing request closed."),
    )
    return redirect("tracing_detail", pk=tracing.pk)


@requires("tracing.manage")
def tracing_reunify(request, pk):
    user = request.user
    tracing = selectors.get_request(user, pk, "tracing.manage")
    if tracing.status != TracingStatus.LOCATED:
        messages.error(request, _("Confirm a match first: reunification follows a location."))
        return redirect("tracing_detail", pk=tracing.pk)
    record_access(user, "tracing.reunify", tracing.case)
    child = any(
        selectors.involves_child(tracing, m.person)
        for m in tracing.matches.filter(status="confirmed").select_related("person")
    )
    form = ReunificationForm(request.POST or None, request=tracing, child=child)
    if submitted(
        request,
        form,
        lambda: actions.reunify(
            user,
            tracing,
            form.cleaned_data["match"],
            form.record(),
            form.cleaned_data["version"],
        ),
        _("Reunification recorded."),
    ):
        return redirect("tracing_detail", pk=tracing.pk)
    return render(
        request, "tracing/reunify.html", {"form": form, "tracing": tracing, "child": child}
    )

"""A case moving on: workflow steps, closure asked for, supervisors' decisions on plans and
closures, the case plan, and transfers between agencies."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from haven.accounts.gates import requires
from haven.audit.actions import record_access
from haven.cases import actions, approval_actions, forms, selectors, transfer_actions
from haven.cases.models import (
    CasePlan,
)
from haven.cases.views import case_url, posted_on_case
from haven.cases.workflow import Status
from haven.core.errors import HavenError
from haven.core.web import report_errors, submitted, succeeded


@require_POST
@requires("case.transition")
def case_transition(request, pk):
    case = selectors.get_case(request.user, pk)
    return posted_on_case(
        request,
        case,
        forms.TransitionForm(request.POST),
        lambda data: actions.transition(
            request.user,
            case,
            data["to"],
            data["version"],
            closure_reason=data["closure_reason"],
            comment=data["comment"],
        ),
        lambda data: _("Case moved to %(s)s.") % {"s": Status(data["to"]).label},
        _("Choose a valid next step."),
    )


@require_POST
@requires("case.transition")
def case_request_closure(request, pk):
    case = selectors.get_case(request.user, pk)
    return posted_on_case(
        request,
        case,
        forms.ClosureRequestForm(request.POST),
        lambda data: approval_actions.request_closure(
            request.user, case, data["closure_reason"], data["comment"]
        ),
        _("Closure requested: a supervisor will decide."),
        _("Choose a closure reason."),
    )


@require_POST
@requires("case.approve")
def approval_decide(request, pk):
    approval = get_object_or_404(selectors.pending_approvals_for(request.user), pk=pk)
    form = forms.DecisionForm(request.POST)
    if form.is_valid():
        succeeded(
            request,
            None,
            lambda: approval_actions.decide(
                request.user,
                approval,
                approve=form.cleaned_data["approve"],
                comment=form.cleaned_data["comment"],
            ),
            _("Decision recorded."),
        )
    else:
        messages.error(request, _("Choose approve or reject."))
    if approval.assessment_id:
        return redirect("assessment_detail", pk=approval.assessment_id)
    return redirect("case_detail", pk=approval.case_id)


@requires("case.update")
def case_plan(request, pk):
    user = request.user
    case = selectors.get_case(user, pk, "case.update")
    if request.method == "GET":
        record_access(user, "case.plan_edit", case)
    plan = CasePlan.objects.filter(case=case).first()
    initial_actions = (
        [
            {
                "description": a.description,
                "responsible": a.responsible,
                "due_on": a.due_on,
                "done": a.done,
            }
            for a in plan.actions.all()
        ]
        if plan
        else []
    )
    form = forms.PlanForm(request.POST or None, initial={"goals": plan.goals if plan else ""})
    formset = forms.PlanActionFormSet(
        request.POST or None, initial=initial_actions, form_kwargs={"agency": case.agency_id}
    )
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        items = [
            {k: f.cleaned_data[k] for k in ("description", "responsible", "due_on", "done")}
            for f in formset.forms
            if f.cleaned_data
            and f.cleaned_data.get("description")
            and not f.cleaned_data.get("DELETE")
        ]
        if succeeded(
            request,
            form,
            lambda: approval_actions.save_plan(
                user, case, goals=form.cleaned_data["goals"], actions=items
            ),
            _("Case plan saved."),
        ):
            return redirect(f"{case_url(case)}?tab=plan")
    return render(
        request, "cases/plan.html", {"case": case, "form": form, "formset": formset, "plan": plan}
    )


@requires("case.transfer")
def case_transfer(request, pk):
    case = selectors.get_case(request.user, pk, "case.transfer")
    form = forms.TransferForm(request.POST or None, case=case)
    if submitted(
        request,
        form,
        lambda: transfer_actions.request_transfer(
            request.user, case, form.cleaned_data["to_agency"], form.cleaned_data["reason"]
        ),
        _("Transfer requested: the receiving agency must accept it."),
    ):
        return redirect("case_detail", pk=case.pk)
    return render(request, "cases/transfer.html", {"case": case, "form": form})


@require_POST
@requires("case.transfer")
def transfer_answer(request, pk):
    transfer = get_object_or_404(selectors.incoming_transfers(request.user), pk=pk)
    accept = request.POST.get("accept") == "1"
    try:
        transfer_actions.answer_transfer(request.user, transfer, accept=accept)
    except (HavenError, ValidationError) as exc:
        report_errors(request, None, exc)
        return redirect("dashboard")
    if accept:
        messages.success(request, _("Transfer accepted: the case is now yours."))
        return redirect("case_detail", pk=transfer.case_id)
    messages.success(request, _("Transfer declined."))
    return redirect("dashboard")

"""The case's Return tab: start an assisted voluntary return, record its steps in order,
record the person's withdrawal."""

from datetime import date

from django.contrib import messages
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from haven.accounts import policy
from haven.assistance import actions, returns, selectors
from haven.assistance.models import ReturnStatus
from haven.cases import selectors as case_selectors
from haven.core.reference import country_choices
from haven.core.web import requires, succeeded


def case_tab_context(user, case) -> dict:
    movements = list(case.returns.prefetch_related("steps").order_by("-created_at", "-id"))
    for movement in movements:
        done = {step.code for step in movement.steps.all() if step.done}
        movement.rows = [(returns.BY_CODE[step.code], step) for step in movement.steps.all()]
        open_codes = [code for code in returns.ORDER if code not in done]
        movement.next_step = (
            returns.BY_CODE[open_codes[0]]
            if open_codes and movement.status == ReturnStatus.IN_PROGRESS
            else None
        )
    return {
        "movements": movements,
        "can_organise": policy.can_case(user, "case.update", case),
        "has_active_return": any(m.status == ReturnStatus.IN_PROGRESS for m in movements),
        "countries": country_choices(),
        "today": timezone.localdate(),
    }


def _tab(case) -> str:
    return reverse("case_detail", kwargs={"pk": case.pk}) + "?tab=return"


@require_POST
@requires("case.update")
def return_new(request, pk):
    case = case_selectors.get_case(request.user, pk)
    post = request.POST
    succeeded(
        request,
        None,
        lambda: actions.start_return(
            request.user,
            case,
            country_of_departure=post.get("country_of_departure", ""),
            country_of_return=post.get("country_of_return", ""),
        ),
        _("Return started: record each step as it is done."),
    )
    return redirect(_tab(case))


@require_POST
@requires("case.update")
def return_step(request, pk, code):
    movement = selectors.get_return(request.user, pk)
    post = request.POST
    step = returns.BY_CODE.get(code)
    try:
        done_on = date.fromisoformat(post.get("done_on", ""))
    except ValueError:
        done_on = None
    if step is None or done_on is None:
        messages.error(request, _("Give the date the step was done (YYYY-MM-DD)."))
        return redirect(_tab(movement.case))
    succeeded(
        request,
        None,
        lambda: actions.complete_step(
            request.user,
            movement,
            code,
            done_on=done_on,
            checklist={item.code: bool(post.get(f"item_{item.code}")) for item in step.items},
            details={name: post.get(f"detail_{name}", "") for name, _label, _k in step.details},
            notes=post.get("notes", ""),
            version=int(post["version"]) if post.get("version", "").isdigit() else 0,
        ),
        _("Step recorded."),
    )
    return redirect(_tab(movement.case))


@require_POST
@requires("case.update")
def return_withdraw(request, pk):
    movement = selectors.get_return(request.user, pk)
    post = request.POST
    if not post.get("confirm"):
        messages.error(request, _("Tick the box to confirm that the person withdraws."))
        return redirect(_tab(movement.case))
    succeeded(
        request,
        None,
        lambda: actions.withdraw_return(
            request.user,
            movement,
            reason=post.get("reason", ""),
            version=int(post["version"]) if post.get("version", "").isdigit() else 0,
        ),
        _("The person's withdrawal is recorded."),
    )
    return redirect(_tab(movement.case))

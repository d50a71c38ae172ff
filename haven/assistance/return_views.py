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
from haven.accounts.gates import requires
from haven.assistance import reintegration_actions, return_actions, returns, selectors
from haven.assistance.models import Dimension, PlanKind, ReturnStatus, ServiceType
from haven.cases import selectors as case_selectors
from haven.core.models import Location
from haven.core.reference import country_choices
from haven.core.web import posted_version, succeeded


def case_tab_context(user, case) -> dict:
    movements = list(case.returns.prefetch_related("steps").order_by("-created_at", "-id"))
    for movement in movements:
        done = {step.code for step in movement.steps.all() if step.done}
        movement.rows = [(returns.BY_CODE[step.code], step) for step in movement.steps.all()]
        upcoming = returns.next_open(done)
        in_progress = movement.status == ReturnStatus.IN_PROGRESS
        movement.next_step = returns.BY_CODE[upcoming] if upcoming and in_progress else None
    return {
        **_reintegration_context(case),
        "movements": movements,
        "can_organise": policy.can_case(user, "case.update", case),
        "has_active_return": any(m.status == ReturnStatus.IN_PROGRESS for m in movements),
        "countries": country_choices(),
        "today": timezone.localdate(),
    }


def _reintegration_context(case) -> dict:
    plans = list(selectors.plans_for_case(case))
    for plan in plans:
        plan.by_dimension = [
            (label, [c for c in plan.components.all() if c.dimension == code])
            for code, label in Dimension.choices
        ]
    return {
        "plans": plans,
        "rounds": selectors.sustainability_rounds(case),
        "plan_kinds": PlanKind.choices,
        "dimensions": Dimension.choices,
        "reintegration_services": ServiceType.objects.filter(
            active=True, code__startswith="reintegration"
        ).order_by("name"),
    }


def _tab(case) -> str:
    return reverse("case_detail", kwargs={"pk": case.pk}) + "?tab=return"


def _date(text: str):
    try:
        return date.fromisoformat(text) if text else None
    except ValueError:
        return False


@require_POST
@requires("case.update")
def plan_new(request, pk):
    case = case_selectors.get_case(request.user, pk)
    post = request.POST
    started_on, review_on = _date(post.get("started_on", "")), _date(post.get("review_on", ""))
    numbers = [n for n in post.get("members", "").replace(",", " ").split() if n]
    # Case numbers are unique within an agency, and a plan's cases are of one agency.
    members = list(
        case_selectors.case_list(request.user).filter(agency_id=case.agency_id, number__in=numbers)
    )
    community = Location.objects.filter(code=post.get("community", "").strip()).first()
    problems = []
    if not started_on or review_on is False:
        problems.append(_("Give the dates as YYYY-MM-DD."))
    if len(members) != len(set(numbers)):
        found = {m.number for m in members}
        missing = ", ".join(n for n in numbers if n not in found)
        problems.append(_("No case you may see has the number %(n)s.") % {"n": missing})
    if post.get("community", "").strip() and community is None:
        problems.append(_("No place has the code %(c)s.") % {"c": post["community"].strip()})
    if problems:
        messages.error(request, " ".join(problems))
        return redirect(_tab(case))
    succeeded(
        request,
        None,
        lambda: reintegration_actions.create_plan(
            request.user,
            case,
            kind=post.get("kind", ""),
            title=post.get("title", ""),
            started_on=started_on,
            review_on=review_on,
            members=members,
            community=community,
        ),
        _("Reintegration plan created."),
    )
    return redirect(_tab(case))


@require_POST
@requires("case.update")
def component_new(request, pk):
    plan = selectors.get_plan(request.user, pk)
    post = request.POST
    due_on = _date(post.get("due_on", ""))
    if due_on is False:
        messages.error(request, _("Give the dates as YYYY-MM-DD."))
        return redirect(_tab(plan.case))
    succeeded(
        request,
        None,
        lambda: reintegration_actions.add_component(
            request.user,
            plan,
            dimension=post.get("dimension", ""),
            description=post.get("description", ""),
            service=ServiceType.objects.filter(code=post.get("service", "")).first(),
            due_on=due_on,
            version=posted_version(post),
        ),
        _("Component added."),
    )
    return redirect(_tab(plan.case))


@require_POST
@requires("case.update")
def component_move(request, pk, component):
    plan = selectors.get_plan(request.user, pk)
    target = plan.components.filter(pk=component).first()
    post = request.POST
    done_on = _date(post.get("done_on", ""))
    if target is None or done_on is False:
        messages.error(request, _("Give the dates as YYYY-MM-DD."))
        return redirect(_tab(plan.case))
    succeeded(
        request,
        None,
        lambda: reintegration_actions.move_component(
            request.user,
            target,
            status=post.get("status", ""),
            done_on=done_on,
            version=posted_version(post),
        ),
        _("Component updated."),
    )
    return redirect(_tab(plan.case))


@require_POST
@requires("case.update")
def plan_close(request, pk):
    plan = selectors.get_plan(request.user, pk)
    post = request.POST
    if not post.get("confirm"):
        messages.error(request, _("Tick the box to confirm that the plan ends."))
        return redirect(_tab(plan.case))
    succeeded(
        request,
        None,
        lambda: reintegration_actions.close_plan(
            request.user,
            plan,
            completed=post.get("outcome") == "completed",
            version=posted_version(post),
        ),
        _("Plan ended."),
    )
    return redirect(_tab(plan.case))


@require_POST
@requires("case.update")
def return_new(request, pk):
    case = case_selectors.get_case(request.user, pk)
    post = request.POST
    succeeded(
        request,
        None,
        lambda: return_actions.start_return(
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
    done_on = _date(post.get("done_on", ""))
    if step is None or not done_on:
        messages.error(request, _("Give the date the step was done (YYYY-MM-DD)."))
        return redirect(_tab(movement.case))
    succeeded(
        request,
        None,
        lambda: return_actions.complete_step(
            request.user,
            movement,
            code,
            done_on=done_on,
            checklist={item.code: bool(post.get(f"item_{item.code}")) for item in step.items},
            details={name: post.get(f"detail_{name}", "") for name, _label, _k in step.details},
            notes=post.get("notes", ""),
            version=posted_version(post),
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
        lambda: return_actions.withdraw_return(
            request.user,
            movement,
            reason=post.get("reason", ""),
            version=posted_version(post),
        ),
        _("The person's withdrawal is recorded."),
    )
    return redirect(_tab(movement.case))

"""Reintegration plans after return: components across the economic, social and
psychosocial dimensions, moved through their statuses, and the plan closed."""

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from haven.accounts import policy
from haven.assistance.models import (
    ComponentStatus,
    Dimension,
    PlanKind,
    PlanStatus,
    ReintegrationComponent,
    ReintegrationPlan,
    ReturnMovement,
    ServiceType,
)
from haven.audit.actions import audited, record_event
from haven.cases.models import Case
from haven.core.errors import InvalidTransition, NotAllowed
from haven.core.versioning import lock_at_version, save_versioned

# component status -> the statuses it may move to
COMPONENT_NEXT = {
    ComponentStatus.PLANNED: {
        ComponentStatus.IN_PROGRESS,
        ComponentStatus.DONE,
        ComponentStatus.CANCELLED,
    },
    ComponentStatus.IN_PROGRESS: {ComponentStatus.DONE, ComponentStatus.CANCELLED},
    ComponentStatus.DONE: set(),
    ComponentStatus.CANCELLED: set(),
}


def _require_update(user, case: Case) -> None:
    if not policy.can_case(user, "case.update", case):
        raise NotAllowed(_("Your role does not allow planning reintegration for this case."))


@audited
def create_plan(
    user,
    case: Case,
    *,
    kind: str,
    title: str,
    started_on,
    review_on=None,
    members: list[Case] | None = None,
    community=None,
    movement: ReturnMovement | None = None,
) -> ReintegrationPlan:
    """A reintegration plan for the case's person: individual, collective (with the other
    returnees' cases taking part) or community (for the community they returned to)."""
    _require_update(user, case)
    members = [m for m in members or [] if m.pk != case.pk]
    errors = {}
    if kind not in PlanKind.values:
        errors["kind"] = _("Choose individual, collective or community.")
    if not title.strip():
        errors["title"] = _("Give the plan a title.")
    if kind == PlanKind.COLLECTIVE and not members:
        errors["members"] = _("A collective plan needs the other returnees' cases taking part.")
    if kind != PlanKind.COLLECTIVE and members:
        errors["members"] = _("Only a collective plan has other returnees taking part.")
    if kind == PlanKind.COMMUNITY and community is None:
        errors["community"] = _("Say which community (a place) the plan is for.")
    if movement is not None and movement.case_id != case.pk:
        errors["movement"] = _("Choose a return of this case.")
    if review_on is not None and review_on < started_on:
        errors["review_on"] = _("The review cannot come before the plan starts.")
    if errors:
        raise ValidationError(errors)
    for member in members:
        if member.agency_id != case.agency_id or not policy.can_case(user, "case.update", member):
            raise NotAllowed(
                _("Case %(n)s is not one you may add to this plan.") % {"n": member.number}
            )
    plan = ReintegrationPlan.objects.create(
        case=case,
        kind=kind,
        title=title.strip(),
        community=community,
        movement=movement,
        started_on=started_on,
        review_on=review_on,
        created_by=user,
    )
    plan.members.set(members)
    record_event(
        user,
        "reintegration_plan.create",
        obj=plan,
        agency_id=case.agency_id,
        details={"case": case.pk, "kind": kind, "members": [m.pk for m in members]},
    )
    return plan


def _require_active(plan: ReintegrationPlan) -> None:
    if plan.status != PlanStatus.ACTIVE:
        raise InvalidTransition(
            _("This plan is %(status)s: nothing more is added to it.")
            % {"status": plan.get_status_display().lower()},
            field="status",
        )


@audited
def add_component(
    user,
    plan: ReintegrationPlan,
    *,
    dimension: str,
    description: str,
    service: ServiceType | None = None,
    due_on=None,
    version: int,
) -> ReintegrationComponent:
    """Add one piece of support, in the economic, social or psychosocial dimension."""
    _require_update(user, plan.case)
    lock_at_version(plan, version)
    _require_active(plan)
    errors = {}
    if dimension not in Dimension.values:
        errors["dimension"] = _("Choose the economic, social or psychosocial dimension.")
    if not description.strip():
        errors["description"] = _("Say what is planned.")
    if errors:
        raise ValidationError(errors)
    component = ReintegrationComponent.objects.create(
        plan=plan,
        dimension=dimension,
        description=description.strip(),
        service=service,
        due_on=due_on,
    )
    save_versioned(plan, version)
    record_event(
        user,
        "reintegration_component.create",
        obj=plan,
        agency_id=plan.case.agency_id,
        details={"component": component.pk, "dimension": dimension},
    )
    return component


@audited
def move_component(
    user, component: ReintegrationComponent, *, status: str, done_on=None, version: int
) -> ReintegrationComponent:
    """Start, complete (with the date) or cancel a component of an active plan."""
    plan = component.plan
    _require_update(user, plan.case)
    lock_at_version(plan, version)
    _require_active(plan)
    allowed = COMPONENT_NEXT[ComponentStatus(component.status)]
    if status not in allowed:
        labels = ", ".join(str(ComponentStatus(s).label) for s in sorted(allowed)) or _("none")
        raise InvalidTransition(
            _("This component is %(now)s: it can move to %(next)s.")
            % {"now": component.get_status_display(), "next": labels},
            field="status",
        )
    if status == ComponentStatus.DONE:
        if done_on is None or done_on > timezone.localdate():
            raise ValidationError({"done_on": _("Give the day it was done (not in the future).")})
        component.done_on = done_on
    before = component.status
    component.status = status
    component.save()
    save_versioned(plan, version)
    record_event(
        user,
        "reintegration_component.status",
        obj=plan,
        agency_id=plan.case.agency_id,
        details={"component": component.pk, "from": before, "to": status},
    )
    return component


@audited
def close_plan(user, plan: ReintegrationPlan, *, completed: bool, version: int):
    """End an active plan: completed, or closed before completion."""
    _require_update(user, plan.case)
    lock_at_version(plan, version)
    _require_active(plan)
    if (
        completed
        and plan.components.filter(
            status__in=[ComponentStatus.PLANNED, ComponentStatus.IN_PROGRESS]
        ).exists()
    ):
        raise ValidationError(
            {"status": _("Finish or cancel every component before completing the plan.")}
        )
    plan.status = PlanStatus.COMPLETED if completed else PlanStatus.CLOSED
    save_versioned(plan, version)
    record_event(
        user,
        "reintegration_plan.close",
        obj=plan,
        agency_id=plan.case.agency_id,
        details={"status": plan.status},
    )
    return plan

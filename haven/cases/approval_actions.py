"""Supervisors' decisions on cases: a case plan or a closure sent for approval, and the
decision (never on one's own request). Another app's kind of approval (an assessment's
sign-off) is announced as `hooks.APPROVAL_DECIDED` for that app to do its part."""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from haven.audit.actions import audited, record_event
from haven.cases import selectors
from haven.cases.actions import mark_closed, require
from haven.cases.models import Approval, Case, CasePlan, ClosureReason, PlanAction
from haven.cases.workflow import Status, check_transition
from haven.core import hooks
from haven.core.errors import HavenError, NotAllowed
from haven.core.versioning import lock_latest, save_versioned


@audited
def request_closure(user, case: Case, reason: str, comment: str = "") -> Approval:
    require(user, "case.transition", case)
    check_transition(case.status, Status.CLOSED)
    if reason not in ClosureReason.values:
        raise ValidationError({"closure_reason": _("Choose why the case is being closed.")})
    return request_approval(
        user, case, Approval.Kind.CLOSURE, closure_reason=reason, comment=comment
    )


def request_approval(user, case, kind, **fields) -> Approval:
    """Ask for a supervisor's decision (inside the caller's action)."""
    try:
        # The partial unique constraint decides, so two requests at once cannot both pass.
        with transaction.atomic():
            approval = Approval.objects.create(case=case, kind=kind, requested_by=user, **fields)
    except IntegrityError as exc:
        raise HavenError(_("An approval of this kind is already waiting for a decision.")) from exc
    record_event(
        user, "approval.request", obj=case, details={"kind": kind, "approval": approval.pk}
    )
    return approval


@audited
def save_plan(
    user, case: Case, *, goals: str, actions: list[dict], submit: bool = True
) -> CasePlan:
    """Write the case plan (goals; actions with who and when) and send it for approval."""
    require(user, "case.update", case)
    if not goals.strip():
        raise ValidationError({"goals": _("Write the goals of the case plan.")})
    plan, created = CasePlan.objects.get_or_create(case=case, defaults={"goals": goals})
    if plan.state == CasePlan.State.SUBMITTED:
        raise HavenError(
            _("The plan is waiting for approval; it can be changed once it is decided.")
        )
    plan.goals = goals
    plan.actions.all().delete()
    for item in actions:
        responsible = item.get("responsible")
        if responsible is not None and responsible.agency_id != case.agency_id:
            raise ValidationError(
                {"actions": _("The responsible person must belong to the case's agency.")}
            )
        action = PlanAction(plan=plan, **item)
        action.full_clean(exclude=["plan"])
        action.save()
    needs = selectors.approval_needed(case, "plan")
    if submit:
        plan.state = CasePlan.State.SUBMITTED if needs else CasePlan.State.APPROVED
    else:
        plan.state = CasePlan.State.DRAFT
    plan.save()
    record_event(
        user,
        "plan.create" if created else "plan.update",
        obj=case,
        details={"actions": len(actions), "state": plan.state},
    )
    if plan.state == CasePlan.State.SUBMITTED:
        request_approval(user, case, Approval.Kind.PLAN)
    return plan


@audited
def decide(user, approval: Approval, *, approve: bool, comment: str = "") -> Approval:
    """A supervisor approves or rejects a plan or a closure (never their own request)."""
    case = approval.case
    require(user, "case.approve", case)
    if approval.decision != Approval.Decision.PENDING:
        raise HavenError(_("This request was already decided."))
    if approval.requested_by_id == user.pk:
        raise NotAllowed(_("You cannot approve your own request: another supervisor must decide."))
    if not approve and not comment.strip():
        raise ValidationError({"comment": _("Say why the request is rejected.")})
    approval.decision = Approval.Decision.APPROVED if approve else Approval.Decision.REJECTED
    approval.decided_by, approval.decided_at, approval.comment = user, timezone.now(), comment
    approval.save()
    if approval.kind == Approval.Kind.PLAN:
        CasePlan.objects.filter(case=case).update(
            state=CasePlan.State.APPROVED if approve else CasePlan.State.RETURNED
        )
    elif approval.kind != Approval.Kind.CLOSURE:
        hooks.announce(hooks.APPROVAL_DECIDED, user=user, approval=approval, approve=approve)
    elif approve:
        lock_latest(case)
        check_transition(case.status, Status.CLOSED)
        source = case.status
        mark_closed(case, approval.closure_reason)
        case.status = Status.CLOSED
        save_versioned(case, case.version, ["status", "closure_reason", "closed_on"])
        record_event(
            user,
            "case.transition",
            obj=case,
            details={"from": source, "to": Status.CLOSED, "closure_reason": case.closure_reason},
        )
    record_event(
        user,
        "approval.approve" if approve else "approval.reject",
        obj=case,
        details={"kind": approval.kind, "approval": approval.pk, "comment": comment},
    )
    return approval

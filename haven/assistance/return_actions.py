"""Assisted voluntary return: a movement started for a case, its steps completed in order
(each with its checklist), withdrawn with a reason."""

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from haven.accounts import policy
from haven.assistance import (
    returns,
    selectors,
)
from haven.assistance.models import (
    ReturnMovement,
    ReturnStatus,
    ReturnStep,
)
from haven.audit.actions import audited, record_event
from haven.cases.models import Case
from haven.core.errors import InvalidTransition, NotAllowed
from haven.core.versioning import lock_at_version, save_versioned


@audited
def start_return(
    user, case: Case, *, country_of_departure: str, country_of_return: str, destination=None
) -> ReturnMovement:
    """Open an assisted voluntary return for the case's person, with its steps to do."""
    if not policy.can_case(user, "case.update", case):
        raise NotAllowed(_("Your role does not allow organising a return for this case."))
    if case.returns.filter(status=ReturnStatus.IN_PROGRESS).exists():
        raise ValidationError(
            {"case": _("A return is already in progress for this case: continue that one.")}
        )
    movement = ReturnMovement(
        case=case,
        country_of_departure=(country_of_departure or "").strip().upper(),
        country_of_return=(country_of_return or "").strip().upper(),
        destination=destination,
        started_by=user,
    )
    movement.full_clean(exclude=["case", "started_by", "destination"])
    if movement.country_of_departure == movement.country_of_return:
        raise ValidationError(
            {"country_of_return": _("The country of return must differ from the country left.")}
        )
    movement.save()
    ReturnStep.objects.bulk_create(
        ReturnStep(movement=movement, code=code, position=n) for n, code in enumerate(returns.ORDER)
    )
    record_event(
        user,
        "return.start",
        obj=movement,
        agency_id=case.agency_id,
        details={
            "case": case.pk,
            "from": movement.country_of_departure,
            "to": movement.country_of_return,
        },
    )
    return movement


@audited
def complete_step(
    user,
    movement: ReturnMovement,
    code: str,
    *,
    done_on,
    checklist: dict,
    details: dict | None = None,
    notes: str = "",
    version: int,
) -> ReturnStep:
    """Record a step as done, in order, with its checklist ticked and its details."""
    case = movement.case
    if not policy.can_case(user, "case.update", case):
        raise NotAllowed(_("Your role does not allow recording this return."))
    step_def = returns.BY_CODE.get(code)
    if step_def is None:
        raise ValidationError({"step": _("Unknown step: %(s)s.") % {"s": code}})
    lock_at_version(movement, version)
    _require_in_progress(movement)
    steps = {step.code: step for step in movement.steps.all()}
    if steps[code].done:
        raise InvalidTransition(_("This step is already done."), field="step")
    earlier = returns.earlier_open(code, {c for c, s in steps.items() if s.done})
    if earlier:
        raise InvalidTransition(
            _("Complete “%(earlier)s” first: the steps of a return are done in order.")
            % {"earlier": returns.BY_CODE[earlier].label},
            field="step",
        )
    details, bad_dates = returns.clean_details(step_def, details or {})
    if bad_dates:
        raise ValidationError(
            {"details": _("Write these dates as YYYY-MM-DD: %(f)s.") % {"f": ", ".join(bad_dates)}}
        )
    checklist = {item.code: bool(checklist.get(item.code)) for item in step_def.items}
    missing = returns.missing_items(step_def, checklist, details)
    if missing:
        raise ValidationError(
            {
                "checklist": _("Tick what was done before completing this step: %(items)s.")
                % {"items": "; ".join(str(item.label) for item in missing)}
            }
        )
    if done_on > timezone.localdate():
        raise ValidationError({"done_on": _("A step cannot be done in the future.")})
    if code == returns.DECISION:
        _require_best_interests_for_a_child(case)
    step = steps[code]
    step.done, step.done_on, step.done_by = True, done_on, user
    step.checklist, step.details, step.notes = checklist, details, notes.strip()
    step.save()
    if code == returns.ORDER[-1]:
        movement.status, movement.completed_on = ReturnStatus.COMPLETED, done_on
    save_versioned(movement, version)
    record_event(
        user,
        "return.decision" if code == returns.DECISION else "return.step",
        obj=movement,
        agency_id=case.agency_id,
        details={"step": code, "done_on": done_on.isoformat(), "checklist": checklist},
    )
    return step


def _require_in_progress(movement: ReturnMovement) -> None:
    if movement.status == ReturnStatus.WITHDRAWN:
        raise InvalidTransition(
            _(
                "The person withdrew from this return on %(day)s: nothing more is recorded on "
                "it. Start a new return if they decide to return again."
            )
            % {"day": movement.withdrawn_on.isoformat()},
            field="status",
        )
    if movement.status == ReturnStatus.COMPLETED:
        raise InvalidTransition(_("This return is completed."), field="status")


def _require_best_interests_for_a_child(case: Case) -> None:
    """A child's return needs a signed-off best interests assessment recommending it."""
    age = case.person.age()
    if age is not None and age >= 18:
        return
    if not selectors.best_interests_support_return(case):
        raise ValidationError(
            {
                "best_interests": _(
                    "A child's return needs a best-interests determination on file: a best "
                    "interests assessment, signed off by a supervisor, that recommends family "
                    "reunification in the country of origin."
                )
            }
        )


@audited
def withdraw_return(user, movement: ReturnMovement, *, reason: str = "", version: int):
    """The person withdraws their decision to return, at whatever step the return is."""
    case = movement.case
    if not policy.can_case(user, "case.update", case):
        raise NotAllowed(_("Your role does not allow recording this return."))
    lock_at_version(movement, version)
    _require_in_progress(movement)
    done = set(movement.steps.filter(done=True).values_list("code", flat=True))
    movement.status = ReturnStatus.WITHDRAWN
    movement.withdrawn_on = timezone.localdate()
    movement.withdrawn_at_step = returns.next_open(done) or ""
    movement.withdrawal_reason = reason.strip()
    save_versioned(movement, version)
    record_event(
        user,
        "return.withdraw",
        obj=movement,
        agency_id=case.agency_id,
        details={"at_step": movement.withdrawn_at_step},
    )
    return movement

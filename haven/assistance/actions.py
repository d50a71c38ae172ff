"""Every write to referrals: refer (consent-gated, minimum data), accept or decline, start,
complete. Each checks the policy, moves the referral along its workflow and is audited."""

import json
from datetime import timedelta
from functools import partial

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from haven.accounts import policy
from haven.accounts.models import Agency, Team
from haven.assistance import (
    directory,
    eligibility,
    mail,
    printing,
    returns,
    selectors,
    sharing,
    sla,
)
from haven.assistance.models import (
    ComponentStatus,
    DeliveryStatus,
    Dimension,
    PlanKind,
    PlanStatus,
    Referral,
    ReferralReminder,
    ReferralStatus,
    ReintegrationComponent,
    ReintegrationPlan,
    ReturnMovement,
    ReturnStatus,
    ReturnStep,
    ServiceDelivery,
    ServicePoint,
    ServiceType,
)
from haven.audit.actions import audited, record_event
from haven.cases.models import Case
from haven.core.errors import InvalidTransition, MissingConsent, NotAllowed
from haven.core.reference import currency_codes
from haven.core.versioning import lock_at_version
from haven.people.models import ConsentPurpose
from haven.people.selectors import has_consent

# status -> the statuses it may move to, and who moves it: the receiving side.
NEXT = {
    ReferralStatus.PENDING: {ReferralStatus.ACCEPTED, ReferralStatus.DECLINED},
    ReferralStatus.ACCEPTED: {
        ReferralStatus.IN_PROGRESS,
        ReferralStatus.COMPLETED,
        ReferralStatus.NOT_COMPLETED,
    },
    ReferralStatus.IN_PROGRESS: {ReferralStatus.COMPLETED, ReferralStatus.NOT_COMPLETED},
    ReferralStatus.DECLINED: set(),
    ReferralStatus.COMPLETED: set(),
    ReferralStatus.NOT_COMPLETED: set(),
}


@audited
def refer(
    user,
    case: Case,
    service: ServiceType,
    *,
    reason: str,
    fields: list[str],
    to_team: Team | None = None,
    to_agency: Agency | None = None,
    to_point: ServicePoint | None = None,
    urgent: bool = False,
    override_reason: str = "",
) -> Referral:
    """Refer the case for one service, sharing the chosen fields only."""
    if not policy.can_case(user, "referral.create", case):
        raise NotAllowed(_("Your role does not allow referring this case."))
    receivers = [r for r in (to_team, to_agency, to_point) if r is not None]
    if len(receivers) != 1:
        raise ValidationError(
            {"to": _("Refer to one receiver: a team, an agency or a service point.")}
        )
    if not reason.strip():
        raise ValidationError({"reason": _("Say what the person needs from this service.")})
    unknown = sorted(set(fields) - set(sharing.SHAREABLE))
    if unknown:
        raise ValidationError(
            {"fields": _("These fields cannot be shared: %(f)s.") % {"f": ", ".join(unknown)}}
        )
    if not service.active:
        raise ValidationError({"service": _("This service is no longer offered.")})
    _check_receiver(case, service, to_team, to_agency, to_point)
    override_reason = override_reason.strip()
    consented = has_consent(case.person, ConsentPurpose.REFERRAL)
    if not consented:
        if not override_reason:
            raise MissingConsent(
                _(
                    "The person has not consented to referral. Record their consent first, "
                    "or, if your role allows it, give the reason to refer without it."
                ),
                field="consent",
            )
        if not policy.can_case(user, "referral.override_consent", case):
            raise NotAllowed(
                _("Only a supervisor or a protection officer may refer without consent.")
            )
    elif override_reason:
        override_reason = ""  # consent is there: nothing to override
    referral = Referral.objects.create(
        case=case,
        service=service,
        to_team=to_team,
        to_agency=to_agency,
        to_point=to_point,
        urgent=urgent,
        reason=reason.strip(),
        shared_fields=list(dict.fromkeys(fields)),
        shared=json.dumps(sharing.snapshot(case, list(dict.fromkeys(fields)))),
        consent_override_reason=override_reason,
        due_on=sla.due_date(
            timezone.localdate(), service.due_days, service.urgent_due_days, urgent
        ),
        referred_by=user,
    )
    record_event(
        user,
        "referral.create",
        obj=referral,
        agency_id=case.agency_id,
        details={
            "case": case.pk,
            "service": service.code,
            "to": _receiver_label(referral),
            "fields": referral.shared_fields,
            "consent_override": bool(override_reason),
        },
    )
    if override_reason:
        # The reason may describe the person: the audit keeps that one was given.
        record_event(user, "referral.consent_override", obj=referral, agency_id=case.agency_id)
    return referral


def _check_receiver(case, service, to_team, to_agency, to_point) -> None:
    if to_team is not None and to_team.agency_id != case.agency_id:
        raise ValidationError({"to_team": _("Choose a team of the case's agency.")})
    if to_agency is not None:
        if to_agency.pk == case.agency_id:
            raise ValidationError({"to_agency": _("Within your agency, refer to a team instead.")})
        if not to_agency.is_active:
            raise ValidationError({"to_agency": _("This agency no longer uses Haven.")})
    if to_point is not None:
        if not to_point.active:
            raise ValidationError({"to_point": _("This service point is closed.")})
        if not to_point.services.filter(pk=service.pk).exists():
            raise ValidationError(
                {
                    "to_point": _(
                        "%(point)s does not offer %(service)s: choose another provider "
                        "from the directory."
                    )
                    % {"point": to_point, "service": service}
                }
            )
        refusal = eligibility.refusal(to_point, case)
        if refusal:
            raise ValidationError({"to_point": refusal})


def _receiver_label(referral: Referral) -> str:
    if referral.to_team_id:
        return f"team:{referral.to_team_id}"
    if referral.to_agency_id:
        return f"agency:{referral.to_agency_id}"
    return f"point:{referral.to_point_id}"


@audited
def answer(user, referral: Referral, *, accept: bool, reason: str = "", version: int) -> Referral:
    """The receiving side accepts or declines (with the reason) a pending referral."""
    target = ReferralStatus.ACCEPTED if accept else ReferralStatus.DECLINED
    if not accept and not reason.strip():
        raise ValidationError({"reason": _("Say why the referral is declined.")})
    return _move(user, referral, target, version, decline_reason=reason.strip())


@audited
def progress(user, referral: Referral, *, status: str, outcome: str = "", version: int):
    """The receiving side starts the service, or records whether it was completed."""
    if status not in (
        ReferralStatus.IN_PROGRESS,
        ReferralStatus.COMPLETED,
        ReferralStatus.NOT_COMPLETED,
    ):
        raise ValidationError({"status": _("Choose in progress, completed or not completed.")})
    if status == ReferralStatus.NOT_COMPLETED and not outcome.strip():
        raise ValidationError({"outcome": _("Say why the service was not completed.")})
    return _move(user, referral, status, version, outcome=outcome.strip())


def _move(user, referral: Referral, target: str, version: int, **fields) -> Referral:
    if not policy.can_receive_referral(user, referral):
        raise NotAllowed(_("Only the receiving side can answer this referral."))
    lock_at_version(referral, version)
    allowed = NEXT[ReferralStatus(referral.status)]
    if target not in allowed:
        labels = ", ".join(str(ReferralStatus(s).label) for s in sorted(allowed)) or _("none")
        raise InvalidTransition(
            _("This referral is %(now)s: it can move to %(next)s.")
            % {"now": ReferralStatus(referral.status).label, "next": labels},
            field="status",
        )
    before = referral.status
    referral.status = target
    now = timezone.now()
    if before == ReferralStatus.PENDING:
        referral.answered_by, referral.answered_at = user, now
    if target in (ReferralStatus.DECLINED, ReferralStatus.COMPLETED, ReferralStatus.NOT_COMPLETED):
        referral.closed_at = now
    for name, value in fields.items():
        if value:
            setattr(referral, name, value)
    referral.version += 1
    referral.save()
    record_event(
        user,
        "referral.status",
        obj=referral,
        agency_id=referral.case.agency_id,
        details={"from": before, "to": target},
    )
    return referral


@audited
def record_delivery(
    user,
    case: Case,
    service: ServiceType,
    *,
    delivered_on,
    provider: str = "",
    status: str = DeliveryStatus.DELIVERED,
    cost=None,
    currency: str = "",
    funding_source: str = "",
    notes: str = "",
) -> ServiceDelivery:
    """Record a service given (or planned) for the case's person."""
    if not policy.can_case(user, "case.update", case):
        raise NotAllowed(_("Your role does not allow recording services on this case."))
    errors = {}
    if status not in DeliveryStatus.values:
        errors["status"] = _("Choose planned, delivered or cancelled.")
    if status == DeliveryStatus.DELIVERED and delivered_on > timezone.localdate():
        errors["delivered_on"] = _("A service delivered cannot be dated in the future.")
    if cost is not None and cost < 0:
        errors["cost"] = _("A cost cannot be negative.")
    currency = (currency or "").strip().upper()
    if cost is not None and not currency:
        errors["currency"] = _("Give the currency of the cost (e.g. EUR, USD, XOF).")
    elif currency and currency not in currency_codes():
        errors["currency"] = _("%(c)s is not an ISO 4217 currency code.") % {"c": currency}
    if errors:
        raise ValidationError(errors)
    delivery = ServiceDelivery.objects.create(
        case=case,
        service=service,
        delivered_on=delivered_on,
        provider=provider.strip(),
        status=status,
        cost=cost,
        currency=currency,
        funding_source=funding_source.strip(),
        notes=notes.strip(),
        recorded_by=user,
    )
    record_event(
        user,
        "service_delivery.create",
        obj=delivery,
        agency_id=case.agency_id,
        details={
            "case": case.pk,
            "service": service.code,
            "status": status,
            "cost": str(cost) if cost is not None else None,
            "currency": currency,
            "funding_source": delivery.funding_source,
        },
    )
    return delivery


@audited
def save_directory_entry(user, serializer):
    """Create or change a service type, provider or service point from a validated API
    serializer, within the scope of the user's `service.manage`, audited."""
    if not policy.has_perm(user, "service.manage"):
        raise NotAllowed(_("Your role does not allow managing the service directory."))
    created = serializer.instance is None
    extra = _check_directory_entry(user, serializer.Meta.model, serializer.instance, serializer)
    entry = serializer.save(**extra)
    record_event(
        user,
        f"{entry._meta.model_name}.{'create' if created else 'update'}",
        obj=entry,
        details={"fields": sorted(serializer.validated_data)},
    )
    return entry


TAXONOMY_SHARED = gettext_lazy("The service taxonomy is shared: a system administrator keeps it.")
KEPT_ELSEWHERE = gettext_lazy("This provider is kept by another agency's administrators.")


def may_change_directory_entry(user, entry) -> bool:
    if isinstance(entry, ServiceType):
        return policy.may_manage_service_types(user)
    provider = entry.provider if isinstance(entry, ServicePoint) else entry
    return policy.may_manage_provider(user, provider)


def _check_directory_entry(user, model, instance, serializer) -> dict:
    """Refuse a change outside the user's scope; the fields a new entry gets from it."""
    data = serializer.validated_data
    if model is ServiceType:
        if not policy.may_manage_service_types(user):
            raise NotAllowed(str(TAXONOMY_SHARED))
        return {}
    if instance is not None and not may_change_directory_entry(user, instance):
        raise NotAllowed(str(KEPT_ELSEWHERE))
    if model is ServicePoint:
        provider = data.get("provider")
        if provider is not None and not policy.may_manage_provider(user, provider):
            raise NotAllowed(str(KEPT_ELSEWHERE))
        return {}
    agency = data.get("agency")
    if agency is not None and not policy.covers(user, "service.manage", agency_id=agency.pk):
        raise NotAllowed(_("A provider may be linked only to an agency you manage."))
    return {} if instance is not None else {"maintained_by_id": user.agency_id}


@audited
def import_directory(user, data: bytes) -> directory.ImportResult:
    """Create or update service points from HXL-tagged CSV (all rows or none), within the
    user's scope (providers another agency keeps are refused by line), audited."""
    if not policy.has_perm(user, "service.manage"):
        raise NotAllowed(_("Your role does not allow managing the service directory."))
    result = directory.import_csv(
        data,
        may_change=lambda provider: policy.may_manage_provider(user, provider),
        maintained_by_id=user.agency_id,
    )
    if not result.errors:
        record_event(
            user,
            "service_point.import",
            details={"created": result.created, "updated": result.updated},
        )
    return result


@audited
def send_reminders(today=None) -> list[ReferralReminder]:
    """Remind the people concerned about open referrals due soon or overdue (a system job,
    repeated safely: a reminder owed today is sent once). Mail goes out after commit."""
    today = today or timezone.localdate()
    horizon = today + timedelta(days=sla.DUE_SOON_DAYS)
    candidates = (
        selectors.open_referrals(Referral.objects.filter(due_on__lte=horizon))
        .select_related("case", "service", "answered_by", "referred_by", "to_point__provider")
        .prefetch_related("reminders")
        .order_by("due_on", "id")
    )
    sent = []
    for referral in candidates:
        last: dict = {}
        for reminder in referral.reminders.all():
            last[reminder.kind] = max(last.get(reminder.kind, reminder.sent_on), reminder.sent_on)
        kind = sla.reminder_owed(referral.status, referral.due_on, today, last)
        if kind is None:
            continue
        people = selectors.people_to_remind(referral, kind)
        reminder = ReferralReminder.objects.create(
            referral=referral,
            kind=kind,
            sent_on=today,
            recipients=sum(1 for person in people if person.email),
        )
        record_event(
            None,
            "referral.reminder",
            obj=referral,
            agency_id=referral.case.agency_id,
            details={
                "kind": kind,
                "due_on": referral.due_on.isoformat(),
                "mailed": reminder.recipients,
            },
        )
        transaction.on_commit(partial(mail.send_reminder, referral, kind, people))
        sent.append(reminder)
    return sent


@audited
def print_form(user, referral: Referral) -> bytes:
    """The referral form as PDF, for a provider outside Haven. Only the referring side prints
    it, and printing shares the information again: it needs the person's consent in force
    (unless the referral was made by a recorded override). Audited as an export."""
    case = referral.case
    if not policy.can_case(user, "referral.create", case):
        raise NotAllowed(_("Only the referring side can print this referral."))
    if not referral.consent_override_reason and not has_consent(
        case.person, ConsentPurpose.REFERRAL
    ):
        raise MissingConsent(
            _(
                "The person has withdrawn their consent to referral: this referral's "
                "information can no longer be shared."
            ),
            field="consent",
        )
    pdf = printing.referral_form(referral, user)
    record_event(
        user,
        "referral.print",
        obj=referral,
        agency_id=case.agency_id,
        details={"fields": referral.shared_fields},
    )
    return pdf


# --- assisted voluntary return ----------------------------------------------------------


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
    movement.version += 1
    if code == returns.ORDER[-1]:
        movement.status, movement.completed_on = ReturnStatus.COMPLETED, done_on
    movement.save()
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
    movement.version += 1
    movement.save()
    record_event(
        user,
        "return.withdraw",
        obj=movement,
        agency_id=case.agency_id,
        details={"at_step": movement.withdrawn_at_step},
    )
    return movement


# --- reintegration plans ----------------------------------------------------------------

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
    plan.version += 1
    plan.save()
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
    plan.version += 1
    plan.save()
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
    plan.version += 1
    plan.save()
    record_event(
        user,
        "reintegration_plan.close",
        obj=plan,
        agency_id=plan.case.agency_id,
        details={"status": plan.status},
    )
    return plan

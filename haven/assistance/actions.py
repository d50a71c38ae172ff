"""Referrals (consent-gated, minimum data, the receiving side's workflow), services delivered,
the service directory, reminders and the printable referral form."""

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
    selectors,
    sharing,
    sla,
)
from haven.assistance.models import (
    DeliveryStatus,
    Referral,
    ReferralReminder,
    ReferralStatus,
    ServiceDelivery,
    ServicePoint,
    ServiceType,
)
from haven.audit.actions import audited, record_event
from haven.cases.models import Case
from haven.core.errors import InvalidTransition, MissingConsent, NotAllowed
from haven.core.reference import currency_codes
from haven.core.versioning import lock_at_version, save_versioned
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
    save_versioned(referral, version)
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


def _check_directory_entry(user, model, instance, serializer) -> dict:
    """Refuse a change outside the user's scope; the fields a new entry gets from it."""
    data = serializer.validated_data
    if model is ServiceType:
        if not policy.may_manage_service_types(user):
            raise NotAllowed(str(TAXONOMY_SHARED))
        return {}
    if instance is not None and not selectors.may_change_directory_entry(user, instance):
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


def consent_withdrawn(user, person_id: int, purpose: str) -> None:
    """Subscribed to `hooks.CONSENT_WITHDRAWN`: a person who withdraws their consent to
    referral has what pending referrals shared removed (not merely hidden); a referral made
    by a recorded override, or already taken up, keeps it."""
    if purpose != ConsentPurpose.REFERRAL:
        return
    pending = Referral.objects.filter(
        case__person_id=person_id, status=ReferralStatus.PENDING, consent_override_reason=""
    )
    for referral in pending.select_related("case"):
        if not referral.shared:
            continue
        referral.shared = ""
        referral.unshared_on = timezone.localdate()
        referral.save(update_fields=["shared", "unshared_on"])
        record_event(
            user,
            "referral.unshared",
            obj=referral,
            agency_id=referral.case.agency_id,
            details={"reason": "consent_withdrawn"},
        )

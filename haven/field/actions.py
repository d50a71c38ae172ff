"""Every write to devices and conflicts: enrol, contact, revoke, resolve."""

import base64
import hashlib
import hmac
import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from haven.accounts import policy
from haven.audit.actions import audited, record_event
from haven.cases import actions as case_actions
from haven.cases.models import Case
from haven.core.errors import HavenError, NotAllowed
from haven.core.versioning import lock_latest
from haven.field.models import Conflict, Device, OfflinePick
from haven.people import actions as people_actions


class DeviceGone(HavenError):
    """The device must wipe what it holds: revoked, or its user may no longer work offline."""

    status_code = 410
    code = "wipe"


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def device_settings() -> dict:
    return {
        "lock_minutes": settings.HAVEN_OFFLINE_LOCK_MINUTES,
        "wipe_after_days": settings.HAVEN_OFFLINE_WIPE_DAYS,
    }


@audited
def enrol(user, *, name: str, user_agent: str = "") -> tuple[Device, str]:
    """Enrol a device; returns it and its secret, which is shown this once."""
    if not policy.may_work_offline(user):
        raise NotAllowed(_("Your role does not allow working offline."))
    name = " ".join((name or "").split())
    if not name:
        raise ValidationError({"name": _("Name the device (e.g. 'Tablet, Ventimiglia office').")})
    if len(name) > 100:
        raise ValidationError({"name": _("Keep the device name under 100 characters.")})
    secret = secrets.token_urlsafe(32)
    device = Device.objects.create(
        user=user,
        name=name,
        secret_digest=_digest(secret),
        recovery_key=base64.b64encode(secrets.token_bytes(32)).decode(),
        user_agent=(user_agent or "")[:200],
    )
    record_event(user, "device.enrol", obj=device, agency_id=user.agency_id)
    return device, secret


def parse_header(value: str) -> tuple[int, str] | None:
    """`<id>.<secret>` from the X-Haven-Device header; None when malformed."""
    head, _dot, secret = (value or "").partition(".")
    if not head.isdigit() or len(head) > 18 or not secret or len(secret) > 100:
        return None
    return int(head), secret


def find_device(header: str) -> Device | None:
    """The device that header proves to be, or None (unknown id or wrong secret alike)."""
    parsed = parse_header(header)
    if parsed is None:
        return None
    device = Device.objects.select_related("user").filter(pk=parsed[0]).first()
    if device is None or not hmac.compare_digest(device.secret_digest, _digest(parsed[1])):
        return None
    return device


def wipe_reason(device: Device) -> str:
    """Why the device must wipe its data, or "" when it may keep working."""
    if device.revoked_at:
        return _("This device was revoked.")
    if not device.user.is_active:
        return _("This account was deactivated.")
    if not policy.may_work_offline(device.user):
        return _("Your role no longer allows working offline.")
    return ""


def contact(device: Device, user=None) -> None:
    """Each time a device calls in: note it, and tell it to wipe when it must (DeviceGone).
    `user`, when given, must be the device's own (another account's session cannot use it)."""
    now = timezone.now()
    reason = wipe_reason(device)
    if reason:
        if device.wipe_sent_at is None:
            record_event(
                None,
                "device.wipe_sent",
                obj=device,
                agency_id=device.user.agency_id,
                details={"reason": reason},
            )
        Device.objects.filter(pk=device.pk).update(last_contact_at=now, wipe_sent_at=now)
        raise DeviceGone(reason)
    if user is not None and user.pk != device.user_id:
        raise NotAllowed(_("This device is enrolled to another account: sign in as its user."))
    Device.objects.filter(pk=device.pk).update(last_contact_at=now)


@audited
def recovery_key(user, device: Device) -> str:
    """The key that unlocks the device's data when its passphrase is forgotten: only to the
    device's own user, signed in online, from the device itself."""
    contact(device, user)
    record_event(user, "device.recovery_key", obj=device, agency_id=user.agency_id)
    return device.recovery_key


@audited
def revoke(user, device: Device, reason: str = "") -> Device:
    # One's own device, or one a `field.devices` grant reaches.
    if not policy.may_see_devices_of(user, device.user):
        raise NotAllowed(_("You may not revoke this device."))
    if device.revoked_at:
        raise HavenError(_("This device is already revoked."))
    device.revoked_at, device.revoked_by = timezone.now(), user
    device.revoke_reason = (reason or "").strip()[:300]
    device.save(update_fields=["revoked_at", "revoked_by", "revoke_reason"])
    record_event(
        user,
        "device.revoke",
        obj=device,
        agency_id=device.user.agency_id,
        details={"user": device.user_id},
    )
    return device


@audited
def resolve(user, conflict: Conflict, choice: str) -> Conflict:
    """Keep the server's value, or apply the device's through the normal action."""
    if choice not in Conflict.Choice.values:
        raise ValidationError({"choice": _("Choose which value to keep.")})
    case = conflict.case
    if not policy.can_case(user, "case.update", case):
        raise NotAllowed(_("Only the case owner or a supervisor may resolve this conflict."))
    lock_latest(conflict)
    if conflict.state != Conflict.State.OPEN:
        raise HavenError(_("This conflict was already resolved."))
    if choice == Conflict.Choice.DEVICE:
        value = conflict.device_value.get("v")
        if conflict.record == "person":
            person = case.person
            people_actions.update_person(user, person, {conflict.field: value}, person.version)
        else:
            lock_latest(case)
            case_actions.update_case(user, case, {conflict.field: value}, case.version)
    conflict.state, conflict.chosen = Conflict.State.RESOLVED, choice
    conflict.resolved_by, conflict.resolved_at = user, timezone.now()
    conflict.save(update_fields=["state", "chosen", "resolved_by", "resolved_at"])
    record_event(
        user,
        "conflict.resolve",
        obj=conflict,
        agency_id=case.agency_id,
        details={
            "case": case.pk,
            "record": conflict.record,
            "field": conflict.field,
            "chosen": choice,
        },
    )
    return conflict


@audited
def pick(user, number: str) -> OfflinePick:
    """Take a case of one's scope offline by its number (besides one's own cases)."""
    if not policy.may_work_offline(user):
        raise NotAllowed(_("Your role does not allow working offline."))
    number = (number or "").strip().upper()
    case = Case.objects.filter(policy.case_q(user), number=number).first()
    if case is None:
        raise ValidationError(
            {"number": _("No case %(n)s among the cases you may see.") % {"n": number or "—"}}
        )
    if not Case.objects.filter(policy.offline_case_q(user, [case.pk]), pk=case.pk).exists():
        raise ValidationError(
            {
                "number": _(
                    "Case %(n)s cannot go offline: it is closed, or sensitive and your role "
                    "does not take sensitive cases offline."
                )
                % {"n": number}
            }
        )
    chosen, created = OfflinePick.objects.get_or_create(user=user, case=case)
    if created:
        record_event(user, "offline.pick", obj=case)
    return chosen


@audited
def unpick(user, chosen: OfflinePick) -> None:
    if chosen.user_id != user.pk:
        raise NotAllowed(_("This is not one of your choices."))
    record_event(user, "offline.unpick", obj=chosen.case)
    chosen.delete()

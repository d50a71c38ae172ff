"""What a device sends back: operations made offline, applied through the same actions,
access policy and audit as work done online.

Each operation carries a client-made id (sending it twice applies it once) and, for edits,
the value each field had on the device before the change. A field nobody else changed
takes the device's value; a field someone else changed since becomes a conflict, with both
values kept for the case owner to resolve — never last-write-wins. Notes, services and
access records are added, never merged. Every operation gets an answer: applied,
conflict, refused (with the reason) or waiting (its registration has not arrived yet).
"""

import hashlib
import json
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime

from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.db import IntegrityError, transaction
from django.http import Http404
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from haven.assessments import actions as assessment_actions
from haven.assessments import selectors as assessment_selectors
from haven.assistance import actions as assistance_actions
from haven.assistance.models import ServicePoint, ServiceType
from haven.audit import context as audit_context
from haven.audit.actions import record_access, record_event
from haven.cases import actions as case_actions
from haven.cases import selectors as case_selectors
from haven.cases.models import Case
from haven.cases.workflow import Status
from haven.core.errors import HavenError
from haven.core.models import Location
from haven.core.versioning import lock_latest
from haven.field import device_files
from haven.field.models import Conflict, Device, HeldCase, Operation, OperationStatus
from haven.field.selectors import CASE_FIELDS, PERSON_FIELDS
from haven.people import actions as people_actions
from haven.people.models import ConsentPurpose, LegalBasis
from haven.tracing import dedupe_actions

MAX_OPERATIONS = 200
OFFLINE_VIEWS = {"case.detail", "case.search"}


class Waiting(Exception):
    """The operation names a case whose registration has not arrived: keep it and retry."""


@dataclass
class Outcome:
    status: str
    case: Case | None = None
    reason: str = ""
    ref: str = ""
    result: dict = field(default_factory=dict)
    # (record, field, {"from", "to"} as sent, the server's value) for each conflict
    conflicts: list = field(default_factory=list)


def digest(raw: dict) -> str:
    return hashlib.sha256(
        json.dumps(raw, sort_keys=True, separators=(",", ":"), default=str).encode()
    ).hexdigest()


def push(device: Device, user, operations: list) -> list[dict]:
    """Apply each operation on its own: one refused never stops or undoes the others."""
    return [apply_one(device, user, raw) for raw in operations]


def apply_one(device: Device, user, raw) -> dict:
    if not isinstance(raw, dict):
        return _answer(None, OperationStatus.REFUSED, _("An operation is a JSON object."))
    op_id = _uuid(raw.get("id"))
    if op_id is None:
        return _answer(
            raw.get("id"), OperationStatus.REFUSED, _("An operation needs an id (a UUID).")
        )
    fingerprint = digest(raw)
    existing = Operation.objects.filter(device=device, op_id=op_id).first()
    if existing is not None:
        if existing.digest != fingerprint:
            # Same id, other content: a replay or a tampered copy. The first one stands.
            return _reused_id(op_id)
        if existing.status != OperationStatus.WAITING:
            return _from_stored(existing)
    handler = HANDLERS.get(raw.get("kind"))
    try:
        if handler is None:
            raise ValidationError(_("Unknown kind of operation: %(k)s.") % {"k": raw.get("kind")})
        with audit_context.from_device(device.pk), transaction.atomic():
            outcome = handler(user, device, raw)
            stored = _store(device, op_id, fingerprint, raw, outcome, existing)
        return _from_stored(stored)
    except IntegrityError:
        # The same id arrived twice at once: the other request's answer stands.
        return _already_stored(device, op_id, fingerprint)
    except Waiting as exc:
        outcome = Outcome(OperationStatus.WAITING, reason=str(exc))
    except (Http404, ObjectDoesNotExist):
        outcome = Outcome(
            OperationStatus.REFUSED,
            reason=_(
                "This case is no longer in your caseload (reassigned, transferred, closed or "
                "outside your scope): the change was not applied."
            ),
        )
    except (HavenError, ValidationError) as exc:
        outcome = Outcome(OperationStatus.REFUSED, reason=_message(exc))
    try:
        with audit_context.from_device(device.pk), transaction.atomic():
            return _from_stored(_store(device, op_id, fingerprint, raw, outcome, existing))
    except IntegrityError:
        return _already_stored(device, op_id, fingerprint)


def _already_stored(device, op_id, fingerprint) -> dict:
    """Another request stored this operation id first: its answer, if it is the same
    change; a refusal if the id came with other content."""
    stored = Operation.objects.filter(device=device, op_id=op_id).first()
    if stored is not None and stored.digest == fingerprint:
        return _from_stored(stored)
    return _reused_id(op_id)


def _reused_id(op_id) -> dict:
    return _answer(
        op_id,
        OperationStatus.REFUSED,
        _("This operation id was already used for a different change: not applied."),
    )


def _store(device, op_id, fingerprint, raw, outcome: Outcome, existing) -> Operation:
    values = {
        "kind": str(raw.get("kind", ""))[:30],
        "digest": fingerprint,
        "ref": outcome.ref,
        "status": outcome.status,
        "reason": outcome.reason[:500],
        "case": outcome.case,
        "result": outcome.result,
        "made_at": _when(raw.get("made_at")),
    }
    if existing is not None:
        for name, value in values.items():
            setattr(existing, name, value)
        existing.save()
        op = existing
    else:
        op = Operation.objects.create(device=device, op_id=op_id, **values)
    for record, name, change, server_value in outcome.conflicts:
        conflict = Conflict.objects.create(
            case=outcome.case,
            operation=op,
            record=record,
            field=name,
            base_value={"v": change.get("from")},
            device_value={"v": change["to"]},
            server_value={"v": server_value},
        )
        record_event(
            device.user,
            "conflict.create",
            obj=conflict,
            agency_id=outcome.case.agency_id,
            details={"case": outcome.case.pk, "record": record, "field": name},
        )
    return op


def _from_stored(op: Operation) -> dict:
    return _answer(op.op_id, op.status, op.reason, **op.result)


def _answer(op_id, status: str, reason: str = "", **result) -> dict:
    return {
        "id": str(op_id) if op_id is not None else None,
        "status": status,
        "reason": reason,
        **result,
    }


def _uuid(value) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(value))
    except (ValueError, TypeError):
        return None


def _when(value) -> datetime | None:
    """A time the device gave; one in the future (a wrong clock) is taken as now."""
    moment = parse_datetime(value) if isinstance(value, str) else None
    if moment is None:
        return None
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment, UTC)
    return min(moment, timezone.now())


def _message(exc) -> str:
    if isinstance(exc, ValidationError):
        if hasattr(exc, "error_dict"):
            return " ".join(
                f"{name}: {' '.join(str(m) for m in messages)}"
                for name, messages in exc.message_dict.items()
            )
        return " ".join(str(m) for m in exc.messages)
    return str(exc)


def _case(user, raw, perm: str = "case.view") -> Case:
    """The case an operation names: a server id, or the local reference of a registration
    made on a device of the same user."""
    ref = raw.get("case")
    if isinstance(ref, int) or (isinstance(ref, str) and ref.isdigit() and len(ref) < 19):
        return case_selectors.get_case(user, int(ref), perm)
    if isinstance(ref, str) and ref.startswith("local:"):
        registration = Operation.objects.filter(device__user=user, kind="register", ref=ref).first()
        if registration is None or registration.status == OperationStatus.WAITING:
            raise Waiting(_("Waiting for the registration of this case to arrive."))
        if registration.case_id is None:
            raise ValidationError(
                _("The registration of this case was refused: %(r)s") % {"r": registration.reason}
            )
        return case_selectors.get_case(user, registration.case_id, perm)
    raise ValidationError({"case": _("Name the case by its id or its local reference.")})


# ---- the kinds of operation -------------------------------------------------------------


def _register(user, device, raw) -> Outcome:
    ref = raw.get("ref")
    if not isinstance(ref, str) or not ref.startswith("local:") or len(ref) > 64:
        raise ValidationError({"ref": _("A registration made offline needs its local reference.")})
    person, case = raw.get("person"), raw.get("case_fields")
    if not isinstance(person, dict) or not isinstance(case, dict):
        raise ValidationError(_("A registration needs the person and the case."))
    extra = (set(person) - {*PERSON_FIELDS, "current_location"}) | (
        set(case) - {"programme", *CASE_FIELDS}
    )
    if extra:
        raise ValidationError(
            {name: _("This field cannot be set offline.") for name in sorted(extra)}
        )
    if person.get("current_location"):
        # Picked on the device from the places it took with it: named by code.
        place = Location.objects.filter(code=str(person["current_location"])).first()
        if place is None:
            raise ValidationError(
                {"current_location": _("This place is not in the list of places any more.")}
            )
        person = {**person, "current_location": place}
    else:
        person = {k: v for k, v in person.items() if k != "current_location"}
    new_case = case_actions.register(
        user,
        person=person,
        case=case,
        registration_basis=raw.get("registration_basis") or "consent",
        consent_given=raw.get("consent_given") is True,
    )
    HeldCase.objects.get_or_create(device=device, case=new_case)
    pairs = dedupe_actions.queue_found_at_sync(user, new_case.person)
    duplicates = [
        {
            "pair": pair.pk,
            "person": pair.second_id if pair.first_id == new_case.person_id else pair.first_id,
        }
        for pair in pairs
    ]
    return Outcome(
        OperationStatus.APPLIED,
        case=new_case,
        ref=ref,
        result={
            "case": new_case.pk,
            "number": new_case.number,
            "ref": ref,
            "duplicates": duplicates,
        },
    )


def _current(record, name: str):
    value = getattr(record, name)
    return value.isoformat() if hasattr(value, "isoformat") else value


def _merge(user, raw, record_kind: str) -> Outcome:
    allowed = CASE_FIELDS if record_kind == "case" else PERSON_FIELDS
    changes = raw.get("changes")
    if not isinstance(changes, dict) or not changes:
        raise ValidationError({"changes": _("Say which fields changed, from what and to what.")})
    unknown = [name for name in changes if name not in allowed]
    if unknown or not all(isinstance(c, dict) and "to" in c for c in changes.values()):
        raise ValidationError(
            {
                "changes": _("These fields cannot be changed offline: %(f)s")
                % {"f": ", ".join(unknown) or "?"}
            }
        )
    case = _case(user, raw, "case.update")
    record = case if record_kind == "case" else case.person
    lock_latest(record)
    apply, conflicts = {}, []
    for name, change in changes.items():
        now = _current(record, name)
        if now == change["to"]:
            continue  # already so: nothing to do
        if now == change.get("from"):
            apply[name] = change["to"]
        else:
            conflicts.append((name, change, now))
    if apply and record_kind == "case":
        case_actions.update_case(user, case, apply, case.version)
    elif apply:
        people_actions.update_person(user, record, apply, record.version)
    result = {"case": case.pk, "applied": sorted(apply), "conflicts": [c[0] for c in conflicts]}
    if not conflicts:
        return Outcome(OperationStatus.APPLIED, case=case, result=result)
    return Outcome(
        OperationStatus.CONFLICT,
        case=case,
        reason=_(
            "Someone else changed %(f)s since this device's copy: the case owner "
            "chooses which value to keep."
        )
        % {"f": ", ".join(c[0] for c in conflicts)},
        result=result,
        conflicts=[(record_kind, *c) for c in conflicts],
    )


def _update_case(user, device, raw) -> Outcome:
    return _merge(user, raw, "case")


def _update_person(user, device, raw) -> Outcome:
    return _merge(user, raw, "person")


def _note(user, device, raw) -> Outcome:
    case = _case(user, raw)
    note = case_actions.add_note(user, case, str(raw.get("body", "")))
    return Outcome(OperationStatus.APPLIED, case=case, result={"case": case.pk, "note": note.pk})


def _service(user, device, raw) -> Outcome:
    case = _case(user, raw, "case.update")
    service = ServiceType.objects.filter(code=str(raw.get("service", "")), active=True).first()
    if service is None:
        raise ValidationError({"service": _("This service is not in the directory any more.")})
    delivered_on = raw.get("delivered_on")
    try:
        delivered = datetime.fromisoformat(str(delivered_on)).date()
    except ValueError as exc:
        raise ValidationError({"delivered_on": _("Give the date as YYYY-MM-DD.")}) from exc
    delivery = assistance_actions.record_delivery(
        user,
        case,
        service,
        delivered_on=delivered,
        provider=str(raw.get("provider", "")),
        notes=str(raw.get("notes", "")),
    )
    return Outcome(
        OperationStatus.APPLIED, case=case, result={"case": case.pk, "delivery": delivery.pk}
    )


def _refer(user, device, raw) -> Outcome:
    """A referral queued offline to a service point of the directory; the consent the
    person gave on the spot, if any, is recorded first through the normal action."""
    case = _case(user, raw, "case.view")
    service = ServiceType.objects.filter(code=str(raw.get("service", "")), active=True).first()
    if service is None:
        raise ValidationError({"service": _("This service is not in the directory any more.")})
    point = ServicePoint.objects.filter(pk=_int(raw.get("point"))).first()
    if point is None:
        raise ValidationError({"point": _("This service point is not in the directory any more.")})
    fields = raw.get("fields")
    if not isinstance(fields, list) or not all(isinstance(f, str) for f in fields):
        raise ValidationError({"fields": _("Choose what the referral shares.")})
    if raw.get("consent_given") is True:
        people_actions.record_consent(
            user,
            case.person,
            purpose=ConsentPurpose.REFERRAL,
            legal_basis=LegalBasis.CONSENT,
            given=True,
            decided_on=(_when(raw.get("made_at")) or timezone.now()).date(),
        )
    referral = assistance_actions.refer(
        user,
        case,
        service,
        reason=str(raw.get("reason", "")),
        fields=fields,
        to_point=point,
        urgent=raw.get("urgent") is True,
    )
    return Outcome(
        OperationStatus.APPLIED, case=case, result={"case": case.pk, "referral": referral.pk}
    )


def _int(value) -> int | None:
    return (
        int(value)
        if isinstance(value, int)
        or (isinstance(value, str) and value.isdigit() and len(value) < 19)
        else None
    )


def _transition(user, device, raw) -> Outcome:
    case = _case(user, raw, "case.transition")
    target = str(raw.get("to", ""))
    if target == Status.CLOSED:
        raise ValidationError({"to": _("Close a case online, where its closure can be approved.")})
    lock_latest(case)
    if case.status != target:
        case_actions.transition(user, case, target, case.version)
    return Outcome(OperationStatus.APPLIED, case=case, result={"case": case.pk, "to": target})


def _viewed(user, device, raw) -> Outcome:
    case = _case(user, raw)
    view = raw.get("view")
    if view not in OFFLINE_VIEWS:
        raise ValidationError({"view": _("Unknown view.")})
    record_access(user, f"offline.{view}", case, occurred_at=_when(raw.get("at")))
    return Outcome(OperationStatus.APPLIED, case=case, result={"case": case.pk})


def _assess(user, device, raw) -> Outcome:
    """An assessment filled offline, sent as the XForm instance the engine made. The
    server's engine checks and scores it; answers it refuses stay on the case as a draft."""
    case = _case(user, raw)
    definition = (
        assessment_selectors.definitions_for(user).filter(pk=_int(raw.get("definition"))).first()
    )
    if definition is None:
        raise ValidationError({"definition": _("This assessment form is not available to you.")})
    files = device_files.claim(device, raw.get("files"))
    saved = assessment_actions.fill_from_instance(
        user, case, definition, str(raw.get("instance", "")), files=files
    )
    result = {"case": case.pk, "assessment": saved.assessment.pk}
    if saved.submitted:
        return Outcome(OperationStatus.APPLIED, case=case, result=result)
    if definition.retired:
        reason = _(
            "Version %(v)s of this form was retired while the device held it: the answers are "
            "kept as a draft on the case, to be submitted online."
        ) % {"v": definition.version}
    else:
        reason = _("Not submitted; the answers are kept as a draft on the case: %(p)s") % {
            "p": "; ".join(f"{p.question}: {p.message}" for p in saved.problems[:5])
        }
    return Outcome(OperationStatus.REFUSED, case=case, reason=reason, result=result)


HANDLERS = {
    "register": _register,
    "case.update": _update_case,
    "person.update": _update_person,
    "note.add": _note,
    "service.record": _service,
    "case.transition": _transition,
    "referral.create": _refer,
    "view": _viewed,
    "assessment.submit": _assess,
}

"""Data subjects' requests: recorded, their answers' withholdings decided, and answered with
an encrypted package. Audit events name the request and counts, never personal values."""

import re
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from haven.accounts import policy
from haven.audit.actions import audited, record_access, record_event
from haven.core.archives import MIN_PASSWORD
from haven.core.errors import HavenError, NotAllowed
from haven.oversight import erasure, retention, subject_answers, subject_records
from haven.oversight.models import (
    Decision,
    LegalHold,
    RequestKind,
    RequestStatus,
    RetentionRule,
    SubjectRequest,
    Withholding,
)
from haven.people.models import Person

_RECORD_KEY = re.compile(r"^[a-z]+\.[A-Za-z]+:\d{1,18}$")


def _require(user, person: Person) -> None:
    if subject_records.subject_for(user, person.pk) is None:
        raise NotAllowed(_("You may not answer requests about this person."))


@audited
def record_request(user, person: Person, **data) -> SubjectRequest:
    """A request as received: what, when, how, and how the person's identity was checked;
    due `HAVEN_SUBJECT_REQUEST_DAYS` after it was received."""
    _require(user, person)
    request = SubjectRequest(
        agency_id=user.agency_id or person.agency_id,
        person=person,
        checked_by=user,
        recorded_by=user,
        **data,
    )
    if not (request.identity_checked or "").strip():
        raise ValidationError(
            {"identity_checked": _("Say how the person's identity was checked before answering.")}
        )
    if request.received_on:
        request.due_on = request.received_on + timedelta(days=settings.HAVEN_SUBJECT_REQUEST_DAYS)
    request.full_clean(exclude=["agency", "person", "checked_by", "recorded_by"])
    request.save()
    record_event(
        user,
        "subject.request",
        obj=request,
        details={"person": person.pk, "kind": request.kind, "due_on": request.due_on},
    )
    return request


@audited
def decide(user, request: SubjectRequest, *, record: str, field: str, withhold: bool, reason: str):
    """Withhold one record (or one field of it) from the answer, or release what a rule
    withholds; either way with the reason."""
    _require(user, request.person)
    if request.status != RequestStatus.OPEN:
        raise HavenError(_("This request was answered: its answer can no longer change."))
    if not reason.strip():
        raise ValidationError({"reason": _("Give the reason: the person may ask for it.")})
    if not _RECORD_KEY.match(record) or record not in _held_keys(request):
        raise HavenError(_("That record is not among those held about this person."))
    decision, _created = Withholding.objects.update_or_create(
        request=request,
        record=record,
        field=field,
        defaults={"withhold": withhold, "reason": reason.strip()[:500], "decided_by": user},
    )
    record_event(
        user,
        "subject.withhold" if withhold else "subject.release",
        obj=request,
        details={"record": record, "field": field},
    )
    return decision


def _held_keys(request: SubjectRequest) -> set[str]:
    sections = subject_records.held_records(request.person)
    return {record.key for section in sections for record in section.records}


@audited
def answer(user, request: SubjectRequest, password: str) -> bytes:
    """The answer package (PDF and JSON in an encrypted archive); the request is answered."""
    _require(user, request.person)
    if len(password or "") < MIN_PASSWORD:
        raise ValidationError(
            {
                "password": _("The archive's password needs at least %(n)d characters.")
                % {"n": MIN_PASSWORD}
            }
        )
    package, parts = subject_answers.package(request, password)
    if request.status == RequestStatus.OPEN:
        request.status = RequestStatus.ANSWERED
        request.answered_on = timezone.localdate()
        request.save(update_fields=["status", "answered_on"])
    record_event(
        user,
        "subject.answer",
        obj=request,
        details={
            "person": request.person_id,
            "bytes": len(package),
            "parts": parts,
            "language": request.language,
        },
    )
    record_access(user, "subject.answer", request.person)
    return package


@audited
def place_hold(user, person: Person, *, kind: str, reason: str) -> LegalHold:
    """Nothing about the person is erased while the hold stands."""
    _require(user, person)
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the records must be kept.")})
    hold = LegalHold(person=person, kind=kind, reason=reason.strip()[:500], placed_by=user)
    hold.full_clean(exclude=["person", "placed_by"])
    hold.save()
    record_event(user, "person.hold", obj=person, details={"hold": hold.pk, "kind": kind})
    return hold


@audited
def lift_hold(user, hold: LegalHold, reason: str) -> LegalHold:
    _require(user, hold.person)
    if hold.lifted_at is not None:
        raise HavenError(_("This hold was lifted already."))
    if not reason.strip():
        raise ValidationError({"lift_reason": _("Say why the hold is lifted.")})
    hold.lifted_by, hold.lifted_at = user, timezone.now()
    hold.lift_reason = reason.strip()[:500]
    hold.save(update_fields=["lifted_by", "lifted_at", "lift_reason"])
    record_event(user, "person.hold_lifted", obj=hold.person, details={"hold": hold.pk})
    return hold


@audited
def erase_person(user, person: Person, reason: str, request: SubjectRequest | None = None):
    """Erase the person's identifying data (see erasure.py); refused with every reason that
    stands."""
    _require(user, person)
    return erasure.erase(user, person, reason, request=request)


def _require_retention(user, rule: RetentionRule | None = None) -> None:
    if not policy.has_perm(user, "retention.manage") or (
        rule is not None and rule.agency_id != user.agency_id
    ):
        raise NotAllowed(_("You may not manage this agency's retention rules."))


@audited
def create_rule(user, *, kind: str, programme: str, after_days: int) -> RetentionRule:
    """A new rule, inactive until its first run is approved after a dry run."""
    _require_retention(user)
    rule = RetentionRule(
        agency_id=user.agency_id,
        kind=kind,
        programme=programme,
        after_days=after_days,
        created_by=user,
    )
    rule.full_clean(exclude=["agency", "created_by"])
    retention.check(rule)
    rule.save()
    record_event(
        user,
        "retention.rule",
        obj=rule,
        details={"kind": kind, "programme": programme, "after_days": after_days},
    )
    return rule


@audited
def dry_run(user, rule: RetentionRule):
    _require_retention(user, rule)
    return retention.run(rule, dry_run=True, user=user)


@audited
def approve_rule(user, rule: RetentionRule) -> RetentionRule:
    """The officer saw what the rule removes (a dry run) and lets the daily job apply it."""
    _require_retention(user, rule)
    if not rule.runs.filter(dry_run=True).exists():
        raise HavenError(_("Run the rule dry first, to see what it would remove."))
    rule.approved_by, rule.approved_at = user, timezone.now()
    rule.save(update_fields=["approved_by", "approved_at"])
    record_event(user, "retention.approve", obj=rule, details={"rule": rule.pk})
    return rule


@audited
def deactivate_rule(user, rule: RetentionRule) -> RetentionRule:
    _require_retention(user, rule)
    rule.active = False
    rule.save(update_fields=["active"])
    record_event(user, "retention.deactivate", obj=rule, details={"rule": rule.pk})
    return rule


@audited
def decide_correction(user, request: SubjectRequest, *, decision: str, reason: str):
    """The outcome of a correction request: accepted, partly or refused, with why; the
    corrections themselves are made through the person's and the case's edit pages (each
    in the audit trail, listed on the request's page)."""
    _require(user, request.person)
    if request.kind != RequestKind.RECTIFICATION:
        raise HavenError(_("Only a correction request takes a decision."))
    if request.status != RequestStatus.OPEN:
        raise HavenError(_("This request was answered: its answer can no longer change."))
    if decision not in Decision.values:
        raise ValidationError({"decision": _("Choose accepted, partly accepted or refused.")})
    if decision != Decision.ACCEPTED and not reason.strip():
        raise ValidationError({"reason": _("Say why it was not corrected as asked.")})
    request.decision, request.decision_reason = decision, reason.strip()[:1000]
    request.status, request.answered_on = RequestStatus.ANSWERED, timezone.localdate()
    request.save(update_fields=["decision", "decision_reason", "status", "answered_on"])
    record_event(user, "subject.correction", obj=request, details={"decision": decision})
    return request


@audited
def add_suggested_rules(user) -> list[RetentionRule]:
    """Haven's suggested rules, for every programme, where the agency has none of the kind;
    like any new rule, each waits for its dry run and approval."""
    _require_retention(user)
    have = set(
        RetentionRule.objects.filter(agency_id=user.agency_id, active=True).values_list(
            "kind", flat=True
        )
    )
    return [
        create_rule(user, kind=kind, programme="", after_days=days)
        for kind, days in retention.SUGGESTED
        if kind not in have
    ]

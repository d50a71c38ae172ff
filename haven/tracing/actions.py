"""Every write of tracing: requests, the matches found for them and the caseworkers'
decisions on those, reunification, and the person model recalibrated from the decisions.

Matches are found by the system (after commit, in a task) whenever either side changes:
the request, or a person who may be the one sought.
"""

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from haven.accounts import policy
from haven.audit.actions import audited, record_event
from haven.core.errors import InvalidTransition, MissingConsent, NotAllowed
from haven.core.jobs import after_commit
from haven.core.versioning import audit_changes, lock_at_version, save_versioned
from haven.linkage.validate import check_record
from haven.people.models import ConsentPurpose
from haven.people.selectors import has_consent, visible_persons, with_consent
from haven.tracing import tasks
from haven.tracing.match_keys import store_request_keys
from haven.tracing.models import (
    BestInterests,
    MatchStatus,
    PotentialMatch,
    Reunification,
    TracingRequest,
    TracingStatus,
)
from haven.tracing.selectors import involves_child, sought_record

REQUEST_FIELDS = [
    "relationship",
    "given_name",
    "family_name",
    "other_names",
    "original_script_name",
    "sex",
    "birth_date",
    "birth_date_precision",
    "nationality",
    "last_seen_location",
    "last_seen_place",
    "last_seen_on",
    "separation_cause",
    "circumstances",
]
# Values of these may appear in the audit trail; for the rest only the field name does.
LOGGABLE = {"relationship", "sex", "birth_date_precision", "nationality", "separation_cause"}
TRACING = ConsentPurpose.TRACING


def _event(user, action: str, request: TracingRequest, **details) -> None:
    record_event(user, action, obj=request, agency_id=request.case.agency_id, details=details)


def _require(user, request_or_case) -> None:
    case = getattr(request_or_case, "case", request_or_case)
    if not policy.can_case(user, "tracing.manage", case):
        raise NotAllowed(_("Your role may not manage family tracing for this case."))


def _require_enquirer_consent(case) -> None:
    if not has_consent(case.person, TRACING):
        raise MissingConsent(
            _(
                "The enquirer has not consented to family tracing: record their consent "
                "(Consent tab of the case) first."
            )
        )


def _require_active(request: TracingRequest) -> None:
    if not request.active:
        raise InvalidTransition(
            _("This tracing request is %(status)s: it can no longer change.")
            % {"status": request.get_status_display().lower()}
        )


_ENGINE_FIELDS = {"given_name": "given_name", "family_name": "family_name"}


def _clean(request: TracingRequest) -> None:
    """Every problem at once: the fields' own rules, and whether there is a name to match."""
    errors: dict[str, list] = {}
    try:
        request.full_clean(exclude=["case", "created_by"])
    except ValidationError as exc:
        errors = exc.message_dict
    for name, problem in check_record(sought_record(request)).errors.items():
        if problem.startswith("Give at least"):
            message = _(
                "Give at least a given or a family name of the person sought (or their "
                "name in the original script)."
            )
        else:
            message = _("Too long to be matched: shorten it.")
        errors.setdefault(_ENGINE_FIELDS.get(name, "__all__"), []).append(message)
    if errors:
        raise ValidationError(errors)


def _fields(data: dict) -> dict:
    unknown = set(data) - set(REQUEST_FIELDS)
    if unknown:
        raise ValidationError(dict.fromkeys(sorted(unknown), _("This field cannot be set.")))
    return data


@audited
def open_request(user, case, data: dict) -> TracingRequest:
    """A request by the person of `case` for a relative; matches follow after commit."""
    _require(user, case)
    _require_enquirer_consent(case)
    request = TracingRequest(case=case, created_by=user, **_fields(data))
    _clean(request)
    request.save()
    store_request_keys(request)
    _event(
        user,
        "tracing.open",
        request,
        case=case.pk,
        relationship=request.relationship,
        separation_cause=request.separation_cause,
    )
    after_commit(tasks.refresh_request_matches, request.pk)
    return request


def _snapshot(request: TracingRequest) -> dict:
    return {
        name: getattr(request, name if name != "last_seen_location" else "last_seen_location_id")
        for name in REQUEST_FIELDS
    }


@audited
def update_request(user, request: TracingRequest, data: dict, expected_version: int):
    _require(user, request)
    lock_at_version(request, expected_version)
    _require_active(request)
    before = _snapshot(request)
    for name, value in _fields(data).items():
        setattr(request, name, value)
    _clean(request)
    changes = audit_changes(before, _snapshot(request), LOGGABLE)
    if not changes:
        return request
    save_versioned(request, expected_version, list(data))
    store_request_keys(request)
    _event(user, "tracing.update", request, changes=changes)
    after_commit(tasks.refresh_request_matches, request.pk)
    return request


@audited
def close_request(user, request: TracingRequest, reason: str, expected_version: int):
    """Stop looking (found another way, the enquirer withdrew, no trace after long search)."""
    _require(user, request)
    lock_at_version(request, expected_version)
    _require_active(request)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"closure_reason": _("Say why the request is closed.")})
    request.status, request.closure_reason = TracingStatus.CLOSED, reason[:500]
    save_versioned(request, expected_version, ["status", "closure_reason"])
    _event(user, "tracing.close", request)
    return request


# ---- matches ----------------------------------------------------------------------------


@audited
def decide_match(user, match: PotentialMatch, *, confirm: bool, note: str = "") -> PotentialMatch:
    """A caseworker's judgement: this is (or is not) the person sought. A decision can be
    changed while the request is active; each one is audited and teaches the model."""
    request = match.request
    _require(user, request)
    _require_active(request)
    if not visible_persons(user).filter(pk=match.person_id).exists():
        raise NotAllowed(_("You may not see this person: contact the office that registered them."))
    _require_enquirer_consent(request.case)
    if not with_consent([match.person_id], TRACING):
        raise MissingConsent(_("This person has not consented to family tracing."))
    match.status = MatchStatus.CONFIRMED if confirm else MatchStatus.REJECTED
    match.decided_by, match.decided_at = user, timezone.now()
    match.decision_note = (note or "").strip()[:500]
    match.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
    located = request.matches.filter(status=MatchStatus.CONFIRMED).exists()
    status = TracingStatus.LOCATED if located else TracingStatus.OPEN
    if request.status != status:
        request.status = status
        save_versioned(request, request.version, ["status"])
    _event(
        user,
        "tracing.match_confirm" if confirm else "tracing.match_reject",
        request,
        match=match.pk,
        person=match.person_id,
        probability=round(match.probability, 4),
    )
    after_commit(tasks.recalibrate_model)
    return match


# ---- reunification ----------------------------------------------------------------------


@audited
def reunify(user, request: TracingRequest, match: PotentialMatch, data: dict, version: int):
    """Record the reunification of a located person; for a child, only after a
    best-interests determination found it in the child's best interests."""
    _require(user, request)
    lock_at_version(request, version)
    if request.status != TracingStatus.LOCATED:
        raise InvalidTransition(_("Confirm a match first: reunification follows a location."))
    if match.request_id != request.pk or match.status != MatchStatus.CONFIRMED:
        raise ValidationError({"match": _("Choose a confirmed match of this request.")})
    record = Reunification(request=request, match=match, recorded_by=user, **data)
    record.child_involved = involves_child(request, match.person, on=record.reunified_on)
    record.full_clean(exclude=["request", "match", "recorded_by"])
    if record.child_involved:
        _check_best_interests(record)
    record.save()
    request.status = TracingStatus.REUNIFIED
    save_versioned(request, version, ["status"])
    _event(
        user,
        "tracing.reunify",
        request,
        person=match.person_id,
        arrangement=record.arrangement,
        child=record.child_involved,
        best_interests=record.best_interests,
    )
    return record


def _check_best_interests(record: Reunification) -> None:
    if not (record.best_interests and record.best_interests_on and record.best_interests_by):
        raise ValidationError(
            {
                "best_interests": _(
                    "A child is involved: record the best-interests determination (its "
                    "outcome, date and who made it) before the reunification."
                )
            }
        )
    if record.best_interests == BestInterests.AGAINST:
        raise ValidationError(
            {
                "best_interests": _(
                    "The best-interests determination found reunification is not in the "
                    "child's best interests, so it cannot be recorded: plan another care "
                    "arrangement, or close the request."
                )
            }
        )
    if record.reunified_on and record.best_interests_on > record.reunified_on:
        raise ValidationError(
            {"best_interests_on": _("The determination must come before the reunification.")}
        )

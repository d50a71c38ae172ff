"""Every write to cases: check permission, save atomically, audit."""

from contextlib import nullcontext
from datetime import date

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from haven.accounts import held, policy
from haven.accounts.models import Agency, Office, User
from haven.audit.actions import audited, record_event
from haven.cases import due, numbers, registrations, selectors
from haven.cases.models import (
    Case,
    CaseAssignment,
    CasePlan,
    ClosureReason,
    Flag,
    Note,
    Programme,
    ProgrammeSetting,
    RiskLevel,
    TraffickingProfile,
)
from haven.cases.workflow import Status, check_transition
from haven.core.errors import HavenError, InvalidTransition, MissingConsent, NotAllowed
from haven.core.versioning import audit_changes, lock_at_version, lock_latest, save_versioned
from haven.people import actions as people_actions
from haven.people import match_keys
from haven.people.models import ConsentPurpose, LegalBasis

CASE_FIELDS = [
    "programme",
    "vulnerabilities",
    "risk_level",
    "sensitive",
    "summary",
    "office",
    "assessment_due",
    "plan_due",
    "follow_up_due",
]
CASE_LOGGABLE = set(CASE_FIELDS) - {"summary"}


def require(user, perm: str, case: Case | None = None) -> None:
    allowed = policy.can_case(user, perm, case) if case is not None else policy.has_perm(user, perm)
    if not allowed:
        raise NotAllowed(_("Your role does not allow this on this case."))


def office_for(user, office: Office | None) -> int:
    """The office id for a new case: the one chosen, or the user's first office."""
    if office is None:
        # The user's offices are already read for the access policy; no query here.
        ids = held.holdings(user).office_ids
        if ids:
            return min(ids)
    elif office.agency_id == user.agency_id:
        return office.pk
    raise ValidationError({"office": _("Choose an office of your agency.")})


@audited
def register(
    user,
    *,
    person: dict,
    case: dict,
    registration_basis: str = LegalBasis.CONSENT,
    consent_given: bool = True,
    other_consents: list[dict] | None = None,
    number: str | None = None,
) -> Case:
    """Register a person and open their first case, with the legal basis for registering them."""
    require(user, "case.create")
    if user.agency_id is None:
        raise NotAllowed(_("Only members of an agency can register cases."))
    if registration_basis == LegalBasis.CONSENT and not consent_given:
        raise MissingConsent(
            _(
                "Registration needs the person's consent or another legal basis "
                "(for example vital interest): record one before registering."
            ),
            field="registration_basis",
        )
    if number is not None:
        numbers.check(user.agency, number)
    new_person = people_actions.build_person(user, person)
    case_data = dict(case)
    office_id = office_for(user, case_data.pop("office", None))
    today = timezone.localdate()
    registered_on = case_data.pop("registered_on", None) or today
    new_case = Case(
        agency_id=user.agency_id,
        owner=user,
        office_id=office_id,
        registered_on=registered_on,
        **due_dates_for(registered_on),
        **case_data,
    )
    # Validate everything before writing anything. Foreign keys were set from objects
    # already checked above, so they need no look-ups.
    new_case.full_clean(exclude=["person", "agency", "owner", "office", "number"])
    consents = [
        people_actions.build_consent(
            user,
            new_person,
            purpose=ConsentPurpose.REGISTRATION,
            legal_basis=registration_basis,
            given=consent_given,
            decided_on=today,
        ),
        *(
            people_actions.build_consent(user, new_person, decided_on=today, **consent)
            for consent in other_consents or []
        ),
    ]
    new_case.person = new_person
    keys = match_keys.keys_of_person(new_person)
    if number is None and connection.vendor == "postgresql":
        registrations.insert(new_person, consents, new_case, user.agency, registered_on.year, keys)
    else:
        _save_one_by_one(user, new_person, consents, new_case, number, registered_on.year)
        match_keys.store_keys(new_person, keys)
    for consent in consents:
        people_actions.consent_recorded(user, consent)
    record_event(user, "person.create", obj=new_person)
    record_event(
        user,
        "case.create",
        obj=new_case,
        details={
            "number": new_case.number,
            "programme": new_case.programme,
            "person": new_person.pk,
            "sensitive": new_case.sensitive,
        },
    )
    return new_case


def _save_one_by_one(user, person, consents, case, number, year) -> None:
    """The ORM's way: person, consents, then the number and the case."""
    person.save()
    for consent in consents:
        consent.person = person
        consent.save()
    # The number last: taking it locks the agency's counter until commit, so everything
    # that can be done before is done before.
    case.number = number or numbers.next_number(user.agency, year)
    try:
        # A number given by the caller may clash (the savepoint keeps the transaction usable
        # for the error); one from the counter cannot.
        with transaction.atomic() if number else nullcontext():
            case.save()
    except IntegrityError as exc:
        # The unique (agency, number) constraint: race-free, and the one place it is checked.
        message = _("Case number %(n)s is already used in your agency.") % {"n": case.number}
        raise ValidationError({"number": message}) from exc


def _case_snapshot(case: Case) -> dict:
    return {name: getattr(case, name if name != "office" else "office_id") for name in CASE_FIELDS}


@audited
def update_case(user, case: Case, data: dict, expected_version: int) -> Case:
    require(user, "case.update", case)
    lock_at_version(case, expected_version)
    unknown = set(data) - set(CASE_FIELDS)
    if unknown:
        raise ValidationError({f: _("This field cannot be changed here.") for f in sorted(unknown)})
    if (
        data.get("sensitive") is False
        and case.sensitive
        and not policy.has_perm(user, "case.view_sensitive")
    ):
        raise NotAllowed(_("Only a protection officer may lift the sensitive flag."))
    before = _case_snapshot(case)
    for name, value in data.items():
        setattr(case, name, value)
    if "office" in data and case.office.agency_id != case.agency_id:
        raise ValidationError({"office": _("Choose an office of the case's agency.")})
    case.full_clean(exclude=["person", "number"])
    changes = audit_changes(before, _case_snapshot(case), CASE_LOGGABLE)
    if not changes:
        return case
    save_versioned(case, expected_version, list(data.keys()))
    record_event(user, "case.update", obj=case, details={"changes": changes})
    return case


def follow_assessed_risk(user, case: Case, level: str, *, source) -> bool:
    """Set the case's risk level from an assessment's result (e.g. the highest current
    protection risk). Called inside the assessment's action; applies to the latest version
    of the case, unless a supervisor has set the level. Returns whether the level changed."""
    if level not in RiskLevel.values:
        return False
    lock_latest(case)
    details = {"to": level, "source": source._meta.model_name, "source_id": source.pk}
    if case.risk_overridden_by_id:
        record_event(
            user, "case.risk_level_kept", obj=case, details={**details, "kept": case.risk_level}
        )
        return False
    if case.risk_level == level:
        return False
    before = case.risk_level
    case.risk_level = level
    save_versioned(case, case.version, ["risk_level"])
    record_event(user, "case.risk_level", obj=case, details={"from": before, **details})
    return True


@audited
def override_risk(user, case: Case, level: str, reason: str, expected_version: int) -> Case:
    """A supervisor sets the risk level, with the reason; assessments stop moving it.
    An empty `level` lifts the override (the level stays until the next assessment)."""
    require(user, "case.approve", case)
    lock_at_version(case, expected_version)
    before = {"level": case.risk_level, "overridden": bool(case.risk_overridden_by_id)}
    if level:
        if level not in RiskLevel.values:
            raise ValidationError({"risk_level": _("Choose low, medium, high or critical.")})
        if not reason.strip():
            raise ValidationError({"reason": _("Say why the risk level is set by hand.")})
        case.risk_level, case.risk_override_reason = level, reason.strip()
        case.risk_overridden_by = user
        action = "case.risk_override"
    else:
        if not case.risk_overridden_by_id:
            raise HavenError(_("The risk level is not set by hand."))
        case.risk_override_reason, case.risk_overridden_by = "", None
        action = "case.risk_override_lifted"
    save_versioned(
        case, expected_version, ["risk_level", "risk_override_reason", "risk_overridden_by"]
    )
    # The reason may describe the person's situation: the audit keeps that it was given.
    record_event(user, action, obj=case, details={"from": before, "to": case.risk_level})
    return case


def mark_closed(case: Case, reason: str) -> None:
    if reason not in ClosureReason.values:
        raise ValidationError({"closure_reason": _("Choose why the case is being closed.")})
    case.closure_reason = reason
    case.closed_on = timezone.localdate()


@audited
def transition(
    user,
    case: Case,
    target: str,
    expected_version: int,
    *,
    closure_reason: str = "",
    comment: str = "",
) -> Case:
    """Move the case one step in the workflow, with the checks that step needs."""
    require(user, "case.transition", case)
    lock_at_version(case, expected_version)
    check_transition(case.status, target)
    source = case.status
    if target == Status.IMPLEMENTATION and selectors.approval_needed(case, "plan"):
        plan = CasePlan.objects.filter(case=case).first()
        if plan is None or plan.state != CasePlan.State.APPROVED:
            raise InvalidTransition(
                _("The case plan must be approved by a supervisor before implementation starts."),
                field="to",
            )
    fields = ["status"]
    if target == Status.CLOSED:
        if selectors.approval_needed(case, "closure") and not policy.can_case(
            user, "case.approve", case
        ):
            raise InvalidTransition(
                _(
                    "Closing a case in this programme needs a supervisor's approval: "
                    "request closure instead."
                ),
                field="to",
            )
        mark_closed(case, closure_reason)
        fields += ["closure_reason", "closed_on"]
    elif target == Status.REOPENED:
        case.closure_reason, case.closed_on = "", None
        case.assessment_due = due.due_after(timezone.localdate(), "assessment")
        fields += ["closure_reason", "closed_on", "assessment_due"]
    elif target == Status.FOLLOW_UP:
        case.follow_up_due = due.due_after(timezone.localdate(), "follow_up")
        fields.append("follow_up_due")
    case.status = target
    save_versioned(case, expected_version, fields)
    record_event(
        user,
        "case.transition",
        obj=case,
        details={
            "from": source,
            "to": target,
            "closure_reason": case.closure_reason,
            "comment": comment,
        },
    )
    return case


@audited
def assign(user, case: Case, *, owner: User | None = None, assignees: list[User] | None = None):
    """Set the case owner and/or the assigned users; all must be active users of the agency."""
    require(user, "case.assign", case)
    people = ([owner] if owner else []) + list(assignees or [])
    for person in people:
        if person.agency_id != case.agency_id or not person.is_active:
            raise ValidationError(
                {
                    "assignees": _("%(user)s is not an active user of the case's agency.")
                    % {"user": person}
                }
            )
    details = {}
    if owner is not None:
        lock_latest(case)
    if owner is not None and owner.pk != case.owner_id:
        details["owner"] = {"from": case.owner_id, "to": owner.pk}
        case.owner = owner
        save_versioned(case, case.version, ["owner"])
    if assignees is not None:
        wanted = {u.pk for u in assignees}
        current = set(case.assignments.values_list("user_id", flat=True))
        CaseAssignment.objects.filter(case=case, user_id__in=current - wanted).delete()
        CaseAssignment.objects.bulk_create(
            [CaseAssignment(case=case, user_id=pk, assigned_by=user) for pk in wanted - current]
        )
        if wanted != current:
            details["assigned"] = {
                "added": sorted(wanted - current),
                "removed": sorted(current - wanted),
            }
    if details:
        record_event(user, "case.assign", obj=case, details=details)
    return case


@audited
def add_note(user, case: Case, body: str) -> Note:
    require(user, "note.add", case)
    if not policy.can_see_identity(user):
        raise NotAllowed(_("Your role may not write notes."))
    if not body.strip():
        raise ValidationError({"body": _("The note is empty.")})
    note = Note.objects.create(case=case, author=user, body=body.strip())
    record_event(user, "note.create", obj=case, details={"note": note.pk})
    return note


@audited
def add_flag(user, case: Case, text: str) -> Flag:
    require(user, "case.update", case)
    if not text.strip():
        raise ValidationError({"text": _("Say what the flag is about.")})
    flag = Flag.objects.create(case=case, text=text.strip(), raised_by=user)
    record_event(user, "flag.create", obj=case, details={"flag": flag.pk})
    return flag


@audited
def resolve_flag(user, flag: Flag) -> Flag:
    require(user, "case.update", flag.case)
    if flag.resolved_at is None:
        flag.resolved_at = timezone.now()
        flag.save(update_fields=["resolved_at"])
        record_event(user, "flag.resolve", obj=flag.case, details={"flag": flag.pk})
    return flag


def due_dates_for(registered_on: date) -> dict:
    return {
        "assessment_due": due.due_after(registered_on, "assessment"),
        "plan_due": due.due_after(registered_on, "case_plan"),
    }


TRAFFICKING_FIELDS = [
    "exploitation",
    "means_of_control",
    "labour_exploitation",
    "sex_exploitation",
    "recruitment",
    "country_of_exploitation",
]


@audited
def save_trafficking_profile(user, case: Case, data: dict) -> TraffickingProfile:
    """Record what is known of the trafficking (types of exploitation, means of control,
    recruitment) on a case; the audit keeps which fields changed, not their values."""
    require(user, "case.update", case)
    unknown = set(data) - set(TRAFFICKING_FIELDS)
    if unknown:
        raise ValidationError({f: _("This field cannot be changed here.") for f in sorted(unknown)})
    profile = TraffickingProfile.objects.filter(case=case).first() or TraffickingProfile(case=case)
    before = {name: getattr(profile, name) for name in TRAFFICKING_FIELDS}
    for name, value in data.items():
        setattr(profile, name, value)
    profile.full_clean(exclude=["case"])
    changed = sorted(name for name in TRAFFICKING_FIELDS if getattr(profile, name) != before[name])
    if profile.pk and not changed:
        return profile
    profile.save()
    record_event(user, "case.trafficking_profile", obj=case, details={"changed": changed})
    return profile


@audited
def set_programme_settings(user, agency: Agency, chosen: dict[str, dict]) -> dict:
    """Per programme: whether plans and closures need a supervisor's approval, and the
    MiGOF categories its results are reported under. Audited with what changed."""
    if not policy.may_manage_agency(user, agency.pk):
        raise NotAllowed(_("You may not manage this agency."))
    unknown = sorted(set(chosen) - set(Programme.values))
    if unknown:
        raise ValidationError({p: _("Unknown programme.") for p in unknown})
    changed = {}
    for programme, values in chosen.items():
        setting = ProgrammeSetting.objects.filter(agency=agency, programme=programme).first()
        setting = setting or ProgrammeSetting(agency=agency, programme=programme)
        before = (setting.plan_needs_approval, setting.closure_needs_approval, setting.migof)
        setting.plan_needs_approval = bool(values["plan_needs_approval"])
        setting.closure_needs_approval = bool(values["closure_needs_approval"])
        setting.migof = sorted(values["migof"])
        setting.full_clean(exclude=["agency"])
        after = (setting.plan_needs_approval, setting.closure_needs_approval, setting.migof)
        if after != before:
            setting.save()
            changed[programme] = {
                "plan_needs_approval": after[0],
                "closure_needs_approval": after[1],
                "migof": after[2],
            }
    if changed:
        record_event(user, "programme.settings", obj=agency, details=changed)
    return changed

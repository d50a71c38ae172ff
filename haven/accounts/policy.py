"""The access policy: the one place that answers "may U do A to O?" and "which O may U see?".

A user's roles give named permissions, each with a scope (own/assigned, team, office, agency,
all) relative to the user's own agency, offices and teams. Sensitive cases narrow that: only
their owner, the users assigned to them and the agency's holders of `case.view_sensitive`
see them. Records out of scope are answered with 404 by the selectors.
"""

from collections.abc import Iterable
from typing import Any, Protocol

from django.apps import apps
from django.db.models import Exists, Model, OuterRef, Q, QuerySet

from haven.accounts.held import Actor, holdings
from haven.accounts.models import Role, User
from haven.accounts.permissions import SCOPES


class CaseRecord(Protocol):
    """What the policy reads of a case (cases.models.Case, an app above accounts)."""

    pk: Any
    owner_id: int | None
    agency_id: int
    office_id: int | None
    sensitive: bool
    assignments: Any


class PersonRecord(Protocol):
    """What the policy reads of a person (people.models.Person)."""

    pk: Any
    registered_by_id: int | None
    cases: Any


class ProviderRecord(Protocol):
    """What the policy reads of a service provider (assistance.models.Provider)."""

    agency_id: int | None
    maintained_by_id: int | None


# Feedback categories that allege misconduct by staff: seen only by `feedback.misconduct`.
MISCONDUCT_CATEGORIES = frozenset({"misconduct"})


def _model(label: str) -> type[Model]:
    """A model of an app above accounts, found by its label as a ForeignKey names one: the
    policy rules on every kind of record without importing the apps that hold them."""
    model: type[Model] = apps.get_model(label)
    return model


def has_perm(user: Actor, perm: str) -> bool:
    return bool(holdings(user).by_perm.get(perm))


def holders(perm: str) -> QuerySet[User]:
    """Active users who hold `perm` through any of their roles (roles are few: read in full)."""
    role_ids = [role.pk for role in Role.objects.all() if perm in role.permissions]
    return User.objects.filter(is_active=True, grants__role_id__in=role_ids).distinct()


def scopes(user: Actor, perm: str) -> set[str]:
    return holdings(user).by_perm.get(perm, set())


def widest_scope(user: Actor, perm: str) -> str | None:
    held = scopes(user, perm)
    return max(held, key=SCOPES.index) if held else None


def can_see_identity(user: Actor) -> bool:
    return has_perm(user, "person.view_identifying")


def two_factor_required(user: Actor) -> bool:
    return holdings(user).two_factor_required


def _teammate_ids(user: Actor) -> QuerySet[User, Any]:
    return User.objects.filter(teams__in=holdings(user).team_ids).values("id")


# ---- cases: a queryset filter and the same rule on one object ------------------------------


def _assigned_case_ids(users: Iterable[int] | QuerySet[Any, Any]) -> list[int]:
    assignments = _model("cases.CaseAssignment")
    return list(
        assignments._default_manager.filter(user__in=users).values_list("case_id", flat=True)
    )


def involved_q(user: User) -> Q:
    """Cases the user owns or is assigned to.

    The assigned ids are read first (a short list) so the database can combine two index
    scans instead of testing a subquery on every row of a large table.
    """
    return Q(owner_id=user.pk) | Q(pk__in=_assigned_case_ids([user.pk]))


def case_q(user: User, perm: str = "case.view") -> Q:
    """A filter on Case for the cases `user` may act on with `perm` (empty when none)."""
    if not scopes(user, perm):
        return Q(pk__in=[])
    involved = involved_q(user)
    sensitive_ok = Q(sensitive=False) | involved
    if has_perm(user, "case.view_sensitive"):
        sensitive_ok |= Q(agency_id=user.agency_id)
    return scope_q(user, perm, involved=involved) & sensitive_ok


def scope_q(user: User, perm: str, *, involved: Q | None = None) -> Q:
    """The scope part of the rule alone: for counts in aggregates, where no case is shown."""
    held = scopes(user, perm)
    involved = involved if involved is not None else involved_q(user)
    scope_q = Q(pk__in=[])
    for scope in held:
        if scope == "all":
            scope_q = Q()
            break
        if scope == "agency":
            scope_q |= Q(agency_id=user.agency_id)
        elif scope == "office":
            scope_q |= Q(office_id__in=holdings(user).office_ids)
        elif scope == "team":
            mates = list(_teammate_ids(user).values_list("id", flat=True))
            scope_q |= Q(owner_id__in=mates) | Q(pk__in=_assigned_case_ids(mates))
        elif scope == "own":
            scope_q |= involved
    return scope_q


def can_case(user: User, perm: str, case: CaseRecord) -> bool:
    """The rule of `case_q` on one case already loaded (no query for own/agency/office)."""
    held = scopes(user, perm)
    if not held:
        return False
    assigned = _assigned_ids(case)
    involved = case.owner_id == user.pk or user.pk in assigned
    sensitive_officer = has_perm(user, "case.view_sensitive") and case.agency_id == user.agency_id
    if case.sensitive and not involved and not sensitive_officer:
        return False
    for scope in held:
        if scope == "all":
            return True
        if scope == "agency" and case.agency_id == user.agency_id:
            return True
        if scope == "office" and case.office_id in holdings(user).office_ids:
            return True
        if scope == "own" and involved:
            return True
        if scope == "team":
            mates = set(_teammate_ids(user).values_list("id", flat=True))
            if case.owner_id in mates or mates & assigned:
                return True
    return False


def _assigned_ids(case: CaseRecord) -> set[int]:
    cache = getattr(case, "_prefetched_objects_cache", {})
    if "assignments" in cache:
        return {a.user_id for a in cache["assignments"]}
    return set(case.assignments.values_list("user_id", flat=True))


# ---- people -----------------------------------------------------------------------------


def person_q(user: User, perm: str = "case.view") -> Q:
    """People are seen through their cases, or by whoever registered them."""
    if not scopes(user, perm):
        return Q(pk__in=[])
    visible_cases = _model("cases.Case")._default_manager.filter(
        case_q(user, perm), person=OuterRef("pk")
    )
    # A record merged into another is kept only to undo the merge: nobody sees it.
    return (Q(Exists(visible_cases)) | Q(registered_by_id=user.pk)) & Q(merged_into__isnull=True)


def subject_case_q(user: User) -> Q:
    """A filter on Case for the cases a data-protection request may gather from: within the
    scopes of `subject.access`, sensitive ones included, since a person's request covers
    everything held about them."""
    if not scopes(user, "subject.access"):
        return Q(pk__in=[])
    return scope_q(user, "subject.access")


# ---- feedback, complaints and incidents --------------------------------------------------


def agency_record_q(user: User, perm: str, holder: str) -> Q:
    """Records of an agency (submissions, incidents) within the scopes of `perm`: own/team =
    `holder` (the field naming the user responsible) is the user or a teammate; office = of
    the user's offices, and those of no office (the public form's are every office's to
    take); agency; all."""
    q = Q(pk__in=[])
    for scope in scopes(user, perm):
        if scope == "all":
            return Q()
        if scope == "agency":
            q |= Q(agency_id=user.agency_id)
        elif scope == "office":
            q |= Q(office_id__in=holdings(user).office_ids) | Q(
                office__isnull=True, agency_id=user.agency_id
            )
        elif scope == "team":
            q |= Q(**{f"{holder}_id__in": _teammate_ids(user)})
        elif scope == "own":
            q |= Q(**{f"{holder}_id": user.pk})
    return q


def feedback_scope_q(user: User, perm: str) -> Q:
    """Submissions within the scopes of `perm` (own/team: assigned to the user or a mate)."""
    return agency_record_q(user, perm, "assigned_to")


def feedback_q(user: User) -> Q:
    """A filter on Submission for those `user` may see and handle.

    General feedback and complaints: holders of `feedback.handle` in scope, and overseers
    once a submission has escalated to them. Allegations of misconduct: holders of
    `feedback.misconduct` in scope, nobody else. Never a submission that names the user.
    """
    misconduct = Q(category__in=MISCONDUCT_CATEGORIES)
    visible = Q(pk__in=[])
    if has_perm(user, "feedback.handle"):
        visible |= feedback_scope_q(user, "feedback.handle") & ~misconduct
    if has_perm(user, "feedback.oversee"):
        escalated = Q(escalation_level__gte=2) & ~misconduct
        visible |= feedback_scope_q(user, "feedback.oversee") & escalated
    if has_perm(user, "feedback.misconduct"):
        visible |= feedback_scope_q(user, "feedback.misconduct") & misconduct
    return visible & ~Q(subject_id=user.pk)


def incident_q(user: User, perm: str = "incident.record") -> Q:
    """A filter on Incident within the scopes of `perm` (own/team: recorded by the user or
    a teammate)."""
    return agency_record_q(user, perm, "recorded_by")


# ---- scope on records that are not cases ---------------------------------------------------
# `has_perm` answers "may the user use this feature at all" (menus, page gates). Whether a
# grant reaches one record is `covers`: every scope is honoured for every permission.


def covers(
    user: User,
    perm: str,
    *,
    agency_id: int | None,
    office_ids: Iterable[int] = (),
    holder_id: int | None = None,
) -> bool:
    """Whether a grant of `perm` reaches a record of `agency_id` (of `office_ids`, held by
    `holder_id`): all → any record; agency → a record of the user's agency; office → of
    one of the user's offices; team → held by the user or a teammate; own → held by the
    user. A record of no agency (shared reference data) is reached by "all" alone."""
    held = scopes(user, perm)
    if "all" in held:
        return True
    if agency_id is None or agency_id != getattr(user, "agency_id", None):
        return False
    if "agency" in held:
        return True
    if "office" in held and holdings(user).office_ids & set(office_ids):
        return True
    if holder_id is not None and "own" in held and holder_id == user.pk:
        return True
    if holder_id is not None and "team" in held:
        return holder_id == user.pk or _teammate_ids(user).filter(pk=holder_id).exists()
    return False


def agency_q(user: User, perm: str, field: str = "agency_id") -> Q:
    """Records whose agency a grant of `perm` reaches as a whole (all, or agency)."""
    held = scopes(user, perm)
    if "all" in held:
        return Q()
    if "agency" in held and getattr(user, "agency_id", None) is not None:
        return Q(**{field: user.agency_id})
    return Q(pk__in=[])


# Administration: agencies, their offices, teams and users.


def may_manage_agency(user: User, agency_id: int | None) -> bool:
    """Agency-wide settings (offices, teams, programmes, deadlines): system administrators,
    and holders of `agency.manage` over that whole agency."""
    return covers(user, "system.manage", agency_id=agency_id) or covers(
        user, "agency.manage", agency_id=agency_id
    )


def may_manage_user(user: User, managed: User) -> bool:
    """A user's roles, offices, password and second factor: as `may_manage_agency`, or an
    office-scoped administrator for users of one of their offices."""
    if may_manage_agency(user, managed.agency_id):
        return True
    office_ids = set(managed.offices.values_list("pk", flat=True))
    return covers(user, "agency.manage", agency_id=managed.agency_id, office_ids=office_ids)


# People: edited through a case the user may update, or by whoever registered them.


def may_edit_person(user: User, person: PersonRecord) -> bool:
    if not has_perm(user, "case.update"):
        return False
    if person.registered_by_id == user.pk and not person.cases.exists():
        return True
    return (
        _model("cases.Case")
        ._default_manager.filter(case_q(user, "case.update"), person=person)
        .exists()
    )


# Referrals received: the receiving agency's, by scope; "own" and "team" reach those not yet
# taken by anyone and those the user (or a teammate) answered.


def received_referrals_q(user: User) -> Q:
    held = scopes(user, "referral.receive")
    if not held or getattr(user, "agency_id", None) is None:
        return Q(pk__in=[])
    if "all" in held:
        return Q()
    to_agency = (
        Q(to_agency_id=user.agency_id)
        | Q(to_point__provider__agency_id=user.agency_id)
        | Q(to_team__agency_id=user.agency_id)
    )
    if held & {"agency", "office"}:
        return to_agency
    to_mine = Q(to_team_id__in=holdings(user).team_ids)
    handlers = [user.pk]
    if "team" in held:
        handlers += list(_teammate_ids(user).values_list("id", flat=True))
    return (
        (to_agency & Q(answered_by__isnull=True))
        | to_mine
        | (to_agency & Q(answered_by_id__in=handlers))
    )


def can_receive_referral(user: User, referral: Model) -> bool:
    referrals = type(referral)._default_manager
    return referrals.filter(received_referrals_q(user), pk=referral.pk).exists()


# The service directory: the taxonomy is shared (managed with the "all" scope); a provider is
# managed by the agency that maintains it (or that it is), a service point with its provider.


def may_manage_provider(user: User, provider: ProviderRecord) -> bool:
    agency_id = provider.maintained_by_id or provider.agency_id
    return covers(user, "service.manage", agency_id=agency_id)


def may_manage_service_types(user: User) -> bool:
    return covers(user, "service.manage", agency_id=None)


# Feedback and complaints, one submission.


def can_see_submission(user: User, submission: Model) -> bool:
    return type(submission)._default_manager.filter(feedback_q(user), pk=submission.pk).exists()


# The register of releases, exports and indicator files.


def release_q(user: User, release_model: Any) -> Q:
    """Releases (of `release_model`, whose kinds it names) of the agencies `release.create`
    reaches; one's own exports and indicator files within the scopes of `case.export` and
    `report.view`."""
    held = scopes(user, "release.create")
    visible = agency_q(user, "release.create")
    if held & {"own", "office"}:
        visible |= Q(created_by_id=user.pk)  # a release has no office: one's own
    if "team" in held:
        visible |= Q(created_by_id__in=_teammate_ids(user)) | Q(created_by_id=user.pk)
    own = Q(created_by_id=user.pk, agency_id=user.agency_id)
    if has_perm(user, "case.export"):
        visible |= own & Q(kind__in=release_model.IDENTIFIED_KINDS)
    if has_perm(user, "report.view"):
        visible |= own & Q(kind=release_model.INDICATORS_KIND)
    return visible


def may_handle_release(user: User, release: Any) -> bool:
    """Cancel or download: an identified export, or a file of indicators, is its
    requester's alone; a de-identified release, its agency's releasers'."""
    model = type(release)
    mine = release.created_by_id == user.pk and release.agency_id == user.agency_id
    if release.identified:
        return mine and has_perm(user, "case.export")
    if release.kind == model.INDICATORS_KIND:
        return mine and has_perm(user, "report.view")
    return (
        has_perm(user, "release.create")
        and model.objects.filter(release_q(user, model), pk=release.pk).exists()
    )


# The deduplication of persons: a run reaches the persons of the agencies its starter's
# `person.deduplicate` covers; runs are seen and stopped within the same scope.


def dedupe_job_q(user: User) -> Q:
    return agency_q(user, "person.deduplicate", field="started_by__agency_id")


def dedupe_persons_q(starter: User) -> Q:
    """Persons a run started by `starter` compares: of every agency with the "all" scope,
    else those with a case in, or registered by someone of, the starter's agency."""
    if "all" in scopes(starter, "person.deduplicate"):
        return Q()
    agency_cases = _model("cases.Case")._default_manager.filter(
        agency_id=starter.agency_id, person=OuterRef("pk")
    )
    return Q(Exists(agency_cases)) | Q(registered_by__agency_id=starter.agency_id)


# Field work offline: what a device may hold, and who sees a user's devices.


def may_work_offline(user: User) -> bool:
    return bool(user.is_active) and has_perm(user, "field.offline") and can_see_identity(user)


def offline_case_q(user: User, picked_ids: Iterable[int] = ()) -> Q:
    """The cases a device of `user` may hold: open cases they own, are assigned to or picked,
    within both their case scope and their offline grant; sensitive ones only with
    `field.offline_sensitive`."""
    if not may_work_offline(user):
        return Q(pk__in=[])
    wanted = involved_q(user) | Q(pk__in=list(picked_ids))
    q = case_q(user) & scope_q(user, "field.offline") & wanted & ~Q(status="closed")
    return q if has_perm(user, "field.offline_sensitive") else q & Q(sensitive=False)


def may_see_devices_of(user: User, holder: User) -> bool:
    """A user's own devices; those of users in the scope of a `field.devices` grant."""
    if holder.pk == user.pk:
        return True
    office_ids = {office.pk for office in holder.offices.all()}  # prefetched for lists
    return covers(
        user, "field.devices", agency_id=holder.agency_id, office_ids=office_ids, holder_id=None
    )

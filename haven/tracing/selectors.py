"""Reads for duplicates and tracing, scoped by the access policy: a user sees the likely
duplicates and tracing matches they may see, and for the others only which office to
contact — never a name. Tracing requests are seen through the enquirer's case."""

from dataclasses import dataclass, field
from datetime import date

from django.db.models import Q, prefetch_related_objects
from django.http import Http404

from haven.accounts import policy
from haven.audit.actions import batch, record_access
from haven.cases.models import Case
from haven.people.models import CareStatus, ConsentPurpose, age_on
from haven.people.selectors import has_consent, visible_persons, with_consent
from haven.tracing import matching
from haven.tracing.labels import translated
from haven.tracing.models import (
    DuplicatePair,
    PairStatus,
    PersonMerge,
    PotentialMatch,
    TracingRequest,
    TracingStatus,
)

TRACING = ConsentPurpose.TRACING


@dataclass
class DuplicateCheck:
    visible: list[matching.Match] = field(default_factory=list)
    # "Office (Agency)" of persons the user may not see.
    elsewhere: list[str] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.visible or self.elsewhere)


def likely_duplicates(user, person_data: dict, exclude: set[int] | None = None) -> DuplicateCheck:
    """Persons that are probably the one being registered or edited (before saving)."""
    matches = matching.find(matching.person_record(person_data), exclude)
    if not matches:
        return DuplicateCheck()
    ids = [m.person.pk for m in matches]
    seen = set(visible_persons(user).filter(pk__in=ids).values_list("pk", flat=True))
    check = DuplicateCheck(visible=[m for m in matches if m.person.pk in seen])
    # The warning links every case of each person shown: one query for all of them.
    prefetch_related_objects([m.person for m in check.visible], "cases")
    hidden = [pk for pk in ids if pk not in seen]
    if hidden:
        offices = (
            Case.objects.filter(person_id__in=hidden)
            .values_list("office__name", "agency__name")
            .distinct()
            .order_by("agency__name", "office__name")
        )
        check.elsewhere = [f"{office} ({agency})" for office, agency in offices]
    with batch():  # every person shown logged, in one write
        for match in check.visible:
            record_access(user, "person.duplicate_check", match.person)
    return check


# ---- tracing ----------------------------------------------------------------------------


def sought_record(request) -> dict:
    """The engine's columns for the person a tracing request seeks; the enquirer is one of
    their relatives (a registered relative of the sought person may carry their name)."""
    enquirer = request.case.person
    relative = " ".join(p for p in (enquirer.given_name, enquirer.family_name) if p)
    return matching.person_record(
        {
            "given_name": request.given_name,
            "family_name": request.family_name,
            "original_script_name": request.original_script_name,
            "sex": request.sex,
            "birth_date": request.birth_date,
            "birth_date_precision": request.birth_date_precision,
            "nationalities": [request.nationality] if request.nationality else [],
            "current_location_id": request.last_seen_location_id,
            "relatives": relative or enquirer.original_script_name,
        }
    )


def visible_requests(user, perm: str = "case.view"):
    """Tracing requests are seen (and managed) through the enquirer's case."""
    cases = Case.objects.filter(policy.case_q(user, perm))
    return TracingRequest.objects.filter(case__in=cases).select_related("case__person")


def get_request(user, pk, perm: str = "case.view") -> TracingRequest:
    request = visible_requests(user, perm).filter(pk=pk).first()
    if request is None:
        raise Http404("No such tracing request")
    return request


def search_requests(user, *, status: str = "", text: str = ""):
    found = visible_requests(user)
    if status in TracingStatus.values:
        found = found.filter(status=status)
    text = text.strip()
    if text and policy.can_see_identity(user):
        for word in text.split()[:5]:
            found = found.filter(
                Q(given_name__icontains=word)
                | Q(family_name__icontains=word)
                | Q(original_script_name__icontains=word)
                | Q(case__number__icontains=word)
            )
    return found


def get_match(user, request, pk) -> PotentialMatch:
    match = request.matches.filter(pk=pk).select_related("person").first()
    if match is None:
        raise Http404("No such match")
    match.request = request
    return match


@dataclass
class Matches:
    """What a request's page shows of its matches."""

    enquirer_consent: bool
    # Persons the user may see: named, with the decision buttons.
    shown: list[PotentialMatch] = field(default_factory=list)
    # Persons of other offices or agencies: the score and reasons, and whom to contact.
    elsewhere: list[PotentialMatch] = field(default_factory=list)


def matches_for(user, request) -> Matches:
    """The request's matches that consent allows, each shown as the user's scope allows;
    every person named is written to the access log."""
    enquirer_consent = has_consent(request.case.person, TRACING)
    if not enquirer_consent:
        return Matches(enquirer_consent=False)
    rows = list(request.matches.select_related("person"))
    allowed = with_consent([m.person_id for m in rows], TRACING)
    rows = [m for m in rows if m.person_id in allowed]
    seen = set(
        visible_persons(user)
        .filter(pk__in=[m.person_id for m in rows])
        .values_list("pk", flat=True)
    )
    result = Matches(enquirer_consent=True)
    hidden = [m.person_id for m in rows if m.person_id not in seen]
    contact = _contacts(hidden)
    with batch():  # every person shown logged, in one write
        for match in rows:
            match.reasons = translated(match.explanation) if match.explanation else []
            if match.person_id in seen:
                result.shown.append(match)
                record_access(user, "tracing.match", match.person)
            else:
                match.contact = contact.get(match.person_id, "")
                result.elsewhere.append(match)
    return result


def _contacts(person_ids: list[int]) -> dict[int, str]:
    """ "Office (Agency)" of the first case of each person."""
    found: dict[int, str] = {}
    rows = Case.objects.filter(person_id__in=person_ids).order_by("registered_on", "id")
    for person_id, office, agency in rows.values_list("person_id", "office__name", "agency__name"):
        found.setdefault(person_id, f"{office} ({agency})")
    return found


def involves_child(request, person=None, on: date | None = None) -> bool:
    """Is a child on either side: the enquirer, the person found, or the person sought?"""
    on = on or date.today()
    enquirer = request.case.person
    if enquirer.care_status in (CareStatus.SEPARATED, CareStatus.UNACCOMPANIED):
        return True
    ages = [
        enquirer.age(on),
        person.age(on) if person is not None else None,
        age_on(request.birth_date, on),
    ]
    return any(age is not None and age < 18 for age in ages)


# ---- merges and the deduplication review queue ---------------------------------------


def review_queue(user):
    """Pairs waiting for review whose two persons the user may both see."""
    if not policy.has_perm(user, "person.merge"):
        return DuplicatePair.objects.none()
    visible = visible_persons(user).values("pk")
    return DuplicatePair.objects.filter(
        status=PairStatus.PENDING, first__in=visible, second__in=visible
    ).select_related("first", "second")


def get_pair(user, pk) -> DuplicatePair:
    pair = review_queue(user).filter(pk=pk).first()
    if pair is None:
        raise Http404("No such pair")
    return pair


def get_merge(user, pk) -> PersonMerge:
    """A merge the user may see: its survivor is one of their persons."""
    visible = visible_persons(user).values("pk")
    merge = (
        PersonMerge.objects.filter(pk=pk, survivor__in=visible)
        .select_related("survivor", "merged", "merged_by", "undone_by")
        .first()
    )
    if merge is None:
        raise Http404("No such merge")
    return merge


def pair_for(first_id: int, second_id: int) -> DuplicatePair | None:
    low, high = sorted((first_id, second_id))
    return DuplicatePair.objects.filter(first_id=low, second_id=high).first()

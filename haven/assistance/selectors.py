"""Reads of the directory and of referrals. A referral is seen by the referring side
(through the case's policy) and by the receiving side — who sees the referral and the
fields shared, never the case."""

import json

from django.db.models import Count, Q, Sum
from django.http import Http404

from haven.accounts import policy
from haven.assistance import sla
from haven.assistance.eligibility import refusal
from haven.assistance.models import (
    DeliveryStatus,
    Referral,
    ReferralStatus,
    ServicePoint,
    ServiceType,
)
from haven.cases.models import Case
from haven.people.models import ConsentPurpose
from haven.people.selectors import has_consent


def points(*, service=None, location=None, case=None, text: str = ""):
    """Active service points, by service, place (the location or any place below it),
    and, given a case, those that take its person."""
    found = ServicePoint.objects.filter(active=True).select_related("provider", "location")
    if service is not None:
        found = found.filter(services=service)
    if location is not None:
        found = found.filter(
            Q(location=location)
            | Q(location__parent=location)
            | Q(location__parent__parent=location)
        )
    if text:
        found = found.filter(Q(name__icontains=text) | Q(provider__name__icontains=text))
    found = found.distinct()
    if case is not None:
        return [point for point in found if not refusal(point, case)]
    return list(found)


def received(user):
    return Referral.objects.filter(policy.received_referrals_q(user)).select_related("service")


def _of_visible_cases(records, user):
    """Records that hang off a case, kept to the cases the user may see."""
    return records.filter(case__in=Case.objects.filter(policy.case_q(user)))


def sent(user):
    return _of_visible_cases(Referral.objects.all(), user)


def get_referral(user, pk) -> tuple[Referral, bool]:
    """The referral and whether the user sees it as the receiving side (404 otherwise)."""
    referral = Referral.objects.select_related("case", "service").filter(pk=pk).first()
    if referral is None:
        raise Http404
    if sent(user).filter(pk=pk).exists():
        return referral, False
    if policy.can_receive_referral(user, referral):
        return referral, True
    raise Http404


def shared_with_receiver(referral: Referral) -> dict[str, str]:
    """The fields shared. A pending referral made with consent stops sharing them once the
    person withdraws consent (one made by override stays, as a supervisor decided)."""
    if (
        referral.status == ReferralStatus.PENDING
        and not referral.consent_override_reason
        and not has_consent(referral.case.person, ConsentPurpose.REFERRAL)
    ):
        return {}
    return json.loads(referral.shared or "{}")


def delivery_totals(deliveries) -> list[dict]:
    """Cost of the services delivered, by funding source and currency (never summed across
    currencies)."""
    rows = (
        deliveries.filter(status=DeliveryStatus.DELIVERED, cost__isnull=False)
        .values("funding_source", "currency")
        .annotate(total=Sum("cost"), services=Count("id"))
        .order_by("funding_source", "currency")
    )
    return list(rows)


def open_referrals(referrals):
    return referrals.filter(status__in=sla.OPEN)


def overdue_q(today) -> Q:
    """An open referral past its due date."""
    return Q(status__in=sla.OPEN, due_on__lt=today)


def overdue(referrals, today):
    """Open referrals past their due date, the longest overdue first."""
    return referrals.filter(overdue_q(today)).order_by("due_on", "id")


def people_to_remind(referral: Referral, kind: str) -> list:
    """Who a reminder about this referral goes to. On the receiving side: whoever answered
    it, or while nobody has, those who triage the inbox (holders of `referral.receive` who
    also assign cases, else every holder). The referring caseworker when it is overdue, and
    always when the receiver is outside Haven (nobody else can chase it)."""
    people = {}
    receiving_agency = referral.to_agency_id or (
        referral.to_point.provider.agency_id if referral.to_point_id else None
    )
    if referral.answered_by_id:
        people[referral.answered_by_id] = referral.answered_by
    elif referral.to_team_id or receiving_agency:
        receivers = policy.holders("referral.receive")
        if referral.to_team_id:
            receivers = receivers.filter(teams=referral.to_team_id)
        else:
            receivers = receivers.filter(agency_id=receiving_agency)
        triage = receivers.filter(pk__in=policy.holders("case.assign"))
        for user in triage if triage.exists() else receivers:
            people[user.pk] = user
    outside_haven = referral.to_point_id and receiving_agency is None
    if kind == sla.OVERDUE or outside_haven:
        people[referral.referred_by_id] = referral.referred_by
    return [user for user in people.values() if user.is_active]


BEST_INTERESTS_FORM = "haven_best_interests"
RETURN_RECOMMENDATION = "reunification_origin"


def best_interests_support_return(case) -> bool:
    """Whether the case has a best interests assessment, submitted and signed off, whose
    latest one recommends family reunification in the country of origin."""
    from haven.assessments.models import Assessment, AssessmentStatus
    from haven.cases.models import Approval

    latest = (
        Assessment.objects.filter(
            case=case,
            definition__form_id=BEST_INTERESTS_FORM,
            status=AssessmentStatus.SUBMITTED,
        )
        .order_by("-submitted_at", "-id")
        .first()
    )
    if latest is None or latest.answers.get("recommendation") != RETURN_RECOMMENDATION:
        return False
    decision = latest.approvals.order_by("-requested_at", "-id").values_list("decision", flat=True)
    return decision.first() == Approval.Decision.APPROVED


def returns_of(user):
    """Returns of the cases the user may see."""
    from haven.assistance.models import ReturnMovement

    return _of_visible_cases(ReturnMovement.objects.all(), user)


def get_return(user, pk):
    found = returns_of(user).select_related("case__person").filter(pk=pk).first()
    if found is None:
        raise Http404
    return found


SUSTAINABILITY_FORM = "haven_reintegration_sustainability"


def plans_of(user):
    """Reintegration plans of the cases the user may see (as their lead case)."""
    from haven.assistance.models import ReintegrationPlan

    return _of_visible_cases(ReintegrationPlan.objects.all(), user)


def get_plan(user, pk):
    found = plans_of(user).select_related("case").filter(pk=pk).first()
    if found is None:
        raise Http404
    return found


def plans_for_case(case):
    """The case's own plans and the collective ones it takes part in."""
    from haven.assistance.models import ReintegrationPlan

    return (
        ReintegrationPlan.objects.filter(Q(case=case) | Q(members=case))
        .distinct()
        .select_related("case", "community")
        .prefetch_related("components__service", "members")
        .order_by("-started_on", "-id")
    )


def sustainability_rounds(case) -> list[dict]:
    """The person's reintegration sustainability rounds, oldest first: when, and the
    economic, social, psychosocial and composite scores on 0–1."""
    from haven.assessments.models import Assessment, AssessmentStatus

    rounds = Assessment.objects.filter(
        case=case,
        definition__form_id=SUSTAINABILITY_FORM,
        status=AssessmentStatus.SUBMITTED,
    ).order_by("submitted_at", "id")
    return [
        {
            "assessment": a.pk,
            "submitted_at": a.submitted_at,
            **{
                name: (a.scores.get(name) or {}).get("normalised")
                for name in ("economic", "social", "psychosocial", "composite")
            },
        }
        for a in rounds
    ]


def may_change_directory_entry(user, entry) -> bool:
    if isinstance(entry, ServiceType):
        return policy.may_manage_service_types(user)
    provider = entry.provider if isinstance(entry, ServicePoint) else entry
    return policy.may_manage_provider(user, provider)

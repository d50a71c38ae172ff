"""Reads of feedback and complaints, always through the access policy (404 out of scope)."""

from django.db.models import Q
from django.http import Http404

from haven.accounts import policy
from haven.feedback import codes, escalation
from haven.feedback.models import MISCONDUCT_CATEGORIES, Submission

# Holding any of these opens the feedback inbox (each sees its own part of it).
HANDLING = ("feedback.handle", "feedback.misconduct", "feedback.oversee")


def handles_feedback(user) -> bool:
    return any(policy.has_perm(user, perm) for perm in HANDLING)


def visible(user):
    return Submission.objects.filter(policy.feedback_q(user)).select_related(
        "agency", "office", "assigned_to"
    )


def get_submission(user, pk) -> Submission:
    submission = visible(user).filter(pk=pk).first()
    if submission is None:
        raise Http404
    return submission


def by_code(typed: str) -> Submission | None:
    """The submission a tracking code opens, or None — for a wrong code and a malformed one
    alike, so the answer tells nothing about which codes exist."""
    code = codes.normalise(typed)
    if code is None:
        return None
    return Submission.objects.filter(tracking_digest=codes.digest(code)).first()


def queue_permission(submission: Submission) -> str:
    if submission.category in MISCONDUCT_CATEGORIES:
        return "feedback.misconduct"
    return "feedback.handle"


def overdue_q(now) -> Q:
    """Open submissions past the deadline that counts now (see escalation.missed_deadline)."""
    open_ = Q(status__in=escalation.OPEN)
    unacknowledged = Q(acknowledged_at__isnull=True) & (
        Q(acknowledge_due_at__lte=now) | Q(resolve_due_at__lte=now)
    )
    acknowledged = Q(acknowledged_at__isnull=False, resolve_due_at__lte=now)
    return open_ & (unacknowledged | acknowledged)


def _who_may_see(submission: Submission, perms) -> list:
    candidates = {}
    for perm in perms:
        for user in policy.holders(perm).filter(agency_id=submission.agency_id):
            candidates[user.pk] = user
    return [user for user in candidates.values() if policy.can_see_submission(user, submission)]


def handlers(submission: Submission) -> list:
    """The focal points of the agency who may handle the submission."""
    return _who_may_see(submission, [queue_permission(submission)])


def recipients(submission: Submission, level: int = 0) -> list:
    """Who is told about the submission at this escalation level: the focal points who may
    handle it (the one assigned, until it escalates), then the overseers too."""
    if level == 0 and submission.assigned_to_id:
        return [submission.assigned_to]
    if level >= 2:
        return _who_may_see(submission, [queue_permission(submission), "feedback.oversee"])
    return handlers(submission)


def feedback_on_dashboard(user) -> dict:
    return {"feedback": dashboard_counts(user)}


def dashboard_counts(user) -> dict | None:
    """For the dashboard: what waits for the user's acknowledgement, and what is overdue, of
    the submissions they may handle (None when they handle none)."""
    if not handles_feedback(user):
        return None
    from django.db.models import Count
    from django.utils import timezone

    from haven.feedback.models import Status

    return visible(user).aggregate(
        waiting=Count("id", filter=Q(status=Status.RECEIVED)),
        overdue=Count("id", filter=overdue_q(timezone.now())),
    )

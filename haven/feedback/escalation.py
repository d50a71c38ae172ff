"""When an overdue submission goes up a level (pure: a submission's dates and a clock).

Level 1 as soon as a deadline is missed — to acknowledge while unacknowledged, to resolve
while unresolved: every focal point who may handle it is told, not only the one assigned.
Level 2 once it has been overdue for `grace` more: the agency's overseers are told too.
Resolved and closed submissions never escalate; a level once reached stays (it is history).
"""

from datetime import datetime, timedelta

OPEN = ("received", "acknowledged", "in_progress")


def missed_deadline(status: str, acknowledged: bool, ack_by, resolve_by) -> datetime | None:
    """The deadline that counts now: to acknowledge until acknowledged, then to resolve."""
    if status not in OPEN:
        return None
    if not acknowledged:
        return min(ack_by, resolve_by)
    return resolve_by


def deadline_now(submission) -> datetime | None:
    return missed_deadline(
        submission.status,
        submission.acknowledged_at is not None,
        submission.acknowledge_due_at,
        submission.resolve_due_at,
    )


def is_overdue(submission, now: datetime) -> bool:
    deadline = deadline_now(submission)
    return deadline is not None and now >= deadline


def level_due(submission, now: datetime, grace: timedelta) -> int:
    """The escalation level the submission should be at now."""
    deadline = deadline_now(submission)
    if deadline is None or now < deadline:
        return 0
    return 2 if now >= deadline + grace else 1

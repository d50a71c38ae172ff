"""How long an agency has to acknowledge and to resolve each kind of submission.

Allegations of abuse by staff are acknowledged within a day; a suggestion within a week.
An agency may set its own (DeadlineSetting); a higher priority shortens both.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from haven.feedback.models import Category, Priority

# category: (hours to acknowledge, days to resolve)
DEFAULTS = {
    Category.MISCONDUCT: (24, 30),
    Category.RIGHTS_VIOLATION: (48, 30),
    Category.SERVICE_COMPLAINT: (72, 14),
    Category.INFORMATION: (72, 7),
    Category.FEEDBACK: (168, 30),
}
# A higher priority takes this share of the category's time.
PRIORITY_SHARE = {
    Priority.LOW: 1.0,
    Priority.NORMAL: 1.0,
    Priority.HIGH: 0.5,
    Priority.URGENT: 0.25,
}


@dataclass(frozen=True)
class Deadlines:
    acknowledge_by: datetime
    resolve_by: datetime


def windows(category: str, agency_id: int | None) -> tuple[int, int]:
    """The agency's (hours to acknowledge, days to resolve) for the category."""
    from haven.feedback.models import DeadlineSetting

    own = DeadlineSetting.objects.filter(agency_id=agency_id, category=category).first()
    if own is not None:
        return own.acknowledge_hours, own.resolve_days
    return DEFAULTS[category]


def deadlines(received_at: datetime, priority: str, window: tuple[int, int]) -> Deadlines:
    hours, days = window
    share = PRIORITY_SHARE[priority]
    return Deadlines(
        acknowledge_by=received_at + timedelta(hours=hours * share),
        resolve_by=received_at + timedelta(days=days * share),
    )

"""Service-level rules for referrals, as plain functions of dates: when a referral is due,
whether it is overdue, and which reminder (if any) is owed today.

Kept free of the database so the rules can be tested on their own and read in one place.
"""

from datetime import date, timedelta

OPEN = ("pending", "accepted", "in_progress")

# A reminder that the referral is due soon goes out this many days before it is due, once.
DUE_SOON_DAYS = 2
# While a referral stays overdue, the reminder is repeated this often.
OVERDUE_REPEAT_DAYS = 7

DUE_SOON = "due_soon"
OVERDUE = "overdue"


def due_date(referred_on: date, due_days: int, urgent_due_days: int, urgent: bool) -> date:
    """The day the receiving side should have completed the service by. An urgent referral
    takes the service type's urgent delay when that is the shorter one."""
    days = min(due_days, urgent_due_days) if urgent else due_days
    return referred_on + timedelta(days=days)


def is_open(status: str) -> bool:
    return status in OPEN


def days_overdue(status: str, due_on: date, today: date) -> int:
    """Days past the due date of an open referral (0 when it is not overdue)."""
    if not is_open(status) or today <= due_on:
        return 0
    return (today - due_on).days


def reminder_owed(status: str, due_on: date, today: date, sent: dict[str, date]) -> str | None:
    """The reminder to send today, given the last day each kind was sent (or None).

    Due soon: once, from DUE_SOON_DAYS before the due date. Overdue: the first day after the
    due date, then every OVERDUE_REPEAT_DAYS while the referral stays open.
    """
    if not is_open(status):
        return None
    if today > due_on:
        last = sent.get(OVERDUE)
        if last is None or (today - last).days >= OVERDUE_REPEAT_DAYS:
            return OVERDUE
        return None
    if (due_on - today).days <= DUE_SOON_DAYS and DUE_SOON not in sent:
        return DUE_SOON
    return None

"""Limits on failed sign-ins beyond django-axes' own.

Axes locks one username *from one address* after `AXES_FAILURE_LIMIT` failures, so nobody
elsewhere can lock a colleague out by typing their username wrongly on purpose. Two wider
limits, counted over the same attempts table, stop what that alone would let through:
- one address trying many usernames (password spraying): `HAVEN_LOGIN_ADDRESS_LIMIT`
  failures from an address, whatever the usernames;
- one username tried from many addresses (distributed guessing):
  `HAVEN_LOGIN_USERNAME_LIMIT` failures for a username, whatever the addresses.
Both last as long as axes' cool-off, and an administrator's "unlock" lifts the second.
"""

from axes.helpers import get_client_ip_address
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Sum
from django.utils import timezone


def _failures(**where) -> int:
    since = timezone.now() - settings.AXES_COOLOFF_TIME
    attempts = AccessAttempt.objects.filter(attempt_time__gte=since, **where)
    return attempts.aggregate(n=Sum("failures_since_start"))["n"] or 0


def blocked(request, username: str) -> bool:
    """True when sign-in from this address, or for this username, is paused."""
    address = get_client_ip_address(request)
    if address and _failures(ip_address=address) >= settings.HAVEN_LOGIN_ADDRESS_LIMIT:
        return True
    limit = settings.HAVEN_LOGIN_USERNAME_LIMIT
    return bool(username) and _failures(username=username) >= limit

"""Per-address limits on the public pages, counted in the database every worker shares.

A fixed window per address: the count is raised with one UPDATE (atomic, so concurrent
requests all count) and compared with the limit. Addresses are stored only as a keyed
hash: the table says how busy an address was, never which address it was.
"""

from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.crypto import salted_hmac

from haven.feedback.models import RateBucket


def _key(scope: str, address: str) -> str:
    return salted_hmac("haven.feedback.rate", f"{scope}|{address}").hexdigest()


def _window_start(now: datetime, seconds: int) -> datetime:
    epoch = int(now.timestamp())
    return datetime.fromtimestamp(epoch - epoch % seconds, tz=now.tzinfo)


def allow(scope: str, address: str, *, limit: int, window: int, now=None) -> bool:
    """Count one request from `address`; False once it has made more than `limit` in the
    current window of `window` seconds."""
    now = now or timezone.now()
    key, start = _key(scope, address or "unknown"), _window_start(now, window)
    bucket = RateBucket.objects.filter(key=key, window_start=start)
    with transaction.atomic():
        if not bucket.update(count=F("count") + 1):
            try:
                with transaction.atomic():
                    RateBucket.objects.create(key=key, window_start=start, count=1)
            except IntegrityError:  # another request made it first
                bucket.update(count=F("count") + 1)
        count = bucket.values_list("count", flat=True).get()
    return count <= limit


def purge(now=None, older_than: timedelta = timedelta(days=1)) -> int:
    """Forget windows long past (run with the periodic jobs)."""
    now = now or timezone.now()
    return RateBucket.objects.filter(window_start__lt=now - older_than).delete()[0]

"""What a device takes with it: the cases of its slice that changed since its cursor, in
pages, and — on the last page — the ids it may keep, so it drops every case that left."""

from datetime import datetime

from django.conf import settings
from django.utils import timezone

from haven.audit.actions import batch, record_access
from haven.field import selectors
from haven.field.models import Device, HeldCase


def pull(device: Device, *, since: datetime | None, until: datetime | None, after: int) -> dict:
    """One page. The first page of a round fixes `until`; the device sends it back with the
    next pages and keeps it as its cursor once `more` is false."""
    first_page = until is None
    until = until or timezone.now()
    size = settings.HAVEN_OFFLINE_PAGE
    cases = selectors.changed_cases(device, since, after, size + 1)
    more = len(cases) > size
    cases = cases[:size]
    page = {
        "until": until.isoformat(),
        "more": more,
        "after": cases[-1].pk if cases else after,
        "records": selectors.bundles(cases),
    }
    with batch():
        again = HeldCase.objects.filter(device=device, case__in=cases)
        held = set(again.values_list("case_id", flat=True))
        again.update(sent_at=timezone.now())  # sent again: the device's copy is this one
        HeldCase.objects.bulk_create(
            [HeldCase(device=device, case=case) for case in cases if case.pk not in held]
        )
        for case in cases:  # the person's data now sits on the device: a disclosure
            record_access(device.user, "device.pull", case)
    if first_page:
        page["reference"] = selectors.reference(device.user)
    if not more:
        keep = sorted(selectors.slice_cases(device).values_list("pk", flat=True))
        HeldCase.objects.filter(device=device).exclude(case_id__in=keep).delete()
        page["keep"] = keep
        Device.objects.filter(pk=device.pk).update(
            last_sync_at=timezone.now(), held_cases=len(keep)
        )
    return page

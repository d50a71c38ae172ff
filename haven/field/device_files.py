"""Files a device sends ahead of the operation that names them: a photo, a recording or a
document answering an assessment filled offline.

Each file travels in its own request (a multipart upload, so no JSON body carries it and no
size limit for JSON has to grow), under an id the device chose; sending it again is
harmless. The operation then names its files by those ids; they are handed to the record
they belong to, whose own checks (type read from the bytes, size) decide, and removed.
Files no operation claims are removed after `UNCLAIMED_DAYS`.
"""

import hashlib
import uuid
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from haven.audit.actions import record_event
from haven.core.errors import HavenError
from haven.field.models import Device, DeviceFile

UNCLAIMED_DAYS = 7
MAX_WAITING = 100  # files a device may have sent and not yet claimed
MAX_PER_OPERATION = 20


def _max_bytes() -> int:
    return settings.HAVEN_ATTACHMENT_MAX_BYTES


def _file_id(value) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(value))
    except ValueError:
        return None


def receive(device: Device, user, file_id: str, upload) -> tuple[DeviceFile, bool]:
    """Keep one file the device sent; (the file, whether it is new). The same id sent again
    is the same file (a sync cut after the upload): kept once."""
    parsed = _file_id(file_id)
    if parsed is None:
        raise HavenError(_("A file needs an id (a UUID)."), field="id")
    existing = DeviceFile.objects.filter(device=device, file_id=parsed).first()
    if existing is not None:
        return existing, False
    if upload is None:
        raise HavenError(_("Send the file in the field “file”."), field="file")
    if upload.size > _max_bytes():
        raise HavenError(
            _("The file is %(size)s MB; a file may be at most %(limit)s MB.")
            % {"size": f"{upload.size / 1_048_576:.1f}", "limit": _max_bytes() // 1_048_576},
            field="file",
        )
    if not upload.size:
        raise HavenError(_("The file is empty."), field="file")
    if DeviceFile.objects.filter(device=device).count() >= MAX_WAITING:
        raise HavenError(
            _(
                "This device has sent %(n)s files that no change has claimed yet: send its "
                "waiting changes first."
            )
            % {"n": MAX_WAITING},
            field="file",
        )
    data = upload.read()
    kept = DeviceFile.objects.create(
        device=device,
        file_id=parsed,
        data=data,
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
    )
    record_event(
        user,
        "device.file",
        obj=device,
        agency_id=user.agency_id,
        details={"size": len(data)},
    )
    return kept, True


def claim(device: Device, named) -> list[tuple[str, bytes]]:
    """The files an operation names (`named`: [{"id", "name"}]) that have arrived, as (name,
    bytes), removed from the device's waiting files. One that has not arrived (refused when
    sent) is left out: the record's own check then says its file was not received."""
    if named in (None, ""):
        return []
    if not isinstance(named, list) or len(named) > MAX_PER_OPERATION:
        raise ValidationError(
            {"files": _("files must be a list of at most %(n)s files.") % {"n": MAX_PER_OPERATION}}
        )
    wanted: list[tuple[str, uuid.UUID]] = []
    for item in named:
        file_id = _file_id(item.get("id")) if isinstance(item, dict) else None
        name = item.get("name") if isinstance(item, dict) else None
        if file_id is None or not isinstance(name, str) or not name.strip():
            raise ValidationError({"files": _("Each file needs an id (a UUID) and a name.")})
        wanted.append((name, file_id))
    held = {
        f.file_id: f
        for f in DeviceFile.objects.filter(device=device, file_id__in=[i for _n, i in wanted])
    }
    files = [(name, held[file_id].data) for name, file_id in wanted if file_id in held]
    DeviceFile.objects.filter(pk__in=[f.pk for f in held.values()]).delete()
    return files


def remove_unclaimed(now=None) -> int:
    """Files no operation claimed within `UNCLAIMED_DAYS` (the device was wiped, or its
    change was refused before it named them): removed. Returns how many."""
    cutoff = (now or timezone.now()) - timedelta(days=UNCLAIMED_DAYS)
    removed, _by_model = DeviceFile.objects.filter(received_at__lt=cutoff).delete()
    if removed:
        record_event(None, "device.file.expire", details={"removed": removed})
    return removed

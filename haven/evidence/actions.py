"""Every write of evidence: asking for a de-identified release, making it (a background
job: read, generalise, verify, write, checksum), and letting it expire."""

import csv
import hashlib
import logging
import secrets
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from haven.accounts import policy
from haven.audit.actions import audited, record_event
from haven.core.errors import HavenError, NotAllowed
from haven.core.jobs import Cancelled, advance, after_commit
from haven.evidence import datasets, tasks
from haven.evidence.models import Release, ReleaseStatus
from haven.privacy.kanonymity import Request, RequestError, anonymise
from haven.privacy.verify import verify

logger = logging.getLogger(__name__)
KEEP_FOR = timedelta(days=7)
CONSENT_FILTER = gettext_noop(
    "Only cases whose person's consent for statistics and reporting is in force; "
    "sensitive cases are never released."
)
STAGES = {
    "read": gettext_noop("Reading the cases"),
    "generalise": gettext_noop("Generalising and suppressing"),
    "write": gettext_noop("Writing the file"),
    "done": gettext_noop("Done"),
}


def folder() -> Path:
    path = Path(settings.VAR_DIR) / "releases"
    path.mkdir(parents=True, exist_ok=True)
    return path


@audited
def request_release(
    user,
    *,
    purpose: str,
    fields: list[str],
    k: int,
    suppression_limit: float,
    sensitive: str = "",
    l_diversity: int | None = None,
    seed: int | None = None,
) -> Release:
    """Check everything that can be checked before any work, then queue the job. The
    same parameters and seed over the same cases make the same file (the register keeps
    the seed)."""
    if not policy.has_perm(user, "release.create") or user.agency_id is None:
        raise NotAllowed(_("Your role may not make de-identified releases."))
    purpose = (purpose or "").strip()
    if not purpose:
        raise HavenError(_("Say what the release is for."), field="purpose")
    unknown = [f for f in fields if f not in datasets.FIELDS]
    if not fields or unknown:
        raise HavenError(_("Choose at least one field from the list."), field="fields")
    if not 2 <= k <= 1000:
        raise HavenError(_("k is a whole number from 2 to 1000."), field="k")
    if not 0 <= suppression_limit <= 1:
        raise HavenError(_("The suppression limit is from 0 to 100 %."), field="suppression_limit")
    _check_diversity(fields, sensitive, l_diversity)
    release = Release.objects.create(
        agency_id=user.agency_id,
        created_by=user,
        purpose=purpose[:500],
        fields=[f for f in datasets.FIELDS if f in fields],
        k=k,
        suppression_limit=suppression_limit,
        sensitive=sensitive or "",
        l_diversity=l_diversity,
        seed=secrets.randbelow(2**31) if seed is None else seed,
    )
    record_event(
        user,
        "release.request",
        obj=release,
        agency_id=user.agency_id,
        details={"fields": release.fields, "k": k, "suppression_limit": suppression_limit},
    )
    after_commit(tasks.make_release, release.pk)
    return release


def _check_diversity(fields: list[str], sensitive: str, l_diversity: int | None) -> None:
    if not sensitive and l_diversity is None:
        return
    if sensitive not in datasets.SENSITIVE or l_diversity is None:
        raise HavenError(
            _("For ℓ-diversity choose both the sensitive attribute and ℓ."), field="l_diversity"
        )
    if sensitive in fields:
        raise HavenError(
            _("The sensitive attribute cannot also be one of the fields generalised."),
            field="sensitive",
        )
    if not 2 <= l_diversity <= 20:
        raise HavenError(_("ℓ is a whole number from 2 to 20."), field="l_diversity")


_RUNNING = (ReleaseStatus.QUEUED, ReleaseStatus.RUNNING)


def _progress(release: Release, percent: int, stage: str, **fields) -> None:
    advance(Release, release.pk, _RUNNING, percent, stage, **fields)


@audited
def cancel_release(user, release: Release) -> Release:
    """Stop a release that is not made yet; its job stops at its next step, no file."""
    if not policy.has_perm(user, "release.create") or release.agency_id != user.agency_id:
        raise NotAllowed(_("Your role may not make de-identified releases."))
    if not Release.objects.filter(pk=release.pk, status__in=_RUNNING).update(
        status=ReleaseStatus.CANCELLED, finished_at=timezone.now()
    ):
        raise HavenError(_("This release is no longer running: it cannot be cancelled."))
    record_event(user, "release.cancel", obj=release, agency_id=release.agency_id)
    release.refresh_from_db()
    return release


def make_release(release_id: int) -> Release | None:
    """The job. A failure is recorded with its reason and leaves no file behind."""
    release = Release.objects.filter(pk=release_id, status=ReleaseStatus.QUEUED).first()
    if release is None:
        return None
    _progress(release, 5, STAGES["read"], status=ReleaseStatus.RUNNING)
    partial = folder() / f".{release.file_name}.part"
    released = [*release.fields, *([release.sensitive] if release.sensitive else [])]
    try:
        columns, counts = datasets.records(release.agency_id, released)
        _progress(release, 30, STAGES["generalise"])
        quasi = {name: columns[name] for name in release.fields}
        result = anonymise(
            columns,
            Request(
                list(release.fields),
                datasets.hierarchies(quasi),
                release.k,
                release.suppression_limit,
                sensitive=release.sensitive or None,
                l_diversity=release.l_diversity,
            ),
            seed=release.seed,
        )
        report = result.report
        verdict = verify(
            result.columns,
            release.fields,
            release.k,
            records_in=report.records_in,
            suppression_limit=release.suppression_limit,
            sensitive=release.sensitive or None,
            l_diversity=release.l_diversity,
        )
        if not verdict.ok:
            raise RequestError("The release failed its check: " + " ".join(verdict.problems))
        _progress(release, 80, STAGES["write"])
        checksum = _write(partial, released, result.columns)
        _progress(release, 95, STAGES["write"])
        partial.replace(folder() / release.file_name)
    except Cancelled:
        partial.unlink(missing_ok=True)
        release.refresh_from_db()
        return release
    except Exception as exc:  # noqa: BLE001 - any failure ends the job with its reason
        partial.unlink(missing_ok=True)
        if not isinstance(exc, RequestError):
            logger.exception("Release %s failed", release.pk)
        message = str(exc) if isinstance(exc, RequestError) else _("An unexpected error.")
        try:
            _progress(
                release,
                release.progress,
                release.stage,
                status=ReleaseStatus.FAILED,
                error=message[:500],
                finished_at=timezone.now(),
            )
        except Cancelled:
            pass
        else:
            _finished(release)
        release.refresh_from_db()
        return release
    now = timezone.now()
    try:
        _progress(
            release,
            100,
            STAGES["done"],
            status=ReleaseStatus.DONE,
            rows=report.records_out,
            checksum=checksum,
            report={**report.as_dict(), **counts, "consent_filter": CONSENT_FILTER},
            finished_at=now,
            expires_at=now + KEEP_FOR,
        )
    except Cancelled:  # cancelled at the last moment: the file goes too
        (folder() / release.file_name).unlink(missing_ok=True)
    else:
        _finished(release)
    release.refresh_from_db()
    return release


def _write(path: Path, fields: list[str], columns: dict[str, list]) -> str:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(fields)
        writer.writerows(zip(*(columns[f] for f in fields), strict=True))
    return hashlib.sha256(path.read_bytes()).hexdigest()


@audited
def _finished(release: Release) -> None:
    release.refresh_from_db()
    record_event(
        None,
        "release.fail" if release.status == ReleaseStatus.FAILED else "release.finish",
        obj=release,
        agency_id=release.agency_id,
        details={"rows": release.rows, "checksum": release.checksum, "error": release.error},
    )


def available_file(release: Release) -> Path | None:
    """The release's file while it can be downloaded: made, not expired, still there."""
    path = folder() / release.file_name
    ready = release.status == ReleaseStatus.DONE and release.expires_at is not None
    if ready and release.expires_at >= timezone.now() and path.exists():
        return path
    return None


def downloaded(user, release: Release) -> None:
    record_event(
        user,
        "release.download",
        obj=release,
        agency_id=release.agency_id,
        details={"checksum": release.checksum},
    )


def remove_expired(now=None) -> int:
    """Delete the files of releases past their expiry (the register keeps the record)."""
    now = now or timezone.now()
    removed = 0
    for release in Release.objects.filter(expires_at__lt=now, status=ReleaseStatus.DONE):
        path = folder() / release.file_name
        if path.exists():
            path.unlink()
            removed += 1
    return removed

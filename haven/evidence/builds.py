"""Making a release or an export: the background job behind every request (de-identified
release, CTDC, identified export, indicator file), its progress, its file, and the removal of
files past their expiry. Requests are taken in actions.py; the job runs in tasks.py."""

import hashlib
import logging
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from haven.audit.actions import audited, batch, record_access, record_event
from haven.core import table_exports
from haven.core.jobs import Cancelled, advance
from haven.core.spreadsheets import csv_writer
from haven.evidence import datasets, exports, indicators
from haven.evidence.models import Release, ReleaseKind, ReleaseStatus
from haven.privacy.kanonymity import Request, RequestError, anonymise
from haven.privacy.verify import verify

logger = logging.getLogger(__name__)
KEEP_FOR = timedelta(days=7)
CONSENT_FILTER = gettext_noop(
    "Only cases whose person's consent for statistics and reporting is in force; "
    "sensitive cases are never released."
)
CTDC_FILTER = gettext_noop(
    "Only counter-trafficking cases whose person's consent for statistics and reporting is "
    "in force; sensitive cases are never released."
)
STAGES = {
    "read": gettext_noop("Reading the cases"),
    "count": gettext_noop("Counting"),
    "generalise": gettext_noop("Generalising and suppressing"),
    "write": gettext_noop("Writing the file"),
    "done": gettext_noop("Done"),
}


def folder() -> Path:
    path = Path(settings.VAR_DIR) / "releases"
    path.mkdir(parents=True, exist_ok=True)
    return path


RUNNING = (ReleaseStatus.QUEUED, ReleaseStatus.RUNNING)


def _progress(release: Release, percent: int, stage: str, **fields) -> None:
    advance(Release, release.pk, RUNNING, percent, stage, **fields)


def make_release(release_id: int) -> Release | None:
    """The job, for every kind of release and export. A failure is recorded with its reason
    and leaves no file behind; the archive's password is forgotten however the job ends."""
    release = Release.objects.filter(pk=release_id, status=ReleaseStatus.QUEUED).first()
    if release is None:
        return None
    _progress(release, 5, STAGES["read"], status=ReleaseStatus.RUNNING)
    partial = folder() / f".{release.file_name}.part"
    produce = PRODUCERS.get(release.kind, _deidentified)
    try:
        rows, report = produce(release, partial)
        checksum = hashlib.sha256(partial.read_bytes()).hexdigest()
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
                archive_key="",
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
            rows=rows,
            checksum=checksum,
            report=report,
            finished_at=now,
            expires_at=now + KEEP_FOR,
            archive_key="",
        )
    except Cancelled:  # cancelled at the last moment: the file goes too
        (folder() / release.file_name).unlink(missing_ok=True)
    else:
        _finished(release)
    release.refresh_from_db()
    return release


def _deidentified(release: Release, partial: Path) -> tuple[int, dict]:
    """Read the consenting cases, generalise and suppress, verify, write the CSV."""
    ctdc = release.kind == ReleaseKind.CTDC
    released = [*release.fields, *([release.sensitive] if release.sensitive else [])]
    columns, counts = datasets.records(release.agency_id, released, counter_trafficking=ctdc)
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
    if ctdc:
        header, rows = datasets.ctdc_table(result.columns)
    else:
        header = released
        rows = zip(*(result.columns[f] for f in released), strict=True)
    _write(partial, header, rows)
    consent = CTDC_FILTER if ctdc else CONSENT_FILTER
    return report.records_out, {**report.as_dict(), **counts, "consent_filter": consent}


def _identified(release: Release, partial: Path) -> tuple[int, dict]:
    """The cases the requester may see, as they are, sealed with the password; every case
    exported is written to the access log under the requester's name."""
    user = release.created_by
    cases = list(exports.cases_for(user, release.kind, release.filters))
    _progress(release, 40, STAGES["write"])
    header, rows = exports.table(cases, release.kind, release.fields)
    data = exports.encode(header, rows, release.file_format)
    exports.seal(partial, f"cases.{release.file_format}", data, release.archive_key)
    with batch():
        for case in cases:
            record_access(user, "case.export", case)
    return len(rows), {"records_out": len(rows), "filters": release.filters}


def _indicator_file(release: Release, partial: Path) -> tuple[int, dict]:
    """The indicators for the requester, table by table (each a step of progress)."""
    options, period, _problems = indicators.parse(release.filters)
    done = [0]

    def step():
        done[0] += 1
        _progress(release, 10 + 80 * done[0] // len(indicators.TABLES), STAGES["count"])

    report = indicators.indicators(release.created_by, options, step=step)
    _progress(release, 90, STAGES["write"])
    data, _type = table_exports.render(_("Indicators"), report, period, release.file_format)
    partial.write_bytes(data)
    rows = sum(len(table.rows) for table in table_exports.tables_of(report))
    return rows, {"protected": report.protected, "base": report.base}


PRODUCERS = {
    ReleaseKind.CASE_LIST: _identified,
    ReleaseKind.HTCDS: _identified,
    ReleaseKind.INDICATORS: _indicator_file,
}


def _write(path: Path, header: list[str], rows) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv_writer(handle)
        writer.writerow(header)
        writer.writerows(rows)


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

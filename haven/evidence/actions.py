"""Every write of evidence: asking for a de-identified release, making it (a background
job: read, generalise, verify, write, checksum), and letting it expire."""

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
from haven.audit.actions import audited, batch, record_access, record_event
from haven.cases.models import Programme
from haven.cases.workflow import Status
from haven.core import table_exports
from haven.core.errors import HavenError, NotAllowed
from haven.core.jobs import Cancelled, advance, after_commit
from haven.core.spreadsheets import csv_writer
from haven.evidence import datasets, exports, indicators, tasks
from haven.evidence.models import IDENTIFIED, FileFormat, Release, ReleaseKind, ReleaseStatus
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
EXPORT_FORMATS = (FileFormat.CSV, FileFormat.XLSX, FileFormat.JSON)
INDICATOR_FORMATS = (FileFormat.CSV, FileFormat.XLSX, FileFormat.HXL)
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
    kind: str = ReleaseKind.DEIDENTIFIED,
) -> Release:
    """Check everything that can be checked before any work, then queue the job. The
    same parameters and seed over the same cases make the same file (the register keeps
    the seed). A CTDC-style release has its fields fixed: age, sex, nationality, year and
    the sets of exploitation types and means of control, released as yes/no flags."""
    if not policy.has_perm(user, "release.create") or user.agency_id is None:
        raise NotAllowed(_("Your role may not make de-identified releases."))
    purpose = _purpose(purpose)
    if kind == ReleaseKind.CTDC:
        fields = list(datasets.CTDC_FIELDS)
        if sensitive or l_diversity is not None:
            raise HavenError(
                _("A CTDC-style release has no sensitive attribute: every field is generalised."),
                field="sensitive",
            )
    elif kind != ReleaseKind.DEIDENTIFIED:
        raise HavenError(_("Choose a kind of de-identified release."), field="kind")
    unknown = [f for f in fields if f not in datasets.fields_for(kind)]
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
        kind=kind,
        purpose=purpose,
        fields=[f for f in datasets.fields_for(kind) if f in fields],
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
        details={
            "kind": kind,
            "fields": release.fields,
            "k": k,
            "suppression_limit": suppression_limit,
        },
    )
    after_commit(tasks.make_release, release.pk)
    return release


def _purpose(purpose: str) -> str:
    purpose = (purpose or "").strip()
    if not purpose:
        raise HavenError(_("Say what the release is for."), field="purpose")
    return purpose[:500]


@audited
def request_export(
    user,
    *,
    kind: str,
    purpose: str,
    fields: list[str],
    file_format: str,
    password: str,
    filters: dict | None = None,
) -> Release:
    """An export that names people: checked here, made in the background into a ZIP
    encrypted with the password given (kept encrypted only until the job has used it)."""
    if not policy.has_perm(user, "case.export") or user.agency_id is None:
        raise NotAllowed(_("Your role may not export case lists."))
    if kind not in IDENTIFIED:
        raise HavenError(_("Choose a kind of export."), field="kind")
    purpose = _purpose(purpose)
    columns = exports.columns_for(kind)
    fields = list(columns) if kind == ReleaseKind.HTCDS else [f for f in columns if f in fields]
    if not fields:
        raise HavenError(_("Choose at least one field from the list."), field="fields")
    if any(columns[f].identifying for f in fields) and not policy.can_see_identity(user):
        raise NotAllowed(_("Your role may not see names: leave out the identifying fields."))
    if file_format not in EXPORT_FORMATS:
        raise HavenError(_("Choose CSV, XLSX or JSON."), field="file_format")
    if len(password or "") < exports.MIN_PASSWORD:
        raise HavenError(
            _("The archive's password needs at least %(n)d characters.")
            % {"n": exports.MIN_PASSWORD},
            field="password",
        )
    filters = {name: value for name, value in (filters or {}).items() if value}
    allowed = {"programme": Programme.values, "status": Status.values}
    for name, value in filters.items():
        if value not in allowed.get(name, ()):
            choices = ", ".join(allowed.get(name, ()))
            raise HavenError(_("Choose one of: %(s)s") % {"s": choices}, field=name)
    release = Release.objects.create(
        agency_id=user.agency_id,
        created_by=user,
        kind=kind,
        purpose=purpose,
        fields=fields,
        filters=filters,
        file_format=file_format,
        seed=0,
        archive_key=password,
    )
    record_event(
        user,
        "export.request",
        obj=release,
        agency_id=user.agency_id,
        details={"kind": kind, "fields": fields, "filters": filters, "format": file_format},
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
def request_indicator_file(user, *, params: dict, file_format: str) -> Release:
    """The indicators as a file, made in the background (for large caseloads): the same
    tables, protection and rounding as the page, for the same user."""
    if not policy.has_perm(user, "report.view") or user.agency_id is None:
        raise NotAllowed(_("Your role may not see the indicators."))
    if file_format not in INDICATOR_FORMATS:
        raise HavenError(_("Choose CSV, XLSX or HXL."), field="file_format")
    params = {name: str(params.get(name) or "").strip() for name in indicators.PARAMETERS}
    params = {name: value for name, value in params.items() if value}
    _options, _period, problems = indicators.parse(params)
    if problems:
        raise HavenError(" ".join(problems))
    release = Release.objects.create(
        agency_id=user.agency_id,
        created_by=user,
        kind=ReleaseKind.INDICATORS,
        purpose=_("Indicators"),
        filters=params,
        file_format=file_format,
        seed=0,
    )
    record_event(
        user,
        "report.export",
        obj=release,
        agency_id=user.agency_id,
        details={"report": "indicators", "format": file_format, "filters": params},
    )
    after_commit(tasks.make_release, release.pk)
    return release


@audited
def cancel_release(user, release: Release) -> Release:
    """Stop a release that is not made yet; its job stops at its next step, no file."""
    if not policy.may_handle_release(user, release):
        raise NotAllowed(_("Your role may not make de-identified releases."))
    if not Release.objects.filter(pk=release.pk, status__in=_RUNNING).update(
        status=ReleaseStatus.CANCELLED, finished_at=timezone.now(), archive_key=""
    ):
        raise HavenError(_("This release is no longer running: it cannot be cancelled."))
    record_event(user, "release.cancel", obj=release, agency_id=release.agency_id)
    release.refresh_from_db()
    return release


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
        "export.download" if release.identified else "release.download",
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

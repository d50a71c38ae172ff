"""Every request of evidence: a de-identified release, a CTDC file, an identified export or an
indicator file asked for, checked and queued (builds.py makes it); cancelling; downloads."""

import logging
import secrets

from django.utils import timezone
from django.utils.translation import gettext as _

from haven.accounts import policy
from haven.audit.actions import audited, record_event
from haven.cases.models import Programme
from haven.cases.workflow import Status
from haven.core.archives import MIN_PASSWORD
from haven.core.errors import HavenError, NotAllowed
from haven.core.jobs import after_commit
from haven.evidence import datasets, exports, indicators, tasks
from haven.evidence.builds import RUNNING
from haven.evidence.models import IDENTIFIED, FileFormat, Release, ReleaseKind, ReleaseStatus

logger = logging.getLogger(__name__)
EXPORT_FORMATS = (FileFormat.CSV, FileFormat.XLSX, FileFormat.JSON)
INDICATOR_FORMATS = (FileFormat.CSV, FileFormat.XLSX, FileFormat.HXL)


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
    if len(password or "") < MIN_PASSWORD:
        raise HavenError(
            _("The archive's password needs at least %(n)d characters.") % {"n": MIN_PASSWORD},
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
    if not Release.objects.filter(pk=release.pk, status__in=RUNNING).update(
        status=ReleaseStatus.CANCELLED, finished_at=timezone.now(), archive_key=""
    ):
        raise HavenError(_("This release is no longer running: it cannot be cancelled."))
    record_event(user, "release.cancel", obj=release, agency_id=release.agency_id)
    release.refresh_from_db()
    return release


def downloaded(user, release: Release) -> None:
    record_event(
        user,
        "export.download" if release.identified else "release.download",
        obj=release,
        agency_id=release.agency_id,
        details={"checksum": release.checksum},
    )

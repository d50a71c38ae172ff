"""Recording incidents and rights violations for the internal monitoring mechanism.

An incident holds categories and counts, never names: what happened, when, where, which
category of perpetrator, and how many people of each sex and age band.
"""

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from haven.accounts import policy
from haven.audit.actions import audited, record_event
from haven.core.errors import NotAllowed
from haven.feedback.actions import MAX_TEXT
from haven.feedback.models import (
    AffectedSex,
    AgeBand,
    Category,
    Incident,
    IncidentCount,
    IncidentKind,
    Perpetrator,
)

# Larger than any one incident the mechanism records (a mass expulsion is hundreds).
MAX_AFFECTED = 10_000


def clean_counts(counts: dict[tuple[str, str], int]) -> dict[tuple[str, str], int]:
    """Non-zero counts by (sex, age band), checked; at least one person in all."""
    cleaned, problems = {}, []
    for (sex, band), n in counts.items():
        if sex not in AffectedSex.values or band not in AgeBand.values:
            problems.append(_("Unknown sex or age band: %(s)s, %(b)s.") % {"s": sex, "b": band})
        elif not isinstance(n, int) or n < 0 or n > MAX_AFFECTED:
            problems.append(
                _("Give the number of people as a whole number from 0 to %(max)s.")
                % {"max": MAX_AFFECTED}
            )
        elif n:
            cleaned[(sex, band)] = n
    if not problems and not cleaned:
        problems.append(_("Give the number of people affected: at least one."))
    if problems:
        raise ValidationError({"affected": problems})
    return cleaned


@audited
def record_incident(
    user,
    *,
    kind: str,
    occurred_on,
    perpetrator: str,
    counts: dict[tuple[str, str], int],
    location=None,
    office=None,
    description: str = "",
    source=None,
) -> Incident:
    if not policy.has_perm(user, "incident.record") or user.agency_id is None:
        raise NotAllowed(_("Your role does not allow recording incidents."))
    errors = {}
    if kind not in IncidentKind.values:
        errors["kind"] = _("Choose the type of incident.")
    if perpetrator not in Perpetrator.values:
        errors["perpetrator"] = _("Choose the category of perpetrator (or Unknown).")
    if occurred_on is None:
        errors["occurred_on"] = _("Give the date it happened (or your best estimate).")
    elif occurred_on > timezone.localdate():
        errors["occurred_on"] = _("The date is in the future: give the day it happened.")
    if len(description) > MAX_TEXT:
        errors["description"] = _("Keep this under %(max)s characters.") % {"max": MAX_TEXT}
    if office is not None and office.agency_id != user.agency_id:
        errors["office"] = _("Choose an office of your agency.")
    if source is not None and (
        source.category != Category.RIGHTS_VIOLATION or not policy.can_see_submission(user, source)
    ):
        errors["source"] = _("Only a rights-violation report you handle can be the source.")
    try:
        cleaned = clean_counts(counts)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    incident = Incident.objects.create(
        agency_id=user.agency_id,
        office=office,
        kind=kind,
        occurred_on=occurred_on,
        perpetrator=perpetrator,
        location=location,
        description=description.strip(),
        source=source,
        recorded_by=user,
    )
    IncidentCount.objects.bulk_create(
        IncidentCount(incident=incident, sex=sex, age_band=band, count=n)
        for (sex, band), n in cleaned.items()
    )
    record_event(
        user,
        "incident.recorded",
        obj=incident,
        details={"kind": kind, "perpetrator": perpetrator, "affected": sum(cleaned.values())},
    )
    return incident

"""Erasure of a person's identifying data, keeping what statistics need.

Every kind of record `subject_records.SOURCES` gathers for the person is either deleted
(`DELETED`: contacts, documents, family links, notes, files, matching digests, tracing
matches, conflicts…) or keeps its row with its free text removed: every text and JSON field
without a fixed list of values, except the codes statistics count (`KEPT`: case number,
countries, vulnerability and exploitation codes, scores…). Sex, nationality, programme,
place, dates and statuses stay, so indicators do not change; the date of birth becomes one
that gives the same age at every registration (ages and age bands unchanged), with no
trace of the real day.

Refused while a legal hold stands, a case is open, or a referral is still open — each
reason said. The audit trail holds no personal values (changes name fields, not values), so
it still verifies after an erasure; the erasure itself is recorded (`Erasure`, and the
audit event `person.erase` with counts only).
"""

from collections import Counter
from datetime import date

from django.db import models, transaction
from django.utils.translation import gettext as _

from haven.assistance.models import Referral
from haven.audit.actions import record_event
from haven.cases.models import Case
from haven.cases.workflow import Status
from haven.core.errors import HavenError
from haven.core.fields import EncryptedJSONField
from haven.oversight import subject_records
from haven.oversight.models import Erasure, LegalHold
from haven.people.models import BirthDatePrecision, Person, PersonMatchKey, age_on
from haven.tracing.models import TracingRequestKey

DELETED = {
    "people.Contact",
    "people.IdentityDocument",
    "people.Relationship",
    "people.PersonMatchKey",
    "cases.Note",
    "cases.Flag",
    "assessments.Attachment",
    "tracing.TracingRequestKey",
    "tracing.PotentialMatch",
    "tracing.DuplicatePair",
    "field.Conflict",
}
# Text and JSON fields that hold codes statistics count, never a person's words or names.
KEPT = {
    "number",
    "programme",
    "vulnerabilities",
    "nationalities",
    "languages",
    "nationality",
    "issuing_country",
    "country_of_departure",
    "country_of_return",
    "country_of_exploitation",
    "exploitation",
    "means_of_control",
    "labour_exploitation",
    "sex_exploitation",
    "recruitment",
    "scores",
    "currency",
    "shared_fields",
    "taken_fields",
    "moved",
    "checklist",
    "code",
    "op_id",
    "record",
    "field",
    "counts",
    # Digests and counters, never a value: kept as they are.
    "version",
    "digest",
    "sha256",
    "tracking_digest",
    "intake_token",
    "number_index",
}
# Kept as they are: the person (anonymised below) and the evidence of holds and erasures.
KEPT_RECORDS = {"people.Person", "oversight.LegalHold", "oversight.Erasure"}
OPEN_REFERRALS = ("pending", "accepted", "in_progress")
ERASED_NAME = "—"


def _free_text(field: models.Field) -> bool:
    if field.name in KEPT or field.is_relation or field.choices or field.primary_key:
        return False
    return isinstance(field, models.CharField | models.TextField | models.JSONField)


def _blank(field: models.Field):
    """The empty value of a field: its empty default for JSON (encrypted or not), else ""."""
    if isinstance(field, models.JSONField | EncryptedJSONField):
        return [] if field.default is list else {}
    return ""


def refusals(person: Person) -> list[str]:
    """Why the person's data may not be erased now (empty when it may)."""
    persons = subject_records.person_ids(person)
    reasons = [
        _("A legal hold stands (%(kind)s, placed on %(on)s by %(by)s): %(reason)s")
        % {
            "kind": hold.get_kind_display(),
            "on": f"{hold.placed_at:%Y-%m-%d}",
            "by": hold.placed_by,
            "reason": hold.reason,
        }
        for hold in LegalHold.objects.filter(person_id__in=persons, lifted_at__isnull=True)
    ]
    for case in Case.objects.filter(person_id__in=persons).exclude(status=Status.CLOSED):
        reasons.append(_("Case %(n)s is open: close it first.") % {"n": case.number})
    for referral in Referral.objects.filter(
        case__person_id__in=persons, status__in=OPEN_REFERRALS
    ).select_related("case"):
        reasons.append(
            _("A referral of case %(n)s is still %(status)s: it must be completed or closed.")
            % {"n": referral.case.number, "status": referral.get_status_display()}
        )
    return reasons


def coarsened_birth_date(born: date | None, registered: list[date]) -> date | None:
    """A date of birth giving the same whole age on every date in `registered`: the latest
    such date, whose day and month are a registration's, not the person's."""
    if born is None or not registered:
        return born
    candidates = []
    for on in registered:
        age = age_on(born, on)
        try:
            candidates.append(on.replace(year=on.year - age))
        except ValueError:  # 29 February in a year without one
            candidates.append(on.replace(year=on.year - age, day=28))
    return min(candidates)


@transaction.atomic
def erase(user, person: Person, reason: str, request=None) -> Erasure:
    reasons = refusals(person)
    if reasons:
        raise HavenError(" ".join(reasons))
    if not reason.strip():
        raise HavenError(_("Give the reason for the erasure (a request, a retention rule…)."))
    persons = subject_records.person_ids(person)
    counts: Counter = Counter()
    # The records alone: who changed and saw them stays in the audit trail and access log.
    for section in subject_records.held_records(person, persons):
        label = section.source.label
        if not section.records or label in KEPT_RECORDS:
            continue
        model = section.source.model
        pks = [record.pk for record in section.records]
        if label in DELETED:
            model._default_manager.filter(pk__in=pks).delete()
            counts[f"{label} deleted"] += len(pks)
            continue
        blanked = {f.name: _blank(f) for f in model._meta.concrete_fields if _free_text(f)}
        if blanked:
            model._default_manager.filter(pk__in=pks).update(**blanked)
            counts[f"{label} text removed"] += len(pks)
    # The matching digests of their names, documents and contacts, and of their tracing
    # requests' names (not gathered: nothing readable in them).
    counts["people.PersonMatchKey deleted"] += PersonMatchKey.objects.filter(
        person_id__in=persons
    ).delete()[0]
    counts["tracing.TracingRequestKey deleted"] += TracingRequestKey.objects.filter(
        request__case__person_id__in=persons
    ).delete()[0]
    # Every registration of theirs (a record merged in has no case of its own any more).
    registered = list(
        Case.objects.filter(person_id__in=persons).values_list("registered_on", flat=True)
    )
    for one in Person.objects.filter(pk__in=persons):
        blanked = {f.name: _blank(f) for f in Person._meta.concrete_fields if _free_text(f)}
        blanked.update(
            given_name=ERASED_NAME,
            birth_date=coarsened_birth_date(one.birth_date, registered),
            birth_date_precision=BirthDatePrecision.ESTIMATED,
        )
        Person.objects.filter(pk=one.pk).update(**blanked)
        counts["people.Person text removed"] += 1
    erasure = Erasure.objects.create(
        person=person, request=request, reason=reason.strip()[:500], erased_by=user, counts=counts
    )
    record_event(user, "person.erase", obj=person, details={"counts": dict(counts)})
    return erasure

"""Everything Haven holds about one person, for their data-protection requests.

`SOURCES` names every kind of record that belongs to a person, directly or through one of
their cases, and how to reach the person from it; `NOT_GATHERED` names the few that hold
nothing a person could read (keyed digests, counts) and says why. A test walks every model
that points at a person or a case and fails on one in neither list, so a new kind of record
cannot be left out of a subject-access answer unnoticed.

Records are shown field by field as they are stored (encrypted fields decrypted), without
the internal digests and counters that mean nothing to the person.
"""

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from django.apps import apps
from django.db.models import Model, Q
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from haven.audit.models import AccessLog, AuditEvent
from haven.cases.models import Case
from haven.evidence.models import Release, ReleaseKind, ReleaseStatus
from haven.people.models import Person


@dataclass(frozen=True)
class Source:
    label: str  # "app.Model"
    title: Promise | str
    # Lookups from the record to the person ("" for the person itself); a record reached
    # by any of them is gathered.
    paths: tuple[str, ...]

    @property
    def model(self) -> type[Model]:
        return apps.get_model(self.label)


SOURCES = (
    Source("people.Person", _("Person"), ("",)),
    Source("people.Contact", _("Contacts"), ("person",)),
    Source("people.IdentityDocument", _("Identity documents"), ("person",)),
    Source("people.Relationship", _("Relatives"), ("person", "relative")),
    Source("people.Consent", _("Consents and their history"), ("person",)),
    Source("cases.Case", _("Cases"), ("person",)),
    Source("cases.CaseAssignment", _("Assignments"), ("case__person",)),
    Source("cases.TraffickingProfile", _("Trafficking profile"), ("case__person",)),
    Source("cases.CasePlan", _("Case plans"), ("case__person",)),
    Source("cases.PlanAction", _("Case plan actions"), ("plan__case__person",)),
    Source("cases.Approval", _("Approvals"), ("case__person",)),
    Source("cases.Note", _("Notes"), ("case__person",)),
    Source("cases.Flag", _("Flags"), ("case__person",)),
    Source("cases.Transfer", _("Transfers between agencies"), ("case__person",)),
    Source("assessments.Assessment", _("Assessments and their answers"), ("case__person",)),
    Source("assessments.Attachment", _("Files of assessments"), ("assessment__case__person",)),
    Source("assistance.Referral", _("Referrals and what each shared"), ("case__person",)),
    Source("assistance.ReferralReminder", _("Referral reminders"), ("referral__case__person",)),
    Source("assistance.ServiceDelivery", _("Services"), ("case__person",)),
    Source("assistance.ReturnMovement", _("Returns"), ("case__person",)),
    Source("assistance.ReturnStep", _("Steps of returns"), ("movement__case__person",)),
    Source("assistance.ReintegrationPlan", _("Reintegration plans"), ("case__person",)),
    Source(
        "assistance.ReintegrationComponent",
        _("Parts of reintegration plans"),
        ("plan__case__person",),
    ),
    Source("tracing.TracingRequest", _("Tracing requests they made"), ("case__person",)),
    Source(
        "tracing.PotentialMatch",
        _("Tracing matches (as enquirer and as the person sought)"),
        ("request__case__person", "person"),
    ),
    Source("tracing.Reunification", _("Reunifications"), ("request__case__person",)),
    Source("tracing.PersonMerge", _("Merges of their records"), ("survivor", "merged")),
    Source("tracing.DuplicatePair", _("Possible duplicates reviewed"), ("first", "second")),
    Source("feedback.Submission", _("Feedback and complaints on their case"), ("case__person",)),
    Source(
        "feedback.Incident", _("Incidents reported from that feedback"), ("source__case__person",)
    ),
    Source("field.HeldCase", _("Devices that held their case offline"), ("case__person",)),
    Source("field.Operation", _("Changes made offline"), ("case__person",)),
    Source("field.Conflict", _("Offline changes in conflict"), ("case__person",)),
    Source("field.OfflinePick", _("Taken offline by a colleague"), ("case__person",)),
)

NOT_GATHERED = {
    "people.PersonMatchKey": _(
        "Keyed digests of the person's names, documents and contacts, made from the records "
        "above for matching; no value can be read back from them."
    ),
    "tracing.TracingRequestKey": _(
        "Keyed digests of the tracing request's names, made from the request above for "
        "matching; no value can be read back from them."
    ),
    "feedback.IncidentCount": _(
        "How many people an incident affected, by sex and age band: no one is named."
    ),
}

# Internal fields that mean nothing to the person: digests, counters, search copies.
_INTERNAL = {
    "id",
    "version",
    "search_name",
    "number_index",
    "vector",
    "digest",
    "sha256",
    "tracking_digest",
    "intake_token",
    "data",
}


@dataclass
class Record:
    model: str  # "app.Model"
    pk: int
    fields: list[tuple[str, str]]


@dataclass
class Section:
    source: Source
    records: list[Record] = field(default_factory=list)


@dataclass
class Activity:
    when: object
    who: str
    what: str
    record: str


@dataclass
class Gathered:
    person: Person
    sections: list[Section]
    changes: list[Activity]
    views: list[Activity]
    identified_exports: list[Activity]
    deidentified_releases: int


def subjects(user, query: str = ""):
    """People the user may answer requests about, found by case number, name or document
    number; merged records are found through the record they joined."""
    from haven.accounts import policy
    from haven.cases.selectors import search

    cases = Case.objects.filter(policy.subject_case_q(user))
    if query.strip():
        cases = search(cases, query, identity=True)
    people = Person.objects.filter(
        pk__in=cases.values("person_id"), merged_into__isnull=True
    ).order_by("family_name", "given_name", "pk")
    return people


def subject_for(user, pk: int) -> Person | None:
    """The person, if the user may answer requests about them (None otherwise)."""
    from haven.accounts import policy

    cases = Case.objects.filter(policy.subject_case_q(user), person_id=pk)
    if not cases.exists():
        return None
    return Person.objects.filter(pk=pk, merged_into__isnull=True).first()


def gather(person: Person) -> Gathered:
    """Every record held about the person (and the records merged into theirs), and every
    change and view of them in the audit trail and the access log."""
    persons = [person.pk, *Person.objects.filter(merged_into=person).values_list("pk", flat=True)]
    sections = [Section(source, _records(source, persons)) for source in SOURCES]
    held: dict[str, set[str]] = {}
    for section in sections:
        name = section.source.model._meta.model_name
        held.setdefault(name, set()).update(str(r.pk) for r in section.records)
    views = _activity(AccessLog, held, lambda entry: entry.view)
    return Gathered(
        person=person,
        sections=sections,
        changes=_activity(AuditEvent, held, lambda entry: entry.action),
        views=[v for v in views if v.what != "case.export"],
        identified_exports=[v for v in views if v.what == "case.export"],
        deidentified_releases=_releases_since(person, persons),
    )


def _records(source: Source, persons: list[int]) -> list[Record]:
    model = source.model
    match = Q()
    for path in source.paths:
        match |= Q(**{f"{path}__in" if path else "pk__in": persons})
    rows = model._default_manager.filter(match).distinct().order_by("pk")
    return [Record(source.label, row.pk, list(_fields(row))) for row in rows]


def _fields(row: Model) -> Iterable[tuple[str, str]]:
    for item in row._meta.concrete_fields:
        if item.name in _INTERNAL or item.name.endswith("_digest"):
            continue
        shown = _shown(row, item)
        if shown not in ("", "[]", "{}"):
            yield str(item.verbose_name), shown


def _shown(row: Model, item) -> str:
    value = getattr(row, item.name)
    if value is None:
        return ""
    if item.is_relation:
        return str(value)
    if item.choices:
        return str(getattr(row, f"get_{item.name}_display")())
    if isinstance(value, bool):
        return str(_("yes") if value else _("no"))
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False, default=str, sort_keys=True)
    if isinstance(value, datetime):
        return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")
    return str(value)


def _activity(model, held: dict[str, set[str]], what) -> list[Activity]:
    match = Q(pk__in=[])
    for name, ids in held.items():
        if ids:
            match |= Q(object_type=name, object_id__in=sorted(ids))
    entries = model.objects.filter(match).order_by("-seq")
    return [
        Activity(
            when=getattr(entry, "occurred_at", None) or entry.created_at,
            who=entry.actor_username or str(_("the system")),
            what=what(entry),
            record=f"{entry.object_type} {entry.object_id}",
        )
        for entry in entries
    ]


def _releases_since(person: Person, persons: list[int]) -> int:
    """De-identified releases of the person's agencies made since their first case: the
    person may be in them, unnamed (who is in a release is not recorded, by design)."""
    cases = Case.objects.filter(person_id__in=persons)
    first = cases.order_by("created_at").values_list("created_at", flat=True).first()
    if first is None:
        return 0
    return Release.objects.filter(
        agency_id__in=cases.values("agency_id"),
        kind__in=[ReleaseKind.DEIDENTIFIED, ReleaseKind.CTDC],
        status=ReleaseStatus.DONE,
        created_at__gte=first,
    ).count()

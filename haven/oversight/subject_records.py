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

from haven.accounts import policy
from haven.audit.models import AccessLog, AuditEvent
from haven.cases.models import Case
from haven.cases.selectors import search
from haven.evidence.models import Release, ReleaseKind, ReleaseStatus
from haven.feedback.models import Submission
from haven.oversight.models import RequestStatus, SubjectRequest
from haven.people.models import Contact, Person


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
    Source(
        "feedback.Submission",
        _("Feedback and complaints on their case, or left with one of their contacts"),
        ("case__person",),
    ),
    Source(
        "feedback.Incident", _("Incidents reported from that feedback"), ("source__case__person",)
    ),
    Source("field.HeldCase", _("Devices that held their case offline"), ("case__person",)),
    Source("field.Operation", _("Changes made offline"), ("case__person",)),
    Source("field.Conflict", _("Offline changes in conflict"), ("case__person",)),
    Source("field.OfflinePick", _("Taken offline by a colleague"), ("case__person",)),
    Source("oversight.SubjectRequest", _("Their data-protection requests"), ("person",)),
    Source(
        "oversight.Withholding",
        _("What answers to their requests withheld, and why"),
        ("request__person",),
    ),
    Source("oversight.LegalHold", _("Legal holds on their records"), ("person",)),
    Source("oversight.Erasure", _("Erasures of their data"), ("person",)),
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
INTERNAL = {
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


# Labels for fields whose models give none (their name would show, untranslated).
LABELS = {
    "agency": _("agency"),
    "author": _("author"),
    "next_due": _("next due"),
    "owner": _("owner"),
    "relative": _("relative"),
    "assessment": _("assessment"),
    "case": _("case"),
    "closed_at": _("closed at"),
    "created_at": _("created at"),
    "created_by": _("created by"),
    "decided_at": _("decided at"),
    "decided_by": _("decided by"),
    "device": _("device"),
    "done": _("done"),
    "done_on": _("done on"),
    "explanation": _("explanation"),
    "field": _("field"),
    "kind": _("kind"),
    "movement": _("return"),
    "notes": _("notes"),
    "office": _("office"),
    "person": _("person"),
    "plan": _("plan"),
    "probability": _("probability"),
    "reason": _("reason"),
    "record": _("record"),
    "recorded_at": _("recorded at"),
    "recorded_by": _("recorded by"),
    "referral": _("referral"),
    "registered_by": _("registered by"),
    "request": _("request"),
    "requested_at": _("requested at"),
    "requested_by": _("requested by"),
    "resolved_at": _("resolved at"),
    "service": _("service"),
    "started_by": _("started by"),
    "state": _("state"),
    "status": _("status"),
    "to_agency": _("to agency"),
    "updated_at": _("updated at"),
    "user": _("user"),
    "value": _("value"),
    "wg_seeing": _("difficulty seeing"),
    "wg_hearing": _("difficulty hearing"),
    "wg_walking": _("difficulty walking or climbing steps"),
    "wg_cognition": _("difficulty remembering or concentrating"),
    "wg_selfcare": _("difficulty with self-care"),
    "wg_communication": _("difficulty communicating"),
    "withhold": _("withheld"),
}


def _label(item) -> str:
    if item._verbose_name is None and item.name in LABELS:
        return str(LABELS[item.name])
    return str(item.verbose_name)


@dataclass
class Field:
    name: str
    label: str
    value: str


@dataclass
class Record:
    model: str  # "app.Model"
    pk: int
    fields: list[Field]
    row: Model  # the record itself, for the rules of what an answer withholds

    @property
    def key(self) -> str:
        return f"{self.model}:{self.pk}"


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
    cases = Case.objects.filter(policy.subject_case_q(user))
    if query.strip():
        cases = search(cases, query, identity=True)
    people = Person.objects.filter(
        pk__in=cases.values("person_id"), merged_into__isnull=True
    ).order_by("family_name", "given_name", "pk")
    return people


def subject_for(user, pk: int) -> Person | None:
    """The person, if the user may answer requests about them (None otherwise)."""
    cases = Case.objects.filter(policy.subject_case_q(user), person_id=pk)
    if not cases.exists():
        return None
    return Person.objects.filter(pk=pk, merged_into__isnull=True).first()


def person_ids(person: Person) -> list[int]:
    """The person and the records merged into theirs: one person to their requests."""
    return [person.pk, *Person.objects.filter(merged_into=person).values_list("pk", flat=True)]


def held_records(person: Person, persons: list[int] | None = None) -> list[Section]:
    """Every record held about the person and the records merged into theirs (`persons`,
    when already known), one section per kind."""
    persons = persons if persons is not None else person_ids(person)
    return [Section(source, _records(source, persons)) for source in SOURCES]


def gather(person: Person) -> Gathered:
    """Every record held about the person (and the records merged into theirs), and every
    change and view of them in the audit trail and the access log."""
    persons = person_ids(person)
    sections = held_records(person, persons)
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
    if source.label == "feedback.Submission":
        match |= Q(pk__in=_feedback_by_contact(persons))
    related = [f.name for f in model._meta.concrete_fields if f.is_relation]
    rows = (
        model._default_manager.filter(match)
        .select_related(*related)  # each record shows its related rows by name
        .distinct()
        .order_by("pk")
    )
    return [Record(source.label, row.pk, list(_fields(row)), row) for row in rows]


def _phone_key(text: str) -> str:
    """A phone's last eight digits ("" when it has fewer): the same number written with
    or without its country code, `+` or `00`, spaces or dashes."""
    digits = "".join(ch for ch in text if ch.isdigit())
    return digits[-8:] if len(digits) >= 8 else ""


def _feedback_by_contact(persons: list[int]) -> list[int]:
    """Feedback left, on no case, with a way to reach the person that is one of theirs (a
    phone, by its last eight digits; an address, as written): contacts are encrypted, so
    they are compared here, within the person's agencies."""
    theirs = {
        value.strip().casefold()
        for value in Contact.objects.filter(person_id__in=persons).values_list("value", flat=True)
    }
    phones = {_phone_key(value) for value in theirs} - {""}
    agencies = Person.objects.filter(pk__in=persons).values("agency_id")
    left = Submission.objects.filter(agency_id__in=agencies, case__isnull=True).exclude(contact="")
    return [
        pk
        for pk, contact in left.values_list("pk", "contact")
        if contact.strip().casefold() in theirs or _phone_key(contact) in phones
    ]


def _fields(row: Model) -> Iterable[Field]:
    for item in row._meta.concrete_fields:
        if item.name in INTERNAL or item.name.endswith("_digest"):
            continue
        shown = _shown(row, item)
        if shown not in ("", "[]", "{}"):
            yield Field(item.name, _label(item), shown)


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


def open_requests(user):
    """Requests not yet answered about people the user may answer for, the most urgent first."""
    people = Case.objects.filter(policy.subject_case_q(user)).values("person_id")
    return (
        SubjectRequest.objects.filter(person_id__in=people, status=RequestStatus.OPEN)
        .select_related("person")
        .order_by("due_on", "pk")
    )


def request_for(user, pk: int):
    """A request about a person the user may answer for (None otherwise)."""
    found = SubjectRequest.objects.select_related("person").filter(pk=pk).first()
    if found is None or subject_for(user, found.person_id) is None:
        return None
    return found

"""Merging two records of one person into one, field by field, and undoing it.

The record folded in (`merged`) is not deleted: it keeps its own values, is marked
`merged_into` (so nobody sees it) and everything moved from it is listed, so that an undo
can put every row back where it was.
"""

import json

from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from haven.accounts import policy
from haven.audit.actions import audited, record_event
from haven.cases.models import Case
from haven.core.errors import InvalidTransition, NotAllowed
from haven.core.jobs import after_commit
from haven.core.models import Location
from haven.core.versioning import lock_at_version, lock_latest
from haven.people.actions import EDITABLE_FIELDS, require_editable, update_person
from haven.people.match_keys import index_person
from haven.people.models import (
    Consent,
    Contact,
    IdentityDocument,
    Person,
    PersonMatchKey,
    Relationship,
)
from haven.tracing import tasks
from haven.tracing.models import DuplicatePair, PairStatus, PersonMerge
from haven.tracing.models import PotentialMatch as TracingMatch

# Rows that simply follow the person: kind → model.
_FOLLOWERS = {
    "cases": Case,
    "contacts": Contact,
    "documents": IdentityDocument,
    "consents": Consent,
}


def _require(user) -> None:
    if not policy.has_perm(user, "person.merge"):
        raise NotAllowed(_("Your role may not merge person records."))


def field_value(person: Person, name: str):
    """A field as a merge compares and moves it (a location by its id)."""
    return getattr(person, "current_location_id" if name == "current_location" else name)


def _for_update(name: str, value):
    """A stored value as update_person takes it."""
    if name == "current_location":
        return Location.objects.filter(pk=value).first() if value else None
    return Person._meta.get_field(name).to_python(value)


def _move_rows(merged: Person, survivor: Person) -> dict[str, list[int]]:
    moved: dict[str, list[int]] = {}
    for kind, model in _FOLLOWERS.items():
        rows = model.objects.filter(person=merged)
        moved[kind] = list(rows.values_list("pk", flat=True))
        rows.update(person=survivor)
    # A family link moves unless it would link the survivor to themself or repeat a link
    # the survivor already has.
    moved["relationships"], moved["relatives"] = [], []
    for link in Relationship.objects.filter(person=merged).exclude(relative=survivor):
        if not Relationship.objects.filter(
            person=survivor, relative_id=link.relative_id, kind=link.kind
        ).exists():
            moved["relationships"].append(link.pk)
    for link in Relationship.objects.filter(relative=merged).exclude(person=survivor):
        if not Relationship.objects.filter(
            person_id=link.person_id, relative=survivor, kind=link.kind
        ).exists():
            moved["relatives"].append(link.pk)
    Relationship.objects.filter(pk__in=moved["relationships"]).update(person=survivor)
    Relationship.objects.filter(pk__in=moved["relatives"]).update(relative=survivor)
    # Tracing matches of the merged record become the survivor's, unless already there.
    taken = TracingMatch.objects.filter(person=survivor).values("request_id")
    matches = TracingMatch.objects.filter(person=merged).exclude(request_id__in=taken)
    moved["matches"] = list(matches.values_list("pk", flat=True))
    TracingMatch.objects.filter(pk__in=moved["matches"]).update(person=survivor)
    return moved


def _move_back(record: PersonMerge) -> None:
    survivor, merged, moved = record.survivor, record.merged, record.moved
    for kind, model in _FOLLOWERS.items():
        model.objects.filter(pk__in=moved.get(kind, []), person=survivor).update(person=merged)
    Relationship.objects.filter(pk__in=moved.get("relationships", []), person=survivor).update(
        person=merged
    )
    Relationship.objects.filter(pk__in=moved.get("relatives", []), relative=survivor).update(
        relative=merged
    )
    TracingMatch.objects.filter(pk__in=moved.get("matches", []), person=survivor).update(
        person=merged
    )


def _case_events(user, action: str, case_ids: list[int], **details) -> None:
    # Each case's own history shows that its person changed.
    for case in Case.objects.filter(pk__in=case_ids):
        record_event(user, action, obj=case, details=details)


@audited
def merge_persons(
    user, survivor: Person, merged: Person, *, take: list[str], versions: tuple[int, int]
) -> PersonMerge:
    """Fold `merged` into `survivor`: the fields in `take` get the merged record's value,
    and its cases, contacts, documents, consents, family links and tracing matches move
    to the survivor. Both records must be ones the user may edit."""
    _require(user)
    if survivor.pk == merged.pk:
        raise ValidationError(_("Choose two different records."))
    require_editable(user, survivor)
    require_editable(user, merged)
    lock_at_version(survivor, versions[0])
    lock_at_version(merged, versions[1])
    if survivor.merged_into_id or merged.merged_into_id:
        raise InvalidTransition(_("One of these records was already merged into another."))
    unknown = sorted(set(take) - set(EDITABLE_FIELDS))
    if unknown:
        raise ValidationError(dict.fromkeys(unknown, _("This field cannot be merged.")))
    take = [name for name in EDITABLE_FIELDS if name in take]
    before = {name: field_value(survivor, name) for name in take}
    moved = _move_rows(merged, survivor)
    record = PersonMerge.objects.create(
        survivor=survivor,
        merged=merged,
        taken_fields=take,
        survivor_before=json.dumps(before, cls=DjangoJSONEncoder),
        moved=moved,
        merged_by=user,
    )
    if take:
        values = {name: _for_update(name, field_value(merged, name)) for name in take}
        update_person(user, survivor, values, survivor.version)
    merged.merged_into = survivor
    merged.save(update_fields=["merged_into"])
    PersonMatchKey.objects.filter(person=merged).delete()
    # The pair of these two is settled (a confirmed match, for calibration); other pairs
    # waiting with the merged record are about a record that is gone: the next
    # deduplication compares the survivor instead.
    low, high = sorted((survivor.pk, merged.pk))
    DuplicatePair.objects.filter(first_id=low, second_id=high).update(
        status=PairStatus.MERGED, decided_by=user, decided_at=timezone.now()
    )
    DuplicatePair.objects.filter(Q(first=merged) | Q(second=merged), status="pending").delete()
    counts = {kind: len(ids) for kind, ids in moved.items()}
    record_event(
        user,
        "person.merge",
        obj=survivor,
        details={"merge": record.pk, "merged": merged.pk, "taken_fields": take, "moved": counts},
    )
    record_event(
        user, "person.merged_into", obj=merged, details={"merge": record.pk, "into": survivor.pk}
    )
    _case_events(
        user, "case.person_merge", moved["cases"], **{"from": merged.pk, "to": survivor.pk}
    )
    after_commit(tasks.refresh_person_matches, survivor.pk)
    after_commit(tasks.recalibrate_model)
    return record


@audited
def undo_merge(user, record: PersonMerge) -> PersonMerge:
    """Put everything back: the rows moved return to the merged record, which is seen
    again; the survivor's fields get their old values back, where nobody changed them
    since the merge (a later edit is kept)."""
    _require(user)
    survivor, merged = record.survivor, record.merged
    require_editable(user, survivor)
    lock_latest(survivor)
    lock_latest(merged)
    if record.undone or merged.merged_into_id != survivor.pk:
        raise InvalidTransition(_("This merge was already undone."))
    _move_back(record)
    before = json.loads(record.survivor_before or "{}")
    merged_values = {name: field_value(merged, name) for name in record.taken_fields}
    restore = {
        name: _for_update(name, value)
        for name, value in before.items()
        if field_value(survivor, name) == merged_values.get(name)
    }
    if restore:
        update_person(user, survivor, restore, survivor.version)
    merged.merged_into = None
    merged.save(update_fields=["merged_into"])
    index_person(merged)
    record.undone_by, record.undone_at = user, timezone.now()
    record.save(update_fields=["undone_by", "undone_at"])
    kept = sorted(set(before) - set(restore))
    record_event(
        user,
        "person.unmerge",
        obj=survivor,
        details={"merge": record.pk, "merged": merged.pk, "kept_later_edits": kept},
    )
    record_event(user, "person.unmerge", obj=merged, details={"merge": record.pk})
    _case_events(
        user,
        "case.person_unmerge",
        record.moved.get("cases", []),
        **{"from": survivor.pk, "to": merged.pk},
    )
    after_commit(tasks.refresh_person_matches, survivor.pk)
    after_commit(tasks.refresh_person_matches, merged.pk)
    return record

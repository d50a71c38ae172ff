"""Reads for duplicates, scoped by the access policy: a user sees the likely duplicates they
may see, and for the others only which office to contact — never a name."""

from dataclasses import dataclass, field

from django.db.models import prefetch_related_objects

from haven.audit.actions import record_access
from haven.cases.models import Case
from haven.people.selectors import visible_persons
from haven.tracing import matching


@dataclass
class DuplicateCheck:
    visible: list[matching.Match] = field(default_factory=list)
    # "Office (Agency)" of persons the user may not see.
    elsewhere: list[str] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.visible or self.elsewhere)


def likely_duplicates(user, person_data: dict, exclude: set[int] | None = None) -> DuplicateCheck:
    """Persons that are probably the one being registered or edited (before saving)."""
    matches = matching.find(matching.person_record(person_data), exclude)
    if not matches:
        return DuplicateCheck()
    ids = [m.person.pk for m in matches]
    seen = set(visible_persons(user).filter(pk__in=ids).values_list("pk", flat=True))
    check = DuplicateCheck(visible=[m for m in matches if m.person.pk in seen])
    # The warning links every case of each person shown: one query for all of them.
    prefetch_related_objects([m.person for m in check.visible], "cases")
    hidden = [pk for pk in ids if pk not in seen]
    if hidden:
        offices = (
            Case.objects.filter(person_id__in=hidden)
            .values_list("office__name", "agency__name")
            .distinct()
            .order_by("agency__name", "office__name")
        )
        check.elsewhere = [f"{office} ({agency})" for office, agency in offices]
    for match in check.visible:
        record_access(user, "person.duplicate_check", match.person)
    return check

from django.http import Http404

from haven.accounts import policy
from haven.people.models import Consent, Person


def visible_persons(user):
    return Person.objects.filter(policy.person_q(user))


def get_person(user, pk) -> Person:
    person = visible_persons(user).filter(pk=pk).first()
    if person is None:
        raise Http404("No such person")
    return person


def consent_in_force(person, purpose: str) -> Consent | None:
    """The latest decision for the purpose, or None when nothing was recorded."""
    return person.consents.filter(purpose=purpose).order_by("-recorded_at", "-id").first()


def has_consent(person, purpose: str) -> bool:
    decision = consent_in_force(person, purpose)
    return bool(decision and decision.given)


def consent_summary(person) -> dict[str, Consent | None]:
    """The decision in force for every purpose (None where none is recorded), in one query."""
    from haven.people.models import ConsentPurpose

    latest: dict[str, Consent | None] = dict.fromkeys(ConsentPurpose.values)
    for consent in person.consents.order_by("recorded_at", "id"):
        latest[consent.purpose] = consent
    return latest


def with_consent(person_ids, purpose: str) -> set[int]:
    """Those of the persons whose decision in force for the purpose is a consent given."""
    latest: dict[int, bool] = {}
    decisions = Consent.objects.filter(person_id__in=list(person_ids), purpose=purpose)
    for person_id, given in decisions.order_by("recorded_at", "id").values_list(
        "person_id", "given"
    ):
        latest[person_id] = given
    return {pk for pk, given in latest.items() if given}

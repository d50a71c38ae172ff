from django.db import models
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


def possible_duplicates(user, given_name: str, family_name: str, birth_date=None, limit: int = 10):
    """People the user can see with the same names in any order and a birth year within one.

    A simple check for registration; the record-linkage engine replaces it.
    """
    from haven.people import names

    key = names.duplicate_key(given_name, family_name)
    found = visible_persons(user).filter(duplicate_key=key)
    if birth_date is not None:
        years = [birth_date.year - 1, birth_date.year, birth_date.year + 1]
        found = found.filter(
            models.Q(birth_date__isnull=True) | models.Q(birth_date__year__in=years)
        )
    return list(found.prefetch_related("cases")[:limit])

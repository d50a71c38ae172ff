"""Every write to people, their contacts, documents, relationships and consent."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from haven.accounts import policy
from haven.audit.actions import audited, record_event
from haven.core import crypto, hooks, reference
from haven.core.errors import NotAllowed
from haven.core.versioning import audit_changes, lock_at_version, save_versioned
from haven.people import names
from haven.people.match_keys import index_person
from haven.people.models import (
    Consent,
    ConsentPurpose,
    Contact,
    IdentityDocument,
    Person,
    Relationship,
)

EDITABLE_FIELDS = [
    "given_name",
    "family_name",
    "other_names",
    "original_script_name",
    "sex",
    "gender_identity",
    "birth_date",
    "birth_date_precision",
    "nationalities",
    "stateless",
    "languages",
    "care_status",
    "current_location",
    "wg_seeing",
    "wg_hearing",
    "wg_walking",
    "wg_cognition",
    "wg_selfcare",
    "wg_communication",
]
# What registration asks: the rest (gender identity, the Washington Group's questions on
# functioning) is asked later, on the person's page.
REGISTRATION_FIELDS = [
    name for name in EDITABLE_FIELDS if name != "gender_identity" and not name.startswith("wg_")
]
# Values of these may appear in the audit trail; for the rest only the field name does.
LOGGABLE = {"sex", "birth_date_precision", "stateless", "care_status", "current_location"}


def _announce_change(person_id: int) -> None:
    hooks.announce(hooks.PERSON_CHANGED, person_id=person_id)


def _matched_again(person: Person) -> None:
    """A person's relatives, documents and contacts are part of what matching compares:
    their keys afresh, and tracing told."""
    index_person(person)
    _announce_change(person.pk)


def normalise(data: dict) -> dict:
    """Tidy codes people type in different ways before validation (ar → ara, sy → SY)."""
    data = dict(data)
    if "languages" in data and isinstance(data["languages"], list):
        data["languages"] = [reference.normalise_language(c) or c for c in data["languages"]]
    if "nationalities" in data and isinstance(data["nationalities"], list):
        data["nationalities"] = [
            c.strip().upper() if isinstance(c, str) else c for c in data["nationalities"]
        ]
    for key in ("given_name", "family_name", "other_names", "original_script_name"):
        if isinstance(data.get(key), str):
            data[key] = " ".join(data[key].split())
    return data


def _derive(person: Person) -> None:
    person.search_name = names.search_key(
        person.given_name, person.family_name, person.other_names, person.original_script_name
    )


def build_person(user, data: dict) -> Person:
    """A validated, unsaved Person (registration saves it with its case)."""
    data = normalise(data)
    unknown = set(data) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValidationError({f: _("This field cannot be set.") for f in sorted(unknown)})
    person = Person(agency_id=user.agency_id, registered_by=user, **data)
    _derive(person)
    person.full_clean(exclude=["agency", "registered_by"])
    return person


def _snapshot(person: Person) -> dict:
    return {
        name: getattr(person, name if name != "current_location" else "current_location_id")
        for name in EDITABLE_FIELDS
    }


@audited
def update_person(user, person: Person, data: dict, expected_version: int) -> Person:
    require_editable(user, person)
    lock_at_version(person, expected_version)
    data = normalise(data)
    before = _snapshot(person)
    for name, value in data.items():
        if name not in EDITABLE_FIELDS:
            raise ValidationError({name: _("This field cannot be set.")})
        setattr(person, name, value)
    _derive(person)
    person.full_clean()
    after = _snapshot(person)
    changes = audit_changes(before, after, LOGGABLE)
    if not changes:
        return person
    save_versioned(person, expected_version, [*data.keys(), "search_name"])
    index_person(person)
    _announce_change(person.pk)
    record_event(user, "person.update", obj=person, details={"changes": changes})
    return person


def require_editable(user, person: Person) -> None:
    if not policy.may_edit_person(user, person):
        raise NotAllowed(_("You may not change this person's record."))


@audited
def record_consent(user, person: Person, *, purpose, legal_basis, given, decided_on, remarks=""):
    require_editable(user, person)
    return save_consent(
        user,
        person,
        purpose=purpose,
        legal_basis=legal_basis,
        given=given,
        decided_on=decided_on,
        remarks=remarks,
    )


@audited
def build_consent(user, person: Person, *, purpose, legal_basis, given, decided_on, remarks=""):
    """A validated, unsaved consent decision for a person the caller was allowed to touch."""
    if not policy.has_perm(user, "consent.manage"):
        raise NotAllowed(_("Your role may not record consent."))
    consent = Consent(
        person=person,
        purpose=purpose,
        legal_basis=legal_basis,
        given=given,
        decided_on=decided_on,
        recorded_by=user,
        remarks=remarks,
    )
    consent.full_clean(exclude=["person", "recorded_by"])
    return consent


def consent_recorded(user, consent: Consent) -> None:
    """The audit event of a consent decision just saved."""
    record_event(
        user,
        "consent.given" if consent.given else "consent.withdrawn",
        obj=consent.person,
        details={
            "purpose": consent.purpose,
            "legal_basis": consent.legal_basis,
            "date": consent.decided_on,
        },
    )
    if consent.purpose == ConsentPurpose.TRACING:
        # Matches follow consent both ways: a person without it is never a candidate.
        _announce_change(consent.person_id)
    if not consent.given:
        # What the purpose fed stops: the apps that used it do their part.
        hooks.announce(
            hooks.CONSENT_WITHDRAWN, user=user, person_id=consent.person_id, purpose=consent.purpose
        )


def save_consent(user, person: Person, **decision):
    """Record a consent decision for a person the caller was just allowed to touch."""
    consent = build_consent(user, person, **decision)
    consent.save()
    consent_recorded(user, consent)
    return consent


@audited
def add_contact(user, person: Person, *, kind, value, safe_to_contact=True) -> Contact:
    require_editable(user, person)
    contact = Contact(person=person, kind=kind, value=value, safe_to_contact=safe_to_contact)
    contact.full_clean()
    contact.save()
    _matched_again(person)
    record_event(user, "person.contact_added", obj=person, details={"kind": kind})
    return contact


def normalise_document_number(number: str) -> str:
    return "".join(ch for ch in number.upper() if ch.isalnum())


@audited
def add_document(user, person: Person, *, kind, number, issuing_country="", expires_on=None):
    require_editable(user, person)
    clean_number = normalise_document_number(number)
    if not clean_number:
        raise ValidationError({"number": _("Enter the document number (letters and digits).")})
    document = IdentityDocument(
        person=person,
        kind=kind,
        number=number.strip(),
        number_index=crypto.blind_index(clean_number),
        issuing_country=(issuing_country or "").upper(),
        expires_on=expires_on,
    )
    document.full_clean()
    document.save()
    _matched_again(person)
    record_event(user, "person.document_added", obj=person, details={"kind": kind})
    return document


@audited
def add_relationship(user, person: Person, relative: Person, *, kind, separated=False):
    # Both records change (the link is recorded both ways), so both must be editable.
    require_editable(user, person)
    require_editable(user, relative)
    if person.pk == relative.pk:
        raise ValidationError({"relative": _("A person cannot be their own relative.")})
    if Relationship.objects.filter(person=person, relative=relative, kind=kind).exists():
        raise ValidationError({"relative": _("This relationship is already recorded.")})
    link = Relationship.objects.create(
        person=person, relative=relative, kind=kind, separated=separated
    )
    Relationship.objects.get_or_create(
        person=relative,
        relative=person,
        kind=Relationship.INVERSE[kind],
        defaults={"separated": separated},
    )
    _matched_again(person)
    _matched_again(relative)
    record_event(
        user,
        "person.relationship_added",
        obj=person,
        details={"relative": relative.pk, "kind": kind, "separated": separated},
    )
    return link

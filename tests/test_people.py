from datetime import date

import pytest
from cryptography.fernet import Fernet
from django.core.management import call_command
from django.db import connection

from haven.cases import selectors
from haven.core import crypto
from haven.linkage.normalise import ordered_key
from haven.people import actions
from haven.people.match_keys import person_record
from haven.people.models import IdentityDocument
from haven.people.names import fold, search_key
from haven.people.selectors import consent_summary, has_consent
from haven.tracing import matching


def raw(table, column, pk):
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM {table} WHERE id = %s", [pk])  # noqa: S608
        return cursor.fetchone()[0]


def test_fold_is_case_accent_and_arabic_variant_insensitive():
    assert fold("  Éloïse  MÜLLER ") == "eloise muller"
    assert fold("أمل") == fold("امل")
    assert ordered_key("Amal", "Haddad") == ordered_key("HADDAD,", "amal")
    assert "mohamed" in search_key("Mohamed", "", "", "")


def test_contacts_and_documents_are_encrypted_at_rest(world, register):
    case = register(world["caseworker"])
    contact = actions.add_contact(
        world["caseworker"], case.person, kind="phone", value="+227 90 00 00 01"
    )
    doc = actions.add_document(
        world["caseworker"], case.person, kind="passport", number="N 1234567", issuing_country="sy"
    )
    assert "+227" not in raw("people_contact", "value", contact.pk)
    assert "1234567" not in raw("people_identitydocument", "number", doc.pk)
    assert doc.issuing_country == "SY"


def test_search_by_document_number_is_exact(world, register):
    case = register(world["caseworker"])
    actions.add_document(world["caseworker"], case.person, kind="passport", number="N-1234567")
    user = world["caseworker"]
    found = selectors.case_list(user, query="n1234567")
    assert list(found) == [case]
    assert not selectors.case_list(user, query="N123456").exists()


@pytest.mark.parametrize("query", ["haddad", "HADDAD", "amal", "أمل", "امل حداد", "Hadd"])
def test_name_search_is_partial_case_and_script_insensitive(world, register, query):
    case = register(world["caseworker"])
    register(
        world["caseworker"],
        person={"given_name": "Yonas", "family_name": "Tekle", "original_script_name": ""},
    )
    assert list(selectors.case_list(world["caseworker"], query=query)) == [case]


def test_roles_without_identity_cannot_search_by_name(world, register):
    from haven.accounts.models import Role, RoleGrant

    case = register(world["caseworker"])
    reader = Role.objects.create(code="case_reader", name="Case reader", permissions=["case.view"])
    RoleGrant.objects.create(user=world["analyst"], role=reader, scope="agency")
    assert not selectors.case_list(world["analyst"], query="haddad").exists()
    assert list(selectors.case_list(world["analyst"], query=case.number)) == [case]


def test_key_rotation_reencrypts_and_keeps_search_working(world, register, settings):
    case = register(world["caseworker"])
    actions.add_document(world["caseworker"], case.person, kind="passport", number="P999")
    note_before = raw("people_identitydocument", "number", case.person.documents.get().pk)
    old_keys = list(settings.HAVEN_FIELD_KEYS)
    new_key = Fernet.generate_key().decode()
    settings.HAVEN_FIELD_KEYS = [new_key, *old_keys]
    call_command("rotate_keys")
    settings.HAVEN_FIELD_KEYS = [new_key]  # old key dropped
    document = IdentityDocument.objects.get()
    assert document.number == "P999"
    assert raw("people_identitydocument", "number", document.pk) != note_before
    assert document.number_index == crypto.blind_index("P999")
    assert list(selectors.case_list(world["caseworker"], query="P999")) == [case]
    # Matching's stored keys follow the new key: a lookup by the document still finds them.
    record = dict.fromkeys(person_record(case.person), "")
    record.update(given_name="Other", documents=person_record(case.person)["documents"])
    assert case.person in [m.person for m in matching.find(record, threshold=0.01)]


def test_consent_history_keeps_the_latest_decision(world, register):
    case = register(world["caseworker"])
    person = case.person
    actions.record_consent(
        world["caseworker"],
        person,
        purpose="referral",
        legal_basis="consent",
        given=True,
        decided_on=date(2026, 1, 5),
    )
    assert has_consent(person, "referral")
    actions.record_consent(
        world["caseworker"],
        person,
        purpose="referral",
        legal_basis="consent",
        given=False,
        decided_on=date(2026, 2, 1),
    )
    assert not has_consent(person, "referral")
    summary = consent_summary(person)
    assert summary["referral"].given is False and summary["tracing"] is None
    assert person.consents.filter(purpose="referral").count() == 2


def test_consent_in_the_future_is_refused(world, register):
    from django.core.exceptions import ValidationError

    case = register(world["caseworker"])
    with pytest.raises(ValidationError):
        actions.record_consent(
            world["caseworker"],
            case.person,
            purpose="tracing",
            legal_basis="consent",
            given=True,
            decided_on=date(2999, 1, 1),
        )


def test_relationships_are_recorded_both_ways(world, register):
    mother = register(world["caseworker"]).person
    child = register(
        world["caseworker"], person={"given_name": "Rami", "birth_date": date(2012, 3, 3)}
    ).person
    actions.add_relationship(world["caseworker"], mother, child, kind="parent", separated=True)
    assert child.relationships.get().kind == "child" and child.relationships.get().separated


def test_stale_person_edit_is_refused(world, register):
    from haven.core.errors import StaleEdit
    from haven.people.models import Person

    case = register(world["caseworker"])
    a = Person.objects.get(pk=case.person_id)
    b = Person.objects.get(pk=case.person_id)
    actions.update_person(world["caseworker"], a, {"given_name": "Amala"}, a.version)
    with pytest.raises(StaleEdit):
        actions.update_person(world["caseworker"], b, {"family_name": "X"}, b.version)
    b.refresh_from_db()
    assert b.given_name == "Amala" and b.family_name == "Haddad"


def test_assessment_answers_are_encrypted_at_rest_and_rotated(world, register, settings):
    from haven.assessments import actions as assessment_actions
    from haven.assessments.models import Assessment, AssessmentDefinition

    case = register(world["caseworker"])
    definition = AssessmentDefinition.objects.get(form_id="haven_protection_risk")
    assessment = assessment_actions.start(world["caseworker"], case, definition)
    Assessment.objects.filter(pk=assessment.pk).update(
        answers={"contact_name": "Tesfay Gebremedhin", "phone": "+291 7 123 456"}
    )
    stored = raw("assessments_assessment", "answers", assessment.pk)
    assert "Tesfay" not in stored and "+291" not in stored and stored.startswith("gAAAA")
    assert Assessment.objects.get(pk=assessment.pk).answers["contact_name"] == "Tesfay Gebremedhin"
    new_key = Fernet.generate_key().decode()
    settings.HAVEN_FIELD_KEYS = [new_key, *settings.HAVEN_FIELD_KEYS]
    call_command("rotate_keys")
    settings.HAVEN_FIELD_KEYS = [new_key]  # the old key is gone: the answers still read
    assert raw("assessments_assessment", "answers", assessment.pk) != stored
    assert Assessment.objects.get(pk=assessment.pk).answers["phone"] == "+291 7 123 456"

"""What the product gives the engine about a person: relatives from Relationship rows,
documents and contacts as keyed hashes, the enquirer as the sought person's relative."""

from datetime import date

from haven.linkage.people import COLUMNS
from haven.people.actions import add_contact, add_document, add_relationship
from haven.people.match_keys import contact_key, document_keys, person_record
from haven.people.models import PersonMatchKey
from haven.tracing import matching
from haven.tracing.selectors import sought_record

OMAR = {
    "given_name": "Omar",
    "family_name": "Haddad",
    "sex": "male",
    "birth_date": date(1960, 1, 1),
    "nationalities": ["SY"],
}


def test_a_record_carries_relatives_and_keys_of_documents_and_contacts(world, register):
    user = world["caseworker"]
    amal = register(user).person
    father = register(user, person=OMAR).person
    add_relationship(user, amal, father, kind="parent")
    add_document(user, amal, kind="passport", number="N 0123-4567")
    add_contact(user, amal, kind="phone", value="+249 912 345 678")
    record = person_record(amal)
    assert record["relatives"] == "Omar Haddad"
    assert "Amal" in person_record(father)["relatives"]  # recorded both ways
    assert record["documents"] == document_keys("N01234567")
    assert "01234567" not in record["documents"]
    # The same phone written locally gives the same key; the number itself is not there.
    assert record["contacts"] == contact_key("phone", "0912345678")
    assert "912345678" not in record["contacts"]


def test_a_shared_passport_finds_a_person_registered_under_another_name(world, register):
    user = world["caseworker"]
    amal = register(user).person
    keys_before = set(PersonMatchKey.objects.filter(person=amal).values_list("key", flat=True))
    add_document(user, amal, kind="passport", number="N01234567")
    keys_after = set(PersonMatchKey.objects.filter(person=amal).values_list("key", flat=True))
    assert keys_before < keys_after  # the document is a key of its own
    probe = record(
        given_name="Nour",
        family_name="Saleh",
        sex="female",
        birth_date="1994-05-02",
        documents=document_keys("n0123-4567"),  # written otherwise, the same number
    )
    found = matching.find(probe)
    assert [m.person for m in found] == [amal]
    assert levels(found[0])["documents"] == "shares one"
    assert amal not in [m.person for m in matching.find({**probe, "documents": ""})]


def test_a_passport_number_with_two_digits_swapped_still_counts(world, register):
    user = world["caseworker"]
    amal = register(user).person
    add_document(user, amal, kind="passport", number="N01234567")
    probe = {
        **person_record(amal),
        "given_name": "Nour",
        "documents": document_keys("N01234576"),
    }
    with_typo = matching.find(probe)
    assert levels(with_typo[0])["documents"] == "one character off"
    other = matching.find({**probe, "documents": document_keys("P99887766")})
    assert levels(other[0])["documents"] == "shares none"
    assert with_typo[0].explanation["score"] > other[0].explanation["score"] + 5


def record(**fields: str) -> dict[str, str]:
    """A record as the engine reads it: the fields given, the others empty."""
    return {**dict.fromkeys(COLUMNS, ""), **fields}


def levels(match) -> dict[str, str]:
    return {f["field"]: f["level"] for f in match.explanation["fields"]}


def test_a_household_phone_alone_does_not_make_two_people_one(world, register):
    user = world["caseworker"]
    amal = register(user).person
    add_contact(user, amal, kind="phone", value="0912345678")
    brother = record(
        given_name="Karim",
        family_name="Haddad",
        sex="male",
        birth_date="1988-02-11",
        nationality="SY",
        contacts=contact_key("phone", "+249912345678"),
    )
    found = matching.find(brother, threshold=0.5)
    assert amal not in [m.person for m in found], found[0].explanation


def test_the_sought_person_has_the_enquirer_among_their_relatives(world, register):
    from haven.tracing.actions import open_request

    tracing = [{"purpose": "tracing", "legal_basis": "consent", "given": True}]
    case = register(world["caseworker"], other_consents=tracing)
    request = open_request(
        world["caseworker"],
        case,
        {"relationship": "parent", "given_name": "Omar", "separation_cause": "journey"},
    )
    assert sought_record(request)["relatives"] == "Amal Haddad"

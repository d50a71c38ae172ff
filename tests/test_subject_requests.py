"""A data subject's request: recorded with how their identity was checked and its due date;
what the answer withholds decided by visible rules and the officer's reasons; the answer a
PDF in the person's language and JSON, in an encrypted archive, after re-authentication."""

import io
import json
from datetime import date, timedelta

import pytest
import pyzipper
from django.core.exceptions import ValidationError
from django.test import Client
from pypdf import PdfReader

from haven.audit.models import AccessLog, AuditEvent
from haven.core.errors import HavenError, NotAllowed
from haven.oversight import actions, subject_answers, subject_records
from haven.oversight.models import SubjectRequest
from haven.people import actions as people_actions
from tests.conftest import sign_in
from tests.feedback_records import feedback

pytestmark = pytest.mark.django_db
PASSWORD = "a long archive password"


@pytest.fixture
def case(world, register):
    case = register(world["caseworker"], person={"given_name": "Samira", "languages": ["ar"]})
    sister = register(world["caseworker"], person={"given_name": "Lina"}).person
    people_actions.add_relationship(world["caseworker"], case.person, sister, kind="sibling")
    return case


def new_request(world, case, **changes) -> SubjectRequest:
    data = {
        "kind": "access",
        "received_on": date.today() - timedelta(days=2),
        "channel": "in_person",
        "identity_checked": "Passport seen at the office",
        "language": "ar",
        **changes,
    }
    return actions.record_request(world["dpo"], case.person, **data)


def test_a_request_is_recorded_with_its_due_date_and_audited_without_personal_values(
    world, case, settings
):
    settings.HAVEN_SUBJECT_REQUEST_DAYS = 30
    request = new_request(world, case, details="Everything you have on me")
    assert request.due_on == request.received_on + timedelta(days=30)
    assert request.status == "open" and request.checked_by == world["dpo"]
    event = AuditEvent.objects.get(action="subject.request")
    assert set(event.details) == {"person", "kind", "due_on"}
    assert "Samira" not in json.dumps(event.details) and "Passport" not in json.dumps(event.details)
    assert list(subject_records.open_requests(world["dpo"])) == [request]
    assert not subject_records.open_requests(world["other_admin"]).exists()


def test_a_request_needs_the_identity_check_and_a_past_date(world, case):
    with pytest.raises(ValidationError, match="identity was checked"):
        new_request(world, case, identity_checked="  ")
    with pytest.raises(ValidationError) as raised:
        new_request(world, case, received_on=date.today() + timedelta(days=3))
    assert "received_on" in raised.value.message_dict
    with pytest.raises(NotAllowed):
        actions.record_request(
            world["other_admin"],
            case.person,
            kind="access",
            received_on=date.today(),
            channel="email",
            identity_checked="x",
        )
    assert not SubjectRequest.objects.exists()


def test_rules_withhold_other_peoples_identities_and_the_officer_decides_with_reasons(world, case):
    request = new_request(world, case)
    gathered = subject_records.gather(case.person)
    withheld = subject_answers.withheld(request, gathered)
    assert {(i.record.split(":")[0], i.name) for i in withheld} == {
        ("people.Relationship", "relative"),
        ("people.Relationship", "person"),  # the sister's own link names her too
    }
    assert all(i.reason == "Another person's identity" for i in withheld)
    mine = next(i for i in withheld if i.name == "relative")
    actions.decide(
        world["dpo"],
        request,
        record=mine.record,
        field="relative",
        withhold=False,
        reason="She agreed to be named",
    )
    note = next(r for s in gathered.sections for r in s.records if s.source.label == "cases.Case")
    actions.decide(
        world["dpo"], request, record=note.key, field="", withhold=True, reason="Legal advice"
    )
    now = subject_answers.withheld(request, subject_records.gather(case.person))
    assert (mine.record, "relative") not in {(i.record, i.name) for i in now}
    assert {i.reason for i in now if i.record == note.key} == {"Legal advice"}
    events = AuditEvent.objects.filter(action__in=["subject.withhold", "subject.release"])
    assert sorted(e.action for e in events) == ["subject.release", "subject.withhold"]
    assert all("reason" not in e.details for e in events)


def test_a_decision_needs_a_reason_and_a_record_that_is_held(world, case, register):
    request = new_request(world, case)
    with pytest.raises(ValidationError, match="Give the reason"):
        actions.decide(
            world["dpo"], request, record="cases.Case:1", field="", withhold=True, reason=" "
        )
    other = register(world["caseworker"], person={"given_name": "Omar"})
    with pytest.raises(HavenError, match="not among those held"):
        actions.decide(
            world["dpo"],
            request,
            record=f"cases.Case:{other.pk}",
            field="",
            withhold=True,
            reason="x",
        )
    with pytest.raises(HavenError, match="not among those held"):
        actions.decide(
            world["dpo"], request, record="nonsense", field="", withhold=True, reason="x"
        )


def test_a_misconduct_reporter_is_withheld(world, case):
    feedback(
        world["a"],
        category="misconduct",
        text="A guard asked for money",
        contact_name="Reporter Name",
        contact="+227 99 99 99 99",
        case=case,
    )
    request = new_request(world, case)
    names = {i.name for i in subject_answers.withheld(request, subject_records.gather(case.person))}
    assert {"contact_name", "contact"} <= names


def _opened(package: bytes) -> dict[str, bytes]:
    with pyzipper.AESZipFile(io.BytesIO(package)) as archive:
        archive.setpassword(PASSWORD.encode())
        return {name: archive.read(name) for name in archive.namelist()}


def test_the_answer_is_a_pdf_in_their_language_and_json_in_an_encrypted_archive(world, case):
    request = new_request(world, case)
    with pytest.raises(ValidationError, match="at least 12 characters"):
        actions.answer(world["dpo"], request, "short")
    package = actions.answer(world["dpo"], request, PASSWORD)
    with pytest.raises(RuntimeError), pyzipper.AESZipFile(io.BytesIO(package)) as archive:
        archive.read("answer.json")  # no password: nothing to read
    files = _opened(package)
    answer = json.loads(files["answer.json"])
    assert answer["person"] == "Samira Haddad"
    assert answer["request"]["language"] == "ar"
    relatives = next(s for s in answer["held"] if s["title"] == "الأقارب")  # titles in Arabic
    assert all("Lina" not in value for record in relatives["records"] for value in record.values())
    assert answer["withheld"] and all(w["reason"] for w in answer["withheld"])
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(files["answer.pdf"])).pages)
    assert "Samira" in text and "Lina" not in text
    request.refresh_from_db()
    assert request.status == "answered" and request.answered_on == date.today()
    event = AuditEvent.objects.get(action="subject.answer")
    assert set(event.details) == {"person", "bytes", "parts", "language"}
    assert AccessLog.objects.filter(view="subject.answer", object_id=str(case.person_id)).exists()
    with pytest.raises(HavenError, match="was answered"):
        actions.decide(world["dpo"], request, record="x.Y:1", field="", withhold=True, reason="x")


def test_the_pages_record_work_and_answer_a_request(world, case):
    client = Client()
    sign_in(client, world["dpo"])
    recorded = client.post(
        f"/subjects/{case.person_id}/",
        {
            "kind": "access",
            "received_on": date.today().isoformat(),
            "channel": "letter",
            "identity_checked": "Known to the caseworker",
            "language": "ar",
        },
    )
    request = SubjectRequest.objects.get()
    assert (
        recorded.status_code == 302 and recorded["Location"] == f"/subjects/requests/{request.pk}/"
    )
    page = client.get(f"/subjects/requests/{request.pk}/").content.decode()
    assert "Another person&#x27;s identity" in page and "Produce the answer" in page
    refused = client.post(
        f"/subjects/requests/{request.pk}/decide/", {"record": "x", "withhold": "1"}
    )
    assert refused.status_code == 400
    answer = client.post(f"/subjects/requests/{request.pk}/answer/", {"password": PASSWORD})
    assert answer.status_code == 200 and answer["Content-Type"] == "application/zip"
    assert answer["Cache-Control"] == "private, no-store"
    assert set(_opened(answer.content)) == {"answer.pdf", "answer.json"}


def test_the_answer_asks_for_the_password_again_after_a_while(world, case):
    request = new_request(world, case)
    client = Client()
    sign_in(client, world["dpo"])
    session = client.session
    session["haven_auth_at"] = 0
    session.save()
    answer = client.post(f"/subjects/requests/{request.pk}/answer/", {"password": PASSWORD})
    assert answer.status_code == 302 and answer["Location"].startswith("/account/confirm/")
    assert f"next=%2Fsubjects%2Frequests%2F{request.pk}%2F" in answer["Location"]
    assert not AuditEvent.objects.filter(action="subject.answer").exists()


def test_a_request_about_someone_out_of_scope_does_not_exist(world, case, register):
    request = new_request(world, case)
    client = Client()
    sign_in(client, world["other_admin"])
    assert client.get(f"/subjects/requests/{request.pk}/").status_code in (403, 404)
    theirs = register(world["other_agency"], person={"given_name": "Omar"})
    client = Client()
    sign_in(client, world["dpo"])
    assert client.get(f"/subjects/{theirs.person_id}/").status_code == 404


def test_a_correction_is_made_through_the_normal_pages_and_its_decision_recorded(world, case):
    request = new_request(world, case, kind="rectification", details="My family name is Idris")
    person = case.person
    people_actions.update_person(
        world["caseworker"], person, {"family_name": "Idris"}, person.version
    )
    client = Client()
    sign_in(client, world["dpo"])
    page = client.get(f"/subjects/requests/{request.pk}/").content.decode()
    assert "person.update" in page and f"/cases/{case.pk}/person/" in page
    with pytest.raises(ValidationError, match="Say why"):
        actions.decide_correction(world["dpo"], request, decision="refused", reason="")
    refused = client.post(f"/subjects/requests/{request.pk}/correction/", {"decision": "maybe"})
    assert refused.status_code == 302 and SubjectRequest.objects.get().decision == ""
    client.post(f"/subjects/requests/{request.pk}/correction/", {"decision": "accepted"})
    request.refresh_from_db()
    assert (request.decision, request.status) == ("accepted", "answered")
    event = AuditEvent.objects.get(action="subject.correction")
    assert event.details == {"decision": "accepted"}
    access = new_request(world, case)
    with pytest.raises(HavenError, match="Only a correction request"):
        actions.decide_correction(world["dpo"], access, decision="accepted", reason="")


def test_an_answer_too_large_is_split_into_parts_that_fit_and_nothing_is_cut(world, case, settings):
    import secrets
    import zipfile

    from haven.cases import actions as case_actions

    bodies = {f"Note {n}: {secrets.token_hex(400)}" for n in range(40)}
    for body in sorted(bodies):
        case_actions.add_note(world["caseworker"], case, body)
    request = new_request(world, case, language="en")
    settings.HAVEN_SUBJECT_ANSWER_MAX_BYTES = 60_000
    package = actions.answer(world["dpo"], request, PASSWORD)
    with zipfile.ZipFile(io.BytesIO(package)) as outer:
        names = sorted(outer.namelist())
        parts = [outer.read(name) for name in names]
    assert len(parts) >= 2 and names[0] == f"answer-part-1-of-{len(parts)}.zip"
    assert all(len(part) <= 60_000 for part in parts)
    answers = [json.loads(_opened(part)["answer.json"]) for part in parts]
    found = [
        value
        for answer in answers
        for section in answer["held"]
        for record in section["records"]
        for value in record.values()
        if value.startswith("Note ")
    ]
    assert len(found) == len(bodies)
    assert set(found) == bodies  # every note, in exactly one part
    assert [a["part"] for a in answers] == list(range(1, len(parts) + 1))
    assert AuditEvent.objects.get(action="subject.answer").details["parts"] == len(parts)


def test_staff_notes_are_withheld_by_rule_only_where_the_law_allows(world, case, settings):
    from haven.cases import actions as case_actions

    note = case_actions.add_note(world["caseworker"], case, "Seems anxious; check again")
    request = new_request(world, case)

    def withheld_notes():
        gathered = subject_records.gather(case.person)
        return [i for i in subject_answers.withheld(request, gathered) if i.name == "body"]

    settings.HAVEN_SUBJECT_WITHHOLD_STAFF_NOTES = False
    assert withheld_notes() == []
    assert "staff_note" not in subject_answers.active_rules()
    settings.HAVEN_SUBJECT_WITHHOLD_STAFF_NOTES = True
    (item,) = withheld_notes()
    assert item.record == f"cases.Note:{note.pk}" and "where the law allows" in item.reason
    actions.decide(
        world["dpo"], request, record=item.record, field="body", withhold=False, reason="Asked"
    )
    assert withheld_notes() == []  # released by the officer, with a reason


def test_releasing_one_field_of_a_record_withheld_whole_releases_that_field_only(world, case):
    request = new_request(world, case)
    gathered = subject_records.gather(case.person)
    link = next(
        r for s in gathered.sections for r in s.records if s.source.label == "people.Relationship"
    )
    actions.decide(world["dpo"], request, record=link.key, field="", withhold=True, reason="Court")
    client = Client()
    sign_in(client, world["dpo"])
    page = client.get(f"/subjects/requests/{request.pk}/").content.decode()
    # The page's release button for the record's kind of relationship names that field.
    assert f'name="record" value="{link.key}"' in page and 'name="field" value="kind"' in page
    client.post(
        f"/subjects/requests/{request.pk}/decide/",
        {"record": link.key, "field": "kind", "withhold": "0", "reason": "Not sensitive"},
    )
    now = subject_answers.items(request, subject_records.gather(case.person))[link.key]
    withheld = {item.name for item in now if item.withheld}
    assert "kind" not in withheld and {"relative", "person"} & withheld  # the rule still holds

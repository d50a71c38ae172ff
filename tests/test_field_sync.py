"""Field work offline, on the server: enrolment, the slice a device holds, operations sent
back (idempotent, merged field by field, conflicts kept), and the wipe at next contact."""

import uuid
from datetime import date

import pytest
from rest_framework.test import APIClient

from haven.accounts.held import forget
from haven.accounts.models import RoleGrant
from haven.assistance.models import ServiceDelivery, ServiceType
from haven.audit.actions import verify_all
from haven.audit.models import AccessLog, AuditEvent
from haven.cases import actions as case_actions
from haven.cases import approval_actions
from haven.cases.models import Case, Note
from haven.field import actions
from haven.field.models import Conflict, Device, OfflinePick, Operation
from haven.people import actions as people_actions

pytestmark = pytest.mark.django_db


class Device_:
    """A device as the browser uses it: the user's session plus the device header."""

    def __init__(self, user, name="Tablet"):
        self.user = user
        self.client = APIClient()
        self.client.force_login(user)
        answer = self.client.post("/api/v1/field/devices/", {"name": name}, format="json")
        assert answer.status_code == 201, answer.content
        self.id, self.secret = answer.data["id"], answer.data["secret"]
        self.recovery_key = answer.data["recovery_key"]
        self.header = {"HTTP_X_HAVEN_DEVICE": f"{self.id}.{self.secret}"}

    def push(self, *operations):
        answer = self.client.post(
            "/api/v1/field/push/", {"operations": list(operations)}, format="json", **self.header
        )
        return answer

    def results(self, *operations):
        answer = self.push(*operations)
        assert answer.status_code == 200, answer.content
        return answer.data["results"]

    def pull_all(self, since=""):
        pages, until, after = [], "", 0
        while True:
            query = {"after": after, **({"since": since} if since else {})}
            if until:
                query["until"] = until
            answer = self.client.get("/api/v1/field/pull/", query, **self.header)
            assert answer.status_code == 200, answer.content
            pages.append(answer.data)
            until, after = answer.data["until"], answer.data["after"]
            if not answer.data["more"]:
                return pages


def op(kind, **fields):
    return {"id": str(uuid.uuid4()), "kind": kind, **fields}


def registration(ref="local:1", **person):
    return op(
        "register",
        ref=ref,
        person={"given_name": "Yonas", "family_name": "Tesfay", "sex": "male", **person},
        case_fields={
            "programme": "vulnerable_migrants",
            "vulnerabilities": ["stranded"],
            "summary": "Met at the border post",
        },
        consent_given=True,
    )


@pytest.fixture
def alice_case(world, register):
    return register(world["caseworker"])


def test_enrol_needs_the_offline_permission(world):
    client = APIClient()
    client.force_login(world["analyst"])
    answer = client.post("/api/v1/field/devices/", {"name": "Laptop"}, format="json")
    assert answer.status_code == 403
    assert not Device.objects.exists()


def test_secret_is_kept_as_a_digest_and_recovery_key_encrypted(world):
    device = Device_(world["caseworker"])
    stored = Device.objects.get()
    assert device.secret not in stored.secret_digest
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT recovery_key FROM field_device")
        raw = cursor.fetchone()[0]
    assert raw != device.recovery_key and device.recovery_key not in raw
    assert AuditEvent.objects.filter(action="device.enrol", device_id=None).exists()


def test_pull_sends_own_open_cases_only_and_logs_each_disclosure(world, register, alice_case):
    other = register(world["caseworker2"], person={"given_name": "Bob's client"})
    closed = register(world["caseworker"], person={"given_name": "Closed"})
    Case.objects.filter(pk=closed.pk).update(status="closed")
    sensitive = register(world["caseworker"], person={"given_name": "Secret"})
    Case.objects.filter(pk=sensitive.pk).update(sensitive=True)
    device = Device_(world["caseworker"])
    pages = device.pull_all()
    ids = [r["id"] for page in pages for r in page["records"]]
    assert ids == [alice_case.pk]
    assert pages[-1]["keep"] == [alice_case.pk]
    assert other.pk not in ids and closed.pk not in ids and sensitive.pk not in ids
    record = pages[0]["records"][0]
    assert record["person"]["given_name"] == "Amal" and record["number"] == alice_case.number
    assert "reference" in pages[0] and pages[0]["reference"]["programmes"]
    log = AccessLog.objects.get(view="device.pull")
    assert log.object_id == str(alice_case.pk) and log.actor == world["caseworker"]
    assert Device.objects.get().held_cases == 1


def test_sensitive_cases_go_offline_only_with_the_permission(world, register):
    from haven.accounts.models import Role

    case = register(world["caseworker"], case={"sensitive": True})
    role = Role.objects.get(code="caseworker")
    role.permissions = [*role.permissions, "field.offline_sensitive"]
    role.save()
    forget(world["caseworker"])
    device = Device_(world["caseworker"])
    assert [r["id"] for r in device.pull_all()[0]["records"]] == [case.pk]


def test_pull_in_pages_resumes_and_sends_only_changes(world, register, settings):
    settings.HAVEN_OFFLINE_PAGE = 2
    cases = [register(world["caseworker"], person={"given_name": f"P{i}"}) for i in range(5)]
    device = Device_(world["caseworker"])
    pages = device.pull_all()
    assert [len(p["records"]) for p in pages] == [2, 2, 1]
    assert sorted(r["id"] for p in pages for r in p["records"]) == sorted(c.pk for c in cases)
    cursor = pages[-1]["until"]
    assert device.pull_all(since=cursor)[0]["records"] == []
    case_actions.add_note(world["caseworker"], cases[3], "Called back")
    again = device.pull_all(since=cursor)
    assert [r["id"] for p in again for r in p["records"]] == [cases[3].pk]
    assert again[0]["records"][0]["notes"][0]["body"] == "Called back"


def test_cases_that_leave_the_slice_are_dropped(world, register, alice_case):
    device = Device_(world["caseworker"])
    cursor = device.pull_all()[-1]["until"]
    case_actions.assign(world["supervisor"], alice_case, owner=world["caseworker2"])
    last = device.pull_all(since=cursor)[-1]
    assert last["keep"] == []
    assert Device.objects.get().held_cases == 0


def test_register_offline_then_note_by_local_reference(world):
    device = Device_(world["caseworker"])
    reg = registration()
    note = op("note.add", case="local:1", body="First contact at the border")
    first, second = device.results(reg, note)
    assert first["status"] == "applied", first
    case = Case.objects.get(pk=first["case"])
    assert first["number"] == case.number and case.number.startswith("AA-")
    assert second["status"] == "applied"
    assert Note.objects.get(case=case).body == "First contact at the border"
    events = AuditEvent.objects.filter(action__in=["case.create", "note.create"])
    assert {e.device_id for e in events} == {device.id}
    assert AuditEvent.objects.filter(action="device.sync").exists()
    assert verify_all() == []


def test_sending_an_operation_twice_applies_it_once(world, alice_case):
    device = Device_(world["caseworker"])
    note = op("note.add", case=alice_case.pk, body="Once")
    assert device.results(note)[0]["status"] == "applied"
    assert device.results(note)[0]["status"] == "applied"
    assert Note.objects.filter(case=alice_case).count() == 1


def test_an_id_replayed_with_other_content_is_refused(world, alice_case):
    device = Device_(world["caseworker"])
    note = op("note.add", case=alice_case.pk, body="Original")
    device.results(note)
    tampered = {**note, "body": "Changed afterwards"}
    result = device.results(tampered)[0]
    assert result["status"] == "refused" and "already used" in result["reason"]
    assert list(Note.objects.values_list("body", flat=True)) == ["Original"]


def test_out_of_order_waits_for_its_registration(world):
    device = Device_(world["caseworker"])
    reg = registration(ref="local:late")
    note = op("note.add", case="local:late", body="Written after registering")
    assert device.results(note)[0]["status"] == "waiting"
    assert not Note.objects.exists()
    assert device.results(reg)[0]["status"] == "applied"
    assert device.results(note)[0]["status"] == "applied"
    assert Note.objects.get().body == "Written after registering"


def test_out_of_scope_operation_is_refused_and_others_still_apply(world, register, alice_case):
    someone_elses = register(world["caseworker2"])
    device = Device_(world["caseworker"])
    results = device.results(
        op("note.add", case=someone_elses.pk, body="Not mine"),
        op("note.add", case=alice_case.pk, body="Mine"),
    )
    assert [r["status"] for r in results] == ["refused", "applied"]
    assert "no longer in your caseload" in results[0]["reason"]
    assert list(Note.objects.values_list("body", flat=True)) == ["Mine"]


def test_different_fields_merge_and_the_same_field_becomes_a_conflict(world, alice_case):
    device = Device_(world["caseworker"])
    bundle = device.pull_all()[0]["records"][0]
    # Meanwhile, online, the supervisor changes the summary.
    case_actions.update_case(world["supervisor"], alice_case, {"summary": "From the office"}, 1)
    results = device.results(
        op(
            "case.update",
            case=alice_case.pk,
            changes={
                "summary": {"from": bundle["summary"], "to": "From the field"},
                "risk_level": {"from": bundle["risk_level"], "to": "high"},
            },
        )
    )
    assert results[0]["status"] == "conflict"
    assert results[0]["applied"] == ["risk_level"] and results[0]["conflicts"] == ["summary"]
    alice_case.refresh_from_db()
    assert alice_case.summary == "From the office" and alice_case.risk_level == "high"
    conflict = Conflict.objects.get()
    assert conflict.server_value == {"v": "From the office"}
    assert conflict.device_value == {"v": "From the field"}
    # The owner chooses the device's value: applied through the normal action, audited.
    actions.resolve(world["caseworker"], conflict, "device")
    alice_case.refresh_from_db()
    assert alice_case.summary == "From the field"
    assert AuditEvent.objects.filter(action="conflict.resolve").exists()


def test_conflict_values_are_encrypted_at_rest(world, alice_case):
    device = Device_(world["caseworker"])
    case_actions.update_case(world["supervisor"], alice_case, {"summary": "Office text"}, 1)
    device.results(
        op("case.update", case=alice_case.pk, changes={"summary": {"from": "", "to": "Field text"}})
    )
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT device_value, server_value FROM field_conflict")
        row = cursor.fetchone()
    assert "Field text" not in row[0] and "Office text" not in row[1]


def test_person_fields_merge_too(world, alice_case):
    device = Device_(world["caseworker"])
    person = alice_case.person
    results = device.results(
        op(
            "person.update",
            case=alice_case.pk,
            changes={"family_name": {"from": person.family_name, "to": "Hadad"}},
        )
    )
    assert results[0]["status"] == "applied"
    person.refresh_from_db()
    assert person.family_name == "Hadad"


def test_a_step_no_longer_allowed_is_refused_with_the_reason(world, alice_case):
    device = Device_(world["caseworker"])
    ok = device.results(op("case.transition", case=alice_case.pk, to="assessment"))[0]
    assert ok["status"] == "applied"
    refused = device.results(op("case.transition", case=alice_case.pk, to="follow_up"))[0]
    assert refused["status"] == "refused" and refused["reason"]
    alice_case.refresh_from_db()
    assert alice_case.status == "assessment"


def test_service_and_offline_views_are_recorded(world, alice_case):
    ServiceType.objects.get_or_create(code="shelter", defaults={"name": "Shelter"})
    device = Device_(world["caseworker"])
    results = device.results(
        op("service.record", case=alice_case.pk, service="shelter", delivered_on="2026-12-01"),
        op("view", case=alice_case.pk, view="case.detail", at="2026-12-02T08:30:00Z"),
    )
    assert [r["status"] for r in results] == ["applied", "applied"]
    assert ServiceDelivery.objects.get().case == alice_case
    log = AccessLog.objects.get(view="offline.case.detail")
    assert log.device_id == device.id and log.occurred_at.isoformat().startswith("2026-12-02")
    assert verify_all() == []


def test_a_clock_in_the_future_is_taken_as_now(world, alice_case):
    device = Device_(world["caseworker"])
    device.results(op("view", case=alice_case.pk, view="case.detail", at="2099-01-01T00:00:00Z"))
    log = AccessLog.objects.get(view="offline.case.detail")
    assert log.occurred_at.year < 2099


def test_bad_operations_get_reasons_not_errors(world):
    device = Device_(world["caseworker"])
    results = device.results(
        {"kind": "note.add"},
        op("unknown.kind"),
        op("note.add", case="not a case", body="x"),
        registration(ref="local:2", given_name=""),
        op(
            "register",
            ref="local:3",
            person={"given_name": "X", "sex": "male", "religion": "y"},
            case_fields={"programme": "vulnerable_migrants"},
            consent_given=True,
        ),
    )
    assert [r["status"] for r in results] == ["refused"] * 5
    assert all(r["reason"] for r in results)
    assert not Case.objects.exists()
    answer = device.push(*[op("view") for _ in range(201)])
    assert answer.status_code == 400


def test_possible_duplicate_goes_to_the_review_queue(world, register, alice_case):
    from haven.tracing.models import DuplicatePair

    device = Device_(world["caseworker"])
    result = device.results(
        registration(
            ref="local:dup",
            given_name="Amal",
            family_name="Haddad",
            sex="female",
            birth_date="1994-05-02",
            nationalities=["SY"],
            original_script_name="أمل حداد",
        )
    )[0]
    assert result["status"] == "applied"
    assert result["duplicates"] and result["duplicates"][0]["person"] == alice_case.person_id
    assert DuplicatePair.objects.filter(status="pending").count() == 1


def test_revoked_device_is_told_to_wipe_at_next_contact(world, alice_case):
    device = Device_(world["caseworker"])
    actions.revoke(world["supervisor"], Device.objects.get(), "Phone lost")
    answer = APIClient().get("/api/v1/field/devices/status/", **device.header)
    assert answer.status_code == 410 and answer.data["code"] == "wipe"
    assert device.push(op("note.add", case=alice_case.pk, body="x")).status_code == 410
    assert not Note.objects.exists()
    assert Device.objects.get().wipe_sent_at is not None


def test_deactivated_user_or_lost_role_wipes(world):
    device = Device_(world["caseworker"])
    status = APIClient().get("/api/v1/field/devices/status/", **device.header)
    assert status.status_code == 200 and status.data["wipe_after_days"] == 14
    RoleGrant.objects.filter(user=world["caseworker"]).delete()
    forget(world["caseworker"])
    assert APIClient().get("/api/v1/field/devices/status/", **device.header).status_code == 410
    other = Device_(world["caseworker2"])
    world["caseworker2"].is_active = False
    world["caseworker2"].save()
    answer = APIClient().get("/api/v1/field/devices/status/", **other.header)
    assert answer.status_code == 410 and "deactivated" in answer.data["detail"]


def test_a_wrong_secret_or_another_users_device_is_refused(world):
    device = Device_(world["caseworker"])
    forged = {"HTTP_X_HAVEN_DEVICE": f"{device.id}.not-the-secret"}
    assert APIClient().get("/api/v1/field/devices/status/", **forged).status_code == 404
    assert device.client.get("/api/v1/field/pull/", **forged).status_code == 403
    bob = APIClient()
    bob.force_login(world["caseworker2"])
    assert bob.get("/api/v1/field/pull/", **device.header).status_code == 403


def test_recovery_key_only_to_the_devices_own_user(world):
    device = Device_(world["caseworker"])
    answer = device.client.post(
        "/api/v1/field/devices/recovery-key/", {}, format="json", **device.header
    )
    assert answer.status_code == 200 and answer.data["recovery_key"] == device.recovery_key
    bob = APIClient()
    bob.force_login(world["caseworker2"])
    assert (
        bob.post(
            "/api/v1/field/devices/recovery-key/", {}, format="json", **device.header
        ).status_code
        == 403
    )
    assert AuditEvent.objects.filter(action="device.recovery_key").count() == 1


def test_supervisor_sees_and_revokes_devices_in_scope_only(world, client):
    Device_(world["caseworker"])
    Device_(world["other_agency"], name="B phone")
    client.force_login(world["supervisor"])
    page = client.get("/field/devices/")
    assert b"Tablet" in page.content and b"B phone" not in page.content
    other = Device.objects.get(name="B phone")
    assert client.post(f"/field/devices/{other.pk}/revoke/").status_code == 404
    mine = Device.objects.get(name="Tablet")
    assert client.get(f"/field/devices/{other.pk}/").status_code == 404
    assert client.get(f"/field/devices/{mine.pk}/revoke/").status_code == 200
    client.post(f"/field/devices/{mine.pk}/revoke/", {"reason": "Lost"})
    assert Device.objects.get(pk=mine.pk).revoked_at is not None
    bob = APIClient()
    bob.force_login(world["caseworker2"])
    assert (
        bob.post(f"/api/v1/field/devices/{mine.pk}/revoke/", {}, format="json").status_code == 404
    )


def test_a_failing_operation_leaves_nothing_half_done(world, alice_case, monkeypatch):
    device = Device_(world["caseworker"])

    def broken(*args, **kwargs):
        raise people_actions.ValidationError("The index is down")

    from haven.tracing import dedupe_actions

    monkeypatch.setattr(dedupe_actions, "queue_found_at_sync", broken)
    result = device.results(registration(ref="local:x"))[0]
    assert result["status"] == "refused"
    assert Case.objects.count() == 1  # only alice_case: the registration was undone whole
    assert Operation.objects.get(ref="").status == "refused"


def test_shell_manifest_and_service_worker(world, client):
    client.force_login(world["caseworker"])
    page = client.get("/field/")
    assert page.status_code == 200 and b"field/build/app.js" in page.content
    worker = client.get("/field/sw.js")
    assert worker["Service-Worker-Allowed"] == "/field/"
    assert b"HAVEN_SHELL" in worker.content and b"/field/" in worker.content
    # The form engine is kept for offline use, the map widget Haven's forms never show is not.
    assert b"/static/assessments/build/webform.js" in worker.content
    assert b"MapBlock" not in worker.content
    # The engine compiles WebAssembly: allowed on its pages, JavaScript eval still is not.
    policy = page["Content-Security-Policy"]
    assert "'wasm-unsafe-eval'" in policy and "'unsafe-eval'" not in policy
    manifest = client.get("/field/manifest.webmanifest").json()
    assert manifest["start_url"] == "/field/" and manifest["display"] == "standalone"
    client.force_login(world["analyst"])
    assert client.get("/field/").status_code == 403


def test_a_case_in_scope_can_be_picked_to_go_offline(world, register, alice_case):
    supervisor = world["supervisor"]
    device = Device_(supervisor)
    assert device.pull_all()[-1]["keep"] == []
    actions.pick(supervisor, alice_case.number.lower())
    assert device.pull_all()[-1]["keep"] == [alice_case.pk]
    assert AuditEvent.objects.filter(action="offline.pick").exists()
    actions.unpick(supervisor, OfflinePick.objects.get())
    assert device.pull_all()[-1]["keep"] == []


def test_picking_out_of_scope_closed_or_sensitive_is_refused(world, register, alice_case):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError, match="among the cases you may see"):
        actions.pick(world["caseworker2"], alice_case.number)
    Case.objects.filter(pk=alice_case.pk).update(status="closed")
    with pytest.raises(ValidationError, match="cannot go offline"):
        actions.pick(world["supervisor"], alice_case.number)
    assert not OfflinePick.objects.exists()


def test_the_device_carries_tasks_and_the_plan(world, alice_case):
    device = Device_(world["caseworker"])
    first = device.pull_all()
    record = first[0]["records"][0]
    assert "Assessment due" in [task["title"] for task in record["tasks"]]
    assert record["plan"] is None
    approval_actions.save_plan(
        world["caseworker"],
        alice_case,
        goals="Shelter and family contact",
        actions=[{"description": "Call the shelter", "due_on": date(2030, 1, 2)}],
        submit=False,
    )
    changed = device.pull_all(since=first[-1]["until"])[0]["records"][0]
    assert changed["plan"]["goals"] == "Shelter and family contact"
    assert changed["plan"]["actions"] == [
        {"description": "Call the shelter", "due_on": "2030-01-02", "done": False}
    ]
    assert "Call the shelter" in [task["title"] for task in changed["tasks"]]


@pytest.fixture
def shelter_point(world):
    from haven.assistance.models import Provider, ServicePoint

    shelter, _ = ServiceType.objects.get_or_create(code="shelter", defaults={"name": "Shelter"})
    provider = Provider.objects.create(name="Safe House", maintained_by=world["a"])
    point = ServicePoint.objects.create(provider=provider, name="Safe House North")
    point.services.add(shelter)
    return point


def test_a_referral_queued_offline_with_consent_taken_on_the_spot(world, alice_case, shelter_point):
    from haven.assistance.models import Referral
    from haven.people.selectors import has_consent

    device = Device_(world["caseworker"])
    pulled = device.pull_all()[0]
    assert pulled["records"][0]["referral_consent"] is False
    assert any(p["id"] == shelter_point.pk for p in pulled["reference"]["points"])
    refer = {
        "case": alice_case.pk,
        "service": "shelter",
        "point": shelter_point.pk,
        "reason": "Nowhere to sleep tonight",
        "fields": ["name", "sex", "age"],
    }
    refused = device.results(op("referral.create", **refer))[0]
    assert refused["status"] == "refused" and "consented to referral" in refused["reason"]
    applied = device.results(op("referral.create", consent_given=True, **refer))[0]
    assert applied["status"] == "applied", applied
    referral = Referral.objects.get()
    assert referral.to_point == shelter_point and referral.shared_fields == ["name", "sex", "age"]
    assert has_consent(alice_case.person, "referral")
    assert AuditEvent.objects.get(action="referral.create").device_id == device.id


def test_a_device_page_lists_the_case_numbers_it_holds_never_names(world, client, alice_case):
    device = Device_(world["caseworker"])
    device.pull_all()
    device.results(op("note.add", case=alice_case.pk, body="x"))
    client.force_login(world["supervisor"])
    page = client.get(f"/field/devices/{device.id}/").content.decode()
    assert alice_case.number in page and "applied: 1" in page
    assert "Amal" not in page and "Haddad" not in page


def test_a_time_without_a_zone_from_the_device_is_read_as_utc(world, alice_case):
    device = Device_(world["caseworker"])
    result = device.results(
        op(
            "view",
            case=alice_case.pk,
            view="case.detail",
            at="2026-12-02T08:30:00",
            made_at="2026-12-02T08:30:00",
        )
    )[0]
    assert result["status"] == "applied"
    log = AccessLog.objects.get(view="offline.case.detail")
    assert log.occurred_at.isoformat().startswith("2026-12-02T08:30:00")


def test_the_device_gets_only_the_latest_notes_of_a_case(world, alice_case):
    for n in range(25):
        case_actions.add_note(world["caseworker"], alice_case, f"Visit {n}")
    record = Device_(world["caseworker"]).pull_all()[0]["records"][0]
    bodies = [note["body"] for note in record["notes"]]
    assert len(bodies) == 20 and bodies[0] == "Visit 24" and bodies[-1] == "Visit 5"


def test_seeing_a_conflict_is_in_the_access_log(world, alice_case, client):
    device = Device_(world["caseworker"])
    case_actions.update_case(world["supervisor"], alice_case, {"summary": "Office"}, 1)
    device.results(
        op("case.update", case=alice_case.pk, changes={"summary": {"from": "", "to": "Field"}})
    )
    client.force_login(world["caseworker"])
    page = client.get(f"/field/conflicts/{Conflict.objects.get().pk}/")
    assert b"Field" in page.content and b"Office" in page.content
    log = AccessLog.objects.get(view="conflict.detail")
    assert log.object_id == str(alice_case.pk) and log.actor == world["caseworker"]


def test_devices_page_reads_offices_once_not_per_device(world, django_assert_max_num_queries):
    from haven.field.selectors import devices_visible_to

    for name in ("caseworker", "caseworker2", "caseworker_south", "supervisor"):
        for kind in ("phone", "tablet", "laptop"):
            Device_(world[name], name=f"{name} {kind}")
    with django_assert_max_num_queries(6):
        assert len(list(devices_visible_to(world["agency_admin"]))) == 12


def test_a_case_sent_again_is_dated_from_the_latest_sending(world, alice_case):
    from haven.field.models import HeldCase

    device = Device_(world["caseworker"])
    cursor = device.pull_all()[-1]["until"]
    first = HeldCase.objects.get().sent_at
    case_actions.add_note(world["caseworker"], alice_case, "Changed since")
    device.pull_all(since=cursor)
    assert HeldCase.objects.get().sent_at > first

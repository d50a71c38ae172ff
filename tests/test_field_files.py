"""Photos, recordings and documents answering an assessment filled offline: each sent ahead
of its change in its own upload, kept encrypted until the change claims it, then checked
and stored as the response's attachment like any other; refused files and files that never
arrived leave the answers as a draft that says why."""

import uuid
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.utils import timezone

from haven.assessments import actions
from haven.assessments.models import Assessment
from haven.audit.models import AuditEvent
from haven.field import device_files
from haven.field.models import DeviceFile
from haven.field.tasks import remove_unclaimed_device_files
from haven.scoring import xform
from tests.test_assessment_attachments import PDF, SHEETS, png
from tests.test_field_sync import Device_, op
from tests.xlsform import workbook

pytestmark = pytest.mark.django_db


@pytest.fixture
def form(world):
    return actions.publish_definition(world["agency_admin"], workbook(SHEETS), "m.xlsx")


def upload(device: Device_, data: bytes, file_id: str | None = None, name: str = "p.png"):
    return device.client.post(
        "/api/v1/field/files/",
        {"id": file_id or str(uuid.uuid4()), "file": SimpleUploadedFile(name, data)},
        format="multipart",
        **device.header,
    )


def submit(definition, case, answers: dict, files: list[dict]) -> dict:
    instance = xform.write_instance(
        definition.parsed(), definition.xform, answers, f"uuid:{uuid.uuid4()}"
    )
    return op(
        "assessment.submit",
        case=case.pk,
        definition=definition.pk,
        title=definition.title,
        instance=instance,
        files=files,
    )


def test_a_photo_sent_ahead_is_claimed_by_its_assessment_and_stored_with_it(world, register, form):
    case = register(world["caseworker"])
    device = Device_(world["caseworker"])
    file_id = str(uuid.uuid4())
    first = upload(device, png(), file_id)
    assert first.status_code == 201 and first.data["size"] == len(png())
    # Sent again (the sync was cut after the upload): the same file, kept once.
    assert upload(device, png(), file_id).status_code == 200
    assert DeviceFile.objects.count() == 1
    with connection.cursor() as cursor:
        cursor.execute("SELECT data FROM field_devicefile")
        (stored,) = cursor.fetchone()
    assert b"PNG" not in str(stored).encode()  # encrypted at rest
    (result,) = device.results(
        submit(
            form,
            case,
            {"site": "Border post", "document_photo": "1765000000.png"},
            [{"id": file_id, "name": "1765000000.png"}],
        )
    )
    assert result["status"] == "applied", result
    assessment = Assessment.objects.get(pk=result["assessment"])
    (attachment,) = assessment.attachments.all()
    assert attachment.name == "1765000000.png" and attachment.data == png()
    assert attachment.question == "document_photo" and attachment.content_type == "image/png"
    assert not DeviceFile.objects.exists()  # handed over, not kept twice
    assert AuditEvent.objects.filter(action="device.file").count() == 1
    assert AuditEvent.objects.filter(action="assessment.attachment").count() == 1


def test_a_file_of_the_wrong_kind_keeps_the_answers_as_a_draft_saying_which(world, register, form):
    case = register(world["caseworker"])
    device = Device_(world["caseworker"])
    photo, letter = str(uuid.uuid4()), str(uuid.uuid4())
    assert upload(device, PDF, photo, "p.jpg").status_code == 201
    assert upload(device, PDF, letter, "l.pdf").status_code == 201
    (result,) = device.results(
        submit(
            form,
            case,
            {"site": "Port", "document_photo": "p.jpg", "letter": "l.pdf"},
            [{"id": photo, "name": "p.jpg"}, {"id": letter, "name": "l.pdf"}],
        )
    )
    assert result["status"] == "refused"
    assert (
        "kept as a draft" in result["reason"] and "p.jpg: This is not a photo" in result["reason"]
    )
    assert "was not received" not in result["reason"]  # said once, with the real reason
    draft = Assessment.objects.get(pk=result["assessment"])
    assert draft.status == "draft" and draft.answers["site"] == "Port"
    assert list(draft.attachments.values_list("name", flat=True)) == ["l.pdf"]


def test_a_file_that_never_arrived_leaves_a_draft_asking_for_it(world, register, form):
    case = register(world["caseworker"])
    device = Device_(world["caseworker"])
    missing = str(uuid.uuid4())
    (result,) = device.results(
        submit(form, case, {"document_photo": "p.png"}, [{"id": missing, "name": "p.png"}])
    )
    assert result["status"] == "refused" and "The file p.png was not received" in result["reason"]
    assert Assessment.objects.get(pk=result["assessment"]).answers == {"document_photo": "p.png"}


def test_a_malformed_list_of_files_is_refused_saying_what_is_wrong(world, register, form):
    case = register(world["caseworker"])
    device = Device_(world["caseworker"])
    bad_id, not_a_list = device.results(
        submit(form, case, {"site": "A"}, [{"id": "nope", "name": "p.png"}]),
        {**submit(form, case, {"site": "B"}, []), "files": "p.png"},
    )
    assert bad_id["status"] == "refused" and "needs an id (a UUID) and a name" in bad_id["reason"]
    assert not_a_list["status"] == "refused" and "must be a list" in not_a_list["reason"]


def test_uploads_are_bounded_and_need_an_enrolled_device(world, settings):
    settings.HAVEN_ATTACHMENT_MAX_BYTES = 1024 * 1024
    device = Device_(world["caseworker"])
    too_big = upload(device, png() + b"\x00" * (1024 * 1024))
    assert too_big.status_code == 400 and "a file may be at most 1 MB" in str(too_big.data)
    empty = upload(device, b"")
    assert empty.status_code == 400
    no_id = device.client.post(
        "/api/v1/field/files/", {"file": SimpleUploadedFile("p.png", png())}, **device.header
    )
    assert no_id.status_code == 400 and "id" in no_id.data
    device.client.credentials()
    stranger = device.client.post(
        "/api/v1/field/files/",
        {"id": str(uuid.uuid4()), "file": SimpleUploadedFile("p.png", png())},
        format="multipart",
    )
    assert stranger.status_code == 403
    assert not DeviceFile.objects.exists()


def test_a_device_may_hold_only_so_many_unclaimed_files(world, monkeypatch):
    monkeypatch.setattr(device_files, "MAX_WAITING", 2)
    device = Device_(world["caseworker"])
    assert upload(device, png()).status_code == 201
    assert upload(device, png()).status_code == 201
    third = upload(device, png())
    assert third.status_code == 400 and "send its waiting changes first" in str(third.data)


def test_files_no_change_claims_are_removed_after_a_week_and_the_removal_audited(world):
    device = Device_(world["caseworker"])
    old, recent = str(uuid.uuid4()), str(uuid.uuid4())
    upload(device, png(), old)
    upload(device, png(), recent)
    DeviceFile.objects.filter(file_id=old).update(received_at=timezone.now() - timedelta(days=8))
    assert remove_unclaimed_device_files() == 1
    assert [str(f.file_id) for f in DeviceFile.objects.all()] == [recent]
    assert AuditEvent.objects.get(action="device.file.expire").details == {"removed": 1}
    assert remove_unclaimed_device_files() == 0  # nothing left to remove: nothing recorded
    assert AuditEvent.objects.filter(action="device.file.expire").count() == 1

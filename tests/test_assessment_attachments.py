"""Photos, recordings and documents answering `image`, `audio` and `file` questions: their
type read from the bytes, their size bounded, stored encrypted, named in the answers,
required to have arrived before a response is submitted, and shown only to who may see the
response, every opening in the access log."""

import io
import wave

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from PIL import Image

from haven.assessments import actions, attachments
from haven.assessments.models import Attachment
from haven.audit.models import AccessLog
from haven.core.errors import HavenError, NotAllowed
from tests.conftest import sign_in
from tests.xlsform import workbook

SHEETS = {
    "survey": [
        ["type", "name", "label", "required"],
        ["text", "site", "Site", ""],
        ["image", "document_photo", "Photo of the document", "yes"],
        ["audio", "statement", "Recorded statement", ""],
        ["file", "letter", "Referral letter", ""],
    ],
    "settings": [["form_id"], ["intake_media"]],
}


def png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (4, 4), "red").save(out, "PNG")
    return out.getvalue()


def jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (4, 4), "blue").save(out, "JPEG")
    return out.getvalue()


def wav() -> bytes:
    out = io.BytesIO()
    with wave.open(out, "wb") as sound:
        sound.setnchannels(1)
        sound.setsampwidth(2)
        sound.setframerate(8000)
        sound.writeframes(b"\x00\x00" * 800)
    return out.getvalue()


PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def draft(world, register):
    definition = actions.publish_definition(world["agency_admin"], workbook(SHEETS), "m.xlsx")
    return actions.start(world["caseworker"], register(world["caseworker"]), definition)


@pytest.mark.parametrize(
    ("question", "data", "content_type"),
    [
        ("document_photo", "png", "image/png"),
        ("document_photo", "jpeg", "image/jpeg"),
        ("statement", "wav", "audio/x-wav"),
        ("letter", "pdf", "application/pdf"),
        ("letter", "png", "image/png"),
    ],
)
def test_each_question_takes_its_kinds_of_file(world, draft, question, data, content_type):
    files = {"png": png, "jpeg": jpeg, "wav": wav, "pdf": lambda: PDF}
    stored = attachments.receive(world["caseworker"], draft, question, "x.bin", files[data]())
    assert stored.content_type == content_type and stored.question == question


@pytest.mark.parametrize(
    ("question", "data", "words"),
    [
        ("document_photo", PDF, "not a photo"),
        ("statement", b"\x89PNG\r\n\x1a\n" + b"0" * 40, "not a recording"),
        ("letter", b"MZ\x90\x00" + b"\x00" * 100, "not accepted"),
        ("letter", b"just some text", "not a type Haven recognises"),
        ("letter", b"", "empty"),
        ("site", PDF, "not a photo, recording or file question"),
        ("nowhere", PDF, "not a photo, recording or file question"),
    ],
)
def test_a_file_of_the_wrong_kind_is_refused_saying_what_it_is(world, draft, question, data, words):
    with pytest.raises(HavenError, match=words):
        attachments.receive(world["caseworker"], draft, question, "photo.jpg", data)
    assert not Attachment.objects.exists()


def test_a_file_too_large_is_refused_with_its_size(world, draft, settings):
    settings.HAVEN_ATTACHMENT_MAX_BYTES = 1024 * 1024
    big = png() + b"\x00" * (1024 * 1024)
    with pytest.raises(HavenError, match=r"1\.0 MB; a file may be at most 1 MB"):
        attachments.receive(world["caseworker"], draft, "document_photo", "big.png", big)


def test_only_who_fills_the_case_attaches_and_only_to_a_draft(world, draft):
    with pytest.raises(NotAllowed):
        attachments.receive(world["other_agency"], draft, "document_photo", "a.png", png())
    draft.status = "submitted"
    draft.save()
    with pytest.raises(HavenError, match="submitted already"):
        attachments.receive(world["caseworker"], draft, "document_photo", "a.png", png())


def test_the_bytes_are_encrypted_at_rest_and_named_safely(world, draft):
    stored = attachments.receive(
        world["caseworker"], draft, "document_photo", "../../Amal passport (1).png", png()
    )
    assert stored.name == "Amal_passport_1_.png"
    with connection.cursor() as cursor:
        cursor.execute("SELECT data FROM assessments_attachment WHERE id = %s", [stored.pk])
        raw = cursor.fetchone()[0]
    assert raw.startswith("gAAAA") and "PNG" not in raw  # a Fernet token, not the image
    assert Attachment.objects.get(pk=stored.pk).data == png()


def test_a_response_is_submitted_only_once_every_file_it_names_has_arrived(world, draft):
    answers = {"site": "BORDER-01", "document_photo": "passport.jpg"}
    saved = actions.save(world["caseworker"], draft, answers, draft.version, submit=True)
    assert not saved.submitted
    assert [p.message for p in saved.problems] == [
        "The file passport.jpg was not received: attach it again."
    ]
    draft.refresh_from_db()
    attachments.receive(world["caseworker"], draft, "document_photo", "passport.jpg", jpeg())
    attachments.receive(world["caseworker"], draft, "document_photo", "retaken.jpg", jpeg())
    saved = actions.save(world["caseworker"], draft, answers, draft.version, submit=True)
    assert saved.submitted, saved.problems
    # The photo no answer names any more is not kept past the submission.
    assert list(draft.attachments.values_list("name", flat=True)) == ["passport.jpg"]


def test_the_page_takes_a_file_and_shows_it_to_the_case_team_only(world, draft):
    client = Client()
    sign_in(client, world["caseworker"])
    url = f"/assessments/{draft.pk}/"
    page = client.get(url).content.decode()
    assert 'enctype="multipart/form-data"' in page
    assert 'name="document_photo__file" type="file" accept="image/*"' in page
    posted = {
        "site": "BORDER-01",
        "document_photo__file": SimpleUploadedFile("IMG_0001.jpg", jpeg()),
        "version": str(draft.version),
    }
    assert client.post(url, posted).status_code == 302
    draft.refresh_from_db()
    name = draft.answers["document_photo"]
    assert name == "document_photo-IMG_0001.jpg"
    stored = draft.attachments.get(name=name)
    page = client.get(url).content.decode()
    link = f"/assessments/{draft.pk}/files/{stored.pk}/"
    assert link in page and "IMG_0001" not in link  # addressed by number, not by name
    shown = client.get(link)
    assert shown.status_code == 200 and shown["Content-Type"] == "image/jpeg"
    assert shown.content == jpeg()
    assert shown["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in shown["Content-Security-Policy"]
    assert AccessLog.objects.filter(view="assessment.attachment").count() == 1
    other = Client()
    sign_in(other, world["other_agency"])
    assert other.get(link).status_code == 404


def test_a_refused_upload_on_the_page_keeps_every_other_answer(world, draft):
    client = Client()
    sign_in(client, world["caseworker"])
    posted = {
        "site": "BORDER-01",
        "document_photo__file": SimpleUploadedFile("scan.jpg", PDF),
        "version": str(draft.version),
        "submit": "1",
    }
    page = client.post(f"/assessments/{draft.pk}/", posted)
    assert page.status_code == 200 and "not a photo" in page.content.decode()
    draft.refresh_from_db()
    assert draft.status == "draft" and draft.answers["site"] == "BORDER-01"


def test_the_api_attaches_then_the_answers_name_the_file(world, draft, api):
    client = api("caseworker")
    url = f"/api/v1/assessments/{draft.pk}/attachments/"
    response = client.post(
        url,
        {"question": "statement", "file": SimpleUploadedFile("rec.wav", wav())},
        format="multipart",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["name"] == "rec.wav" and body["content_type"] == "audio/x-wav"
    refused = client.post(
        url,
        {"question": "statement", "file": SimpleUploadedFile("rec.wav", PDF)},
        format="multipart",
    )
    assert refused.status_code == 400 and "not a recording" in str(refused.json())


def test_the_form_engine_sends_its_files_with_the_instance(world, draft):
    client = Client()
    sign_in(client, world["caseworker"])
    url = f"/assessments/{draft.pk}/instance/"
    xml = (
        '<data id="intake_media"><site>B</site><document_photo>1700000000.jpg</document_photo>'
        "<statement/><letter/></data>"
    )
    stray = {"instance": xml, "version": str(draft.version)}
    stray["attachment"] = SimpleUploadedFile("other.jpg", jpeg())
    refused = client.post(url, stray)
    assert (
        refused.status_code == 400
        and "No answer names the file other.jpg" in refused.json()["error"]
    )
    photo = SimpleUploadedFile("1700000000.jpg", jpeg())
    sent = {"instance": xml, "version": str(draft.version), "submit": "1", "attachment": photo}
    response = client.post(url, sent)
    assert response.status_code == 200 and response.json()["submitted"], response.json()
    draft.refresh_from_db()
    assert draft.answers["document_photo"] == "1700000000.jpg"
    assert draft.attachments.get().content_type == "image/jpeg"


def test_a_film_answers_a_video_question(world, register):
    sheets = {
        "survey": [["type", "name", "label"], ["video", "walk", "Film the site"]],
        "settings": [["form_id"], ["site_video"]],
    }
    definition = actions.publish_definition(world["agency_admin"], workbook(sheets), "v.xlsx")
    draft = actions.start(world["caseworker"], register(world["caseworker"]), definition)
    mp4 = b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom" + b"\x00" * 64
    stored = attachments.receive(world["caseworker"], draft, "walk", "walk.mp4", mp4)
    assert stored.content_type == "video/mp4"
    with pytest.raises(HavenError, match="not a film"):
        attachments.receive(world["caseworker"], draft, "walk", "walk.png", png())

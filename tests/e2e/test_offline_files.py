"""A photo answering an assessment filled in the offline app, in Chromium with the network
really cut: made smaller on the device, kept there sealed with the answers, sent ahead of
them at the next sync and stored with the response."""

import io
import re

import pytest
from PIL import Image
from playwright.sync_api import expect

from haven.accounts.models import Agency
from haven.assessments import actions as assessment_actions
from haven.assessments.models import Assessment
from haven.field.models import DeviceFile
from tests.e2e.conftest import login
from tests.e2e.test_offline import RAW_STORAGE, enrol, sync
from tests.e2e.webforms import question, type_answer, wait_for_engine
from tests.xlsform import workbook

pytestmark = pytest.mark.e2e

SHEETS = {
    "survey": [
        ["type", "name", "label", "required"],
        ["text", "site", "Site of the interview", "yes"],
        ["image", "document_photo", "Photo of the document", "yes"],
    ],
    "settings": [["form_title", "form_id"], ["Document check", "document_check"]],
}


def phone_photo() -> bytes:
    """A photo as a phone's camera makes it: 3,200 by 2,400 pixels, detail everywhere."""
    photo = Image.effect_noise((3200, 2400), 64).convert("RGB")
    out = io.BytesIO()
    photo.save(out, "JPEG", quality=92)
    return out.getvalue()


def test_a_photo_taken_offline_arrives_smaller_with_its_answers(
    people, caseload, new_page, shot, settings
):
    settings.HAVEN_ATTACHMENT_MAX_BYTES = 3 * 1024 * 1024
    assessment_actions.publish_definition(
        None, workbook(SHEETS), "document.xlsx", agency=Agency.objects.get(code="aa")
    )
    page = new_page(width=360, height=780)
    login(page, "alice")
    enrol(page)
    sync(page)
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")

    page.context.set_offline(True)
    page.reload()
    page.get_by_label("Offline passphrase", exact=True).fill("river stones at dawn")
    page.get_by_role("button", name="Unlock", exact=True).click()
    page.locator("#field-caseload").get_by_text("Amal Haddad").first.click()
    page.get_by_label("Form", exact=True).select_option(label="Document check")
    page.get_by_role("button", name="Fill", exact=True).click()
    wait_for_engine(page, "#assess-container")
    type_answer(page, "Site of the interview", "Border post 3")
    photo = question(page, "Photo of the document").locator('input[type="file"]')
    # A screenshot too large to carry even made smaller: said at once, the form stays open.
    screenshot = io.BytesIO()
    Image.effect_noise((1500, 1500), 64).convert("RGB").save(screenshot, "PNG")
    photo.set_input_files(
        {"name": "screen.png", "mimeType": "image/png", "buffer": screenshot.getvalue()}
    )
    page.get_by_role("button", name="Send").click()
    expect(page.locator("#assess-error")).to_contain_text(
        re.compile(r"A photo or file of this form is [4-9]\.\d MB; a file may be at most 3 MB")
    )
    shot(page, "offline-photo-01-too-large-360")
    original = phone_photo()
    photo.set_input_files({"name": "passport.jpg", "mimeType": "image/jpeg", "buffer": original})
    expect(question(page, "Photo of the document").locator("img")).to_be_visible()
    shot(page, "offline-photo-01-filled-360")
    page.get_by_role("button", name="Send").click()
    expect(page.locator("#field-status")).to_contain_text("Assessment saved on this device")
    expect(page.locator("#case-assessments")).to_contain_text("Document check")
    # Sealed with everything else: neither the answers nor the photo's bytes show.
    raw = page.evaluate(RAW_STORAGE)
    assert "Border post 3" not in raw and "JFIF" not in raw and "/9j/" not in raw
    assert not DeviceFile.objects.exists() and not Assessment.objects.exists()

    page.context.set_offline(False)
    page.get_by_role("button", name="Back to the caseload").first.click()
    sync(page)
    shot(page, "offline-photo-02-synced-360")
    response = Assessment.objects.get(case=caseload)
    assert response.status == "submitted", response.answers
    assert response.answers["site"] == "Border post 3"
    kept = response.attachments.get(name=response.answers["document_photo"])
    assert kept.content_type == "image/jpeg" and kept.question == "document_photo"
    stored = Image.open(io.BytesIO(kept.data))
    assert max(stored.size) == 1600 and stored.size[0] / stored.size[1] == pytest.approx(4 / 3)
    assert kept.size < len(original) / 3  # what waited on the device and travelled
    assert not DeviceFile.objects.exists()  # handed over, not kept twice

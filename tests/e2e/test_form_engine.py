"""Assessments filled with ODK Web Forms on the fill page: the same engine as offline."""

import pytest
from playwright.sync_api import expect

from haven.assessments import actions as assessment_actions
from haven.assessments.models import Assessment, AssessmentDefinition
from tests.e2e.webforms import choose, open_in_engine, question, type_answer, wait_for_engine

pytestmark = pytest.mark.e2e


def _png() -> bytes:
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (40, 30), "teal").save(out, "PNG")
    return out.getvalue()


SCREENING = {
    "Age group of the person": "15_17",
    "Has the person experienced exploitation": "yes",
    "Can the person read and write": "no",
}


def test_fill_online_with_the_form_engine_keep_a_draft_and_submit(people, new_page, shot):
    assessment_actions.install_shipped_forms()
    definition = AssessmentDefinition.objects.get(form_id="haven_vulnerability_screening")
    page, assessment = open_in_engine(people, new_page, definition)
    expect(page.locator("form.assessment")).to_be_hidden()
    for label, value in SCREENING.items():
        choose(page, label, value)
    type_answer(page, "How many people depend", "3")
    page.get_by_role("button", name="Save draft").click()
    expect(page.locator("#engine-status")).to_have_text("Draft saved.")
    saved = Assessment.objects.get(pk=assessment.pk)
    assert saved.answers["age_group"] == "15_17" and saved.answers["dependants"] == 3
    shot(page, "form-engine-draft-360")
    page.reload()
    wait_for_engine(page, "#engine-form")
    expect(
        question(page, "Age group of the person").locator('input[value="15_17"]')
    ).to_be_checked()
    choose(page, "Legal status in the country", "irregular")
    type_answer(page, "How many people depend", "40")
    expect(question(page, "How many people depend")).to_contain_text("0 to 30")
    page.get_by_role("button", name="Send").click()
    shot(page, "form-engine-refuses-360")
    assert Assessment.objects.get(pk=assessment.pk).status == "draft"
    type_answer(page, "How many people depend", "3")
    page.get_by_role("button", name="Send").click()
    expect(page.locator(".messages")).to_contain_text("Assessment submitted and scored.")
    submitted = Assessment.objects.get(pk=assessment.pk)
    assert submitted.status == "submitted" and submitted.scores


def test_field_types_filled_with_the_form_engine(people, new_page, shot):
    """A default shown and kept, a read-only answer, "Other" with its specify question, an
    acknowledgement, a roster as long as a question says: filled in the engine and received
    by the server as the form says."""
    from tests.e2e.test_form_engine_agreement import FIELD_TYPES_SURVEY, publish_field_types
    from tests.xlsform import survey_row

    # With a roster filled as many times as a question says.
    survey = [
        [*FIELD_TYPES_SURVEY[0], "repeat_count", "trigger"],
        *(row + ["", ""] for row in FIELD_TYPES_SURVEY[1:]),
        [*survey_row("integer", "children_n", "How many children?"), "", "", "", "", ""],
        # Set by the engine when the count is answered (a `trigger`), then kept as it was.
        [
            *survey_row("calculate", "counted", calculation="concat('children: ', ${children_n})"),
            *["", "", "", "", "${children_n}"],
        ],
        [*survey_row("begin_repeat", "child", "Child"), "", "", "", "${children_n}", ""],
        [*survey_row("text", "child_name", "Child's name", required="yes"), "", "", "", "", ""],
        [*survey_row("end_repeat", "", ""), "", "", "", "", ""],
        [*survey_row("geopoint", "met_at", "Where was the person met?"), "", "", "", "", ""],
        [*survey_row("rank needs", "priorities", "Rank the needs"), "", "", "", "", ""],
        [*survey_row("image", "document_photo", "Photo of the document"), "", "", "", "", ""],
    ]
    definition = publish_field_types(survey)
    # The device's position, as a phone's GPS gives it: no map, nothing fetched online.
    where = {"latitude": 13.5116, "longitude": 2.1254, "accuracy": 8}
    page, assessment = open_in_engine(
        people, new_page, definition, geolocation=where, permissions=["geolocation"]
    )
    expect(question(page, "Household").locator("input").first).to_have_value("4")
    expect(question(page, "Site")).to_contain_text("BORDER-01")  # shown, not an input
    expect(question(page, "Site").locator("input, textarea")).to_have_count(0)
    expect(question(page, "Specify other")).to_have_count(0)
    choose(page, "Reason", "other")
    specify = question(page, "Specify other").locator("input").first
    specify.fill("Family")
    specify.evaluate("field => field.blur()")  # a Tab would open the next field's time picker
    question(page, "Consent script read").locator("input").first.check(force=True)
    expect(question(page, "Note")).to_be_visible()
    type_answer(page, "How many children?", "2")
    expect(question(page, "Child's name")).to_have_count(2)  # the engine follows the count
    for number, name in enumerate(["Amal", "Omar"]):
        field = question(page, "Child's name").nth(number).locator("input").first
        field.fill(name)
        field.press("Tab")
    question(page, "Where was the person met?").get_by_role("button", name="Get location").click()
    page.get_by_role("dialog").get_by_role("button", name="Save location").click()
    expect(page.locator(".ol-viewport")).to_have_count(0)  # no map was drawn
    ranking = question(page, "Rank the needs")
    ranking.get_by_role("button", name="Rank items").click()
    # On a phone the options are dragged, or moved with the arrow keys as here.
    shelter = ranking.locator(".rank-option", has_text="Shelter")
    shelter.focus()
    shelter.press("ArrowUp")
    ranking.locator(".rank-option", has_text="Shelter").press("ArrowUp")
    # A photo, as a phone's camera or gallery hands it to the page.
    photo = question(page, "Photo of the document").locator('input[type="file"]')
    photo.set_input_files({"name": "passport.png", "mimeType": "image/png", "buffer": _png()})
    preview = question(page, "Photo of the document").locator("img")
    expect(preview).to_be_visible()
    # Shown from the browser's memory: the page's security policy lets that image through.
    assert preview.evaluate("img => img.complete && img.naturalWidth") == 40
    shot(page, "form-engine-field-types-360")
    # Kept as a draft with its photo, opened again, then sent: nothing is lost on the way.
    page.get_by_role("button", name="Save draft").click()
    expect(page.locator("#engine-status")).to_have_text("Draft saved.")
    assert Assessment.objects.get(pk=assessment.pk).attachments.count() == 1
    page.reload()
    wait_for_engine(page, "#engine-form")
    expect(question(page, "Specify other").locator("input").first).to_have_value("Family")
    expect(question(page, "Child's name").first.locator("input")).to_have_value("Amal")
    # The kept photo is fetched back from the server and shown again.
    expect(question(page, "Photo of the document").locator("img")).to_be_visible()
    page.get_by_role("button", name="Send").click()
    expect(page.locator(".messages")).to_contain_text("Assessment submitted and scored.")
    submitted = Assessment.objects.get(pk=assessment.pk)
    assert submitted.status == "submitted"
    assert submitted.answers["site"] == "BORDER-01" and submitted.answers["household"] == 4
    assert submitted.answers["reason"] == "other" and submitted.answers["reason_other"] == "Family"
    assert submitted.answers["read"] == "OK"
    names = [child["child_name"] for child in submitted.answers["child"]]
    assert names == ["Amal", "Omar"]
    latitude, longitude, _altitude, accuracy = submitted.answers["met_at"].split()
    assert (float(latitude), float(longitude), float(accuracy)) == (13.5116, 2.1254, 8.0)
    assert submitted.answers["priorities"] == ["shelter", "food", "water"]
    assert submitted.answers["counted"] == "children: 2"
    photo_name = submitted.answers["document_photo"]
    kept = submitted.attachments.get(name=photo_name)
    assert kept.content_type == "image/png" and kept.data == _png()


def test_choices_from_a_csv_file_beside_the_form_filter_in_the_engine(people, new_page, shot):
    from haven.accounts.models import Agency
    from tests.test_choice_files import SHEETS, VILLAGES
    from tests.xlsform import workbook

    header, *rows = SHEETS["survey"]
    survey = [
        [*header, "calculation"],
        *([*row, ""] for row in rows),
        ["calculate", "area", "", "", "pulldata('villages', 'district', 'name', ${village})"],
        ["note", "area_note", "In the ${area} district", "", ""],
    ]
    definition = assessment_actions.publish_definition(
        None,
        workbook({**SHEETS, "survey": survey}),
        "villages.xlsx",
        agency=Agency.objects.get(code="aa"),
        media={"villages.csv": VILLAGES.encode()},
    )
    page, assessment = open_in_engine(people, new_page, definition)
    choose(page, "District", "north")
    village = question(page, "Village")

    # The file's rows, narrowed by the district chosen: nothing fetched, all in the page.
    expect(village.locator('input[value="agadez"]')).to_have_count(1)
    expect(village.locator('input[value="niamey"]')).to_have_count(0)
    choose(page, "Village", "arlit")
    # pulldata() reads the same file in the engine: the note shows the village's district.
    expect(page.get_by_text("In the north district")).to_be_visible()
    shot(page, "form-engine-choices-from-file-360")
    page.get_by_role("button", name="Send").click()
    expect(page.locator(".messages")).to_contain_text("Assessment submitted and scored.")
    submitted = Assessment.objects.get(pk=assessment.pk)
    assert submitted.answers == {"district": "north", "village": "arlit", "area": "north"}

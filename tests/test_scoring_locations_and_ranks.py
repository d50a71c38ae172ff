"""`geopoint` and `rank` questions, which ODK Web Forms renders: read from the XLSForm,
checked as ODK writes their answers, typed in on the fill page without a map (latitude and
longitude; a position per option), and read from Kobo and ODK Central exports."""

import json

import pytest
from django.http import QueryDict
from django.test import Client

from haven.assessments import actions, rendering
from haven.assessments.models import Assessment
from haven.scoring import engine, xform, xlsform_reader
from tests.conftest import sign_in
from tests.test_assessment_imports import csv_bytes, post
from tests.xlsform import workbook

SURVEY = [
    ["type", "name", "label", "required"],
    ["geopoint", "site", "Where is the site?", "yes"],
    ["rank needs", "priorities", "Rank the needs", "yes"],
    ["text", "notes", "Notes", ""],
]
CHOICES = [
    ["list_name", "name", "label"],
    ["needs", "food", "Food"],
    ["needs", "water", "Water"],
    ["needs", "shelter", "Shelter"],
]
SETTINGS = [["form_id"], ["site_visit"]]
SHEETS = {"survey": SURVEY, "choices": CHOICES, "settings": SETTINGS}


@pytest.fixture(scope="module")
def form():
    return xlsform_reader.load(workbook(SHEETS), "site_visit.xlsx")


def problems(form, answers, final=False) -> dict[str, str]:
    return {p.question: p.message for p in engine.check_answers(form, answers, final=final)}


def test_both_types_are_read_and_cannot_be_scored(form):
    index = form.index()
    assert index["site"].type == "geopoint" and index["priorities"].type == "rank"
    assert index["priorities"].list_name == "needs"
    scored = [["type", "name", "label", "dimension"], ["geopoint", "where", "Where", "d"]]
    sheets = {
        **SHEETS,
        "survey": scored,
        "scoring": [["name", "type", "label", "missing"], ["d", "dimension", "D", "skip"]],
    }
    with pytest.raises(xlsform_reader.FormError) as refused:
        xlsform_reader.load(workbook(sheets), "scored.xlsx")
    assert "a geopoint question cannot be scored" in str(refused.value)


@pytest.mark.parametrize(
    ("answer", "problem"),
    [
        ("13.5116 2.1254", ""),
        ("13.5116 2.1254 210 4.5", ""),
        ("-33.9 18.4 0", ""),
        ("91 2.1", "latitude must be from -90 to 90"),
        ("13.5 181", "longitude must be from -180 to 180"),
        ("13.5 2.1 200 -1", "accuracy cannot be negative"),
        ("Agadez", "Enter a location as latitude and longitude"),
        ("13.5", "Enter a location as latitude and longitude"),
        ("1 2 3 4 5", "Enter a location as latitude and longitude"),
    ],
)
def test_a_location_is_latitude_longitude_altitude_accuracy(form, answer, problem):
    found = problems(form, {"site": answer}).get("site", "")
    assert (problem in found) if problem else found == ""


@pytest.mark.parametrize(
    ("answer", "problem"),
    [
        ("water food shelter", ""),
        (["shelter", "water", "food"], ""),
        ("water food", "Rank every option"),
        ("water water food", "Rank every option"),
        ("water food fuel", "Not one of the choices: fuel"),
    ],
)
def test_a_ranking_orders_every_option_once(form, answer, problem):
    found = problems(form, {"priorities": answer}).get("priorities", "")
    assert (problem in found) if problem else found == ""


def test_required_locations_and_rankings_are_asked_for_on_submission(form):
    found = problems(form, {}, final=True)
    assert found["site"] == found["priorities"] == "This question is required."


def test_the_page_takes_a_location_typed_in_and_a_position_per_option(world, register):
    definition = actions.publish_definition(world["agency_admin"], workbook(SHEETS), "v.xlsx")
    assessment = actions.start(world["caseworker"], register(world["caseworker"]), definition)
    # A location a device measured keeps its altitude and accuracy when the page saves it.
    assessment.answers = {"site": "13.5116 2.1254 210 4.5"}
    assessment.save()
    client = Client()
    sign_in(client, world["caseworker"])
    url = f"/assessments/{assessment.pk}/"
    page = client.get(url, HTTP_HOST="localhost").content.decode()
    assert 'name="site__latitude" value="13.5116" type="number" min="-90"' in page
    assert 'name="site__longitude" value="2.1254"' in page
    assert 'name="site__measured" value="210 4.5"' in page
    assert page.count('class="rank-position"') == 3
    form = {
        "site__latitude": "13.5116",
        "site__longitude": "2.1254",
        "site__measured": "210 4.5",
        "priorities__rank__food": "2",
        "priorities__rank__water": "1",
        "priorities__rank__shelter": "3",
        "version": str(assessment.version),
        "submit": "1",
    }
    assert client.post(url, form, HTTP_HOST="localhost").status_code == 302
    assessment.refresh_from_db()
    assert assessment.status == "submitted"
    assert assessment.answers["site"] == "13.5116 2.1254 210 4.5"
    assert assessment.answers["priorities"] == ["water", "food", "shelter"]
    rows = dict(rendering.answer_rows(definition.parsed(), assessment.answers))
    assert rows["Rank the needs"] == "1. Water, 2. Food, 3. Shelter"


def test_what_the_page_posts_becomes_answers_the_engine_can_name_problems_in(form):
    def answers(**fields):
        return rendering.answers_from_post(form, QueryDict(mutable=True) | fields)

    assert answers(site__latitude="13.5", site__longitude="2.1") == {"site": "13.5 2.1"}
    # Half a location is not a location: the engine says so rather than guessing.
    half = answers(site__latitude="13.5", site__measured="210 4.5")
    assert half == {"site": "13.5"} and "Enter a location" in problems(form, half)["site"]
    partial = answers(priorities__rank__shelter="1", priorities__rank__food="x")
    assert partial == {"priorities": ["shelter"]}
    assert "Rank every option" in problems(form, partial)["priorities"]
    assert answers() == {}


def test_the_form_engines_instance_carries_both(form):
    xml = (
        '<data id="site_visit"><site>13.5 2.1 0 8</site>'
        "<priorities>shelter food water</priorities><notes/></data>"
    )
    answers, _id = xform.read_instance(form, "site_visit", xml)
    assert answers == {"site": "13.5 2.1 0 8", "priorities": "shelter food water"}
    assert problems(form, answers, final=True) == {}


def test_locations_are_read_from_kobo_and_odk_central_exports(world, api, register):
    definition = actions.publish_definition(world["agency_admin"], workbook(SHEETS), "v.xlsx")
    kobo, central, odata = (register(world["caseworker"]) for _ in range(3))
    kobo_csv = csv_bytes(
        [
            ["haven_case", "site", "_site_latitude", "_site_longitude", "priorities", "_uuid"],
            [kobo.number, "13.5 2.1 210 5", "13.5", "2.1", "food water shelter", "k1"],
        ]
    )
    assert post(api, definition, kobo_csv, "kobo.csv").status_code == 200
    assert Assessment.objects.get(case=kobo).answers["site"] == "13.5 2.1 210 5"
    header = ["haven_case", "site-Latitude", "site-Longitude", "site-Altitude", "site-Accuracy"]
    row = [central.number, "14", "3", "", "12", "water food shelter", "c1"]
    central_csv = csv_bytes([[*header, "priorities", "KEY"], row])
    assert post(api, definition, central_csv, "central.csv").status_code == 200
    assert Assessment.objects.get(case=central).answers["site"] == "14 3 0 12"
    point = {"type": "Point", "coordinates": [2.5, 13.25, 200], "properties": {"accuracy": 6}}
    ranked = "shelter food water"
    body = {"value": [{"haven_case": odata.number, "site": point, "priorities": ranked}]}
    response = post(api, definition, json.dumps(body).encode(), "odata.json")
    assert response.status_code == 200, response.json()
    assert Assessment.objects.get(case=odata).answers["site"] == "13.25 2.5 200 6"


LINES = {
    "survey": [
        ["type", "name", "label"],
        ["geotrace", "path", "Walk the main path"],
        ["geoshape", "boundary", "Draw the camp boundary"],
        ["barcode", "card", "Ration card number"],
    ],
    "settings": [["form_id"], ["camp"]],
}


@pytest.mark.parametrize(
    ("question", "answer", "problem"),
    [
        ("path", "13.5 2.1 0 5; 13.6 2.2 0 5", ""),
        ("path", "13.5 2.1;13.6 2.2;13.7 2.3", ""),
        ("path", "13.5 2.1", "A line needs two points or more"),
        ("path", "13.5 2.1; 95 2.2", "Point 2: The latitude must be from -90 to 90."),
        ("boundary", "13.5 2.1; 13.6 2.1; 13.6 2.2; 13.5 2.1", ""),
        ("boundary", "13.5 2.1; 13.6 2.1; 13.6 2.2", "then the first one again"),
        ("boundary", "13.5 2.1; 13.6 2.1; 13.5 2.1", "three points or more"),
        ("card", "RC-2026-0042", ""),
    ],
)
def test_lines_and_shapes_are_points_joined_as_odk_writes_them(question, answer, problem):
    form = xlsform_reader.load(workbook(LINES), "camp.xlsx")
    found = problems(form, {question: answer}).get(question, "")
    assert (problem in found) if problem else found == ""


def test_the_page_takes_a_line_typed_in(world, register):
    definition = actions.publish_definition(world["agency_admin"], workbook(LINES), "camp.xlsx")
    assessment = actions.start(world["caseworker"], register(world["caseworker"]), definition)
    client = Client()
    sign_in(client, world["caseworker"])
    page = client.get(f"/assessments/{assessment.pk}/").content.decode()
    assert 'name="path" rows="3"' in page and "separated by “;”" in page
    posted = {
        "path": "13.5 2.1; 13.6 2.2",
        "boundary": "13.5 2.1; 13.6 2.1",
        "card": "RC-1",
        "version": str(assessment.version),
        "submit": "1",
    }
    refused = client.post(f"/assessments/{assessment.pk}/", posted).content.decode()
    assert "then the first one again" in refused
    assessment.refresh_from_db()
    assert assessment.status == "draft" and assessment.answers["path"] == "13.5 2.1; 13.6 2.2"

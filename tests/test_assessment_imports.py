"""Responses imported from the exports KoboToolbox and ODK Central write: every group
separator, Kobo's label export, ODK Central's CSV and OData with their system columns, and
a preview of how each column is read before anything is saved."""

import csv
import io
import json
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from haven.assessments import actions
from haven.assessments.models import Assessment
from tests.xlsform import workbook

SURVEY = [
    ["type", "name", "label::English (en)", "label::French (fr)", "required"],
    ["begin_group", "household", "Household", "Ménage", ""],
    ["integer", "members", "How many people live here?", "Combien de personnes ?", "yes"],
    ["select_multiple needs", "needs", "Needs", "Besoins", ""],
    ["end_group", "", "", "", ""],
    ["select_one yn", "alone", "Travelling alone?", "Seul ?", "yes"],
    ["time", "arrived_at", "Arrival time", "Heure d'arrivée", ""],
]
CHOICES = [
    ["list_name", "name", "label::English (en)", "label::French (fr)"],
    ["needs", "food", "Food", "Nourriture"],
    ["needs", "shelter", "Shelter", "Abri"],
    ["needs", "health", "Health care", "Soins"],
    ["yn", "yes", "Yes", "Oui"],
    ["yn", "no", "No", "Non"],
]


@pytest.fixture
def definition(world):
    data = workbook({"survey": SURVEY, "choices": CHOICES, "settings": [["form_id"], ["visit"]]})
    return actions.publish_definition(world["agency_admin"], data, "visit.xlsx")


def csv_bytes(rows: list[list], delimiter=",") -> bytes:
    out = io.StringIO()
    csv.writer(out, delimiter=delimiter).writerows(rows)
    return out.getvalue().encode()


def post(api, definition, data: bytes, name: str, **extra):
    return api("caseworker").post(
        f"/api/v1/assessment-definitions/{definition.pk}/import/",
        {"file": SimpleUploadedFile(name, data), **extra},
        format="multipart",
    )


def imported_answers(case) -> dict:
    return Assessment.objects.get(case=case).answers


@pytest.mark.parametrize(
    ("style", "header"),
    [
        ("kobo xml values, '/' groups", ["household/members", "household/needs", "alone"]),
        ("kobo, '.' groups", ["household.members", "household.needs", "alone"]),
        ("no group prefix", ["members", "needs", "alone"]),
    ],
)
def test_every_group_separator_is_read(world, api, register, definition, style, header):
    case = register(world["caseworker"])
    data = csv_bytes(
        [
            ["haven_case", *header, "arrived_at", "_uuid", "_submission_time"],
            [
                case.number,
                "3",
                "food shelter",
                "yes",
                "10:30:00.000+03:00",
                "u1",
                "2026-11-20T10:30:00+03:00",
            ],
        ],
        delimiter=";",
    )
    body = post(api, definition, data, "export.csv").json()
    assert body["created"] == 1 and body["ignored_columns"] == [], (style, body)
    answers = imported_answers(case)
    assert answers["members"] == 3 and answers["needs"] == ["food", "shelter"]
    # The time keeps its time zone, as the device wrote it.
    assert answers["arrived_at"] == "10:30:00.000+03:00"
    assessment = Assessment.objects.get(case=case)
    assert assessment.submitted_at.isoformat() == "2026-11-20T07:30:00+00:00"


def test_odk_central_csv_with_its_system_columns(world, api, register, definition):
    case = register(world["caseworker"])
    data = csv_bytes(
        [
            [
                "SubmissionDate",
                "household-members",
                "household-needs",
                "alone",
                "haven_case",
                "meta-instanceID",
                "KEY",
                "SubmitterID",
                "SubmitterName",
                "AttachmentsPresent",
                "AttachmentsExpected",
                "Status",
                "ReviewState",
                "DeviceID",
                "Edits",
                "FormVersion",
            ],
            [
                "2026-11-21T08:00:00.000Z",
                "2",
                "health",
                "no",
                case.number,
                "uuid:abc",
                "uuid:abc",
                "5",
                "Field phone 3",
                "0",
                "0",
                "",
                "",
                "",
                "0",
                "1",
            ],
        ]
    )
    body = post(api, definition, data, "central.csv").json()
    assert body["created"] == 1 and body["ignored_columns"] == [], body
    assessment = Assessment.objects.get(case=case)
    assert assessment.instance_id == "uuid:abc"
    assert assessment.answers["needs"] == ["health"]
    assert assessment.submitted_at.isoformat().startswith("2026-11-21T08:00")
    again = post(api, definition, data, "central.csv").json()
    assert (again["created"], again["unchanged"]) == (0, 1)


def test_odk_central_odata_takes_its_submission_date_from_the_system_block(
    world, api, register, definition
):
    case = register(world["caseworker"])
    feed = {
        "value": [
            {
                "__id": "uuid:odata-1",
                "__system": {"submissionDate": "2026-11-22T09:15:00.000Z", "submitterName": "x"},
                "haven_case": case.number,
                "household": {"members": 4, "needs": "food"},
                "alone": "yes",
                "meta": {"instanceID": "uuid:odata-1"},
            }
        ]
    }
    body = post(api, definition, json.dumps(feed).encode(), "odata.json").json()
    assert body["created"] == 1 and body["ignored_columns"] == [], body
    assessment = Assessment.objects.get(case=case)
    assert assessment.submitted_at.isoformat().startswith("2026-11-22T09:15")


def test_kobo_label_export_is_read_by_labels_in_any_language(world, api, register, definition):
    first = register(world["caseworker"], person={"given_name": "Idris"})
    second = register(world["caseworker"], person={"given_name": "Sara"})
    data = csv_bytes(
        [
            [
                "haven_case",
                "Household/How many people live here?",
                "Household/Needs",
                "Household/Needs/Shelter",
                "Travelling alone?",
                "Interviewer's remark",
            ],
            [first.number, "5", "Food; Health care", "0", "Yes", "tired"],
            [second.number, "1", "", "1", "Non", ""],
        ],
        delimiter=";",
    )
    body = post(api, definition, data, "labels.csv").json()
    assert body["created"] == 2, body
    assert body["ignored_columns"] == ["Interviewer's remark"]  # listed, not dropped
    assert imported_answers(first) == {"members": 5, "needs": ["food", "health"], "alone": "yes"}
    assert imported_answers(second)["needs"] == ["shelter"]
    assert imported_answers(second)["alone"] == "no"


def test_a_preview_says_how_each_column_is_read_and_saves_nothing(world, api, register, definition):
    case = register(world["caseworker"])
    data = csv_bytes(
        [
            ["haven_case", "household/members", "household/needs/food", "alone", "_uuid", "pigs"],
            [case.number, "3", "1", "yes", "u9", "2"],
            ["NOPE-1", "3", "0", "no", "u10", "1"],
        ]
    )
    body = post(api, definition, data, "export.csv", preview="true").json()
    assert body["preview"] is True and body["rows"] == 2
    assert (body["cases_in_scope"], body["already_imported"], body["created"]) == (1, 0, 0)
    read = {c["column"]: (c["read_as"], c["question"], c["option"]) for c in body["columns"]}
    assert read == {
        "haven_case": ("case", "", ""),
        "household/members": ("answer", "members", ""),
        "household/needs/food": ("option", "needs", "food"),
        "alone": ("answer", "alone", ""),
        "_uuid": ("instance id", "", ""),
        "pigs": ("ignored", "", ""),
    }
    assert not Assessment.objects.filter(case=case).exists()
    saved = post(api, definition, data, "export.csv").json()
    assert saved["preview"] is False and saved["created"] == 1
    again = post(api, definition, data, "export.csv", preview="true").json()
    assert again["already_imported"] == 1


def test_an_export_of_another_form_or_version_is_refused_and_nothing_is_saved(world, api, register):
    case = register(world["caseworker"])
    sheets = {
        "survey": SURVEY,
        "choices": CHOICES,
        "settings": [["form_id", "version"], ["visit", "3"]],
    }
    definition = actions.publish_definition(world["agency_admin"], workbook(sheets), "visit.xlsx")
    another = csv_bytes([["haven_case", "pigs_owned", "crop"], [case.number, "3", "maize"]])
    refused = post(api, definition, another, "farm.csv")
    assert refused.status_code == 400
    assert "is it an export of another form?" in refused.json()["file"][0]
    older = csv_bytes(
        [
            ["haven_case", "household-members", "alone", "FormVersion", "KEY"],
            [case.number, "2", "yes", "2", "uuid:v2"],
        ]
    )
    refused = post(api, definition, older, "central.csv")
    assert refused.status_code == 400
    assert "filled with version 2 of the form; this is version 3" in refused.json()["file"][0]
    assert not Assessment.objects.filter(case=case).exists()
    same = older.replace(b",2,uuid:v2", b",3,uuid:v2")
    assert post(api, definition, same, "central.csv").json()["created"] == 1


def test_the_web_page_shows_how_an_export_is_read_then_imports_it(world, register, definition):
    from django.test import Client

    from tests.conftest import sign_in

    case = register(world["caseworker"])
    data = csv_bytes(
        [
            ["haven_case", "household/members", "alone", "_uuid", "colour"],
            [case.number, "3", "yes", "w1", "red"],
        ]
    )
    client = Client()
    sign_in(client, world["caseworker"])
    assert "assessments/import/" in client.get("/").content.decode()
    page = client.get("/assessments/import/").content.decode()
    assert f'<option value="{definition.pk}"' in page
    upload = SimpleUploadedFile("kobo.csv", data)
    shown = client.post("/assessments/import/", {"definition": definition.pk, "file": upload})
    text = shown.content.decode()
    assert "nothing is saved yet" in text and "household/members" in text and "colour" in text
    assert "1 name a case you may fill assessments for" in text
    assert not Assessment.objects.exists()  # a preview saves nothing
    pending = re.search(r'name="pending" value="([^"]+)"', text).group(1)
    other = Client()
    sign_in(other, world["supervisor"])  # the token is the caseworker's only
    refused = other.post("/assessments/import/", {"pending": pending}).content.decode()
    assert "expired" in refused and not Assessment.objects.exists()
    done = client.post("/assessments/import/", {"pending": pending}).content.decode()
    assert "1 created, 0 imported before" in done
    assert imported_answers(case) == {"members": 3, "alone": "yes"}
    again = client.post("/assessments/import/", {"pending": pending}).content.decode()
    assert "0 created, 1 imported before" in again


def test_the_web_page_says_what_is_wrong_with_a_file(world, definition):
    from django.test import Client

    from tests.conftest import sign_in

    client = Client()
    sign_in(client, world["caseworker"])
    empty = client.post("/assessments/import/", {"definition": definition.pk})
    assert "Choose the form and the export file" in empty.content.decode()
    upload = SimpleUploadedFile("other.csv", csv_bytes([["x", "y"], ["1", "2"]]))
    wrong = client.post("/assessments/import/", {"definition": definition.pk, "file": upload})
    assert "is it an export of another form" in wrong.content.decode()
    tampered = client.post("/assessments/import/", {"pending": "not-a-token"})
    assert "expired" in tampered.content.decode()

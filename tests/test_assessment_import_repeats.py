"""Repeats in response exports: ODK Central's ZIP (the form's CSV and one CSV per repeat,
joined by KEY and PARENT_KEY) and KoboToolbox's XLSX (a sheet per repeat, joined by
_parent_table_name and _parent_index), a repeat inside a repeat included; and the bounds a
ZIP or a workbook is read within."""

import io
import zipfile

import pytest

from haven.assessments import actions, import_files
from haven.assessments.models import Assessment
from tests.test_assessment_imports import csv_bytes, post
from tests.xlsform import workbook

SURVEY = [
    ["type", "name", "label", "required"],
    ["integer", "members", "How many people live here?", "yes"],
    ["begin_repeat", "child", "Child", ""],
    ["text", "child_name", "Name", "yes"],
    ["select_one yn", "in_school", "In school?", ""],
    ["begin_repeat", "visit", "Visit", ""],
    ["date", "visited_on", "Date of the visit", ""],
    ["end_repeat", "", "", ""],
    ["end_repeat", "", "", ""],
]
CHOICES = [["list_name", "name", "label"], ["yn", "yes", "Yes"], ["yn", "no", "No"]]


@pytest.fixture
def definition(world):
    sheets = {"survey": SURVEY, "choices": CHOICES, "settings": [["form_id"], ["household"]]}
    return actions.publish_definition(world["agency_admin"], workbook(sheets), "household.xlsx")


def zipped(files: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return out.getvalue()


EXPECTED = {
    "members": 4,
    "child": [
        {
            "child_name": "Amal",
            "in_school": "yes",
            "visit": [{"visited_on": "2026-10-01"}, {"visited_on": "2026-11-01"}],
        },
        {"child_name": "Omar", "in_school": "no", "visit": []},
    ],
}


def test_odk_centrals_zip_puts_each_repeat_inside_its_response(world, api, register, definition):
    case, other = register(world["caseworker"]), register(world["caseworker"])
    main = csv_bytes(
        [
            ["SubmissionDate", "members", "haven_case", "meta-instanceID", "KEY"],
            ["2026-11-20T10:00:00Z", "4", case.number, "uuid:a", "uuid:a"],
            ["2026-11-21T10:00:00Z", "2", other.number, "uuid:b", "uuid:b"],
        ]
    )
    children = csv_bytes(
        [
            ["child-child_name", "child-in_school", "PARENT_KEY", "KEY"],
            ["Amal", "yes", "uuid:a", "uuid:a/child[1]"],
            ["Omar", "no", "uuid:a", "uuid:a/child[2]"],
            ["Sara", "yes", "uuid:b", "uuid:b/child[1]"],
        ]
    )
    visits = csv_bytes(
        [
            ["child-visit-visited_on", "PARENT_KEY", "KEY"],
            ["2026-10-01", "uuid:a/child[1]", "uuid:a/child[1]/visit[1]"],
            ["2026-11-01", "uuid:a/child[1]", "uuid:a/child[1]/visit[2]"],
        ]
    )
    data = zipped(
        {
            "household.csv": main,
            "household-child.csv": children,
            "household-visit.csv": visits,
            "media/photo.jpg": b"\xff\xd8\xff",
        }
    )
    response = post(api, definition, data, "household.zip")
    assert response.status_code == 200, response.json()
    assert response.json()["created"] == 2
    assert Assessment.objects.get(case=case).answers == EXPECTED
    assert Assessment.objects.get(case=other).answers["child"] == [
        {"child_name": "Sara", "in_school": "yes", "visit": []}
    ]
    again = post(api, definition, data, "household.zip").json()
    assert again["created"] == 0 and again["unchanged"] == 2  # nothing new the second time


def test_kobos_workbook_puts_each_repeat_inside_its_response(world, api, register, definition):
    case = register(world["caseworker"])
    data = workbook(
        {
            "household": [
                ["start", "members", "haven_case", "_uuid", "_index"],
                ["2026-11-20T09:00:00", 4, case.number, "k1", 1],
            ],
            "child": [
                ["child/child_name", "child/in_school", "_index", "_parent_table_name"]
                + ["_parent_index", "_submission__uuid"],
                ["Amal", "yes", 1, "household", 1, "k1"],
                ["Omar", "no", 2, "household", 1, "k1"],
            ],
            "visit": [
                ["child/visit/visited_on", "_index", "_parent_table_name", "_parent_index"],
                ["2026-10-01", 1, "child", 1],
                ["2026-11-01", 2, "child", 1],
            ],
            "notes": [["anything"], ["else"]],
        }
    )
    response = post(api, definition, data, "household.xlsx")
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["created"] == 1 and "notes" in body["ignored_columns"]
    assert Assessment.objects.get(case=case).answers == EXPECTED


def test_a_repeat_entry_is_checked_like_any_answer(world, api, register, definition):
    case = register(world["caseworker"])
    main = csv_bytes([["members", "haven_case", "KEY"], ["3", case.number, "uuid:c"]])
    children = csv_bytes(
        [["child-child_name", "child-in_school", "PARENT_KEY", "KEY"], ["", "maybe", "uuid:c", "x"]]
    )
    data = zipped({"household.csv": main, "household-child.csv": children})
    body = post(api, definition, data, "household.zip").json()
    assert body["refused"] == 1 and not Assessment.objects.filter(case=case).exists()
    errors = body["results"][0]["errors"]
    assert any("choices" in message for message in errors["in_school"])


@pytest.mark.parametrize(
    ("files", "words"),
    [
        ({"readme.txt": b"hello"}, "holds 0 CSV files"),
        ({"a-child.csv": b"PARENT_KEY,KEY\nx,y\n"}, "no table of responses"),
    ],
)
def test_a_zip_without_the_forms_csv_is_refused(world, api, definition, files, words):
    response = post(api, definition, zipped(files), "export.zip")
    assert response.status_code == 400 and words in str(response.json())


def test_a_zip_bomb_is_refused_before_it_is_read(world, api, definition, monkeypatch):
    monkeypatch.setattr(import_files, "MAX_EXPANDED", 1024 * 1024)
    bomb = zipped({"household.csv": b"members\n" + b"1\n" * 600_000})
    assert len(bomb) < 100_000
    response = post(api, definition, bomb, "household.zip")
    assert response.status_code == 400 and "expands to" in str(response.json())
    assert Assessment.objects.count() == 0


def test_a_workbook_wider_than_allowed_is_refused_not_cut(world, api, definition):
    wide = ["members", *(f"x{i}" for i in range(import_files.MAX_COLUMNS + 5))]
    data = workbook({"household": [wide, [1] * len(wide)]})
    response = post(api, definition, data, "wide.xlsx")
    assert response.status_code == 400 and "columns" in str(response.json())


def test_the_engine_checks_and_keeps_a_repeat_inside_a_repeat():
    from haven.scoring import engine, xlsform_reader

    sheets = {"survey": SURVEY, "choices": CHOICES, "settings": [["form_id"], ["household"]]}
    form = xlsform_reader.load(workbook(sheets), "household.xlsx")
    answers = {
        "members": 2,
        "child": [{"child_name": "Amal", "visit": [{"visited_on": "2026-10-01"}, {}]}],
    }
    assert engine.relevant_answers(form, answers)["child"][0]["visit"] == [
        {"visited_on": "2026-10-01"},
        {},
    ]
    wrong = {"members": 2, "child": [{"child_name": "Amal", "visit": [{"visited_on": "soon"}]}]}
    problems = engine.check_answers(form, wrong, final=True)
    assert [(p.question, p.row) for p in problems] == [("visited_on", 1)]


def test_saving_the_page_keeps_the_entries_of_a_repeat_inside_a_repeat(
    world, register, client, definition
):
    from tests.conftest import sign_in

    assessment = actions.start(world["caseworker"], register(world["caseworker"]), definition)
    assessment.answers = EXPECTED
    assessment.save()
    sign_in(client, world["caseworker"])
    form = {
        "members": "4",
        "child__count": "2",
        "child__0__child_name": "Amal",
        "child__0__in_school": "no",
        "child__1__child_name": "Omar",
        "version": str(assessment.version),
    }
    assert client.post(f"/assessments/{assessment.pk}/", form).status_code in (200, 302)
    assessment.refresh_from_db()
    assert assessment.answers["child"][0]["in_school"] == "no"  # the change is kept
    assert assessment.answers["child"][0]["visit"] == EXPECTED["child"][0]["visit"]

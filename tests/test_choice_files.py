"""Choice lists in CSV files beside a form (`select_one_from_file`): read as ODK reads them
(name and label columns, or those `parameters` name; translations; other columns for
choice filters), bounded, refused with what to fix, kept with the definition and given to
the form engine; published from the API, the forms page and the command line."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client

from haven.assessments.models import AssessmentDefinition
from haven.scoring import choice_files, engine, xlsform_reader
from haven.scoring.xlsform import FormError
from tests.conftest import sign_in
from tests.xlsform import workbook

SHEETS = {
    "survey": [
        ["type", "name", "label", "choice_filter"],
        ["select_one district", "district", "District", ""],
        ["select_one_from_file villages.csv", "village", "Village", "district=${district}"],
    ],
    "choices": [
        ["list_name", "name", "label"],
        ["district", "north", "North"],
        ["district", "south", "South"],
    ],
    "settings": [["form_id"], ["villages"]],
}
VILLAGES = "name,label,district\nagadez,Agadès,north\narlit,Arlit,north\nniamey,Niamey,south\n"


def test_the_choices_come_from_the_file_and_its_filter_column():
    form = xlsform_reader.load(workbook(SHEETS), "v.xlsx", {"villages.csv": VILLAGES.encode()})
    village = form.question("village")
    assert village.type == "select_one" and village.list_name == "villages.csv"
    agadez = form.choices["villages.csv"][0]
    assert agadez.labels == {"default": "Agadès"}
    assert agadez.extra == {"district": "north"}
    assert engine.offered_choices(form, {"district": "north"})["village"] == ["agadez", "arlit"]
    problems = engine.check_answers(form, {"district": "south", "village": "arlit"}, final=False)
    assert [p.message for p in problems] == ["Not one of the choices: arlit."]


@pytest.mark.parametrize(
    ("media", "words"),
    [
        ({"villages.csv": b"\xff\xfe n\x00a\x00"}, "not UTF-8"),
        ({"villages.csv": b""}, "no header row"),
        ({"villages.csv": b"name,label::French (fr)\na,b\n"}, "'label::French (fr)'"),
        ({"villages.xml": b"<root/>"}, "Only CSV files"),
        ({"villages.csv": b"name,label\n" + b"a,A\n" * (choice_files.MAX_ROWS + 1)}, "rows"),
        ({"villages.csv": b"x" * (choice_files.MAX_BYTES + 1)}, "larger than"),
    ],
)
def test_a_file_that_cannot_give_choices_is_refused_saying_why(media, words):
    with pytest.raises(FormError) as refused:
        xlsform_reader.load(workbook(SHEETS), "v.xlsx", media)
    assert words in " ".join(str(p) for p in refused.value.problems)


def test_the_definition_keeps_its_files_and_the_fill_page_gives_them_to_the_engine(
    world, register, api
):
    from haven.assessments import actions

    response = api("agency_admin").post(
        "/api/v1/assessment-definitions/",
        {
            "file": SimpleUploadedFile("villages.xlsx", workbook(SHEETS)),
            "media": [SimpleUploadedFile("villages.csv", VILLAGES.encode())],
        },
        format="multipart",
    )
    assert response.status_code == 201, response.json()
    definition = AssessmentDefinition.objects.get(pk=response.json()["id"])
    assert definition.media == {"villages.csv": VILLAGES}
    assert 'src="jr://file-csv/villages.csv"' in definition.xform
    assessment = actions.start(world["caseworker"], register(world["caseworker"]), definition)
    client = Client()
    sign_in(client, world["caseworker"])
    page = client.get(f"/assessments/{assessment.pk}/").content.decode()
    assert 'id="form-media"' in page and "agadez,Agad" in page
    refused = api("agency_admin").post(
        "/api/v1/assessment-definitions/",
        {"file": SimpleUploadedFile("villages.xlsx", workbook(SHEETS))},
        format="multipart",
    )
    assert refused.status_code == 400 and "not attached" in str(refused.json())


def test_the_forms_page_and_the_command_line_publish_with_files(world, tmp_path):
    client = Client()
    sign_in(client, world["agency_admin"])
    page = client.get("/manage/forms/").content.decode()
    assert 'name="media"' in page and "multiple" in page
    posted = {
        "file": SimpleUploadedFile("villages.xlsx", workbook(SHEETS)),
        "media": [SimpleUploadedFile("villages.csv", VILLAGES.encode())],
    }
    assert client.post("/manage/forms/", posted).status_code == 302
    form_file, csv_file = tmp_path / "villages.xlsx", tmp_path / "villages.csv"
    form_file.write_bytes(workbook(SHEETS))
    csv_file.write_text(VILLAGES, encoding="utf-8")
    out = io.StringIO()
    call_command("forms", "import", str(form_file), agency="aa", media=[str(csv_file)], stdout=out)
    assert "version 2" in out.getvalue()
    assert AssessmentDefinition.objects.filter(form_id="villages").count() == 2


def test_pulldata_looks_a_value_up_in_a_file_beside_the_form():
    header, *rows = SHEETS["survey"]
    survey = [
        [*header, "calculation"],
        *([*row, ""] for row in rows),
        ["calculate", "area", "", "", "pulldata('villages', 'district', 'name', ${village})"],
    ]
    sheets = {**SHEETS, "survey": survey}
    media = {"villages.csv": VILLAGES.encode()}
    form = xlsform_reader.load(workbook(sheets), "v.xlsx", media)
    assert form.tables["villages"][1] == {"name": "arlit", "label": "Arlit", "district": "north"}
    answers = engine.relevant_answers(form, {"district": "north", "village": "arlit"})
    assert answers["area"] == "north"
    assert "area" not in engine.relevant_answers(form, {"district": "north", "village": "x"})

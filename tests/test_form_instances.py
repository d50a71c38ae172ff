"""Assessments filled in the XForm engine (the fill page's, the offline app's): answers read
from the instance it sends, drafts written back for it, and the offline `assessment.submit`
operation checked and scored on the server, never losing what was filled."""

import uuid

import pytest
from django.test import Client

from haven.assessments import actions
from haven.assessments.models import Assessment, AssessmentDefinition
from haven.audit.models import AuditEvent
from haven.field.models import Operation
from haven.scoring import xform, xlsform_reader
from tests.conftest import sign_in
from tests.test_field_sync import Device_, op
from tests.xlsform import SURVEY, simple_form, survey_row

pytestmark = pytest.mark.django_db
SCREENING = "haven_vulnerability_screening"
FAMILY = [
    SURVEY,
    survey_row("select_one yn", "has_children", "Children with you?", required="yes"),
    survey_row("begin_group", "household", "Household"),
    survey_row("integer", "adults", "Adults"),
    survey_row("end_group", ""),
    survey_row("begin_repeat", "children", "Child", relevant="${has_children} = 'yes'"),
    survey_row("text", "child_name", "Name", required="yes"),
    survey_row("integer", "child_age", "Age", constraint=". < 18"),
    survey_row("end_repeat", ""),
]
NO_SCORES = [["name", "type", "label", "formula", "missing"]]


def screening() -> AssessmentDefinition:
    actions.install_shipped_forms()
    return AssessmentDefinition.objects.get(form_id=SCREENING)


def instance(definition, answers: dict, instance_id: str = "") -> str:
    return xform.write_instance(definition.parsed(), definition.xform, answers, instance_id)


ANSWERS = {"age_group": "18_59", "dependants": 2, "legal_status": "irregular"}
# Enough answered in every factor for the screening to band the person.
FULL = {
    **ANSWERS,
    "past_harm": "yes",
    "literate": "no",
    "own_money": "no",
    "household_means": "not_at_all",
    "family_violence": "no",
    "social_network": "no",
    "isolated": "yes",
    "justice_access": "no",
}


def test_every_published_version_keeps_the_xform_pyxform_makes(world):
    definition = screening()
    assert definition.xform.startswith("<?xml") and f'id="{SCREENING}"' in definition.xform
    published = actions.publish_definition(
        world["agency_admin"], simple_form(survey=FAMILY, scoring=NO_SCORES), "family.xlsx"
    )
    assert "<children" in published.xform and 'jr:template=""' in published.xform


def test_answers_go_to_an_instance_and_come_back_the_same(world):
    data = simple_form(survey=FAMILY, scoring=NO_SCORES)
    form = xlsform_reader.load(data)
    made = xform.xform_of(data)
    answers = {
        "has_children": "yes",
        "adults": 2,
        "children": [{"child_name": "Lina <3 & co", "child_age": 4}, {"child_name": "Omar"}],
    }
    written = xform.write_instance(form, made, answers, "uuid:abc")
    # Groups nest in the instance as the XForm has them; entries only, no template.
    assert "<household><adults>2</adults></household>" in written
    assert written.count("<children>") == 2 and "jr:template" not in written
    read, instance_id = xform.read_instance(form, form.form_id, written)
    assert read == answers and instance_id == "uuid:abc"


@pytest.mark.parametrize(
    "payload, message",
    [
        ("<data id='other'><a>1</a></data>", "filled for the form 'other'"),
        ("<data id='x'", "not a readable XForm instance"),
        (
            '<!DOCTYPE d [<!ENTITY e "boom">]><data id="haven_vulnerability_screening">&e;</data>',
            "XML that Haven does not read",
        ),
        ("<data>" + "x" * (xform.MAX_INSTANCE_BYTES + 1) + "</data>", "too large"),
    ],
)
def test_an_instance_that_cannot_be_read_says_why(world, payload, message):
    definition = screening()
    with pytest.raises(xform.InstanceError, match=message):
        xform.read_instance(definition.parsed(), SCREENING, payload)


def test_the_fill_page_saves_a_draft_and_submits_the_engines_instance(world, register):
    definition = screening()
    case = register(world["caseworker"])
    assessment = actions.start(world["caseworker"], case, definition)
    client = Client()
    sign_in(client, world["caseworker"])
    page = client.get(f"/assessments/{assessment.pk}/", HTTP_HOST="localhost")
    assert b'id="form-xform"' in page.content and b"engine-fill.js" in page.content
    assert "'wasm-unsafe-eval'" in page["Content-Security-Policy"]
    url = f"/assessments/{assessment.pk}/instance/"
    draft = {"age_group": "18_59", "dependants": 40}
    saved = client.post(
        url,
        {"instance": instance(definition, draft), "version": assessment.version, "submit": "0"},
        HTTP_HOST="localhost",
    ).json()
    assert saved["submitted"] is False and saved["problems"] == []
    assessment.refresh_from_db()
    assert assessment.answers == draft
    # The page gives the draft back to the engine as an instance.
    page = client.get(f"/assessments/{assessment.pk}/", HTTP_HOST="localhost")
    assert b"\\u003Cdependants\\u003E40\\u003C/dependants\\u003E" in page.content
    refused = client.post(
        url,
        {"instance": instance(definition, draft), "version": saved["version"], "submit": "1"},
        HTTP_HOST="localhost",
    ).json()
    assert refused["submitted"] is False
    assert {p["question"] for p in refused["problems"]} >= {
        "How many people depend on the person (children, older or sick relatives)?",
        "Legal status in the country",
    }
    stale = client.post(
        url,
        {"instance": instance(definition, ANSWERS), "version": saved["version"], "submit": "1"},
        HTTP_HOST="localhost",
    )
    assert stale.status_code == 409 and "error" in stale.json()
    done = client.post(
        url,
        {"instance": instance(definition, ANSWERS), "version": refused["version"], "submit": "1"},
        HTTP_HOST="localhost",
    ).json()
    assert done["submitted"] is True
    assessment.refresh_from_db()
    assert assessment.status == "submitted" and assessment.scores


def test_the_fill_endpoint_refuses_what_it_cannot_read(world, register):
    definition = screening()
    assessment = actions.start(world["caseworker"], register(world["caseworker"]), definition)
    client = Client()
    sign_in(client, world["caseworker"])
    url = f"/assessments/{assessment.pk}/instance/"
    empty = client.post(url, {}, HTTP_HOST="localhost")
    assert empty.status_code == 400 and "Send the answers" in empty.json()["error"]
    wrong = client.post(url, {"instance": "<data id='x'/>", "version": "1"}, HTTP_HOST="localhost")
    assert wrong.status_code == 400 and "filled for the form 'x'" in wrong.json()["error"]
    assert Assessment.objects.get(pk=assessment.pk).answers == {}


def test_the_device_takes_the_forms_it_may_fill(world, register):
    definition = screening()
    register(world["caseworker"])
    forms_on_device = Device_(world["caseworker"]).pull_all()[0]["reference"]["forms"]
    sent = {f["form_id"]: f for f in forms_on_device}
    assert sent[SCREENING]["id"] == definition.pk and sent[SCREENING]["xform"] == definition.xform


def submit_op(definition, case, answers, instance_id=""):
    return op(
        "assessment.submit",
        case=case.pk,
        definition=definition.pk,
        title=definition.title,
        instance=instance(definition, answers, instance_id),
    )


def test_an_assessment_filled_offline_is_scored_at_sync_and_audited_with_the_device(
    world, register
):
    definition = screening()
    case = register(world["caseworker"])
    device = Device_(world["caseworker"])
    sent = submit_op(definition, case, FULL, f"uuid:{uuid.uuid4()}")
    (result,) = device.results(sent)
    assert result["status"] == "applied"
    assessment = Assessment.objects.get(pk=result["assessment"])
    assert assessment.case == case and assessment.status == "submitted" and assessment.scores
    event = AuditEvent.objects.get(action="assessment.submit", object_id=str(assessment.pk))
    assert event.device_id == device.id
    # The same operation again, or the same answers under another operation: one response.
    assert device.results(sent)[0]["assessment"] == assessment.pk
    again = {**sent, "id": str(uuid.uuid4())}
    assert device.results(again)[0]["assessment"] == assessment.pk
    assert Assessment.objects.filter(case=case).count() == 1
    # The device's copy of the case shows it: form, date, bands; never the answers.
    records = [r for page in device.pull_all() for r in page["records"] if r["id"] == case.pk]
    (held,) = records[0]["assessments"]
    assert held["title"] == definition.title and "answers" not in held
    assert ["Overall vulnerability", "critical"] in held["bands"]


def test_answers_the_server_refuses_stay_on_the_case_as_a_draft(world, register):
    definition = screening()
    case = register(world["caseworker"])
    device = Device_(world["caseworker"])
    (result,) = device.results(submit_op(definition, case, {"age_group": "18_59"}))
    assert result["status"] == "refused" and "kept as a draft" in result["reason"]
    draft = Assessment.objects.get(pk=result["assessment"])
    assert draft.status == "draft" and draft.answers == {"age_group": "18_59"}


def test_a_version_retired_while_on_the_device_keeps_the_answers(world, register):
    definition = screening()
    case = register(world["caseworker"])
    device = Device_(world["caseworker"])
    AssessmentDefinition.objects.filter(pk=definition.pk).update(retired=True)
    (result,) = device.results(submit_op(definition, case, ANSWERS))
    assert result["status"] == "refused" and "retired" in result["reason"]
    kept = Assessment.objects.get(pk=result["assessment"])
    assert kept.status == "draft" and kept.answers == ANSWERS


def test_an_assessment_for_a_case_or_form_out_of_reach_is_refused(world, register):
    definition = screening()
    others = register(world["caseworker2"])
    device = Device_(world["caseworker"])
    other_agency_form = actions.publish_definition(
        world["other_admin"], simple_form(survey=FAMILY, scoring=NO_SCORES), "family.xlsx"
    )
    own = register(world["caseworker"])
    out_of_scope, foreign_form, tampered = device.results(
        submit_op(definition, others, ANSWERS),
        {**submit_op(definition, own, ANSWERS), "definition": other_agency_form.pk},
        {**submit_op(definition, own, ANSWERS), "instance": "<data id='other'/>"},
    )
    assert (
        out_of_scope["status"] == "refused"
        and "no longer in your caseload" in (out_of_scope["reason"])
    )
    assert foreign_form["status"] == "refused" and "not available" in foreign_form["reason"]
    assert tampered["status"] == "refused" and "filled for the form" in tampered["reason"]
    assert not Assessment.objects.exists()
    assert Operation.objects.filter(status="refused").count() == 3

"""Assessment forms published as XLSForm, responses filled, submitted, scored and kept."""

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command

from haven.assessments import actions, selectors
from haven.assessments.models import Assessment, AssessmentDefinition
from haven.audit.models import AuditEvent
from tests.test_shipped_forms import RISKS
from tests.xlsform import SURVEY, simple_form, survey_row

SHIPPED = Path(__file__).resolve().parent.parent / "haven" / "assessments" / "forms"


def upload(client, data: bytes, name="form.xlsx"):
    return client.post(
        "/api/v1/assessment-definitions/",
        {"file": SimpleUploadedFile(name, data)},
        format="multipart",
    )


def test_the_shipped_forms_are_installed_once(db):
    ids = set(
        AssessmentDefinition.objects.filter(agency__isnull=True).values_list("form_id", flat=True)
    )
    assert ids == {
        "haven_vulnerability_screening",
        "haven_protection_risk",
        "haven_reintegration_sustainability",
        "haven_best_interests",
    }
    assert actions.install_shipped_forms() == []
    installed = AuditEvent.objects.filter(action="assessment_definition.install")
    assert installed.count() == len(ids) and installed.first().actor is None


def test_an_agency_admin_publishes_versions_of_a_form(world, api):
    first = upload(api("agency_admin"), simple_form())
    assert first.status_code == 201, first.content
    again = upload(api("agency_admin"), simple_form())
    assert (first.json()["version"], again.json()["version"]) == (1, 2)
    assert again.json()["form_id"] == "test" and again.json()["shipped"] is False
    event = AuditEvent.objects.filter(action="assessment_definition.publish").order_by("seq").last()
    assert event.details == {"form_id": "test", "version": 2}
    # Another agency sees Haven's forms, not this agency's.
    listed = api("other_agency").get("/api/v1/assessment-definitions/").json()["results"]
    assert "test" not in {d["form_id"] for d in listed}
    definition = AssessmentDefinition.objects.get(form_id="test", version=1)
    assert (
        api("other_agency").get(f"/api/v1/assessment-definitions/{definition.pk}/").status_code
        == 404
    )


def test_a_broken_form_is_refused_with_every_problem_and_nothing_is_stored(world, api):
    survey = [
        SURVEY,
        survey_row("select_one yn", "q1", "Q1", dimension="d", relevant="${ghost} = 1"),
        survey_row("start-geopoint", "where", ""),
    ]
    before = AssessmentDefinition.objects.count()
    response = upload(api("agency_admin"), simple_form(survey=survey))
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "form_refused"
    assert {
        "sheet": "survey",
        "row": 3,
        "column": "type",
        "message": "The question type 'start-geopoint' is not supported.",
    } in body["problems"]
    assert AssessmentDefinition.objects.count() == before


def test_publishing_needs_the_forms_permission(world, api):
    assert upload(api("caseworker"), simple_form()).status_code == 403
    assert upload(api("analyst"), simple_form()).status_code == 403
    response = api("agency_admin").post("/api/v1/assessment-definitions/", {}, format="multipart")
    assert response.status_code == 400 and "Attach the XLSForm" in str(response.json())


def test_fill_refuse_keep_draft_then_submit_and_score(world, api, register):
    case = register(world["caseworker"])
    definition = AssessmentDefinition.objects.get(form_id="haven_protection_risk")
    client = api("caseworker")
    started = client.post(
        "/api/v1/assessments/", {"case": case.pk, "definition": definition.pk}, format="json"
    )
    assert started.status_code == 201, started.content
    assessment_id, version = started.json()["id"], started.json()["version"]
    answers = {"faces_gbv": "yes", "threat_gbv": 4, "vulnerability_gbv": 5}
    refused = client.post(
        f"/api/v1/assessments/{assessment_id}/answers/",
        {"answers": answers, "version": version, "submit": True},
        format="json",
    )
    assert refused.status_code == 400
    problems = {(p["question"], p["message"]) for p in refused.json()["problems"]}
    assert ("capacity_gbv", "This question is required.") in problems
    assert ("faces_trafficking", "This question is required.") in problems
    # The draft kept what was entered.
    saved = client.get(f"/api/v1/assessments/{assessment_id}/").json()
    assert saved["status"] == "draft" and saved["answers"] == answers
    # A stale version is refused and changes nothing.
    stale = client.post(
        f"/api/v1/assessments/{assessment_id}/answers/",
        {"answers": {}, "version": version, "submit": False},
        format="json",
    )
    assert stale.status_code == 409
    complete = {
        **{f"faces_{r}": "no" for r in RISKS if r != "gbv"},
        **answers,
        "capacity_gbv": 2,
    }
    done = client.post(
        f"/api/v1/assessments/{assessment_id}/answers/",
        {"answers": complete, "version": saved["version"], "submit": True},
        format="json",
    )
    assert done.status_code == 200, done.content
    body = done.json()
    assert body["submitted"] is True
    scores = body["assessment"]["scores"]
    assert scores["gbv"]["value"] == 10 and scores["gbv"]["band"] == "high"
    assert scores["highest"]["band"] == "high"
    # The case's risk level follows the highest current protection risk, audited.
    case.refresh_from_db()
    assert case.risk_level == "high"
    change = AuditEvent.objects.get(action="case.risk_level", object_id=str(case.pk))
    assert change.details["to"] == "high" and change.details["source_id"] == assessment_id
    actions_seen = set(
        AuditEvent.objects.filter(object_type="assessment").values_list("action", flat=True)
    )
    assert {"assessment.start", "assessment.save", "assessment.submit"} <= actions_seen
    # Final answers cannot be changed.
    again = client.post(
        f"/api/v1/assessments/{assessment_id}/answers/",
        {"answers": {}, "version": body["assessment"]["version"]},
        format="json",
    )
    assert again.status_code == 400 and "final" in again.json()["detail"]


def _weighted_form(weight_q2: int) -> bytes:
    survey = [
        SURVEY,
        survey_row("select_one yn", "q1", "Q1", required="yes", dimension="d"),
        survey_row("select_one yn", "q2", "Q2", required="yes", dimension="d", weight=weight_q2),
    ]
    return simple_form(survey=survey)


def test_a_new_version_never_changes_past_scores_until_recomputed(world, register):
    admin, caseworker = world["agency_admin"], world["caseworker"]
    case = register(caseworker)
    v1 = actions.publish_definition(admin, _weighted_form(1), "weights.xlsx")
    assessment = actions.start(caseworker, case, v1)
    saved = actions.save(
        caseworker, assessment, {"q1": "yes", "q2": "no"}, assessment.version, submit=True
    )
    assert saved.submitted and saved.assessment.scores["d"]["value"] == pytest.approx(0.5)
    v2 = actions.publish_definition(admin, _weighted_form(3), "weights.xlsx")
    assert v2.version == 2
    kept = Assessment.objects.get(pk=assessment.pk)
    assert kept.definition_id == v1.pk and kept.scores["d"]["value"] == pytest.approx(0.5)
    recomputed = actions.recompute(caseworker, kept)
    assert recomputed.scored_with_id == v2.pk and recomputed.definition_id == v1.pk
    assert recomputed.scores["d"]["value"] == pytest.approx(0.25)  # (1 + 3 × 0) / 4
    event = AuditEvent.objects.filter(action="assessment.recompute").get()
    assert event.details["with_version"] == 2


def test_assessments_follow_the_case_policy(world, api, register):
    case = register(world["caseworker"])
    definition = AssessmentDefinition.objects.get(form_id="haven_vulnerability_screening")
    assessment = actions.start(world["caseworker"], case, definition)
    path = f"/api/v1/assessments/{assessment.pk}/"
    assert api("supervisor").get(path).status_code == 200
    assert api("other_agency").get(path).status_code == 404
    assert api("analyst").get(path).status_code == 403
    listed = api("other_agency").get("/api/v1/assessments/").json()
    assert listed["count"] == 0
    # Starting one on a case out of scope is "not found", as the case is.
    response = api("other_agency").post(
        "/api/v1/assessments/", {"case": case.pk, "definition": definition.pk}, format="json"
    )
    assert response.status_code == 404


def test_the_command_line_checks_and_publishes(world, tmp_path, capsys):
    good = tmp_path / "good.xlsx"
    good.write_bytes(simple_form())
    call_command("forms", "check", str(good))
    assert "good.xlsx: OK" in capsys.readouterr().out
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(simple_form(survey=[SURVEY, survey_row("start-geopoint", "where", "")]))
    with pytest.raises(CommandError, match="problem"):
        call_command("forms", "check", str(bad))
    assert "survey, row 2, column type" in capsys.readouterr().err
    with pytest.raises(CommandError, match="--agency"):
        call_command("forms", "import", str(good))
    call_command("forms", "import", str(good), "--agency", world["a"].code)
    assert AssessmentDefinition.objects.filter(agency=world["a"], form_id="test").count() == 1
    with pytest.raises(CommandError, match="No such file"):
        call_command("forms", "check", str(tmp_path / "missing.xlsx"))


def test_every_shipped_file_checks_clean_from_the_command_line(capsys):
    for path in sorted(SHIPPED.glob("*.xlsx")):
        call_command("forms", "check", str(path))
    assert capsys.readouterr().out.count(": OK") == len(list(SHIPPED.glob("*.xlsx")))


def test_fill_an_assessment_in_the_web_pages(world, register):
    from django.test import Client

    from tests.conftest import sign_in

    case = register(world["caseworker"])
    client = Client()
    sign_in(client, world["caseworker"])
    tab = client.get(f"/cases/{case.pk}/?tab=assessments", HTTP_HOST="localhost")
    assert tab.status_code == 200 and b"Protection risk assessment" in tab.content
    definition = AssessmentDefinition.objects.get(form_id="haven_protection_risk")
    started = client.post(
        f"/cases/{case.pk}/assessments/start/", {"definition": definition.pk}, HTTP_HOST="localhost"
    )
    assessment = Assessment.objects.get(case=case)
    assert started.status_code == 302 and started["Location"] == f"/assessments/{assessment.pk}/"
    page = client.get(started["Location"], HTTP_HOST="localhost")
    assert page.status_code == 200 and b'name="threat_gbv"' in page.content
    post = {f"faces_{r}": "no" for r in RISKS}
    post.update(
        faces_gbv="yes",
        threat_gbv="4",
        vulnerability_gbv="5",
        capacity_gbv="9",
        version=str(assessment.version),
        submit="1",
    )
    refused = client.post(started["Location"], post, HTTP_HOST="localhost")
    assert refused.status_code == 200
    assert b"Rate from 1 to 5." in refused.content and b"saved as a draft" in refused.content
    assessment.refresh_from_db()
    assert assessment.status == "draft" and assessment.answers["capacity_gbv"] == 9
    post.update(capacity_gbv="1", version=str(assessment.version))
    done = client.post(started["Location"], post, HTTP_HOST="localhost")
    assert done.status_code == 302
    assessment.refresh_from_db()
    case.refresh_from_db()
    assert assessment.status == "submitted" and assessment.scores["gbv"]["value"] == 20
    assert case.risk_level == "critical"
    results = client.get(started["Location"], HTTP_HOST="localhost")
    assert b"critical" in results.content and b"Scores" in results.content


def test_the_fill_page_asks_which_questions_are_relevant_while_typing(world, register):
    from django.test import Client

    from tests.conftest import sign_in

    case = register(world["caseworker"])
    definition = AssessmentDefinition.objects.get(form_id="haven_protection_risk")
    assessment = actions.start(world["caseworker"], case, definition)
    client = Client()
    sign_in(client, world["caseworker"])
    url = f"/assessments/{assessment.pk}/check/"
    nothing = client.post(url, {}, HTTP_HOST="localhost").json()
    assert "threat_gbv" in nothing["hidden"] and "faces_gbv" not in nothing["hidden"]
    assert nothing["problems"] == {}
    typed = client.post(url, {"faces_gbv": "yes", "threat_gbv": "9"}, HTTP_HOST="localhost").json()
    assert "threat_gbv" not in typed["hidden"] and "threat_trafficking" in typed["hidden"]
    assert typed["problems"] == {"threat_gbv": ["Rate from 1 to 5."]}
    assessment.refresh_from_db()
    assert assessment.answers == {}  # checking saves nothing


def _submit_protection_risk(user, case, threat, vulnerability, capacity):
    definition = AssessmentDefinition.objects.get(form_id="haven_protection_risk")
    assessment = actions.start(user, case, definition)
    answers = {f"faces_{r}": "no" for r in RISKS}
    answers.update(
        faces_gbv="yes", threat_gbv=threat, vulnerability_gbv=vulnerability, capacity_gbv=capacity
    )
    saved = actions.save(user, assessment, answers, assessment.version, submit=True)
    assert saved.submitted, saved.problems
    return saved.assessment


def test_a_supervisor_override_holds_the_risk_level_until_lifted(world, register, api):
    from django.core.exceptions import ValidationError

    from haven.cases import actions as case_actions
    from haven.core.errors import NotAllowed

    caseworker, supervisor = world["caseworker"], world["supervisor"]
    case = register(caseworker)
    _submit_protection_risk(caseworker, case, 5, 5, 1)  # 25: critical
    case.refresh_from_db()
    assert case.risk_level == "critical"
    with pytest.raises(NotAllowed):
        case_actions.override_risk(
            caseworker, case, "medium", "Moved to a safe shelter", case.version
        )
    with pytest.raises(ValidationError, match="Say why"):
        case_actions.override_risk(supervisor, case, "medium", "  ", case.version)
    case_actions.override_risk(supervisor, case, "medium", "Moved to a safe shelter", case.version)
    case.refresh_from_db()
    assert case.risk_level == "medium" and case.risk_overridden_by == supervisor
    assert case.risk_override_reason == "Moved to a safe shelter"
    # A new assessment does not move an overridden level; the audit says so.
    _submit_protection_risk(caseworker, case, 2, 2, 4)  # 1: low
    case.refresh_from_db()
    assert case.risk_level == "medium"
    kept = AuditEvent.objects.get(action="case.risk_level_kept", object_id=str(case.pk))
    assert kept.details["to"] == "low" and kept.details["kept"] == "medium"
    override = AuditEvent.objects.get(action="case.risk_override", object_id=str(case.pk))
    assert override.details == {"from": {"level": "critical", "overridden": False}, "to": "medium"}
    assert "shelter" not in str(override.details)  # the reason stays out of the audit
    # Lifted through the API; a stale version is refused.
    client = api("supervisor")
    stale = client.post(
        f"/api/v1/cases/{case.pk}/risk-override/",
        {"risk_level": "", "version": case.version - 1},
        format="json",
    )
    assert stale.status_code == 409
    lifted = client.post(
        f"/api/v1/cases/{case.pk}/risk-override/",
        {"risk_level": "", "version": case.version},
        format="json",
    )
    assert lifted.status_code == 200, lifted.content
    case.refresh_from_db()
    assert case.risk_overridden_by is None and case.risk_level == "medium"
    _submit_protection_risk(caseworker, case, 2, 2, 4)
    case.refresh_from_db()
    assert case.risk_level == "low"


def test_a_best_interests_recommendation_waits_for_a_supervisor(world, register):
    from haven.cases import approval_actions
    from haven.cases.models import Approval
    from haven.core.errors import NotAllowed
    from tests.test_shipped_forms import BIA_ANSWERS

    caseworker, supervisor = world["caseworker"], world["supervisor"]
    case = register(caseworker)
    definition = AssessmentDefinition.objects.get(form_id="haven_best_interests")
    assessment = actions.start(caseworker, case, definition)
    saved = actions.save(caseworker, assessment, BIA_ANSWERS, assessment.version, submit=True)
    assert saved.submitted
    approval = Approval.objects.get(assessment=assessment, decision="pending")
    assert approval.kind == "assessment" and approval.case == case
    assert selectors.sign_off_state(assessment) == approval
    with pytest.raises(NotAllowed):
        approval_actions.decide(caseworker, approval, approve=True)
    # Returned: back to the caseworker as a draft, answers kept, scores cleared.
    approval_actions.decide(supervisor, approval, approve=False, comment="Hear the aunt first")
    assessment.refresh_from_db()
    assert assessment.status == "draft" and assessment.answers["recommendation"] == (
        "reunification_third"
    )
    assert assessment.scores == {}
    # Submitted again, then signed off.
    saved = actions.save(
        caseworker,
        assessment,
        {**BIA_ANSWERS, "justification": "Aunt heard."},
        assessment.version,
        submit=True,
    )
    assert saved.submitted
    second = selectors.sign_off_state(saved.assessment)
    assert second.pk != approval.pk and second.decision == "pending"
    approval_actions.decide(supervisor, second, approve=True)
    assessment.refresh_from_db()
    assert assessment.status == "submitted"
    assert selectors.sign_off_state(assessment).decision == "approved"
    actions_seen = list(
        AuditEvent.objects.filter(object_id=str(assessment.pk), object_type="assessment")
        .order_by("seq")
        .values_list("action", flat=True)
    )
    assert actions_seen[-1] == "assessment.sign_off" and "assessment.return" in actions_seen


def test_rounds_planned_ahead_are_tasks_and_overdue_when_late(world, register, api):
    from datetime import date, timedelta

    from django.test import Client

    from haven.cases.due import tasks_for
    from haven.core.errors import HavenError
    from tests.conftest import sign_in

    caseworker = world["caseworker"]
    case = register(caseworker)
    definition = AssessmentDefinition.objects.get(form_id="haven_reintegration_sustainability")
    client = Client()
    sign_in(client, caseworker)
    response = client.post(
        f"/cases/{case.pk}/assessments/schedule/",
        {"definition": definition.pk, "start": "2031-01-31", "months": "3, 6, 12"},
        HTTP_HOST="localhost",
        follow=True,
    )
    assert b"3 round(s) planned." in response.content
    rounds = list(Assessment.objects.filter(case=case).order_by("due_on"))
    assert [r.due_on for r in rounds] == [date(2031, 4, 30), date(2031, 7, 31), date(2032, 1, 31)]
    titles = [t.title for t in tasks_for(case)]
    assert titles.count("Reintegration Sustainability Survey due") == 3
    bad = client.post(
        f"/cases/{case.pk}/assessments/schedule/",
        {"definition": definition.pk, "start": "2031-01-31", "months": "three"},
        HTTP_HOST="localhost",
        follow=True,
    )
    assert b"months after it, e.g. 3, 6, 12" in bad.content
    with pytest.raises(HavenError, match="past"):
        actions.schedule(caseworker, case, definition, [date.today() - timedelta(days=1)])
    # When a round's date passes, it is overdue on the case and on the dashboard.
    Assessment.objects.filter(pk=rounds[0].pk).update(due_on=date.today() - timedelta(days=2))
    assert any(t.overdue for t in tasks_for(case))
    dashboard = client.get("/", HTTP_HOST="localhost")
    assert dashboard.context["overdue_rounds_count"] == 1
    assert b"Assessments overdue" in dashboard.content
    # The API plans rounds too; another agency cannot.
    payload = {"case": case.pk, "definition": definition.pk, "due": ["2033-01-01"]}
    assert (
        api("caseworker").post("/api/v1/assessments/schedule/", payload, format="json").status_code
        == 201
    )
    assert (
        api("other_agency")
        .post("/api/v1/assessments/schedule/", payload, format="json")
        .status_code
        == 404
    )


def test_the_case_shows_rounds_of_a_form_as_a_chart(world, register):
    from django.test import Client

    from haven.assessments.charts import charts_for
    from tests.conftest import sign_in
    from tests.test_shipped_forms import RSS_ROUND

    caseworker = world["caseworker"]
    case = register(caseworker)
    definition = AssessmentDefinition.objects.get(form_id="haven_reintegration_sustainability")
    better = {
        "income_source": "casual",
        "employed": "yes",
        "skills_used": "yes",
        "economic_satisfaction": "satisfied",
        "debt": "manageable",
    }
    for months, changes in ((3, {}), (6, better), (12, {**better, "income_source": "employment"})):
        assessment = actions.start(caseworker, case, definition)
        answers = {**RSS_ROUND, **changes, "months_since_return": months}
        if "employed" in changes:
            answers.pop("job_search")
        saved = actions.save(caseworker, assessment, answers, assessment.version, submit=True)
        assert saved.submitted, saved.problems
    charts = charts_for(Assessment.objects.filter(case=case).select_related("definition"))
    assert len(charts) == 1
    economic = next(s for s in charts[0].series if s.label == "Economic")
    assert (
        len(economic.values) == 3 and economic.values[0] < economic.values[1] < economic.values[2]
    )
    assert len(economic.dots) == 3 and economic.points.count(",") == 3
    client = Client()
    sign_in(client, caseworker)
    page = client.get(f"/cases/{case.pk}/?tab=assessments", HTTP_HOST="localhost")
    assert page.content.count(b"<polyline") == 4 and b"scores by round" in page.content


def test_result_distributions_hide_small_cells_and_names(world, register):
    from django.test import Client

    from haven.assessments.reports import score_distributions
    from tests.conftest import sign_in

    caseworker = world["caseworker"]
    definition = AssessmentDefinition.objects.get(form_id="haven_vulnerability_screening")
    high = {
        "age_group": "under_15",
        "past_harm": "yes",
        "literate": "no",
        "own_money": "no",
        "dependants": 6,
        "family_violence": "yes",
        "legal_status": "irregular",
        "conflict": "yes",
        "social_network": "no",
        "isolated": "yes",
    }
    low = {
        "age_group": "18_59",
        "past_harm": "no",
        "literate": "yes",
        "own_money": "yes",
        "dependants": 0,
        "family_violence": "no",
        "legal_status": "regular",
        "conflict": "no",
        "social_network": "yes",
        "isolated": "no",
    }
    plan = (
        [("vulnerable_migrants", high)] * 6
        + [("vulnerable_migrants", low)] * 2
        + [("child_protection", high)] * 7
    )
    for index, (programme, answers) in enumerate(plan):
        case = register(
            caseworker, person={"given_name": f"Person{index}"}, case={"programme": programme}
        )
        assessment = actions.start(caseworker, case, definition)
        saved = actions.save(caseworker, assessment, answers, assessment.version, submit=True)
        assert saved.submitted, saved.problems
    reports = score_distributions(world["analyst"])
    report = next(r for r in reports if r.title.startswith("Vulnerability screening"))
    assert report.cases == 15
    table = next(t for t in report.tables if t.title == "Overall vulnerability — by programme")
    assert table.columns == ["low", "medium", "high", "critical", ""]
    rows = dict(table.rows)
    # The 2 low cases are hidden, then the 6 critical beside them (their row's total would
    # give them away), and the column totals that would (2 is small; 13 − 7 = 6).
    assert rows == {
        "Vulnerable migrant assistance": [None, 0, 0, None, 0, 8],
        "Child protection": [0, 0, 0, 7, 0, 7],
    }
    assert table.totals == [None, 0, 0, None, 0, 15]
    assert report.cases == 15
    # Another agency's analyst counts nothing of this agency.
    other = [
        r
        for r in score_distributions(world["other_supervisor"])
        if r.title.startswith("Vulnerability screening")
    ]
    assert other == []
    client = Client()
    sign_in(client, world["analyst"])
    page = client.get("/assessments/report/", HTTP_HOST="localhost")
    assert page.status_code == 200 and b"Person0" not in page.content
    assert b"hidden" in page.content


def _bia_csv(rows: list[dict]) -> bytes:
    """A KoboToolbox-style CSV export: group prefixes, ';' separators, option columns."""
    import csv
    import io

    from tests.test_shipped_forms import BIA_ANSWERS

    groups = {
        "child_age": "situation",
        "separation": "situation",
        "current_care": "situation",
        "child_consulted": "views",
        "child_wishes": "views",
        "tracing": "family",
        "family_contact": "family",
        "family_risk": "family",
        "exploitation": "safety_group",
        "violence": "safety_group",
        "health_need": "safety_group",
        "no_education": "safety_group",
        "options_considered": "recommendation_group",
        "recommendation": "recommendation_group",
        "justification": "recommendation_group",
    }
    header = [
        "start",
        "haven_case",
        *(f"{groups[k]}/{k}" for k in BIA_ANSWERS),
        "recommendation_group/options_considered/reunification_third",
        "meta/instanceID",
        "_id",
        "_submission_time",
        "interviewer_note",
    ]
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";")
    writer.writerow(header)
    for number, row in enumerate(rows):
        answers = {**BIA_ANSWERS, **row.get("answers", {})}
        values = [" ".join(v) if isinstance(v, list) else v for v in answers.values()]
        writer.writerow(
            [
                "2026-11-20T10:00:00",
                row["case"],
                *values,
                "1",
                row.get("instance", f"uuid:{number}"),
                "17",
                "2026-11-20T10:30:00Z",
                "extra",
            ]
        )
    return out.getvalue().encode()


def test_responses_collected_in_kobotoolbox_are_imported_row_by_row(world, api, register):
    caseworker = world["caseworker"]
    first = register(caseworker, person={"given_name": "Idris"})
    second = register(caseworker, person={"given_name": "Sara"})
    elsewhere = register(world["other_agency"], person={"given_name": "Other"})
    definition = AssessmentDefinition.objects.get(form_id="haven_best_interests")
    data = _bia_csv(
        [
            {"case": first.number},
            {"case": second.number, "answers": {"child_age": 19}},
            {"case": elsewhere.number},
            {"case": "NOPE-1"},
        ]
    )
    response = api("caseworker").post(
        f"/api/v1/assessment-definitions/{definition.pk}/import/",
        {"file": SimpleUploadedFile("kobo.csv", data)},
        format="multipart",
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["created"], body["refused"]) == (1, 3)
    # Columns that are not questions of the form are named, not silently dropped.
    assert body["ignored_columns"] == ["interviewer_note", "start"]
    by_row = {r["row"]: r for r in body["results"]}
    assert by_row[1]["status"] == 201
    assert by_row[2]["status"] == 400 and by_row[2]["errors"] == {
        "child_age": ["A child is under 18."]
    }
    assert by_row[3]["status"] == 404 and by_row[4]["status"] == 404
    imported = Assessment.objects.get(pk=by_row[1]["assessment"])
    assert imported.case == first and imported.status == "submitted"
    assert imported.answers["options_considered"] == ["reunification_third", "alternative_care"]
    assert imported.submitted_at.isoformat().startswith("2026-11-20T10:30")
    assert imported.approvals.get().decision == "pending"  # the sign-off it needs
    # Refused rows left nothing behind.
    assert not Assessment.objects.filter(case__in=[second, elsewhere]).exists()
    assert AuditEvent.objects.filter(action="assessment.import").count() == 1


def _import(api, definition, data, name="kobo.csv"):
    return api("caseworker").post(
        f"/api/v1/assessment-definitions/{definition.pk}/import/",
        {"file": SimpleUploadedFile(name, data)},
        format="multipart",
    )


def test_the_same_export_imported_twice_creates_nothing_new(world, api, register):
    first = register(world["caseworker"], person={"given_name": "Idris"})
    second = register(world["caseworker"], person={"given_name": "Sara"})
    definition = AssessmentDefinition.objects.get(form_id="haven_best_interests")
    data = _bia_csv([{"case": first.number}, {"case": second.number}])
    once = _import(api, definition, data).json()
    assert (once["created"], once["unchanged"], once["refused"]) == (2, 0, 0)
    again = _import(api, definition, data).json()
    assert (again["created"], again["unchanged"], again["refused"]) == (0, 2, 0)
    assert [r["detail"] for r in again["results"]] == ["Already imported: nothing changed."] * 2
    assert Assessment.objects.filter(definition=definition).count() == 2


def test_select_multiple_answers_given_one_column_per_option_are_kept(world, api, register):
    """Kobo's "separate columns" export: no answer column, one 1/0 column per option."""
    case = register(world["caseworker"])
    definition = AssessmentDefinition.objects.get(form_id="haven_best_interests")
    choices = definition.parsed().question("options_considered").list_name
    options = [c.name for c in definition.parsed().choices[choices]]
    text = _bia_csv([{"case": case.number}]).decode()
    header, line = text.splitlines()[:2]
    columns, values = header.split(";"), line.split(";")
    at = columns.index("recommendation_group/options_considered")
    chosen = set(values[at].split())
    columns[at : at + 1] = [f"recommendation_group/options_considered/{o}" for o in options]
    values[at : at + 1] = ["1" if o in chosen else "0" for o in options]
    # The old extra option column of the helper, and an option the form does not have.
    columns.append("recommendation_group/options_considered/moon_base")
    values.append("1")
    data = (";".join(columns) + "\n" + ";".join(values) + "\n").encode()
    body = _import(api, definition, data).json()
    assert body["created"] == 1, body
    imported = Assessment.objects.get(definition=definition)
    assert sorted(imported.answers["options_considered"]) == sorted(chosen)
    assert "recommendation_group/options_considered/moon_base" in body["ignored_columns"]


def test_a_kobotoolbox_json_page_is_imported(world, api, register):
    import json

    from tests.test_shipped_forms import RSS_ROUND

    case = register(world["caseworker"])
    definition = AssessmentDefinition.objects.get(form_id="haven_reintegration_sustainability")
    page = {
        "count": 1,
        "results": [
            {
                "haven_case": case.number,
                "_id": 5,
                "formhub/uuid": "x",
                **{
                    f"economic/{k}" if k in ("income_source", "employed") else k: v
                    for k, v in RSS_ROUND.items()
                },
            },
        ],
    }
    response = api("caseworker").post(
        f"/api/v1/assessment-definitions/{definition.pk}/import/",
        {"file": SimpleUploadedFile("kobo.json", json.dumps(page).encode())},
        format="multipart",
    )
    assert response.status_code == 200 and response.json()["created"] == 1, response.content
    bad = api("caseworker").post(
        f"/api/v1/assessment-definitions/{definition.pk}/import/",
        {"file": SimpleUploadedFile("kobo.json", b'[{"broken": ')},
        format="multipart",
    )
    assert bad.status_code == 400 and "JSON cannot be read" in str(bad.json())
    # A group written as a nested object (ODK Central's OData) is read like its columns,
    # and its unknown members are listed, not dropped.
    nested = dict(page["results"][0])
    economic = {k: nested.pop(f"economic/{k}") for k in ("income_source", "employed")}
    nested["economic"] = {**economic, "pigs_owned": 3}
    nested["_uuid"] = "uuid:nested"
    again = api("caseworker").post(
        f"/api/v1/assessment-definitions/{definition.pk}/import/",
        {"file": SimpleUploadedFile("odata.json", json.dumps({"value": [nested]}).encode())},
        format="multipart",
    )
    assert again.status_code == 200 and again.json()["created"] == 1, again.content
    assert "economic/pigs_owned" in again.json()["ignored_columns"]


def test_an_agency_admin_publishes_a_form_from_the_administration_pages(world):
    from django.test import Client

    from tests.conftest import sign_in

    client = Client()
    sign_in(client, world["agency_admin"])
    page = client.get("/manage/forms/", HTTP_HOST="localhost")
    assert page.status_code == 200 and b"Protection risk assessment" in page.content
    bad = simple_form(survey=[SURVEY, survey_row("start-geopoint", "where", "")])
    refused = client.post(
        "/manage/forms/", {"file": SimpleUploadedFile("bad.xlsx", bad)}, HTTP_HOST="localhost"
    )
    assert refused.status_code == 200
    assert b"Problems to fix" in refused.content
    assert b"The question type &#x27;start-geopoint&#x27; is not supported." in refused.content
    assert not AssessmentDefinition.objects.filter(form_id="test").exists()
    published = client.post(
        "/manage/forms/",
        {"file": SimpleUploadedFile("ok.xlsx", simple_form())},
        HTTP_HOST="localhost",
        follow=True,
    )
    assert b"Published Test, version 1." in published.content
    assert AssessmentDefinition.objects.get(form_id="test").uploaded_by == world["agency_admin"]


def test_repeated_sections_are_filled_in_the_page(world, register):
    from django.test import Client

    from tests.conftest import sign_in

    survey = [
        SURVEY,
        survey_row("select_one yn", "has_children", "Children with you?", required="yes"),
        survey_row("begin_repeat", "children", "Child", relevant="${has_children} = 'yes'"),
        survey_row("text", "child_name", "Name", required="yes"),
        survey_row(
            "integer",
            "child_age",
            "Age",
            constraint=". < 18",
            constraint_message="A child is under 18.",
        ),
        survey_row("end_repeat", ""),
    ]
    scoring = [["name", "type", "label", "formula", "missing"]]
    definition = actions.publish_definition(
        world["agency_admin"], simple_form(survey=survey, scoring=scoring), "family.xlsx"
    )
    case = register(world["caseworker"])
    assessment = actions.start(world["caseworker"], case, definition)
    client = Client()
    sign_in(client, world["caseworker"])
    url = f"/assessments/{assessment.pk}/"
    added = client.post(
        url,
        {"version": assessment.version, "has_children": "yes", "add_instance": "children"},
        HTTP_HOST="localhost",
    )
    assert added.status_code == 302 and added["Location"].endswith("#children")
    assessment.refresh_from_db()
    assert assessment.answers == {"has_children": "yes", "children": [{}]}
    page = client.get(url, HTTP_HOST="localhost")
    assert b'name="children__0__child_name"' in page.content
    fields = {
        "version": assessment.version,
        "has_children": "yes",
        "children__count": "2",
        "children__0__child_name": "Amal",
        "children__0__child_age": "9",
        "children__1__child_name": "Sami",
        "children__1__child_age": "30",
        "submit": "1",
    }
    refused = client.post(url, fields, HTTP_HOST="localhost")
    assert refused.status_code == 200 and b"A child is under 18." in refused.content
    assessment.refresh_from_db()
    assert assessment.answers["children"][1] == {"child_name": "Sami", "child_age": 30}
    fields.update(version=assessment.version, children__1__child_age="12")
    done = client.post(url, fields, HTTP_HOST="localhost")
    assert done.status_code == 302
    assessment.refresh_from_db()
    assert assessment.status == "submitted"
    assert [c["child_name"] for c in assessment.answers["children"]] == ["Amal", "Sami"]


def test_the_fill_page_speaks_the_language_chosen(world, register):
    from django.test import Client

    from tests.conftest import sign_in

    case = register(world["caseworker"])
    definition = AssessmentDefinition.objects.get(form_id="haven_protection_risk")
    assessment = actions.start(world["caseworker"], case, definition)
    client = Client()
    sign_in(client, world["caseworker"])
    client.cookies["django_language"] = "ar"
    page = client.get(f"/assessments/{assessment.pk}/", HTTP_HOST="localhost")
    assert 'dir="rtl"' in page.content.decode()
    assert "العنف القائم على النوع الاجتماعي" in page.content.decode()
    refused = client.post(
        f"/assessments/{assessment.pk}/",
        {"version": assessment.version, "faces_gbv": "yes", "threat_gbv": "9", "submit": "1"},
        HTTP_HOST="localhost",
    )
    assert "قيّم من 1 إلى 5." in refused.content.decode()


CASCADE_SURVEY = [
    SURVEY,
    survey_row("select_one countries", "country", "Country", required="yes"),
    survey_row("select_one cities", "city", "City", choice_filter="country = ${country}"),
]
CASCADE_CHOICES = [
    ["list_name", "name", "label", "country"],
    ["countries", "ne", "Niger", ""],
    ["countries", "ml", "Mali", ""],
    ["cities", "niamey", "Niamey", "ne"],
    ["cities", "agadez", "Agadez", "ne"],
    ["cities", "bamako", "Bamako", "ml"],
]


def test_the_fill_page_narrows_filtered_choices_as_answers_come(world, register):
    from django.test import Client

    from tests.conftest import sign_in

    data = simple_form(
        survey=CASCADE_SURVEY,
        choices=CASCADE_CHOICES,
        scoring=[["name", "type", "label", "formula", "missing"]],
    )
    definition = actions.publish_definition(world["agency_admin"], data, "places.xlsx")
    case = register(world["caseworker"])
    assessment = actions.start(world["caseworker"], case, definition)
    client = Client()
    sign_in(client, world["caseworker"])
    page = client.get(f"/assessments/{assessment.pk}/", HTTP_HOST="localhost")
    assert b"data-filtered" in page.content
    url = f"/assessments/{assessment.pk}/check/"
    assert client.post(url, {}, HTTP_HOST="localhost").json()["choices"] == {"city": []}
    niger = client.post(url, {"country": "ne"}, HTTP_HOST="localhost").json()
    assert niger["choices"] == {"city": ["niamey", "agadez"]}


def test_lists_of_assessments_leave_answers_out_and_a_read_is_logged(world, api, register):
    from haven.audit.models import AccessLog

    case = register(world["caseworker"])
    definition = AssessmentDefinition.objects.get(form_id="haven_vulnerability_screening")
    assessment = actions.start(world["caseworker"], case, definition)
    actions.save(
        world["caseworker"], assessment, {"age_group": "18_59"}, assessment.version, submit=False
    )
    listed = api("caseworker").get(f"/api/v1/assessments/?case={case.pk}").json()["results"]
    assert listed[0]["id"] == assessment.pk and "answers" not in listed[0]
    assert not AccessLog.objects.filter(object_type="assessment").exists()
    one = api("caseworker").get(f"/api/v1/assessments/{assessment.pk}/").json()
    assert one["answers"] == {"age_group": "18_59"}
    assert AccessLog.objects.filter(object_type="assessment", object_id=str(assessment.pk)).exists()

"""The indicators dashboard: counts by status, programme, vulnerability and risk; one
disaggregation at a time with configurable age bands and place levels; caseload; time in
each workflow stage; MiGOF categories; small cells hidden and rounding for roles without
the records; every table as a chart, CSV, XLSX and HXL."""

import csv
import io
from collections import Counter
from datetime import date

import pytest
from django.core.exceptions import ValidationError
from openpyxl import load_workbook

from haven.cases import actions as case_actions
from haven.cases.models import Migof, ProgrammeSetting
from haven.core.errors import HavenError, NotAllowed
from haven.core.models import Location
from haven.evidence import indicators
from haven.evidence.indicators import IndicatorError, Options, options_from, parse_bands
from tests.conftest import sign_in

TRAFFICKING = {"programme": "counter_trafficking", "vulnerabilities": ["trafficking_victim"]}


def _row(table, label):
    names = [*table.columns, "total"] if table.summed else table.columns
    return dict(zip(names, dict(table.rows)[label], strict=True))


@pytest.fixture
def caseload(world, register):
    """Seven counter-trafficking cases (ages 20 and 40, some in Agadez), two others."""
    niger = Location.objects.create(code="NE", name="Niger", level=0, country_code="NE")
    agadez = Location.objects.create(
        code="NE001", name="Agadez", level=1, parent=niger, country_code="NE"
    )
    town = Location.objects.create(
        code="NE001001", name="Arlit", level=2, parent=agadez, country_code="NE"
    )
    made = []
    for i in range(7):
        person = {
            "sex": "male" if i < 5 else "female",
            "birth_date": None if i == 6 else date(2006 - 20 * (i % 2), 1, 1),
            "current_location": town if i < 3 else None,
        }
        made.append(register(world["caseworker"], person=person, case=TRAFFICKING))
    made += [register(world["caseworker"]) for _ in range(2)]
    return made


def test_exact_counts_for_a_role_that_sees_the_records(world, caseload):
    report = indicators.indicators(world["supervisor"], Options())
    assert not report.protected and report.cases == 9
    registered = _row(report.by_status, "Registered")
    assert registered["Counter-trafficking"] == 7 and registered["total"] == 9
    assert _row(report.by_vulnerability, "Victim of trafficking")["Medium"] == 7
    assert _row(report.disaggregated, "Male")["Counter-trafficking"] == 5
    assert _row(report.caseload, "alice")["Registered"] == 9
    migof = report.migof
    assert _row(migof, str(Migof.O3.label))["Counter-trafficking"] == 7
    assert str(Migof.O1.label) not in dict(migof.rows)  # no return programme


def test_small_cells_are_hidden_and_counts_rounded_for_analysts(world, caseload):
    report = indicators.indicators(world["analyst"], Options())
    assert report.protected
    female = _row(report.disaggregated, "Female")
    assert female["Counter-trafficking"] is None  # two women: hidden
    published = [n for _label, row in report.by_status.rows for n in row if n is not None]
    assert all(n == 0 or n >= 5 for n in published)
    rounded = indicators.indicators(world["analyst"], Options(base=5))
    assert all(n is None or n % 5 == 0 for _label, row in rounded.by_status.rows for n in row)
    exact = indicators.indicators(world["supervisor"], Options(base=5))
    assert exact.base == 1  # who sees the records sees exact counts


def test_age_bands_are_configurable(world, caseload):
    report = indicators.indicators(world["supervisor"], Options(by="age", bands=(0, 18, 30)))
    assert [label for label, _row in report.disaggregated.rows] == ["18–29", "30+", "Not known"]
    assert _row(report.disaggregated, "18–29")["Counter-trafficking"] == 3
    assert parse_bands("0; 5, 18") == (0, 5, 18)
    for bad in ("5, 18", "0, 18, 5", "zero", "0, 200"):
        with pytest.raises(IndicatorError):
            parse_bands(bad)


def test_ages_counted_by_the_database_match_age_on(world, register):
    from datetime import timedelta

    from haven.cases.models import Case
    from haven.people.models import age_on

    today = date.today()
    # 29 February has no eighteenth anniversary of its own: the 28th stands in for it.
    eighteenth = date(today.year - 18, today.month, min(today.day, 28 if today.month == 2 else 31))
    # The day before, of and after the eighteenth birthday, and one with no date of birth.
    for born in (eighteenth - timedelta(days=1), eighteenth, eighteenth + timedelta(days=1)):
        register(world["caseworker"], person={"birth_date": born})
    register(world["caseworker"], person={"birth_date": None})
    cases = Case.objects.all()
    expected = Counter(
        (age_on(birth, registered), programme)
        for birth, registered, programme in cases.values_list(
            "person__birth_date", "registered_on", "programme"
        )
    )
    counted = {(age, programme): n for age, programme, n in indicators._ages_at_registration(cases)}
    assert counted == dict(expected)
    assert {age for age, _programme in counted} == {17, 18, None}


def test_places_at_the_chosen_level(world, caseload):
    level1 = indicators.indicators(world["supervisor"], Options(by="location", level=1))
    assert _row(level1.disaggregated, "Agadez")["Counter-trafficking"] == 3
    assert _row(level1.disaggregated, "Not known")["total"] == 6
    level0 = indicators.indicators(world["supervisor"], Options(by="location", level=0))
    assert "Niger" in dict(level0.disaggregated.rows)


def test_time_in_each_stage_from_the_recorded_transitions(world, caseload):
    for case in caseload[:3]:
        case_actions.transition(world["caseworker"], case, "assessment", case.version)
    report = indicators.indicators(world["supervisor"], Options())
    registered = _row(report.stages, "Registered")
    assert registered["Stays ended"] == 3 and registered["Cases in it now"] == 6
    assert registered["Median days"] == 0.0
    assert _row(report.stages, "Assessment")["Cases in it now"] == 3
    protected = indicators.indicators(world["analyst"], Options())
    assert _row(protected.stages, "Registered")["Median days"] is None  # from 3 stays


def test_referrals_and_services_of_the_same_cases(world, caseload, settings):
    from haven.assistance import actions as assistance
    from haven.assistance.models import ServiceType
    from tests.test_assistance import consent

    legal = ServiceType.objects.get(code="legal_aid")
    caseworker = world["caseworker"]
    for case in caseload[:6]:
        consent(caseworker, case)
        referral = assistance.refer(
            caseworker, case, legal, reason="Advice", fields=[], to_agency=world["b"]
        )
        if case in caseload[:2]:
            assistance.answer(
                world["other_agency"], referral, accept=True, version=referral.version
            )
    for case in caseload[6:8]:  # one counter-trafficking case, one other
        assistance.record_delivery(caseworker, case, legal, delivered_on=date(2026, 1, 5))
    report = indicators.indicators(world["supervisor"], Options())
    referrals = _row(report.referrals, "Legal aid")
    assert referrals["Accepted"] == 2 and referrals["Pending"] == 4 and referrals["total"] == 6
    services = _row(report.services, "Legal aid")
    assert services["Counter-trafficking"] == 1 and services["total"] == 2
    assert len(report.services.rows) == 1  # services never delivered are left out
    settings.HAVEN_SMALL_CELL = 3
    protected = indicators.indicators(world["analyst"], Options())
    assert _row(protected.referrals, "Legal aid")["Accepted"] is None  # two: hidden
    assert _row(protected.services, "Legal aid")["total"] is None
    # Referrals of cases outside the period are not counted.
    later = indicators.indicators(world["supervisor"], Options(since=date(2999, 1, 1)))
    assert later.referrals.rows == []


def test_long_row_labels_are_shortened_in_the_chart_only():
    from haven.core.reporting import Table
    from haven.evidence import charts

    label = "Principle 1: adherence to international standards and migrants' rights"
    table = Table("MiGOF", ["Counter-trafficking"], [(label, [7, 7])], [7, 7])
    drawn = charts.svg(table)
    assert "Principle 1: adherence to inter…" in drawn and "standards and" not in drawn
    assert table.rows[0][0] == label


def test_bad_parameters_say_what_to_change(world, client):
    with pytest.raises(IndicatorError, match="Disaggregate by"):
        options_from({"by": "religion"})
    with pytest.raises(IndicatorError, match="whole number"):
        options_from({"base": "-3"})
    sign_in(client, world["analyst"])
    page = client.get("/indicators/?bands=9,3").content.decode()
    assert "Age bands start at 0" in page


def test_the_page_charts_and_files(world, caseload, client):
    sign_in(client, world["analyst"])
    page = client.get("/indicators/?by=age").content.decode()
    assert "/indicators/charts/by_status.svg?by=age" in page and "Bar chart:" in page
    chart = client.get("/indicators/charts/disaggregated.svg?by=age")
    assert chart.status_code == 200 and chart["Content-Type"] == "image/svg+xml"
    assert "<svg" in chart.content.decode() and "unsafe-inline" in chart["Content-Security-Policy"]
    assert "unsafe-inline" not in client.get("/indicators/")["Content-Security-Policy"]
    assert client.get("/indicators/charts/nothing.svg").status_code == 404
    text = client.get("/indicators/?format=csv").content.decode()
    assert ["Cases by status and programme"] in list(csv.reader(io.StringIO(text)))
    book = load_workbook(io.BytesIO(client.get("/indicators/?format=xlsx").content))
    assert "Time in each workflow stage" in book.sheetnames
    assert "#indicator+num" in client.get("/indicators/?format=hxl").content.decode()
    sign_in(client, world["caseworker"])
    assert client.get("/indicators/").status_code == 403


def test_indicators_as_a_file_made_in_the_background(world, caseload, client, committed):
    from haven.evidence import actions, builds
    from haven.evidence.models import Release

    with pytest.raises(HavenError, match="Age bands start at 0"):
        actions.request_indicator_file(world["analyst"], params={"bands": "5"}, file_format="xlsx")
    with pytest.raises(HavenError, match="CSV, XLSX or HXL"):
        actions.request_indicator_file(world["analyst"], params={}, file_format="json")
    with pytest.raises(NotAllowed):
        actions.request_indicator_file(world["caseworker"], params={}, file_format="csv")
    made = committed(
        actions.request_indicator_file,
        world["analyst"],
        params={"by": "age", "bands": "0, 18, 30", "ignored": "x"},
        file_format="xlsx",
    )
    made.refresh_from_db()
    assert made.status == "done" and made.filters == {"by": "age", "bands": "0, 18, 30"}
    assert made.report["protected"] and made.file_name.endswith(".xlsx")
    book = load_workbook(builds.folder() / made.file_name)
    sheet = book[next(n for n in book.sheetnames if n.startswith("Cases by age band"))]
    assert [c.value for c in sheet[3]][0] == "18–29"
    sign_in(client, world["analyst"])
    assert client.get(f"/releases/{made.pk}/download/").status_code == 200
    sign_in(client, world["supervisor"])  # not the requester, not a releaser: not shown
    assert client.get(f"/releases/{made.pk}/").status_code == 404
    response = client.post("/indicators/file/", {"by": "sex", "file_format": "hxl"})
    mine = Release.objects.exclude(pk=made.pk).get()
    assert response["Location"] == f"/releases/{mine.pk}/" and mine.kind == "indicators"


def test_the_api_answers_the_same_tables(world, caseload, api):
    client = api("supervisor")
    body = client.get("/api/v1/indicators/?by=age&bands=0,18,30").json()
    assert body["cases"] == 9 and body["protected"] is False
    assert body["disaggregated"]["title"] == "Cases by age band and programme"
    assert body["disaggregated"]["rows"][0][0] == "18–29"
    bad = client.get("/api/v1/indicators/?by=religion&from=tomorrow")
    assert bad.status_code == 400 and "Disaggregate by" in bad.json()["detail"]
    assert "not a date" in bad.json()["detail"]
    assert api("caseworker").get("/api/v1/indicators/").status_code == 403


def test_the_agency_sets_each_programmes_migof_categories(world, caseload, client):
    from haven.audit.models import AuditEvent

    sign_in(client, world["agency_admin"])
    url = f"/manage/agencies/{world['a'].pk}/programmes/"
    page = client.get(url).content.decode()
    assert 'name="counter_trafficking-migof" value="o3" checked' in page  # the default
    response = client.post(
        url,
        {
            "counter_trafficking-plan": "on",
            "counter_trafficking-migof": ["p2", "o1"],
            "vulnerable_migrants-migof": ["o2"],
        },
    )
    assert response.status_code == 302
    setting = ProgrammeSetting.objects.get(agency=world["a"], programme="counter_trafficking")
    assert setting.migof == ["o1", "p2"] and not setting.closure_needs_approval
    event = AuditEvent.objects.get(action="programme.settings")
    assert event.details["counter_trafficking"]["migof"] == ["o1", "p2"]
    migof = indicators.indicators(world["supervisor"], Options()).migof
    assert _row(migof, str(Migof.O1.label))["Counter-trafficking"] == 7
    assert _row(migof, str(Migof.O2.label))["Vulnerable migrant assistance"] == 2
    assert str(Migof.O3.label) not in dict(migof.rows)
    with pytest.raises(ValidationError):
        case_actions.set_programme_settings(
            world["agency_admin"],
            world["a"],
            {"gbv": {"plan_needs_approval": True, "closure_needs_approval": True, "migof": ["x"]}},
        )
    sign_in(client, world["other_supervisor"])
    assert client.get(url).status_code == 403

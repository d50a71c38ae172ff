"""Every HXL file Haven writes passes libhxl's validator and means what it says: core
hashtags for what is counted and for each dimension, sex and age as core attributes of the
count, `#affected` only for people affected, the period filled in."""

import io
from datetime import date

import hxl
import pytest

from haven.assessments import actions as assessment_actions
from haven.assessments.models import AssessmentDefinition
from haven.core.hxl_tables import age_attributes, hxl_lines
from haven.core.reporting import Table, cross_table
from tests.conftest import sign_in
from tests.test_assistance import consented_referral
from tests.test_feedback_report import _submit
from tests.test_incidents import record
from tests.test_indicators import caseload  # noqa: F401 (a fixture)
from tests.test_shipped_forms import RSS_ROUND

# Written from the HXL 1.1 hashtag dictionary (hxlstandard.org/standard/1-1final/dictionary):
# the core hashtags and attributes Haven's files may use. Anything else must be an `#x_`
# extension hashtag or one of the attributes for exact bands listed after.
CORE_HASHTAGS = {
    "#affected",
    "#beneficiary",
    "#channel",
    "#contact",
    "#country",
    "#date",
    "#event",
    "#indicator",
    "#loc",
    "#service",
    "#severity",
    "#status",
    "#subsector",
}
CORE_ATTRIBUTES = {
    "adults",
    "children",
    "code",
    "elderly",
    "end",
    "f",
    "i",
    "infants",
    "m",
    "name",
    "num",
    "start",
    "type",
}
EXTENSION_ATTRIBUTES = {
    "departure",
    "return",
    "sex_unknown",
    "sex_other_or_unknown",
    "age_unknown",
}


def _validated(text: str) -> list[dict]:
    """The file's lines as {hashtag: value}, after libhxl's validator found nothing wrong
    and every hashtag and attribute proved to be core HXL or a declared extension."""
    source = hxl.data(io.BytesIO(text.encode()), hxl.input.InputOptions(allow_local=True))
    rows = list(source.gen_raw(show_headers=True))
    report = hxl.validate(rows)
    problems = [issue["description"] for issue in report["issues"]]
    assert report["is_valid"] and report["stats"]["error"] == 0, problems
    assert report["stats"]["warning"] == 0, problems
    tags = rows[1]
    for tag in tags:
        hashtag, *attributes = tag.split("+")
        assert hashtag in CORE_HASHTAGS or hashtag.startswith("#x_"), tag
        for attribute in attributes:
            exact_age = attribute.startswith("age") and attribute[3:4].isdigit()
            assert attribute in CORE_ATTRIBUTES | EXTENSION_ATTRIBUTES or exact_age, tag
    lines = [dict(zip(tags, line, strict=True)) for line in rows[2:]]
    for line in lines:  # the period is always there, and it is a period
        assert line["#date+start"] and line["#date+end"], line
        assert line["#date+start"] <= line["#date+end"]
    return lines


def test_sex_and_age_are_attributes_of_the_count_and_a_line_holds_them_all():
    by_sex = cross_table(
        "Cases by sex and programme",
        {("female", "uasc"): 3, ("male", "uasc"): 4, ("", "gbv"): 2},
        [("female", "Female"), ("male", "Male"), ("", "Not known")],
        [("uasc", "Children"), ("gbv", "GBV")],
        1,
        kinds=("sex", "programme"),
    )
    affected = cross_table(
        "People affected",
        {("female", "0_17"): 3, ("male", "18_59"): 12, ("other", "unknown"): 1},
        [("female", "Female"), ("male", "Male"), ("other", "Other or unknown")],
        [("0_17", "0–17"), ("18_59", "18–59"), ("unknown", "Age unknown")],
        1,
        kinds=("sex", "age"),
        people_affected=True,
    )
    period = (date(2026, 1, 1), date(2026, 6, 30))
    lines = hxl_lines([("by_sex", by_sex), ("affected", affected)], period)
    text = "".join(hxl.data(lines).gen_csv())
    found = _validated(text)
    uasc = next(line for line in found if line["#subsector+name"] == "Children")
    assert uasc["#indicator+num+f"] == "3" and uasc["#indicator+num+m"] == "4"
    assert uasc["#indicator+num+sex_unknown"] == "0"
    people = next(line for line in found if line["#indicator+code"] == "affected")
    assert people["#affected+f+children+age0_17"] == "3"
    assert people["#affected+m+adults+age18_59"] == "12"
    assert people["#affected+sex_other_or_unknown+age_unknown"] == "1"
    assert people["#date+start"] == "2026-01-01" and people["#date+end"] == "2026-06-30"
    # Cases are not people affected by an emergency: their counts never take #affected.
    assert not any(tag.startswith("#affected") and value for tag, value in uasc.items())


def test_months_carry_their_own_dates_and_measures_name_the_count():
    by_month = cross_table(
        "Incidents by type and month",
        {("pushback", date(2026, 2, 1)): 5, ("pushback", date(2026, 3, 1)): 2},
        [("pushback", "Pushback")],
        [(date(2026, 2, 1), "2026-02"), (date(2026, 3, 1), "2026-03")],
        1,
        kinds=("incident_type", "month"),
    )
    stages = Table(
        "Time in each workflow stage",
        ["Stays ended", "Median days"],
        [("Registered", [4, "—"])],
        summed=False,
        kinds=("stage", "measure"),
    )
    period = (date(2026, 2, 10), date(2026, 3, 20))
    found = _validated(
        "".join(hxl.data(hxl_lines([("m", by_month), ("s", stages)], period)).gen_csv())
    )
    months = [(line["#date+start"], line["#date+end"], line["#indicator+num"]) for line in found]
    assert ("2026-02-10", "2026-02-28", "5") in months  # clipped to the period
    assert ("2026-03-01", "2026-03-20", "2") in months
    named = {line["#indicator+name"]: line["#indicator+num"] for line in found}
    assert named["Time in each workflow stage — Stays ended"] == "4"
    assert named["Time in each workflow stage — Median days"] == ""  # no median, no number


@pytest.mark.parametrize(
    ("band", "attributes"),
    [
        ("0–4", ["+children", "+age0_4"]),
        ("0_17", ["+children", "+age0_17"]),
        ("18–59", ["+adults", "+age18_59"]),
        ("60+", ["+elderly", "+age60plus"]),
        ("60_plus", ["+elderly", "+age60plus"]),
        ("<1", ["+infants", "+age0_0"]),
        ("15–24", ["+age15_24"]),  # across childhood and adulthood: the exact band only
        ("unknown", ["+age_unknown"]),
        ("", ["+age_unknown"]),
    ],
)
def test_age_bands_take_the_core_attribute_they_fall_within(band, attributes):
    assert age_attributes(band) == attributes


@pytest.mark.parametrize("by", ["sex", "age", "nationality", "office", "place"])
def test_every_indicator_file_validates(world, caseload, client, by):  # noqa: F811
    sign_in(client, world["supervisor"])
    response = client.get(f"/indicators/?format=hxl&by={by}")
    assert response.status_code == 200
    found = _validated(response.content.decode())
    codes = {line["#indicator+code"] for line in found}
    assert {"by_status", "disaggregated", "stages"} <= codes
    assert all(line["#date+end"] == date.today().isoformat() for line in found)
    tags = response.content.decode().splitlines()[1]
    assert "#affected" not in tags  # cases, not people affected by an emergency
    if by == "sex":
        assert "#indicator+num+f" in tags and "#indicator+num+m" in tags


def test_the_incident_feedback_assistance_and_assessment_files_validate(world, register, client):
    record(world, occurred_on=date(2026, 11, 3))
    record(world, occurred_on=date(2026, 10, 20), kind="arbitrary_detention")
    _submit(world, 3)
    consented_referral(world, register)
    caseworker = world["caseworker"]
    definition = AssessmentDefinition.objects.get(form_id="haven_reintegration_sustainability")
    for _ in range(2):
        assessment = assessment_actions.start(caseworker, register(caseworker), definition)
        saved = assessment_actions.save(
            caseworker, assessment, dict(RSS_ROUND), assessment.version, submit=True
        )
        assert saved.submitted, saved.problems
    sign_in(client, world["feedback_focal"])
    incidents = _validated(client.get("/incidents/report/?format=hxl").content.decode())
    affected = [line for line in incidents if line["#indicator+code"] == "affected"]
    assert affected and affected[0]["#affected+m+adults+age18_59"] == "24"
    assert {line["#date+start"] for line in incidents} >= {"2026-10-20", "2026-11-01"}
    feedback = _validated(client.get("/feedback/report/?format=hxl").content.decode())
    assert any(line.get("#channel+name") for line in feedback)
    sign_in(client, world["supervisor"])
    period = "from=2026-01-01&to=2026-12-31"
    assistance = client.get(f"/assistance/report/?format=hxl&{period}").content.decode()
    lines = _validated(assistance)
    assert lines and all(line["#date+start"] == "2026-01-01" for line in lines)
    assert any(line["#service+name"] for line in lines)
    report = client.get("/assessments/report/")
    assert b"format=hxl" in report.content
    results = _validated(client.get("/assessments/report/?format=hxl").content.decode())
    assert results and all(line["#severity+code"] for line in results)
    assert all(line["#subsector+name"] or line["#loc+name"] for line in results)


def test_the_indicator_file_made_in_the_background_validates(world, caseload, committed):  # noqa: F811
    from haven.evidence import actions, builds

    made = committed(
        actions.request_indicator_file,
        world["analyst"],
        params={"by": "sex", "from": "2026-01-01"},
        file_format="hxl",
    )
    made.refresh_from_db()
    assert made.status == "done" and made.file_name.endswith(".hxl.csv")
    found = _validated((builds.folder() / made.file_name).read_text(encoding="utf-8"))
    assert found and all(line["#date+start"] == "2026-01-01" for line in found)
    # Cases are counted, not people affected by an emergency.
    assert all(not tag.startswith("#affected") for line in found for tag in line)

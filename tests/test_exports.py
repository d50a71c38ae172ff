"""Exports that name people (case lists with the fields chosen, HTCDS counter-trafficking
cases) in an AES-encrypted archive after re-authentication, the CTDC-style release, and
the trafficking profile they read."""

import csv
import io
import json
import time

import pytest
import pyzipper
from django.core.exceptions import ValidationError
from openpyxl import load_workbook

from haven.accounts.two_factor import AUTH_AT
from haven.audit.models import AccessLog, AuditEvent
from haven.cases import actions as case_actions
from haven.core.errors import HavenError, NotAllowed
from haven.evidence import actions, builds
from haven.evidence.models import Release
from haven.people.models import age_on
from haven.privacy.verify import verify
from tests.conftest import sign_in

SECRET = "long enough password"
REPORTING = [{"purpose": "reporting", "legal_basis": "consent", "given": True}]
TRAFFICKING = {"programme": "counter_trafficking", "vulnerabilities": ["trafficking_victim"]}
ASK = {
    "kind": "case_list",
    "purpose": "Case review with the shelter",
    "fields": ["number", "programme", "given_name", "age"],
    "file_format": "csv",
    "password": SECRET,
}


@pytest.fixture(autouse=True)
def _own_folder(settings, tmp_path):
    settings.VAR_DIR = tmp_path


@pytest.fixture
def trafficked(world, register):
    """Counter-trafficking cases with a trafficking profile, and one without."""
    made = []
    for i in range(4):
        case = register(
            world["caseworker"],
            person={"given_name": f"T{i}", "sex": "female" if i % 2 else "male"},
            case=TRAFFICKING,
            other_consents=REPORTING,
        )
        case_actions.save_trafficking_profile(
            world["caseworker"],
            case,
            {
                "exploitation": ["forced_labour"],
                "means_of_control": ["debt_bondage", "withholds_documents"],
                "labour_exploitation": ["domestic_work"],
                "recruitment": ["job_offer"],
                "country_of_exploitation": "LY",
            },
        )
        made.append(case)
    made.append(register(world["caseworker"], person={"given_name": "T9"}, case=TRAFFICKING))
    register(world["caseworker"], person={"given_name": "Other"})
    return made


def _open(release, password=SECRET) -> bytes:
    with pyzipper.AESZipFile(builds.folder() / release.file_name) as archive:
        archive.setpassword(password.encode())
        (member,) = archive.namelist()
        return archive.read(member)


def _csv(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))


def test_a_supervisor_exports_the_cases_in_scope_in_an_encrypted_archive(
    world, trafficked, committed
):
    release = committed(actions.request_export, world["supervisor"], **ASK)
    release.refresh_from_db()
    assert release.status == "done" and release.rows == 6
    assert release.archive_key == ""  # the password is forgotten once used
    rows = _csv(_open(release))
    assert rows[0] == ["number", "programme", "given_name", "age"]
    assert {row[2] for row in rows[1:]} == {"T0", "T1", "T2", "T3", "T9", "Other"}
    with pytest.raises(RuntimeError):
        _open(release, "not the password")
    raw = (builds.folder() / release.file_name).read_bytes()
    assert b"T0" not in raw and b"given_name" not in raw
    assert AccessLog.objects.filter(actor=world["supervisor"], view="case.export").count() == 6
    request = AuditEvent.objects.get(action="export.request")
    assert SECRET not in json.dumps(request.details)


def test_filters_and_formats(world, trafficked, committed):
    ask = {**ASK, "filters": {"programme": "counter_trafficking"}, "file_format": "json"}
    release = committed(actions.request_export, world["protection"], **ask)
    records = json.loads(_open(release))
    assert len(records) == 5 and {r["programme"] for r in records} == {"counter_trafficking"}
    first = trafficked[0]
    assert records[0]["age"] == age_on(first.person.birth_date, first.registered_on)
    release = committed(
        actions.request_export, world["protection"], **{**ASK, "file_format": "xlsx"}
    )
    sheet = load_workbook(io.BytesIO(_open(release))).active
    values = list(sheet.values)
    assert values[0] == ("number", "programme", "given_name", "age") and len(values) == 7


def test_htcds_export_uses_the_standards_names_and_values(world, trafficked, committed):
    release = committed(actions.request_export, world["protection"], **{**ASK, "kind": "htcds"})
    rows = _csv(_open(release))
    header = rows[0]
    assert header[:3] == ["cas_CaseNumber", "cas_Status", "prs_FirstName"]
    by_name = [dict(zip(header, row, strict=True)) for row in rows[1:]]
    assert len(by_name) == 5  # counter-trafficking cases only
    first = next(r for r in by_name if r["prs_FirstName"] == "T0")
    assert first["vic_MethodsOfControl"] == "DebtBondage;WithholdsDocuments"
    assert first["vic_TypeOfLabourExploitation"] == "DomesticWork"
    assert first["vic_MethodOfRecruitment"] == "Job offer/advertisement"
    assert first["vic_LocationOfExploitation"] == "LY"
    assert first["prs_Gender"] == "Male" and first["cas_Status"] == "Active"
    assert first["vic_AgreementToManagePersonalData"] == "true"
    bare = next(r for r in by_name if r["prs_FirstName"] == "T9")
    assert bare["vic_MethodsOfControl"] == ""


@pytest.mark.parametrize(
    "change,message",
    [
        ({"password": "short"}, "at least 12 characters"),
        ({"fields": []}, "Choose at least one field"),
        ({"fields": ["summary"]}, "Choose at least one field"),
        ({"file_format": "pdf"}, "CSV, XLSX or JSON"),
        ({"kind": "deidentified"}, "Choose a kind of export"),
        ({"purpose": " "}, "Say what the release is for"),
        ({"filters": {"programme": "knitting"}}, "Choose one of: counter_trafficking"),
        ({"filters": {"office": "A north"}}, "Choose one of: $"),
    ],
)
def test_bad_requests_are_refused_before_any_work(world, change, message):
    with pytest.raises(HavenError, match=message):
        actions.request_export(world["supervisor"], **{**ASK, **change})
    assert not Release.objects.exists()


def test_roles_without_case_export_cannot_export(world):
    for persona in ("caseworker", "analyst", "dpo"):
        with pytest.raises(NotAllowed):
            actions.request_export(world[persona], **ASK)


def test_asking_and_downloading_need_a_fresh_password(world, trafficked, client, committed):
    sign_in(client, world["supervisor"])
    session = client.session
    session[AUTH_AT] = 0  # signed in a while ago
    session.save()
    response = client.get("/exports/new/")
    assert response.status_code == 302 and response["Location"].startswith("/account/confirm/")
    session = client.session
    session[AUTH_AT] = time.time()
    session.save()
    assert client.get("/exports/new/").status_code == 200
    form = {**ASK, "programme": "", "status": ""}
    response = client.post("/exports/new/", form)
    release = Release.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/releases/{release.pk}/"
    builds.make_release(release.pk)
    download = client.get(f"/releases/{release.pk}/download/")
    assert download.status_code == 200 and download["Content-Disposition"].endswith('.zip"')
    session = client.session
    session[AUTH_AT] = 0
    session.save()
    again = client.get(f"/releases/{release.pk}/download/")
    assert again.status_code == 302 and again["Location"].startswith("/account/confirm/")
    assert AuditEvent.objects.filter(action="export.download").count() == 1


def test_only_the_requester_downloads_an_identified_export(world, trafficked, client, api):
    release = actions.request_export(world["supervisor"], **ASK)
    builds.make_release(release.pk)
    sign_in(client, world["protection"])  # sees the register, not the file
    session = client.session
    session[AUTH_AT] = time.time()
    session.save()
    page = client.get(f"/releases/{release.pk}/")
    assert page.status_code == 200 and "Only the person who asked" in page.content.decode()
    assert client.get(f"/releases/{release.pk}/download/").status_code == 403
    assert api("protection").get(f"/api/v1/releases/{release.pk}/download/").status_code == 403
    sign_in(client, world["other_supervisor"])
    assert client.get(f"/releases/{release.pk}/").status_code == 404


def test_cancelling_an_export_forgets_its_password(world, trafficked):
    release = actions.request_export(world["supervisor"], **ASK)
    actions.cancel_release(world["supervisor"], release)
    release.refresh_from_db()
    assert release.status == "cancelled" and release.archive_key == ""
    assert builds.make_release(release.pk) is None
    assert not list(builds.folder().iterdir())


def test_a_ctdc_release_has_yes_no_flags_and_is_k_anonymous(world, trafficked, committed):
    release = committed(
        actions.request_release,
        world["analyst"],
        kind="ctdc",
        purpose="CTDC contribution",
        fields=[],
        k=2,
        suppression_limit=0.5,
    )
    release.refresh_from_db()
    assert release.status == "done", release.error
    with (builds.folder() / release.file_name).open() as handle:
        rows = list(csv.reader(handle))
    header = rows[0]
    assert header[:4] == ["yearOfRegistration", "gender", "ageBroad", "citizenship"]
    assert {"isForcedLabour", "meansOfControlDebtBondage"} <= set(header)
    records = [dict(zip(header, row, strict=True)) for row in rows[1:]]
    # The four consenting counter-trafficking cases; the one without consent stays out.
    assert release.report["records_in"] == 4 and len(records) == release.rows
    assert all(r["isForcedLabour"] in ("1", "") for r in records)
    assert all(r["isSexualExploit"] in ("0", "") for r in records)
    assert "counter-trafficking" in release.report["consent_filter"]
    columns = {name: [r[name] for r in records] for name in header[:4]}
    assert verify(columns, header[:4], 2, records_in=4, suppression_limit=0.5).ok


def test_a_ctdc_release_takes_no_sensitive_attribute(world):
    with pytest.raises(HavenError, match="no sensitive attribute"):
        actions.request_release(
            world["analyst"],
            kind="ctdc",
            purpose="x",
            fields=[],
            k=2,
            suppression_limit=0.1,
            sensitive="programme",
            l_diversity=2,
        )


def test_the_trafficking_profile_is_checked_and_audited(world, register, client):
    case = register(world["caseworker"], case=TRAFFICKING)
    with pytest.raises(ValidationError):
        case_actions.save_trafficking_profile(
            world["caseworker"], case, {"means_of_control": ["mind_control"]}
        )
    with pytest.raises(NotAllowed):
        case_actions.save_trafficking_profile(world["caseworker2"], case, {"exploitation": []})
    sign_in(client, world["caseworker"])
    assert client.get(f"/cases/{case.pk}/trafficking/").status_code == 200
    response = client.post(
        f"/cases/{case.pk}/trafficking/",
        {"exploitation": ["sexual"], "sex_exploitation": ["prostitution"]},
    )
    assert response.status_code == 302
    event = AuditEvent.objects.get(action="case.trafficking_profile")
    assert event.details == {"changed": ["exploitation", "sex_exploitation"]}
    summary = client.get(f"/cases/{case.pk}/").content.decode()
    assert "Sexual exploitation" in summary and "Prostitution" in summary
    assert AccessLog.objects.filter(view="case.trafficking").exists()

"""De-identified releases: the register, the consent filter, the job that makes a
verified file with its checksum, failures that leave nothing behind, download and expiry."""

import csv
import hashlib
from datetime import timedelta

import pytest
from django.utils import timezone

from haven.audit.models import AuditEvent
from haven.core.errors import HavenError, NotAllowed
from haven.evidence import actions, builds
from haven.evidence.models import Release

REPORTING = [{"purpose": "reporting", "legal_basis": "consent", "given": True}]
ASK = {"purpose": "Donor report", "fields": ["age", "sex"], "k": 2, "suppression_limit": 0.5}


@pytest.fixture(autouse=True)
def _own_folder(settings, tmp_path):
    """Each test's release files in a folder of its own."""
    settings.VAR_DIR = tmp_path


@pytest.fixture
def cases(world, register):
    made = [
        register(world["caseworker"], person={"given_name": f"P{i}"}, other_consents=REPORTING)
        for i in range(6)
    ]
    register(world["caseworker"], person={"given_name": "No consent"})
    register(
        world["caseworker"],
        person={"given_name": "Hidden"},
        case={"sensitive": True},
        other_consents=REPORTING,
    )
    return made


def _rows(release):
    with (builds.folder() / release.file_name).open() as handle:
        return list(csv.reader(handle))


def test_an_analyst_makes_a_verified_release_of_consenting_cases(world, cases, committed):
    release = committed(actions.request_release, world["analyst"], **ASK)
    release.refresh_from_db()
    assert release.status == "done" and release.progress == 100
    rows = _rows(release)
    assert rows[0] == ["age", "sex"] and len(rows) - 1 == release.rows == 6
    data = (builds.folder() / release.file_name).read_bytes()
    assert release.checksum == hashlib.sha256(data).hexdigest()
    assert b"P1" not in data and b"Haddad" not in data
    report = release.report
    assert report["records_in"] == 6 and report["without_consent_left_out"] == 1
    assert report["sensitive_left_out"] == 1 and report["k_achieved"] >= 2
    assert "consent for statistics" in report["consent_filter"]
    assert release.expires_at > timezone.now()
    actions_done = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"release.request", "release.finish"} <= actions_done


def test_the_same_parameters_and_seed_make_the_same_file(world, cases, committed):
    first = committed(actions.request_release, world["analyst"], **ASK, seed=42)
    again = committed(actions.request_release, world["analyst"], **ASK, seed=42)
    first.refresh_from_db()
    again.refresh_from_db()
    assert first.checksum == again.checksum and first.pk != again.pk


@pytest.mark.parametrize(
    "change,message",
    [
        ({"fields": []}, "Choose at least one field"),
        ({"fields": ["name"]}, "Choose at least one field"),
        ({"k": 1}, "from 2 to 1000"),
        ({"purpose": "  "}, "Say what the release is for"),
        ({"suppression_limit": 2}, "from 0 to 100"),
    ],
)
def test_bad_requests_are_refused_before_any_work(world, change, message):
    with pytest.raises(HavenError, match=message):
        actions.request_release(world["analyst"], **{**ASK, **change})
    assert not Release.objects.exists()


def test_only_roles_with_the_permission_make_releases(world):
    with pytest.raises(NotAllowed):
        actions.request_release(world["caseworker"], **ASK)


def test_a_failed_release_says_why_and_leaves_no_file(world, cases, committed):
    release = committed(actions.request_release, world["analyst"], **{**ASK, "k": 50})
    release.refresh_from_db()
    assert release.status == "failed" and "larger than the 6 records" in release.error
    assert not list(builds.folder().glob(f"*{release.file_name}*"))
    assert AuditEvent.objects.filter(action="release.fail").exists()


def test_download_is_audited_scoped_and_ends_at_expiry(world, cases, committed, client):
    from tests.conftest import sign_in

    release = committed(actions.request_release, world["analyst"], **ASK)
    release.refresh_from_db()
    sign_in(client, world["analyst"])
    page = client.get(f"/releases/{release.pk}/").content.decode()
    assert release.checksum in page and "Download the release" in page
    response = client.get(f"/releases/{release.pk}/download/")
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"age,sex")
    assert AuditEvent.objects.filter(action="release.download").count() == 1
    sign_in(client, world["protection"])
    assert client.get(f"/releases/{release.pk}/").status_code == 200
    Release.objects.filter(pk=release.pk).update(expires_at=timezone.now() - timedelta(days=1))
    assert client.get(f"/releases/{release.pk}/download/").status_code == 410
    assert builds.remove_expired() == 1
    assert not (builds.folder() / release.file_name).exists()


def test_the_form_says_what_to_fix(world, client):
    from tests.conftest import sign_in

    sign_in(client, world["analyst"])
    response = client.post("/releases/new/", {"purpose": "", "k": "1", "suppression": "5"})
    page = response.content.decode()
    assert response.status_code == 200 and "This field is required." in page
    assert not Release.objects.exists()


def test_a_release_can_protect_a_sensitive_attribute_with_l_diversity(world, register, committed):
    for i in range(8):
        register(
            world["caseworker"],
            person={"given_name": f"P{i}"},
            case={"programme": "vulnerable_migrants" if i % 2 else "return_reintegration"},
            other_consents=REPORTING,
        )
    ask = {**ASK, "sensitive": "programme", "l_diversity": 2}
    release = committed(actions.request_release, world["analyst"], **ask)
    release.refresh_from_db()
    assert release.status == "done", release.error
    rows = _rows(release)
    assert rows[0] == ["age", "sex", "programme"]
    groups: dict[tuple, set] = {}
    for age, sex, programme in rows[1:]:
        groups.setdefault((age, sex), set()).add(programme)
    assert all(len(values) >= 2 for values in groups.values())
    assert release.report["l_achieved"] >= 2


@pytest.mark.parametrize(
    "change,message",
    [
        ({"sensitive": "programme"}, "choose both"),
        ({"sensitive": "sex", "l_diversity": 2}, "choose both"),
        ({"sensitive": "programme", "l_diversity": 2, "fields": ["programme"]}, "cannot also"),
        ({"sensitive": "programme", "l_diversity": 99}, "from 2 to 20"),
    ],
)
def test_bad_diversity_requests_are_refused(world, change, message):
    with pytest.raises(HavenError, match=message):
        actions.request_release(world["analyst"], **{**ASK, **change})


def test_a_cancelled_release_stops_and_leaves_no_file(world, cases):
    release = actions.request_release(world["analyst"], **ASK)  # queued: its job not run
    actions.cancel_release(world["analyst"], release)
    assert builds.make_release(release.pk) is None  # the job finds nothing to do
    release.refresh_from_db()
    assert release.status == "cancelled" and not list(builds.folder().iterdir())
    with pytest.raises(HavenError, match="no longer running"):
        actions.cancel_release(world["analyst"], release)
    assert AuditEvent.objects.filter(action="release.cancel").count() == 1


def test_a_release_cancelled_while_running_stops_at_its_next_step(world, cases, monkeypatch):
    release = actions.request_release(world["analyst"], **ASK)
    real = actions.datasets.records

    def records_then_cancel(*args, **kwargs):
        found = real(*args, **kwargs)
        actions.cancel_release(world["analyst"], release)  # someone presses Cancel now
        return found

    monkeypatch.setattr(builds.datasets, "records", records_then_cancel)
    builds.make_release(release.pk)
    release.refresh_from_db()
    assert release.status == "cancelled" and release.checksum == ""
    assert not list(builds.folder().iterdir())


def test_the_api_requests_reads_and_downloads_a_release(world, cases, api, committed):
    client = api("analyst")
    bad = client.post("/api/v1/releases/", {**ASK, "fields": ["name"]}, format="json")
    assert bad.status_code == 400 and "fields" in bad.json()
    made = committed(client.post, "/api/v1/releases/", ASK, format="json")
    assert made.status_code == 201
    body = client.get(f"/api/v1/releases/{made.json()['id']}/").json()
    assert body["status"] == "done" and body["rows"] == 6 and len(body["checksum"]) == 64
    download = client.get(f"/api/v1/releases/{body['id']}/download/")
    assert download.status_code == 200
    assert b"".join(download.streaming_content).startswith(b"age,sex")
    assert api("caseworker").get("/api/v1/releases/").status_code == 403
    again = committed(
        client.post, "/api/v1/releases/", {**ASK, "seed": body["seed"]}, format="json"
    ).json()
    assert client.get(f"/api/v1/releases/{again['id']}/").json()["checksum"] == body["checksum"]


def test_places_generalise_up_the_location_tree(world, register, committed):
    from haven.core.models import Location

    niger = Location.objects.create(code="NE", name="Niger", level=0, country_code="NE")
    agadez = Location.objects.create(
        code="NE001", name="Agadez", level=1, parent=niger, country_code="NE"
    )
    towns = [
        Location.objects.create(
            code=f"NE001{i:03}", name=f"Town {i}", level=2, parent=agadez, country_code="NE"
        )
        for i in range(3)
    ]
    for i in range(6):
        register(
            world["caseworker"],
            person={"given_name": f"P{i}", "current_location": towns[i % 3]},
            other_consents=REPORTING,
        )
    release = committed(
        actions.request_release, world["analyst"], **{**ASK, "fields": ["place"], "k": 3}
    )
    release.refresh_from_db()
    assert release.status == "done", release.error
    assert {row[0] for row in _rows(release)[1:]} == {"NE001"}  # two a town: up to the region
    assert release.report["levels"] == {"place": 1}


def test_nationalities_generalise_to_sub_regions_then_regions(world, register, committed):
    for i, code in enumerate(["SY", "SY", "IQ", "IQ", "AF", "AF", "AF", "AF", "ER"]):
        register(
            world["caseworker"],
            person={"given_name": f"N{i}", "nationalities": [code]},
            other_consents=REPORTING,
        )

    def made(k, limit):
        ask = {**ASK, "fields": ["nationality"], "k": k, "suppression_limit": limit}
        release = committed(actions.request_release, world["analyst"], **ask)
        release.refresh_from_db()
        return release, sorted(row[0] for row in _rows(release)[1:])

    release, values = made(4, 0.2)  # the one Eritrean left out
    assert values == ["Southern Asia"] * 4 + ["Western Asia"] * 4
    assert release.report["levels"] == {"nationality": 1}
    release, values = made(4, 0.0)  # Africa has one person: everyone to the top
    assert set(values) == {"*"} and release.report["levels"] == {"nationality": 3}

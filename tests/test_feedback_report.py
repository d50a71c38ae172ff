"""The feedback dashboard and its export: exact for who handles every kind, protected for
everyone else; misconduct only ever as counts."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from haven.accounts import held
from haven.accounts.models import Role, RoleGrant
from haven.audit.models import AuditEvent
from haven.feedback import actions, reports
from haven.feedback.models import Submission
from tests.conftest import sign_in


def _submit(world, n, category="service_complaint", channel=None, **kw):
    made = []
    for _ in range(n):
        if channel:
            s, _code = actions.record(
                world["caseworker"], channel=channel, category=category, text="x", **kw
            )
        else:
            s, _code = actions.submit_public(world["a"], category=category, text="x")
        made.append(s)
    return made


@pytest.fixture
def both(world):
    """A focal point who handles general feedback and misconduct alike."""
    user = world["psea"]
    RoleGrant.objects.create(
        user=user, role=Role.objects.get(code="feedback_focal_point"), scope="agency"
    )
    held.forget(user)
    return user


def test_exact_for_who_handles_every_kind(world, both):
    _submit(world, 6)
    _submit(world, 2, category="misconduct")
    _submit(world, 3, category="information", channel="hotline", office=world["a1"])
    report = reports.feedback_report(both)
    assert not report.protected and report.figures.submissions == 11
    rows = dict(report.by_channel.rows)
    columns = report.by_channel.columns
    web = rows["Public web form"]
    assert web[columns.index("Complaint about a service")] == 6
    assert web[columns.index("Sexual exploitation or abuse, or other misconduct by staff")] == 2
    assert rows["Hotline"][-1] == 3
    offices = dict(report.by_office.rows)
    assert offices["A north"][-1] == 3 and offices["No office (public form)"][-1] == 8


def test_small_counts_are_hidden_from_everyone_else(world):
    _submit(world, 6)
    _submit(world, 2, category="misconduct")
    for persona in ("analyst", "feedback_focal", "psea", "supervisor"):
        report = reports.feedback_report(world[persona])
        assert report.protected
        web = dict(report.by_channel.rows)["Public web form"]
        misconduct = report.by_channel.columns.index(
            "Sexual exploitation or abuse, or other misconduct by staff"
        )
        assert web[misconduct] is None  # 2 allegations: hidden
        # … and another cell of the row with them, so the total does not give them away.
        assert sum(1 for n in web[:-1] if n is None) >= 2


def test_times_and_satisfaction_are_withheld_below_the_threshold(world, both, settings):
    settings.HAVEN_SMALL_CELL = 3
    t0 = timezone.now() - timedelta(days=3)
    made = [actions.submit_public(world["a"], category="feedback", text="x", now=t0)[0]]
    made += [actions.submit_public(world["a"], category="feedback", text="y", now=t0)[0]]
    made += [actions.submit_public(world["a"], category="feedback", text="z", now=t0)[0]]
    for s in made[:2]:
        actions.resolve(both, s, resolution="", answer="ok", version=1, now=t0 + timedelta(days=2))
        actions.rate(Submission.objects.get(pk=s.pk), 4)
    exact = reports.feedback_report(both).figures
    assert exact.median_days_to_resolve == 2.0 and exact.mean_satisfaction == 4
    assert exact.median_hours_to_acknowledge == 48.0
    protected = reports.feedback_report(world["analyst"]).figures
    assert protected.submissions == 3
    assert protected.median_days_to_resolve is None and protected.mean_satisfaction is None


def test_protected_counts_can_be_rounded_to_a_base(world, both):
    _submit(world, 7)
    rounded = reports.feedback_report(world["analyst"], base=5)
    assert rounded.base == 5 and rounded.figures.submissions == 5
    assert all(n is None or n % 5 == 0 for _label, row in rounded.by_channel.rows for n in row)
    exact = reports.feedback_report(both, base=5)
    assert exact.base == 1 and exact.figures.submissions == 7
    client = sign_in(Client(), world["analyst"])
    page = client.get("/feedback/report/?base=5", HTTP_HOST="localhost").content.decode()
    assert "rounded to a multiple of 5" in page
    bad = client.get("/feedback/report/?base=many", HTTP_HOST="localhost").content.decode()
    assert "“many” is not a whole number" in bad


def test_the_page_and_the_csv_show_the_same_protected_figures(world):
    _submit(world, 6)
    _submit(world, 1, category="misconduct")
    client = sign_in(Client(), world["analyst"])
    page = client.get("/feedback/report/", HTTP_HOST="localhost").content.decode()
    assert "hidden" in page and "Complaint about a service" in page
    csv = client.get("/feedback/report.csv?from=2020-01-01", HTTP_HOST="localhost")
    import csv as csv_module

    lines = list(csv_module.reader(csv.content.decode().splitlines()))
    assert csv["Content-Disposition"].startswith("attachment")
    header = next(line for line in lines if "Complaint about a service" in line)
    web = next(line for line in lines if line and line[0] == "Public web form")
    assert web[header.index("Sexual exploitation or abuse, or other misconduct by staff")] == ""
    assert AuditEvent.objects.filter(action="feedback.report_export").count() == 1
    bad = client.get("/feedback/report/?from=yesterday", HTTP_HOST="localhost")
    assert "is not a date" in bad.content.decode()
    api = client.get("/api/v1/feedback-report/?to=someday", HTTP_HOST="localhost")
    assert api.status_code == 400 and "YYYY-MM-DD" in api.json()["detail"]


def test_other_agencies_count_nothing_of_agency_a(world):
    _submit(world, 6)
    assert reports.feedback_report(world["other_supervisor"]).figures.submissions == 0


def test_the_inbox_reads_a_fixed_number_of_queries(world):
    client = sign_in(Client(), world["feedback_focal"])

    def queries():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get("/feedback/inbox/", HTTP_HOST="localhost").status_code == 200
        return len(ctx)

    _submit(world, 2)
    few = queries()
    _submit(world, 20)
    assert queries() == few

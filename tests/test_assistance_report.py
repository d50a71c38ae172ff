"""The assistance dashboard: referral, service and return figures over the reporting scope,
exact for roles that may open the records, small cells hidden for the others."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone

from haven.assistance import actions, reports, return_actions
from haven.assistance.models import Referral, ServiceType
from tests.conftest import sign_in
from tests.test_assistance import consent


@pytest.fixture
def activity(world, register, settings):
    """Agency A: six referrals to agency B (four accepted, one declined, one pending and
    overdue), services paid from two funds, and returns from Niger to Mali and Guinea."""
    settings.HAVEN_SMALL_CELL = 3
    caseworker, eve = world["caseworker"], world["other_agency"]
    legal = ServiceType.objects.get(code="legal_aid")
    now = timezone.now()
    for n in range(6):
        case = register(caseworker, person={"given_name": f"P{n}"})
        consent(caseworker, case)
        referral = actions.refer(
            caseworker, case, legal, reason="Advice", fields=[], to_agency=world["b"]
        )
        # Made n+2 days ago, so that the times to acceptance are known.
        Referral.objects.filter(pk=referral.pk).update(created_at=now - timedelta(days=n + 2))
        referral.refresh_from_db()
        if n < 4:
            actions.answer(eve, referral, accept=True, version=referral.version)
        elif n == 4:
            actions.answer(eve, referral, accept=False, reason="Full", version=referral.version)
        else:
            Referral.objects.filter(pk=referral.pk).update(
                due_on=timezone.localdate() - timedelta(days=1)
            )
        for fund, cost in (("ECHO", "40.00"), ("ECHO", "60.00"), ("Private", "15.00")):
            if n == 0 or fund == "ECHO" and n == 1:
                actions.record_delivery(
                    caseworker,
                    case,
                    legal,
                    delivered_on=timezone.localdate(),
                    cost=Decimal(cost),
                    currency="EUR",
                    funding_source=fund,
                )
        return_actions.start_return(
            caseworker, case, country_of_departure="NE", country_of_return="ML" if n else "GN"
        )
    return world


def test_roles_that_open_the_records_see_exact_figures(activity):
    report = reports.assistance_report(activity["supervisor"])
    assert report.protected is False
    figures = report.figures
    assert (figures.referrals, figures.overdue) == (6, 1)
    assert figures.acceptance_rate == 0.8  # four of the five answered
    # Accepted the moment they were answered (now): 2, 3, 4 and 5 days after being made.
    assert figures.median_days_to_acceptance == pytest.approx(3.5, abs=0.1)
    assert figures.median_days_to_completion is None
    [(service, row)] = report.referrals.rows
    assert service == "Legal aid"
    by_status = dict(zip(report.referrals.columns, row, strict=False))
    assert (by_status["Pending"], by_status["Accepted"], by_status["Declined"]) == (1, 4, 1)
    assert row[-1] == 6
    costs = {
        (c["funding_source"], c["currency"]): (c["services"], c["total"]) for c in report.costs
    }
    assert costs == {
        ("ECHO", "EUR"): (4, Decimal("200.00")),
        ("Private", "EUR"): (1, Decimal("15.00")),
    }
    returns = dict(report.returns.rows)
    assert report.returns.columns == ["Guinea", "Mali"]
    assert returns["Niger"] == [1, 5, 6]


def test_roles_without_record_access_get_small_cells_hidden(activity):
    report = reports.assistance_report(activity["analyst"])
    assert report.protected is True
    [(_service, row)] = report.referrals.rows
    by_status = dict(zip(report.referrals.columns, row, strict=False))
    # 1 pending and 1 declined are below 3: hidden. Beside the row's total of 6, the 4
    # accepted would pin them (two hidden cells of at least 1 summing to 2): hidden too.
    assert by_status["Pending"] is None and by_status["Declined"] is None
    assert by_status["Accepted"] is None and row[-1] == 6
    assert report.figures.overdue is None  # one overdue referral: too few to publish
    # Five answered is enough, but 0.8 of five gives away the one declined referral hidden
    # in the table: the rate is hidden too.
    assert report.figures.acceptance_rate is None
    costs = {c["funding_source"]: (c["services"], c["total"]) for c in report.costs}
    assert costs["Private"] == (None, None)
    # One hidden cell alone in its column would be given away by the rest: hidden too.
    assert costs["ECHO"] == (None, None)
    assert dict(report.returns.rows)["Niger"][0] is None


def test_protected_counts_can_be_rounded_to_a_base(activity, api):
    report = reports.assistance_report(activity["analyst"], base=5)
    assert report.base == 5
    [(_service, row)] = report.referrals.rows
    by_status = dict(zip(report.referrals.columns, row, strict=False))
    assert row[-1] == 5 and by_status["Pending"] is None  # the total 6 → 5; hidden stays
    assert report.figures.referrals == 5  # six referrals, rounded
    exact = reports.assistance_report(activity["supervisor"], base=5)
    assert exact.base == 1 and exact.figures.referrals == 6  # who sees the records: exact
    client = sign_in(Client(), activity["analyst"])
    page = client.get("/assistance/report/?base=5", HTTP_HOST="localhost").content.decode()
    assert 'name="base"' in page and "rounded to a multiple of 5" in page
    text = client.get("/assistance/report/?base=5&format=csv", HTTP_HOST="localhost")
    assert "Every count is rounded to a multiple of 5." in text.content.decode()
    body = api("analyst").get("/api/v1/assistance-report/?base=5").json()
    assert body["base"] == 5 and body["figures"]["referrals"] == 5
    bad = api("analyst").get("/api/v1/assistance-report/?base=-2")
    assert bad.status_code == 400 and "whole number from 0 to 100" in bad.json()["detail"]


def test_the_dashboard_page_and_the_api(activity, api):
    client = Client()
    sign_in(client, activity["analyst"])
    page = client.get("/assistance/report/", HTTP_HOST="localhost").content.decode()
    assert "Referrals by service and status" in page and "hidden" in page
    assert "80 %" not in page  # the rate would give away the declined referral
    exact = Client()
    sign_in(exact, activity["supervisor"])
    assert "80 %" in exact.get("/assistance/report/", HTTP_HOST="localhost").content.decode()
    bad = client.get("/assistance/report/?from=yesterday", HTTP_HOST="localhost")
    assert "“yesterday” is not a date" in bad.content.decode()
    body = api("analyst").get("/api/v1/assistance-report/").json()
    assert body["protected"] is True and body["figures"]["referrals"] == 6
    refused = api("analyst").get("/api/v1/assistance-report/?from=2026-05-01&to=2026-01-01")
    assert refused.status_code == 400 and "swap the dates" in refused.json()["detail"]
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    later = api("supervisor").get(f"/api/v1/assistance-report/?from={tomorrow}").json()
    assert later["figures"]["referrals"] == 0 and later["referrals"]["rows"] == []
    assert api("caseworker").get("/api/v1/assistance-report/").status_code == 403

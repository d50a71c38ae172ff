"""Referrals: consent-gated, minimum data, receiving side sees only what was shared, and a
workflow that says what can happen next."""

import re
from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from haven.assistance import actions, selectors
from haven.assistance.models import Provider, ServicePoint, ServiceType
from haven.audit.models import AuditEvent
from haven.core.errors import InvalidTransition, MissingConsent, NotAllowed
from haven.people import actions as people_actions
from tests.conftest import sign_in


def consent(user, case, given=True):
    people_actions.record_consent(
        user,
        case.person,
        purpose="referral",
        legal_basis="consent",
        given=given,
        decided_on=date.today(),
    )


def consented_referral(world, register, *, service="legal_aid", reason="Advice", fields=()):
    """A case of agency A, with the person's referral consent, referred to agency B."""
    case = register(world["caseworker"])
    consent(world["caseworker"], case)
    referral = actions.refer(
        world["caseworker"],
        case,
        ServiceType.objects.get(code=service),
        reason=reason,
        fields=list(fields),
        to_agency=world["b"],
    )
    return case, referral


@pytest.fixture
def shelter(db):
    return ServiceType.objects.get(code="shelter")


def test_the_taxonomy_is_there_from_the_start(db):
    codes = set(ServiceType.objects.values_list("code", flat=True))
    assert {"shelter", "mhpss", "legal_aid", "avr", "reintegration_economic", "other"} <= codes
    assert ServiceType.objects.get(code="reintegration_social").parent.code == "reintegration"


def test_no_referral_without_consent_or_an_audited_override(world, register, shelter):
    case = register(world["caseworker"])
    with pytest.raises(MissingConsent, match="not consented to referral"):
        actions.refer(
            world["caseworker"],
            case,
            shelter,
            reason="Shelter tonight",
            fields=["name"],
            to_agency=world["b"],
        )
    with pytest.raises(NotAllowed, match="supervisor or a protection officer"):
        actions.refer(
            world["caseworker"],
            case,
            shelter,
            reason="Shelter tonight",
            fields=["name"],
            to_agency=world["b"],
            override_reason="Danger tonight",
        )
    referral = actions.refer(
        world["supervisor"],
        case,
        shelter,
        reason="Shelter tonight",
        fields=["name"],
        to_agency=world["b"],
        override_reason="Danger tonight",
    )
    assert referral.consent_override_reason == "Danger tonight"
    override = AuditEvent.objects.get(action="referral.consent_override")
    assert override.object_id == str(referral.pk) and "Danger" not in str(override.details)
    consent(world["caseworker"], case)
    again = actions.refer(
        world["caseworker"],
        case,
        shelter,
        reason="Clothes",
        fields=["name", "sex"],
        to_agency=world["b"],
    )
    assert again.consent_override_reason == "" and again.due_on == date.today() + timedelta(3)


def test_a_provider_must_offer_the_service_and_take_the_person(world, register, shelter):
    case = register(world["caseworker"], person={"sex": "male", "nationalities": ["NE"]})
    consent(world["caseworker"], case)
    legal = ServiceType.objects.get(code="legal_aid")
    point = ServicePoint.objects.create(
        provider=Provider.objects.create(name="Women's shelter"),
        name="Centre",
        sexes=["female"],
    )
    point.services.add(shelter)
    with pytest.raises(ValidationError, match="does not offer Legal aid"):
        actions.refer(world["caseworker"], case, legal, reason="x", fields=[], to_point=point)
    with pytest.raises(ValidationError, match="does not serve people of this sex"):
        actions.refer(world["caseworker"], case, shelter, reason="x", fields=[], to_point=point)
    point.sexes, point.nationalities = [], ["ML"]
    point.save()
    with pytest.raises(ValidationError, match="nationals of Mali only"):
        actions.refer(world["caseworker"], case, shelter, reason="x", fields=[], to_point=point)
    assert selectors.points(service=shelter, case=case) == []
    point.nationalities = []
    point.save()
    assert selectors.points(service=shelter, case=case) == [point]
    with pytest.raises(ValidationError, match="cannot be shared: notes"):
        actions.refer(
            world["caseworker"], case, shelter, reason="x", fields=["notes"], to_point=point
        )


def test_the_receiving_agency_sees_the_shared_fields_and_nothing_else(
    world, register, api, shelter
):
    case = register(world["caseworker"], person={"given_name": "Amal", "family_name": "Haddad"})
    consent(world["caseworker"], case)
    referral = actions.refer(
        world["caseworker"],
        case,
        shelter,
        reason="Shelter tonight",
        fields=["name", "age"],
        to_agency=world["b"],
    )
    received = api("other_agency").get(f"/api/v1/referrals/{referral.pk}/").json()
    assert received["shared"] == {"name": "Amal Haddad", "age": received["shared"]["age"]}
    assert received["reason"] == "Shelter tonight" and "case" not in received
    text = str(received)
    for hidden in ("vulnerabilities", "risk_level", "nationalities", "summary", case.number):
        assert hidden not in text
    listed = api("other_agency").get("/api/v1/referrals/?box=received").json()["results"]
    assert [r["id"] for r in listed] == [referral.pk] and "case" not in listed[0]
    assert "shared" not in listed[0] and "reason" not in listed[0]  # read one by one, logged
    # Nothing else of the case reaches agency B: not the case, the person, a search or a page.
    client = api("other_agency")
    assert client.get(f"/api/v1/cases/{case.pk}/").status_code == 404
    assert client.get(f"/api/v1/persons/{case.person_id}/").status_code == 404
    assert client.get("/api/v1/cases/?q=Haddad").json()["count"] == 0
    web = Client()
    sign_in(web, world["other_agency"])
    assert web.get(f"/cases/{case.pk}/", HTTP_HOST="localhost").status_code == 404
    page = web.get("/cases/?q=Haddad", HTTP_HOST="localhost")
    assert case.number.encode() not in page.content and len(page.context["page"].object_list) == 0
    # Another agency's caseworker who is not the receiver sees nothing at all.
    assert api("caseworker2").get(f"/api/v1/referrals/{referral.pk}/").status_code == 404


def test_withdrawn_consent_stops_a_pending_referral_being_shared(world, register, api, shelter):
    case = register(world["caseworker"])
    consent(world["caseworker"], case)
    referral = actions.refer(
        world["caseworker"], case, shelter, reason="Shelter", fields=["name"], to_agency=world["b"]
    )
    consent(world["caseworker"], case, given=False)
    received = api("other_agency").get(f"/api/v1/referrals/{referral.pk}/").json()
    assert received["shared"] == {}


def test_the_referral_workflow_and_what_the_referring_side_sees(world, register, api, shelter):
    case = register(world["caseworker"])
    consent(world["caseworker"], case)
    referral = actions.refer(
        world["caseworker"],
        case,
        shelter,
        reason="Shelter",
        fields=["name"],
        to_agency=world["b"],
        urgent=True,
    )
    receiver = api("other_agency")
    sender_tries = api("caseworker").post(
        f"/api/v1/referrals/{referral.pk}/answer/", {"accept": True, "version": 1}, format="json"
    )
    assert sender_tries.status_code == 403
    declined_without_reason = receiver.post(
        f"/api/v1/referrals/{referral.pk}/answer/", {"accept": False, "version": 1}, format="json"
    )
    assert declined_without_reason.status_code == 400
    accepted = receiver.post(
        f"/api/v1/referrals/{referral.pk}/answer/", {"accept": True, "version": 1}, format="json"
    )
    assert accepted.status_code == 200 and accepted.json()["status"] == "accepted"
    again = receiver.post(
        f"/api/v1/referrals/{referral.pk}/answer/",
        {"accept": False, "reason": "full", "version": 2},
        format="json",
    )
    assert again.status_code == 400 and "it can move to" in again.json()["detail"]
    receiver.post(
        f"/api/v1/referrals/{referral.pk}/progress/",
        {"status": "in_progress", "version": 2},
        format="json",
    )
    done = receiver.post(
        f"/api/v1/referrals/{referral.pk}/progress/",
        {"status": "completed", "outcome": "Placed in shelter", "version": 3},
        format="json",
    )
    assert done.status_code == 200
    seen = api("caseworker").get(f"/api/v1/referrals/{referral.pk}/").json()
    assert seen["status"] == "completed" and seen["outcome"] == "Placed in shelter"
    statuses = list(
        AuditEvent.objects.filter(action="referral.status")
        .order_by("seq")
        .values_list("details", flat=True)
    )
    assert [s["to"] for s in statuses] == ["accepted", "in_progress", "completed"]


def test_a_declined_referral_cannot_be_accepted(world, register, shelter):
    case = register(world["caseworker"])
    consent(world["caseworker"], case)
    referral = actions.refer(
        world["caseworker"], case, shelter, reason="Shelter", fields=[], to_agency=world["b"]
    )
    actions.answer(
        world["other_agency"], referral, accept=False, reason="No space", version=referral.version
    )
    with pytest.raises(InvalidTransition, match="Declined: it can move to none"):
        actions.answer(world["other_agency"], referral, accept=True, version=referral.version)


def test_services_delivered_with_costs_totalled_by_funding_source(world, register, api, shelter):
    from decimal import Decimal

    case = register(world["caseworker"])
    today = date.today()
    for cost, currency, state in (
        ("120.50", "eur", "delivered"),
        ("30", "EUR", "delivered"),
        ("5000", "XOF", "delivered"),
        ("99", "EUR", "planned"),  # not delivered: not in the totals
    ):
        actions.record_delivery(
            world["caseworker"],
            case,
            shelter,
            delivered_on=today,
            status=state,
            cost=Decimal(cost),
            currency=currency,
            funding_source="GAF",
        )
    totals = selectors.delivery_totals(case.deliveries.all())
    assert [(t["currency"], t["total"], t["services"]) for t in totals] == [
        ("EUR", Decimal("150.50"), 2),
        ("XOF", Decimal("5000.00"), 1),
    ]
    with pytest.raises(ValidationError) as caught:
        actions.record_delivery(
            world["caseworker"],
            case,
            shelter,
            delivered_on=today + timedelta(days=2),
            cost=Decimal("-1"),
            currency="ZZZ",
        )
    assert set(caught.value.message_dict) == {"delivered_on", "cost", "currency"}
    with pytest.raises(ValidationError, match="currency of the cost"):
        actions.record_delivery(
            world["caseworker"], case, shelter, delivered_on=today, cost=Decimal("3")
        )
    # Through the API, and out of scope is "not found".
    payload = {
        "case": case.pk,
        "service": "shelter",
        "delivered_on": str(today),
        "cost": "10.00",
        "currency": "USD",
        "funding_source": "Donor X",
    }
    assert (
        api("caseworker").post("/api/v1/service-deliveries/", payload, format="json").status_code
        == 201
    )
    assert (
        api("other_agency").post("/api/v1/service-deliveries/", payload, format="json").status_code
        == 404
    )
    listed = api("caseworker").get(f"/api/v1/service-deliveries/?case={case.pk}").json()
    assert listed["count"] == 5
    event = AuditEvent.objects.filter(action="service_delivery.create").order_by("seq").last()
    assert event.details["currency"] == "USD" and event.details["cost"] == "10.00"
    page = Client()
    sign_in(page, world["caseworker"])
    tab = page.get(f"/cases/{case.pk}/?tab=referrals", HTTP_HOST="localhost")
    text = tab.content.decode()
    assert "Cost by funding source" in text, text[-3000:]
    assert re.search(r"GAF: 150[.,]50 EUR", text), re.findall(r"GAF:[^<]*", text)


def test_the_directory_goes_out_and_comes_back_as_hxl(world, api, shelter):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from haven.core.models import Location

    niger = Location.objects.create(code="NE", name="Niger", level=0, country_code="NE")
    point = ServicePoint.objects.create(
        provider=Provider.objects.create(name="Safe House", maintained_by=world["a"]),
        name="Niamey centre",
        location=niger,
        languages=["hau", "fra"],
        min_age=18,
        sexes=["female"],
        capacity=40,
    )
    point.services.add(shelter, ServiceType.objects.get(code="mhpss"))
    exported = api("caseworker").get("/api/v1/service-points/export/")
    assert exported.status_code == 200 and exported["Content-Type"].startswith("text/csv")
    text = exported.content.decode()
    assert "#org+name" in text and "Safe House" in text and "shelter mhpss" in text
    # Changed and imported back: the point is updated, a new one created.
    edited = text.replace(",40\r\n", ",55\r\n") + (
        "Legal Aid Niger,Agadez desk,legal_aid,NE,,+227 000,,,,,,,Mon-Fri,\r\n"
    )
    assert (
        api("caseworker")
        .post(
            "/api/v1/service-points/import/",
            {"file": SimpleUploadedFile("d.csv", edited.encode())},
            format="multipart",
        )
        .status_code
        == 403
    )
    imported = api("agency_admin").post(
        "/api/v1/service-points/import/",
        {"file": SimpleUploadedFile("d.csv", edited.encode())},
        format="multipart",
    )
    assert imported.status_code == 200, imported.content
    assert (imported.json()["created"], imported.json()["updated"]) == (1, 1)
    point.refresh_from_db()
    assert point.capacity == 55 and point.sexes == ["female"] and point.languages == ["hau", "fra"]
    desk = ServicePoint.objects.get(name="Agadez desk")
    assert [s.code for s in desk.services.all()] == ["legal_aid"] and desk.location == niger
    # A file with a bad row is refused whole, each problem with its line.
    bad = edited.replace("legal_aid,NE", "lawyers,XX").replace(",55\r\n", ",many\r\n")
    refused = api("agency_admin").post(
        "/api/v1/service-points/import/",
        {"file": SimpleUploadedFile("d.csv", bad.encode())},
        format="multipart",
    )
    assert refused.status_code == 400
    errors = refused.json()["errors"]
    assert any("line 3" in e and "whole number" in e for e in errors)
    assert any("line 4" in e and "lawyers" in e for e in errors)
    assert any("line 4" in e and "'XX'" in e for e in errors)
    point.refresh_from_db()
    assert point.capacity == 55  # nothing of the refused file was saved


def test_directory_changes_go_through_an_audited_action(world, api):
    created = api("agency_admin").post(
        "/api/v1/providers/", {"name": "Clinic Nord", "phone": "+227 1"}, format="json"
    )
    assert created.status_code == 201, created.content
    event = AuditEvent.objects.get(action="provider.create")
    assert event.object_id == str(created.json()["id"]) and "name" in event.details["fields"]
    changed = api("agency_admin").patch(
        f"/api/v1/providers/{created.json()['id']}/", {"phone": "+227 2"}, format="json"
    )
    assert changed.status_code == 200
    assert AuditEvent.objects.get(action="provider.update").details == {"fields": ["phone"]}
    assert (
        api("caseworker").post("/api/v1/providers/", {"name": "X"}, format="json").status_code
        == 403
    )


def test_a_directory_file_with_a_nul_or_an_impossible_age_range_is_refused(world, shelter):
    from haven.assistance.directory import import_csv

    header = (
        "Provider,Service point,Services,Location code,Address,Phone,Languages,Minimum age,"
        "Maximum age,Sexes,Nationalities,Vulnerabilities,Opening hours,Capacity\r\n"
        "#org+name,#loc+name,#service+code,#loc+code,#loc+address,#contact+phone,"
        "#meta+languages,#meta+age+min,#meta+age+max,#meta+sex,#meta+nationality,"
        "#meta+vulnerability,#meta+hours,#capacity\r\n"
    )
    ranges = header + "Aid,Desk,shelter,,,,,50,10,,,,,\r\nAid,Old,shelter,,,,,0,400,,,,,\r\n"
    result = import_csv(ranges.encode())
    assert any("line 3" in e and "above #meta+age+max" in e for e in result.errors)
    assert any("line 4" in e and "0 to 130" in e for e in result.errors)
    nul = header + "Aid,Desk\x00,shelter,,,,,,,,,,,\r\n"
    result = import_csv(nul.encode())
    assert result.errors == ["line 3: contains a NUL character (\\0); save the file again as CSV"]
    assert not ServicePoint.objects.exists()

"""Consent withdrawn means it: everything the purpose fed stops and says why — a pending
referral loses what it shared, tracing matches go, the person leaves future releases."""

from datetime import date

import pytest

from haven.assistance import actions as assistance_actions
from haven.assistance.models import Referral, ServiceType
from haven.audit.models import AuditEvent
from haven.evidence import datasets
from haven.people import actions as people_actions
from haven.people.models import ConsentPurpose
from tests.test_tracing import CHILD, FATHER, TRACING, open_request

pytestmark = pytest.mark.django_db


def decide(world, person, purpose, given: bool):
    people_actions.record_consent(
        world["caseworker"],
        person,
        purpose=purpose,
        legal_basis="consent",
        given=given,
        decided_on=date.today(),
    )


def withdraw(world, person, purpose):
    decide(world, person, purpose, given=False)


def give(world, person, purpose):
    decide(world, person, purpose, given=True)


def test_a_pending_referral_loses_what_it_shared_and_the_receiver_is_told_why(world, register, api):
    case = register(world["caseworker"], person={"given_name": "Amal"})
    shelter = ServiceType.objects.get(code="shelter")
    # Before any consent: a supervisor refers by a recorded override.
    overridden = assistance_actions.refer(
        world["supervisor"],
        case,
        shelter,
        reason="Bed",
        fields=["name"],
        to_agency=world["b"],
        override_reason="Child at risk tonight",
    )
    give(world, case.person, ConsentPurpose.REFERRAL)
    pending = assistance_actions.refer(
        world["caseworker"], case, shelter, reason="Bed", fields=["name"], to_agency=world["b"]
    )
    withdraw(world, case.person, ConsentPurpose.REFERRAL)
    pending.refresh_from_db()
    assert pending.shared == "" and pending.unshared_on == date.today()
    assert Referral.objects.get(pk=overridden.pk).shared  # a supervisor's decision stands
    event = AuditEvent.objects.get(action="referral.unshared")
    assert event.object_id == str(pending.pk) and event.details == {"reason": "consent_withdrawn"}
    # Given again, nothing comes back: it was removed, not hidden.
    give(world, case.person, ConsentPurpose.REFERRAL)
    received = api("other_agency").get(f"/api/v1/referrals/{pending.pk}/").json()
    assert received["shared"] == {} and received["unshared_on"] == date.today().isoformat()


def test_withdrawing_another_consent_leaves_referrals_as_they_are(world, register):
    case = register(world["caseworker"])
    give(world, case.person, ConsentPurpose.REFERRAL)
    referral = assistance_actions.refer(
        world["caseworker"],
        case,
        ServiceType.objects.get(code="shelter"),
        reason="Bed",
        fields=["name"],
        to_agency=world["b"],
    )
    withdraw(world, case.person, ConsentPurpose.FOLLOW_UP)
    referral.refresh_from_db()
    assert referral.shared and referral.unshared_on is None


def test_tracing_matches_go_when_the_sought_person_withdraws(world, register, committed):
    enquirer = register(world["caseworker"], person=CHILD, other_consents=TRACING)
    father = register(world["caseworker"], person=FATHER, other_consents=TRACING).person
    request = open_request(world["caseworker"], enquirer, committed)
    assert request.matches.count() == 1
    committed(withdraw, world, father, ConsentPurpose.TRACING)
    assert not request.matches.exists()


def test_the_person_leaves_future_releases(world, register):
    case = register(world["caseworker"])
    give(world, case.person, ConsentPurpose.REPORTING)
    _columns, before = datasets.records(world["a"].pk, ["sex"])
    withdraw(world, case.person, ConsentPurpose.REPORTING)
    _columns, after = datasets.records(world["a"].pk, ["sex"])
    assert (before["records_in"], after["records_in"]) == (1, 0)
    assert after["without_consent_left_out"] == 1  # and the release's report says so

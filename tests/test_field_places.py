"""Places on the device: the registration made offline picks where the person is now from
the places of the user's offices' countries, and the server takes the place picked."""

from datetime import date

import pytest

from haven.cases.models import Case
from haven.core.models import Location
from tests.test_field_sync import Device_, registration

pytestmark = pytest.mark.django_db


@pytest.fixture
def places(world):
    niger = Location.objects.create(code="NE", name="Niger", level=0, country_code="NE")
    agadez = Location.objects.create(
        code="NE001", name="Agadez", level=1, parent=niger, country_code="NE"
    )
    arlit = Location.objects.create(
        code="NE001002", name="Arlit", level=2, parent=agadez, country_code="NE"
    )
    Location.objects.create(code="ML", name="Mali", level=0, country_code="ML")
    world["a1"].location = agadez
    world["a1"].save()
    return {"niger": niger, "arlit": arlit}


def test_the_device_takes_the_places_of_its_users_countries_only(world, places):
    reference = Device_(world["caseworker"]).pull_all()[0]["reference"]
    assert ["NE001002", "Arlit (Agadez) · NE001002", "Arlit"] in reference["places"]
    assert {code for code, _label, _name in reference["places"]} == {"NE", "NE001", "NE001002"}


def test_a_registration_made_offline_keeps_the_place_picked(world, places):
    device = Device_(world["caseworker"])
    (done,) = device.results(registration(current_location="NE001002"))
    assert done["status"] == "applied"
    assert Case.objects.get(pk=done["case"]).person.current_location == places["arlit"]
    (gone,) = device.results(registration(ref="local:2", current_location="XX999"))
    assert gone["status"] == "refused" and "not in the list of places" in gone["reason"]


def test_a_page_of_cases_costs_the_same_queries_for_more_cases(world, register):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from haven.field import selectors
    from haven.people.actions import record_consent

    def queries(count):
        cases = [register(world["caseworker"]) for _ in range(count)]
        for case in cases:
            record_consent(
                world["caseworker"],
                case.person,
                purpose="referral",
                legal_basis="consent",
                given=True,
                decided_on=date.today(),
            )
        with CaptureQueriesContext(connection) as seen:
            sent = selectors.bundles(cases)
        assert all(bundle["referral_consent"] for bundle in sent)
        return len(seen)

    assert queries(2) == queries(6)

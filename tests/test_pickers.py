"""Countries and languages picked by name in the user's language, never as ISO codes."""

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from haven.core import pickers
from haven.core.picker_fields import PickerListField


@pytest.mark.parametrize(
    ("typed", "code"),
    [
        ("Syria", "SY"),
        ("syrie", "SY"),
        ("Siria", "SY"),
        ("SY", "SY"),
        ("syr", "SY"),
        ("Érythrée", "ER"),
        ("erythree", "ER"),
        ("إريتريا", "ER"),
        ("ألمانيا", "DE"),
        ("Palestine, State of", "PS"),
    ],
)
def test_a_country_is_found_by_any_of_its_names(typed, code):
    assert pickers.resolve("country", typed) == code


@pytest.mark.parametrize(
    ("typed", "code"),
    [
        ("Tigrinya", "tir"),
        ("tigrigna", "tir"),
        ("ti", "tir"),
        ("arabe", "ara"),
        ("العربية", "ara"),
        ("Dari", "prs"),
        ("fra", "fra"),
        ("en", "eng"),
        ("English", "eng"),
    ],
)
def test_a_language_is_found_by_any_of_its_names(typed, code):
    assert pickers.resolve("language", typed) == code


def test_the_lists_are_in_the_users_language():
    french = dict(pickers.countries("fr"))
    arabic = dict(pickers.countries("ar"))
    assert french["DE"] == "Allemagne" and arabic["DE"] == "ألمانيا"
    assert dict(pickers.languages("fr"))["tir"] == "Tigrigna"
    assert "prs" in dict(pickers.languages("en"))


def test_several_names_separated_by_latin_or_arabic_commas():
    field = PickerListField("country", required=False)
    assert field.clean("Syrie, Érythrée") == ["SY", "ER"]
    assert field.clean("سوريا، إريتريا".replace("سوريا", "SY")) == ["SY", "ER"]
    assert field.clean("Palestine, State of, Sudan") == ["PS", "SD"]
    assert field.clean("Sudan; sudan") == ["SD"]
    assert field.clean("") == []


def test_an_unknown_name_says_which_and_what_to_do():
    field = PickerListField("language", required=False)
    with pytest.raises(ValidationError) as refused:
        field.clean("Arabic, Atlantean, Tigrinya")
    assert "Atlantean" in str(refused.value) and "pick it from the list" in str(refused.value)


def test_the_box_shows_names_and_suggests_them_in_the_users_language():
    field = PickerListField("country", required=False)
    with translation.override("fr"):
        html = field.widget.render("nationalities", ["SY", "ER"], {"id": "id_nationalities"})
    assert 'value="Syrie, Érythrée"' in html
    assert 'list="id_nationalities-options"' in html
    assert '<option value="Allemagne">' in html
    assert "haven/picker.js" in html


@pytest.mark.django_db
def test_registration_form_takes_names(world, client):
    from tests.conftest import sign_in

    sign_in(client, world["caseworker"])
    page = client.get("/cases/new/", HTTP_ACCEPT_LANGUAGE="fr")
    assert b"Allemagne" in page.content


@pytest.fixture
def places(db):
    from haven.core.models import Location

    niger = Location.objects.create(code="NE", name="Niger", level=0, country_code="NE")
    agadez = Location.objects.create(
        code="NE001", name="Agadez", level=1, parent=niger, country_code="NE"
    )
    town = Location.objects.create(
        code="NE001001", name="Agadez", level=2, parent=agadez, country_code="NE"
    )
    arlit = Location.objects.create(
        code="NE001002", name="Arlit", level=2, parent=agadez, country_code="NE"
    )
    return {"niger": niger, "region": agadez, "town": town, "arlit": arlit}


def test_a_place_is_picked_by_its_label_its_code_or_a_name_only_it_has(places):
    from haven.core.picker_fields import LocationField

    field = LocationField(required=False)
    assert field.clean("Arlit") == places["arlit"]
    assert field.clean("arlit") == places["arlit"]
    assert field.clean("Agadez (Agadez) · NE001001") == places["town"]
    assert field.clean("") is None
    with pytest.raises(ValidationError, match="Several places are called Agadez"):
        field.clean("Agadez")
    with pytest.raises(ValidationError, match="No place called Atlantis"):
        field.clean("Atlantis")
    assert field.widget.format_value(places["town"].pk) == "Agadez (Agadez) · NE001001"


def test_the_location_search_suggests_labels(places, world, client):
    from tests.conftest import sign_in

    sign_in(client, world["caseworker"])
    found = client.get("/api/v1/locations/", {"q": "aga"}).json()["results"]
    assert [p["label"] for p in found] == ["Agadez (Niger) · NE001", "Agadez (Agadez) · NE001001"]
    assert client.get("/api/v1/locations/", {"q": "x"}).json()["results"] == []


def test_a_person_is_placed_by_picking_the_place(places, world, client, register):
    from tests.conftest import sign_in

    case = register(world["caseworker"])
    person = case.person
    sign_in(client, world["caseworker"])
    page = client.get(f"/cases/{case.pk}/person/")
    assert b"data-location-search" in page.content
    form = page.context["form"]
    data = {k: v for k, v in form.initial.items() if v is not None and k != "current_location"}
    data.update(
        {
            "nationalities": "Syria",
            "languages": "Arabic",
            "birth_date": "1994-05-02",
            "current_location": "Arlit",
            "version": person.version,
        }
    )
    client.post(f"/cases/{case.pk}/person/", data)
    person.refresh_from_db()
    assert person.current_location == places["arlit"]

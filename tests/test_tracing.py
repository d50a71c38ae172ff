"""Family tracing: requests, consent on both sides, matches refreshed when either side
changes, decisions that calibrate the model, and reunification with a best-interests check."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError

from haven.audit.models import AccessLog, AuditEvent
from haven.core.errors import InvalidTransition, MissingConsent, NotAllowed
from haven.people import actions as people_actions
from haven.tracing import actions, matching, selectors
from haven.tracing.models import LinkageModel, MatchStatus, PotentialMatch, TracingStatus

TRACING = [{"purpose": "tracing", "legal_basis": "consent", "given": True}]
CHILD = {
    "given_name": "Sami",
    "family_name": "Hassan",
    "original_script_name": "سامي الحسن",
    "sex": "male",
    "birth_date": date(2013, 6, 1),
    "care_status": "unaccompanied",
}
FATHER = {
    "given_name": "Muhammad",
    "family_name": "Hassan",
    "original_script_name": "محمد الحسن",
    "sex": "male",
    "birth_date": date(1981, 3, 4),
    "nationalities": ["SY"],
}
SOUGHT = {
    "relationship": "parent",
    "given_name": "",
    "family_name": "",
    "original_script_name": "محمد الحسن",
    "sex": "male",
    "birth_date": date(1981, 1, 1),
    "birth_date_precision": "year",
    "nationality": "SY",
    "last_seen_place": "Agadez bus station",
    "last_seen_on": date(2026, 5, 1),
    "separation_cause": "journey",
    "circumstances": "Separated when the truck left at night.",
}


@pytest.fixture
def enquirer(world, register):
    return register(world["caseworker"], person=CHILD, other_consents=TRACING)


def open_request(user, case, committed, **changes):
    return committed(actions.open_request, user, case, {**SOUGHT, **changes})


def test_a_request_needs_the_enquirers_tracing_consent(world, register):
    case = register(world["caseworker"], person=CHILD)
    with pytest.raises(MissingConsent, match="consented to family tracing"):
        actions.open_request(world["caseworker"], case, SOUGHT)


def test_a_request_needs_a_name_to_look_for(world, enquirer):
    with pytest.raises(ValidationError) as raised:
        actions.open_request(world["caseworker"], enquirer, {**SOUGHT, "original_script_name": ""})
    assert "Give at least a given or a family name" in str(raised.value)


def test_a_request_in_arabic_script_finds_the_father_registered_in_latin(
    world, register, enquirer, committed
):
    father = register(world["caseworker"], person=FATHER, other_consents=TRACING).person
    request = open_request(world["caseworker"], enquirer, committed)
    [match] = request.matches.all()
    assert match.person == father and match.status == MatchStatus.PENDING
    assert match.probability > 0.5
    fields = {part["field"]: part["level"] for part in match.explanation["fields"]}
    assert fields["birth_date"] == "same year"
    assert len(match.vector) == len(matching.current_model().outputs)
    assert AuditEvent.objects.filter(action="tracing.open").count() == 1


def test_no_match_for_a_person_without_tracing_consent(world, register, enquirer, committed):
    register(world["caseworker"], person=FATHER)  # registered, but no tracing consent
    request = open_request(world["caseworker"], enquirer, committed)
    assert not request.matches.exists()


def test_a_person_registered_later_is_matched_with_the_open_request(
    world, register, enquirer, committed
):
    request = open_request(world["caseworker"], enquirer, committed)
    assert not request.matches.exists()
    father = committed(register, world["caseworker"], person=FATHER, other_consents=TRACING).person
    assert [m.person for m in request.matches.all()] == [father]


def test_consent_withdrawn_on_either_side_hides_the_matches(world, register, enquirer, committed):
    father = register(world["caseworker"], person=FATHER, other_consents=TRACING).person
    request = open_request(world["caseworker"], enquirer, committed)
    assert request.matches.count() == 1
    withdraw = {"purpose": "tracing", "legal_basis": "consent", "given": False}
    committed(
        people_actions.record_consent,
        world["caseworker"],
        father,
        decided_on=date.today(),
        **withdraw,
    )
    assert not request.matches.exists()  # the undecided match is dropped
    committed(
        people_actions.record_consent,
        world["caseworker"],
        father,
        decided_on=date.today(),
        **{**withdraw, "given": True},
    )
    assert request.matches.count() == 1  # and comes back with the consent
    people_actions.record_consent(
        world["caseworker"], enquirer.person, decided_on=date.today(), **withdraw
    )
    shown = selectors.matches_for(world["caseworker"], request)
    assert not shown.enquirer_consent and not shown.shown and not shown.elsewhere


def test_changing_the_request_refreshes_its_matches(world, register, enquirer, committed):
    register(world["caseworker"], person=FATHER, other_consents=TRACING)
    request = open_request(world["caseworker"], enquirer, committed)
    assert request.matches.count() == 1
    committed(
        actions.update_request,
        world["caseworker"],
        request,
        {"original_script_name": "فاطمة يوسف", "sex": "female", "relationship": "parent"},
        request.version,
    )
    assert not request.matches.exists()
    event = AuditEvent.objects.get(action="tracing.update")
    assert event.details["changes"]["sex"] == {"from": "male", "to": "female"}
    assert event.details["changes"]["original_script_name"] == "changed"


def test_a_change_of_the_person_refreshes_the_request(world, register, enquirer, committed):
    father = register(world["caseworker"], person=FATHER, other_consents=TRACING).person
    request = open_request(world["caseworker"], enquirer, committed)
    before = request.matches.get().probability
    committed(
        people_actions.update_person,
        world["caseworker"],
        father,
        {"birth_date": date(1995, 3, 4), "sex": "female"},
        father.version,
    )
    after = request.matches.filter(person=father).first()
    assert after is None or after.probability < before


def test_persons_of_other_agencies_are_shown_only_as_an_office_to_contact(
    world, register, enquirer, committed
):
    register(world["other_agency"], person=FATHER, other_consents=TRACING)
    request = open_request(world["caseworker"], enquirer, committed)
    shown = selectors.matches_for(world["caseworker"], request)
    assert shown.shown == []
    assert [m.contact for m in shown.elsewhere] == ["B east (Agency B)"]
    with pytest.raises(NotAllowed):
        actions.decide_match(world["caseworker"], shown.elsewhere[0], confirm=True)


def test_confirming_locates_the_person_and_recalibrates_the_model(
    world, register, enquirer, committed
):
    register(world["caseworker"], person=FATHER, other_consents=TRACING)
    request = open_request(world["caseworker"], enquirer, committed)
    match = request.matches.get()
    shipped = matching.current_model()
    committed(actions.decide_match, world["caseworker"], match, confirm=True, note="Photo")
    request.refresh_from_db()
    assert request.status == TracingStatus.LOCATED
    model = LinkageModel.objects.get()
    assert (model.confirmed, model.rejected) == (1, 0)
    calibrated = matching.current_model()
    assert calibrated is not shipped
    # The confirmed pair's levels are now more likely among matches than before.
    for o, level in enumerate(match.vector):
        if level:
            assert calibrated.m[o][level] >= shipped.m[o][level]
    assert AuditEvent.objects.filter(action="tracing.match_confirm").count() == 1
    assert AccessLog.objects.filter(view="tracing.match").count() == 0  # not viewed yet
    selectors.matches_for(world["caseworker"], request)
    assert AccessLog.objects.filter(view="tracing.match").count() == 1
    # A mistake can be undone while the request is active.
    committed(actions.decide_match, world["caseworker"], match, confirm=False)
    request.refresh_from_db()
    assert request.status == TracingStatus.OPEN
    assert LinkageModel.objects.latest("id").rejected == 1


def _located(world, register, enquirer, committed, father=FATHER):
    register(world["caseworker"], person=father, other_consents=TRACING)
    request = open_request(world["caseworker"], enquirer, committed)
    match = request.matches.get()
    actions.decide_match(world["caseworker"], match, confirm=True)
    request.refresh_from_db()
    return request, match


REUNION = {"reunified_on": date(2026, 11, 2), "place": "Niamey", "arrangement": "family"}


def test_a_child_is_reunified_only_after_a_best_interests_determination(
    world, register, enquirer, committed
):
    request, match = _located(world, register, enquirer, committed)
    user = world["caseworker"]
    with pytest.raises(ValidationError, match="best-interests determination"):
        actions.reunify(user, request, match, REUNION, request.version)
    against = {
        **REUNION,
        "best_interests": "against",
        "best_interests_on": date(2026, 10, 20),
        "best_interests_by": "BID panel, Niamey",
    }
    with pytest.raises(ValidationError, match="not in the child's best interests"):
        actions.reunify(user, request, match, against, request.version)
    late = {**against, "best_interests": "in_favour", "best_interests_on": date(2026, 11, 3)}
    with pytest.raises(ValidationError, match="must come before"):
        actions.reunify(user, request, match, late, request.version)
    record = actions.reunify(
        user, request, match, {**late, "best_interests_on": date(2026, 10, 20)}, request.version
    )
    request.refresh_from_db()
    assert request.status == TracingStatus.REUNIFIED and record.child_involved
    event = AuditEvent.objects.get(action="tracing.reunify")
    assert event.details["best_interests"] == "in_favour" and event.details["child"] is True
    with pytest.raises(InvalidTransition):
        actions.update_request(user, request, {"sex": "female"}, request.version)


def test_adults_are_reunified_without_a_best_interests_determination(world, register, committed):
    adult = register(
        world["caseworker"],
        person={**CHILD, "birth_date": date(1990, 1, 1), "care_status": ""},
        other_consents=TRACING,
    )
    request, match = _located(world, register, adult, committed)
    record = actions.reunify(world["caseworker"], request, match, REUNION, request.version)
    assert not record.child_involved


def test_reunification_needs_a_confirmed_match(world, register, enquirer, committed):
    register(world["caseworker"], person=FATHER, other_consents=TRACING)
    request = open_request(world["caseworker"], enquirer, committed)
    with pytest.raises(InvalidTransition, match="Confirm a match first"):
        actions.reunify(
            world["caseworker"], request, request.matches.get(), REUNION, request.version
        )


def test_closing_needs_a_reason_and_ends_matching(world, register, enquirer, committed):
    request = open_request(world["caseworker"], enquirer, committed)
    with pytest.raises(ValidationError, match="Say why"):
        actions.close_request(world["caseworker"], request, " ", request.version)
    actions.close_request(world["caseworker"], request, "Family found by ICRC", request.version)
    committed(register, world["caseworker"], person=FATHER, other_consents=TRACING)
    assert not PotentialMatch.objects.exists()


def test_only_case_workers_in_scope_manage_requests(world, enquirer, committed):
    with pytest.raises(NotAllowed):
        actions.open_request(world["caseworker2"], enquirer, SOUGHT)
    request = open_request(world["caseworker"], enquirer, committed)
    assert list(selectors.visible_requests(world["supervisor"])) == [request]
    assert list(selectors.visible_requests(world["caseworker2"])) == []
    assert list(selectors.visible_requests(world["other_supervisor"])) == []


# ---- the pages --------------------------------------------------------------------------


def _form(**changes) -> dict:
    data = {**SOUGHT, **changes}
    return {
        k: "" if v is None else (v.isoformat() if isinstance(v, date) else v)
        for k, v in data.items()
    }


def test_a_caseworker_opens_a_request_and_confirms_the_match_on_the_pages(
    world, register, enquirer, committed, client
):
    from tests.conftest import sign_in

    father = register(world["caseworker"], person=FATHER, other_consents=TRACING).person
    sign_in(client, world["caseworker"])
    family_tab = client.get(f"/cases/{enquirer.pk}/?tab=family")
    assert "Open a tracing request" in family_tab.content.decode()
    response = committed(client.post, f"/cases/{enquirer.pk}/tracing/new/", _form())
    request = enquirer.tracing.get()
    assert response.status_code == 302 and response["Location"] == f"/tracing/{request.pk}/"
    page = client.get(f"/tracing/{request.pk}/").content.decode()
    assert "Muhammad Hassan" in page and "likely the person sought" in page
    assert AccessLog.objects.filter(view="tracing.view").count() == 1
    match = request.matches.get(person=father)
    response = committed(
        client.post,
        f"/tracing/{request.pk}/matches/{match.pk}/decide/",
        {"decision": "confirm", "note": "Recognised on the photo"},
    )
    request.refresh_from_db()
    assert request.status == TracingStatus.LOCATED
    page = client.get(f"/tracing/{request.pk}/reunify/").content.decode()
    assert "best-interests determination" in page
    listed = client.get("/tracing/?status=located").content.decode()
    assert f"/tracing/{request.pk}/" in listed
    assert "No tracing request matches" in client.get("/tracing/?status=closed").content.decode()


def test_the_form_says_what_is_missing_and_saves_nothing(world, enquirer, client):
    from tests.conftest import sign_in

    sign_in(client, world["caseworker"])
    response = client.post(
        f"/cases/{enquirer.pk}/tracing/new/", _form(original_script_name="", nationality="XX")
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "Give at least a given or a family name" in page
    assert not enquirer.tracing.exists()


def test_a_child_reunification_form_refuses_without_best_interests(
    world, register, enquirer, committed, client
):
    from tests.conftest import sign_in

    request, match = _located(world, register, enquirer, committed)
    sign_in(client, world["caseworker"])
    response = client.post(
        f"/tracing/{request.pk}/reunify/",
        {
            "match": match.pk,
            "version": request.version,
            "reunified_on": "2026-11-02",
            "arrangement": "family",
        },
    )
    assert response.status_code == 200
    request.refresh_from_db()
    assert request.status == TracingStatus.LOCATED


# ---- the API ----------------------------------------------------------------------------


def test_the_api_opens_a_request_lists_matches_and_takes_a_decision(
    world, register, enquirer, committed, api
):
    father = register(world["caseworker"], person=FATHER, other_consents=TRACING).person
    client = api("caseworker")
    body = {**_form(), "case": enquirer.pk}
    created = committed(client.post, "/api/v1/tracing-requests/", body, format="json")
    assert created.status_code == 201, created.content
    pk = created.json()["id"]
    listed = client.get("/api/v1/tracing-requests/").json()
    assert [r["id"] for r in listed["results"]] == [pk]
    assert "given_name" not in listed["results"][0]  # lists carry nothing identifying
    found = client.get(f"/api/v1/tracing-requests/{pk}/matches/").json()
    assert found["enquirer_consent"] is True
    [match] = found["matches"]
    assert match["person"] == father.pk and match["contact"] is None
    assert {r["field"] for r in match["reasons"]} >= {"given_name", "birth_date"}
    decided = committed(
        client.post,
        f"/api/v1/tracing-requests/{pk}/decide/",
        {"match": match["id"], "confirm": True},
        format="json",
    )
    assert decided.status_code == 200 and decided.json()["status"] == "confirmed"
    assert client.get(f"/api/v1/tracing-requests/{pk}/").json()["status"] == "located"
    assert api("caseworker2").get(f"/api/v1/tracing-requests/{pk}/").status_code == 404


def test_the_api_refuses_bad_input_with_what_to_fix(world, enquirer, committed, api):
    client = api("caseworker")
    nameless = {**_form(original_script_name=""), "case": enquirer.pk}
    response = client.post("/api/v1/tracing-requests/", nameless, format="json")
    assert response.status_code == 400
    assert "Give at least a given or a family name" in response.content.decode()
    future = {**_form(last_seen_on="2999-01-01"), "case": enquirer.pk}
    assert client.post("/api/v1/tracing-requests/", future, format="json").status_code == 400
    created = committed(
        client.post, "/api/v1/tracing-requests/", {**_form(), "case": enquirer.pk}, format="json"
    ).json()
    no_version = client.patch(
        f"/api/v1/tracing-requests/{created['id']}/", {"sex": "female"}, format="json"
    )
    assert no_version.status_code == 400 and "version" in no_version.json()
    stale = client.patch(
        f"/api/v1/tracing-requests/{created['id']}/",
        {"sex": "female", "version": 7},
        format="json",
    )
    assert stale.status_code == 409
    assert not enquirer.tracing.exclude(sex="male").exists()


def test_the_edit_form_is_a_logged_view(world, enquirer, committed, client):
    from tests.conftest import sign_in

    request = open_request(world["caseworker"], enquirer, committed)
    sign_in(client, world["caseworker"])
    page = client.get(f"/tracing/{request.pk}/edit/").content.decode()
    assert "Agadez bus station" in page
    assert AccessLog.objects.filter(view="tracing.edit").count() == 1

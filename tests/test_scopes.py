"""Every permission's scope is honoured, not only on cases: the directory, administration,
referrals received and the register of releases each answer to the grant's scope, through
the one access policy."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from haven.accounts import actions as account_actions
from haven.accounts import held, policy
from haven.accounts.models import Role, RoleGrant
from haven.assistance import actions as assistance_actions
from haven.assistance.models import Provider, ServicePoint, ServiceType
from tests.conftest import consented_referral, make_user


@pytest.fixture
def b_admin(world):
    return world["other_admin"]


@pytest.fixture
def a_provider(world):
    provider = Provider.objects.create(name="Harbour Clinic", maintained_by=world["a"])
    point = ServicePoint.objects.create(provider=provider, name="Clinic North")
    point.services.add(ServiceType.objects.get(code="shelter"))
    return provider


def _refer_to_point(world, register, point):
    case = register(world["caseworker"])
    shelter = ServiceType.objects.get(code="shelter")
    return consented_referral(world["caseworker"], case, shelter, to_point=point)


def test_another_agencys_administrator_cannot_take_over_a_provider(
    world, api, b_admin, a_provider, register
):
    referral = _refer_to_point(world, register, a_provider.points.get())
    client = api("agency_admin")
    client.force_authenticate(b_admin)
    taken = client.patch(f"/api/v1/providers/{a_provider.pk}/", {"agency": "bb"}, format="json")
    assert taken.status_code == 403
    a_provider.refresh_from_db()
    assert a_provider.agency_id is None
    # A's referral to that provider never reaches B's received box.
    assert not policy.can_receive_referral(world["other_agency"], referral)
    assert api("other_agency").get(f"/api/v1/referrals/{referral.pk}/").status_code == 404
    renamed = client.patch(f"/api/v1/providers/{a_provider.pk}/", {"phone": "1"}, format="json")
    assert renamed.status_code == 403
    point = a_provider.points.get()
    moved = client.patch(f"/api/v1/service-points/{point.pk}/", {"name": "X"}, format="json")
    assert moved.status_code == 403


def test_a_provider_links_only_to_an_agency_the_manager_manages(world, api, b_admin):
    client = api("agency_admin")
    made = client.post("/api/v1/providers/", {"name": "Legal Aid", "agency": "bb"}, format="json")
    assert made.status_code == 403
    made = client.post("/api/v1/providers/", {"name": "Legal Aid"}, format="json")
    assert made.status_code == 201
    provider = Provider.objects.get(pk=made.json()["id"])
    assert provider.maintained_by == world["a"]
    # Agency A's administrator keeps it; B's may not change it.
    assert (
        client.patch(
            f"/api/v1/providers/{provider.pk}/", {"phone": "+227 1"}, format="json"
        ).status_code
        == 200
    )
    client.force_authenticate(b_admin)
    assert (
        client.patch(
            f"/api/v1/providers/{provider.pk}/", {"phone": "+227 2"}, format="json"
        ).status_code
        == 403
    )


def test_the_shared_taxonomy_is_kept_by_system_administrators(world, api):
    body = {"code": "dental", "name": "Dental care"}
    assert (
        api("agency_admin").post("/api/v1/service-types/", body, format="json").status_code == 403
    )
    assert (
        api("system_admin").post("/api/v1/service-types/", body, format="json").status_code == 201
    )


def test_an_import_cannot_change_another_agencys_provider(world, api, b_admin, a_provider):
    text = api("agency_admin").get("/api/v1/service-points/export/").content.decode()
    edited = (
        text.replace("Clinic North", "Clinic North")
        + "Harbour Clinic,New desk,shelter,,,,,,,,,,,\r\n"
    )
    client = api("agency_admin")
    client.force_authenticate(b_admin)
    refused = client.post(
        "/api/v1/service-points/import/",
        {"file": SimpleUploadedFile("d.csv", edited.encode())},
        format="multipart",
    )
    assert refused.status_code == 400
    assert any("another agency" in e for e in refused.json()["errors"])
    assert not ServicePoint.objects.filter(name="New desk").exists()
    allowed = api("agency_admin").post(
        "/api/v1/service-points/import/",
        {"file": SimpleUploadedFile("d.csv", edited.encode())},
        format="multipart",
    )
    assert allowed.status_code == 200, allowed.content


def test_an_office_scoped_administrator_manages_only_their_offices_users(world):
    office_admin = make_user("oscar", world["a"], world["a1"], "agency_admin", "office")
    south = world["caseworker_south"]
    north = world["caseworker"]
    assert policy.may_manage_user(office_admin, north)
    assert not policy.may_manage_user(office_admin, south)
    assert not policy.may_manage_agency(office_admin, world["a"].pk)
    with pytest.raises(Exception, match="(?i)may not"):
        account_actions.set_active(office_admin, south, False)
    account_actions.set_active(office_admin, north, False)
    assert not policy.may_manage_user(
        office_admin, make_user("zed", world["b"], world["b1"], "caseworker", "own")
    )


def test_own_scope_receives_untaken_referrals_and_its_own_not_a_colleagues(world, register):
    b_point_provider = Provider.objects.create(name="B itself", agency=world["b"])
    point = ServicePoint.objects.create(provider=b_point_provider, name="B desk")
    point.services.add(ServiceType.objects.get(code="shelter"))
    first = _refer_to_point(world, register, point)
    second = _refer_to_point(world, register, point)
    eve, erin = world["other_agency"], world["other_supervisor"]
    carl = make_user("carl", world["b"], world["b1"], "caseworker", "own")
    for referral in (first, second):
        assert policy.can_receive_referral(eve, referral)
        assert policy.can_receive_referral(carl, referral)
    assistance_actions.answer(eve, first, accept=True, version=first.version)
    first.refresh_from_db()
    assert policy.can_receive_referral(eve, first)
    assert not policy.can_receive_referral(carl, first)  # a colleague's, own scope
    assert policy.can_receive_referral(erin, first)  # the office supervisor's
    assert not policy.can_receive_referral(world["caseworker2"], first)  # agency A


def test_releases_follow_the_scope_of_release_create(world):
    from haven.evidence import actions as evidence_actions
    from haven.evidence import selectors as evidence_selectors

    mine = evidence_actions.request_release(
        world["analyst"], purpose="Donor report", fields=["sex"], k=2, suppression_limit=0.1
    )
    own_releaser = make_user("olga", world["a"], world["a1"], "analyst", "own")
    assert not policy.may_handle_release(own_releaser, mine)
    assert mine not in evidence_selectors.visible_releases(own_releaser)
    theirs = evidence_actions.request_release(
        own_releaser, purpose="Own", fields=["sex"], k=2, suppression_limit=0.1
    )
    assert list(evidence_selectors.visible_releases(own_releaser)) == [theirs]
    assert policy.may_handle_release(world["analyst"], theirs)  # agency scope
    assert not policy.may_handle_release(world["other_supervisor"], theirs)


def test_a_role_granted_at_office_scope_does_not_reach_the_agency(world):
    role = Role.objects.get(code="agency_admin")
    user = make_user("ophelia", world["a"], world["a2"], "caseworker", "own")
    RoleGrant.objects.create(user=user, role=role, scope="office")
    held.forget(user)
    assert policy.has_perm(user, "agency.manage")
    assert not policy.covers(user, "agency.manage", agency_id=world["a"].pk)
    assert policy.covers(
        user, "agency.manage", agency_id=world["a"].pk, office_ids=[world["a2"].pk]
    )

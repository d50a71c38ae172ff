import pytest
from django.core.exceptions import ValidationError
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from haven.accounts import actions, policy
from haven.accounts.models import Role, RoleGrant, User
from haven.audit.models import AuditEvent
from haven.core.errors import NotAllowed
from tests.conftest import PASSWORD, make_user, sign_in


def code_for(device):
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


def login(client, username):
    return client.post(
        "/login/", {"username": username, "password": PASSWORD}, HTTP_HOST="localhost"
    )


@pytest.fixture
def no_throttle(settings):
    # django-otp delays retries after a wrong code; these tests type a right one at once.
    settings.OTP_TOTP_THROTTLE_FACTOR = 0


def test_admin_role_must_set_up_two_factor_before_anything_else(world, client, no_throttle):
    login(client, "adele")
    response = client.get("/manage/", HTTP_HOST="localhost")
    assert response.status_code == 302 and response["Location"].startswith("/account/two-factor/")
    assert client.get("/api/v1/users/me/", HTTP_HOST="localhost").status_code == 403
    page = client.get("/account/two-factor/", HTTP_HOST="localhost")
    assert b"data:image/svg+xml;base64," in page.content
    device = TOTPDevice.objects.get(user=world["agency_admin"])
    bad = client.post("/account/two-factor/", {"token": "000000"}, HTTP_HOST="localhost")
    assert "not right" in bad.content.decode()
    client.post("/account/two-factor/", {"token": code_for(device)}, HTTP_HOST="localhost")
    device.refresh_from_db()
    assert device.confirmed
    assert client.get("/manage/", HTTP_HOST="localhost").status_code == 302  # to own agency page
    assert (
        client.get(f"/manage/agencies/{world['a'].pk}/", HTTP_HOST="localhost").status_code == 200
    )
    assert AuditEvent.objects.filter(action="auth.two_factor_enabled").exists()


def test_user_with_a_device_must_enter_a_code_after_the_password(world, client, no_throttle):
    device = TOTPDevice.objects.create(user=world["caseworker"], name="phone", confirmed=True)
    login(client, "alice")
    response = client.get("/cases/", HTTP_HOST="localhost")
    assert response["Location"].startswith("/account/verify/")
    client.post("/account/verify/", {"token": "123456"}, HTTP_HOST="localhost")
    assert client.get("/cases/", HTTP_HOST="localhost").status_code == 302
    assert AuditEvent.objects.filter(action="auth.two_factor_failed").exists()
    client.post("/account/verify/", {"token": code_for(device)}, HTTP_HOST="localhost")
    assert client.get("/cases/", HTTP_HOST="localhost").status_code == 200


def test_optional_two_factor_for_caseworkers(world, client):
    login(client, "alice")
    assert client.get("/cases/", HTTP_HOST="localhost").status_code == 200


def test_role_change_needs_recent_reauthentication(world, client, settings, no_throttle):
    settings.HAVEN_REAUTH_MINUTES = 0
    sign_in(client, world["agency_admin"])
    url = f"/manage/users/{world['caseworker2'].pk}/grant/"
    supervisor = Role.objects.get(code="supervisor")
    response = client.post(url, {"role": supervisor.pk, "scope": "office"}, HTTP_HOST="localhost")
    assert response.status_code == 302 and response["Location"].startswith("/account/confirm/")
    assert not RoleGrant.objects.filter(user=world["caseworker2"], role=supervisor).exists()
    wrong = client.post(
        "/account/confirm/", {"password": "nope", "token": "1"}, HTTP_HOST="localhost"
    )
    assert "not right" in wrong.content.decode()
    settings.HAVEN_REAUTH_MINUTES = 10
    device = TOTPDevice.objects.get(user=world["agency_admin"])
    client.post(
        "/account/confirm/",
        {"password": PASSWORD, "token": code_for(device)},
        HTTP_HOST="localhost",
    )
    client.post(url, {"role": supervisor.pk, "scope": "office"}, HTTP_HOST="localhost")
    assert RoleGrant.objects.filter(
        user=world["caseworker2"], role=supervisor, scope="office"
    ).exists()
    assert AuditEvent.objects.filter(
        action="role.grant", object_id=str(world["caseworker2"].pk)
    ).exists()


def test_agency_admin_cannot_hand_out_system_rights(world):
    admin = world["agency_admin"]
    with pytest.raises(NotAllowed):
        actions.grant_role(admin, world["caseworker"], Role.objects.get(code="system_admin"), "all")
    with pytest.raises(NotAllowed):
        actions.grant_role(admin, world["caseworker"], Role.objects.get(code="supervisor"), "all")
    with pytest.raises(NotAllowed):
        actions.grant_role(
            admin, world["other_agency"], Role.objects.get(code="supervisor"), "office"
        )


def test_grant_changes_access_at_once(world, register):
    case = register(world["caseworker"])
    bob = world["caseworker2"]
    from haven.cases.selectors import visible_cases

    assert not visible_cases(bob).filter(pk=case.pk).exists()
    actions.grant_role(world["agency_admin"], bob, Role.objects.get(code="supervisor"), "office")
    bob = User.objects.get(pk=bob.pk)
    assert visible_cases(bob).filter(pk=case.pk).exists()


def test_create_user_validates_password_and_username(world):
    admin = world["agency_admin"]
    with pytest.raises(ValidationError):
        actions.create_user(admin, world["a"], username="new.user", password="short")
    with pytest.raises(ValidationError) as exc:
        actions.create_user(
            admin, world["a"], username="ALICE", password="A-long-enough-passphrase"
        )
    assert "taken" in str(exc.value)
    user = actions.create_user(
        admin,
        world["a"],
        username="new.user",
        password="A-long-enough-passphrase",
        offices=[world["a1"]],
    )
    assert user.check_password("A-long-enough-passphrase")
    assert not policy.has_perm(user, "case.view"), "a new user sees nothing until given a role"


def test_cannot_remove_own_admin_rights_or_deactivate_self(world):
    admin = world["agency_admin"]
    with pytest.raises(ValidationError):
        actions.revoke_role(admin, admin.grants.get())
    with pytest.raises(ValidationError):
        actions.set_active(admin, admin, False)


def test_deactivated_user_loses_access(world, register, client):
    actions.set_active(world["agency_admin"], world["caseworker"], False)
    response = client.post(
        "/login/", {"username": "alice", "password": PASSWORD}, HTTP_HOST="localhost"
    )
    assert response.status_code == 200 and "_auth_user_id" not in client.session


def test_roles_are_validated_and_builtins_protected(world):
    root = world["system_admin"]
    with pytest.raises(ValidationError):
        actions.save_role(root, code="odd", name="Odd", permissions=["case.fly"], two_factor=False)
    with pytest.raises(ValidationError):
        actions.save_role(
            root,
            code="x",
            name="X",
            permissions=["case.view"],
            two_factor=False,
            role=Role.objects.get(code="caseworker"),
        )
    role = actions.save_role(
        root, code="reader", name="Reader", permissions=["case.view"], two_factor=False
    )
    assert role.permissions == ["case.view"]
    with pytest.raises(NotAllowed):
        actions.save_role(
            world["agency_admin"], code="r2", name="R2", permissions=[], two_factor=False
        )


def test_management_pages_render(world, client):
    sign_in(client, world["system_admin"])
    for url in (
        "/manage/",
        "/manage/roles/",
        f"/manage/agencies/{world['a'].pk}/",
        f"/manage/users/{world['caseworker'].pk}/",
        f"/manage/agencies/{world['a'].pk}/users/new/",
    ):
        assert client.get(url, HTTP_HOST="localhost").status_code == 200, url


def test_create_agency_office_team_and_user_through_the_pages(world, client):
    sign_in(client, world["system_admin"])
    client.post("/manage/agencies/new/", {"code": "cc", "name": "Agency C"}, HTTP_HOST="localhost")
    from haven.accounts.models import Agency

    agency = Agency.objects.get(code="cc")
    client.post(f"/manage/agencies/{agency.pk}/offices/new/", {"name": "C1"}, HTTP_HOST="localhost")
    office = agency.offices.get()
    response = client.post(
        f"/manage/agencies/{agency.pk}/users/new/",
        {"username": "carl", "password": "Another-long-passphrase", "offices": [office.pk]},
        HTTP_HOST="localhost",
    )
    carl = User.objects.get(username="carl")
    assert response["Location"] == f"/manage/users/{carl.pk}/"
    client.post(
        f"/manage/agencies/{agency.pk}/teams/new/",
        {"name": "T", "members": [carl.pk]},
        HTTP_HOST="localhost",
    )
    assert list(agency.teams.get().members.all()) == [carl]
    actions_seen = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"agency.create", "office.create", "user.create", "team.create"} <= actions_seen


def test_admin_resets_a_lost_second_factor(world, client):
    device = TOTPDevice.objects.create(user=world["caseworker"], name="phone", confirmed=True)
    admin = world["agency_admin"]
    with pytest.raises(ValidationError):
        actions.reset_two_factor(admin, admin)
    assert actions.reset_two_factor(admin, world["caseworker"]) == 1
    assert not TOTPDevice.objects.filter(pk=device.pk).exists()
    assert AuditEvent.objects.filter(action="user.two_factor_reset").exists()
    with pytest.raises(NotAllowed):
        actions.reset_two_factor(admin, world["other_agency"])


def test_edit_pages_showing_personal_data_are_access_logged(world, register, client):
    from haven.audit.models import AccessLog

    case = register(world["caseworker"])
    sign_in(client, world["caseworker"])
    for url in (
        f"/cases/{case.pk}/edit/",
        f"/cases/{case.pk}/plan/",
        f"/cases/{case.pk}/person/",
        f"/cases/{case.pk}/?tab=plan",
    ):
        client.get(url, HTTP_HOST="localhost")
    views = set(AccessLog.objects.values_list("view", flat=True))
    assert {"case.edit", "case.plan_edit", "person.edit", "case.plan"} <= views


def test_family_link_needs_edit_rights_on_both_people(world, register):
    from haven.people import actions as people_actions

    mine = register(world["caseworker"]).person
    theirs = register(world["caseworker2"], person={"given_name": "Other"}).person
    with pytest.raises(NotAllowed):
        people_actions.add_relationship(world["caseworker"], mine, theirs, kind="sibling")


def test_an_administrator_sets_a_new_password_checked_and_audited(world):
    from axes.models import AccessAttempt
    from rest_framework.authtoken.models import Token

    alice = world["caseworker"]
    Token.objects.create(user=alice)
    AccessAttempt.objects.create(
        username="alice", ip_address="203.0.113.1", user_agent="x", failures_since_start=9
    )
    with pytest.raises(ValidationError) as refused:
        actions.set_password(world["agency_admin"], alice, "short")
    assert "password" in refused.value.message_dict
    actions.set_password(world["agency_admin"], alice, "A-much-longer-one-2026")
    alice.refresh_from_db()
    assert alice.check_password("A-much-longer-one-2026")
    assert not Token.objects.filter(user=alice).exists()
    assert not AccessAttempt.objects.filter(username="alice").exists()
    event = AuditEvent.objects.get(action="user.password_reset")
    assert event.object_id == str(alice.pk) and "password" not in str(event.details)
    with pytest.raises(ValidationError, match="another administrator"):
        actions.set_password(world["agency_admin"], world["agency_admin"], "A-much-longer-one-2026")
    # An administrator of another agency may not touch her.
    b_admin = make_user("bea", world["b"], world["b1"], "agency_admin", "agency")
    with pytest.raises(NotAllowed):
        actions.set_password(b_admin, alice, "A-much-longer-one-2026")


def test_every_migrate_brings_the_builtin_roles_up_to_date(db):
    """Built-in roles are installed after each migrate, not by a migration per permission:
    a role missing a permission (as on a database from before it existed), or missing
    altogether, is put right by the next `migrate`; an agency's own role is left alone."""
    from django.core.management import call_command

    from haven.accounts.permissions import BUILTIN_ROLES

    caseworker = Role.objects.get(code="caseworker")
    caseworker.permissions = ["case.view"]
    caseworker.save()
    Role.objects.filter(code="data_protection_officer").delete()
    own = Role.objects.create(code="reader", name="Reader", permissions=["case.view"])

    call_command("migrate", verbosity=0)

    caseworker.refresh_from_db()
    assert caseworker.permissions == list(BUILTIN_ROLES["caseworker"][1])
    assert Role.objects.filter(code="data_protection_officer", builtin=True).exists()
    own.refresh_from_db()
    assert own.permissions == ["case.view"] and not own.builtin

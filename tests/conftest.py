"""Shared fixtures: two agencies, their offices, and one named user per built-in role."""

from datetime import date

import pytest
from hypothesis import settings as hypothesis_settings

from haven.accounts.models import Agency, Office, Role, RoleGrant, Team, User

PASSWORD = "Correct-horse-battery-9"

# No per-example deadline: on a busy two-core CI machine a slow example is not a failure.
hypothesis_settings.register_profile("haven", deadline=None)
hypothesis_settings.load_profile("haven")


def make_user(username, agency, office, role, scope, **extra):
    user = User.objects.create_user(username=username, password=PASSWORD, agency=agency, **extra)
    if office is not None:
        user.offices.add(office)
    RoleGrant.objects.create(user=user, role=Role.objects.get(code=role), scope=scope)
    return user


@pytest.fixture
def world(db):
    """Agency A (two offices) and agency B, with the personas every access test uses."""
    a = Agency.objects.create(code="aa", name="Agency A")
    b = Agency.objects.create(code="bb", name="Agency B")
    a1 = Office.objects.create(agency=a, name="A north")
    a2 = Office.objects.create(agency=a, name="A south")
    b1 = Office.objects.create(agency=b, name="B east")
    users = {
        "caseworker": make_user("alice", a, a1, "caseworker", "own"),
        "caseworker2": make_user("bob", a, a1, "caseworker", "own"),
        "caseworker_south": make_user("dora", a, a2, "caseworker", "own"),
        "supervisor": make_user("carol", a, a1, "supervisor", "office"),
        "supervisor2": make_user("cyril", a, a1, "supervisor", "office"),
        "protection": make_user("pat", a, a1, "protection_officer", "agency"),
        "analyst": make_user("ana", a, a1, "analyst", "agency"),
        "dpo": make_user("dan", a, a2, "data_protection_officer", "agency"),
        "agency_admin": make_user("adele", a, a1, "agency_admin", "agency"),
        "system_admin": make_user("root", None, None, "system_admin", "all"),
        "feedback_focal": make_user("fiona", a, a1, "feedback_focal_point", "agency"),
        "psea": make_user("priya", a, a1, "psea_focal_point", "agency"),
        "other_agency": make_user("eve", b, b1, "caseworker", "own"),
        "other_supervisor": make_user("erin", b, b1, "supervisor", "office"),
        "other_admin": make_user("otto", b, b1, "agency_admin", "agency"),
    }
    team = Team.objects.create(agency=a, office=a1, name="Team north")
    team.members.add(users["caseworker"], users["caseworker2"])
    return {"a": a, "b": b, "a1": a1, "a2": a2, "b1": b1, "team": team, **users}


PERSON = {
    "given_name": "Amal",
    "family_name": "Haddad",
    "original_script_name": "أمل حداد",
    "sex": "female",
    "birth_date": date(1994, 5, 2),
    "nationalities": ["SY"],
    "languages": ["ar"],
}
CASE = {"programme": "vulnerable_migrants", "vulnerabilities": ["stranded"], "risk_level": "medium"}


@pytest.fixture
def register():
    """Register a person and case through the real action."""
    from haven.cases import actions

    def _register(user, person=None, case=None, **kwargs):
        return actions.register(
            user, person={**PERSON, **(person or {})}, case={**CASE, **(case or {})}, **kwargs
        )

    return _register


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """Run an action and the jobs it queues after commit (matching, calibration)."""

    def run(action, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return action(*args, **kwargs)

    return run


@pytest.fixture(autouse=True)
def _default_language():
    """A page served in Arabic leaves Arabic active in the thread: every test starts and
    ends in the default language, whatever the one before it asked for."""
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def _audit_anchors_of_this_test(settings, tmp_path):
    # Anchors describe one database: each test's go to a file of its own.
    settings.HAVEN_AUDIT_ANCHOR_FILE = tmp_path / "audit-anchors.log"


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # Argon2 is the configured hasher (see test_security); tests create many users.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def api(world):
    """An API client per persona, signed in with a token as integrations are."""
    from django_otp.plugins.otp_totp.models import TOTPDevice
    from rest_framework.authtoken.models import Token
    from rest_framework.test import APIClient

    from haven.accounts import policy

    def client_for(persona):
        client = APIClient()
        user = world[persona]
        if policy.two_factor_required(user):
            # Tokens of such roles work once two-factor is set up, as in production.
            TOTPDevice.objects.get_or_create(user=user, name="test", defaults={"confirmed": True})
        token, _ = Token.objects.get_or_create(user=user)
        client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
        return client

    return client_for


def sign_in(client, user):
    """Sign in as `user`; roles that require two-factor get a verified device session."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from haven.accounts import policy

    client.force_login(user)
    if policy.two_factor_required(user):
        device, _ = TOTPDevice.objects.get_or_create(
            user=user, name="test", defaults={"confirmed": True}
        )
        session = client.session
        session["otp_device_id"] = device.persistent_id
        session.save()
    return client


def consented_referral(user, case, service, **receiver):
    """A referral of `case` by `user` (to_agency=, to_point= or to_team=), with the
    person's referral consent recorded first, through the real actions."""
    from haven.assistance import actions as assistance_actions
    from haven.people import actions as people_actions

    people_actions.record_consent(
        user,
        case.person,
        purpose="referral",
        legal_basis="consent",
        given=True,
        decided_on=date.today(),
    )
    return assistance_actions.refer(
        user, case, service, reason="Needs a safe place tonight", fields=["name"], **receiver
    )

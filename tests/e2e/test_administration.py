import base64

import pytest
from django_otp.oath import totp
from playwright.sync_api import expect

from haven.accounts.models import RoleGrant, User
from tests.e2e.test_accessibility import violations

pytestmark = pytest.mark.e2e


def current_code(secret: str) -> str:
    key = base64.b32decode(secret + "=" * (-len(secret) % 8))
    return f"{totp(key):06d}"


def test_admin_sets_up_two_factor_then_creates_a_user_with_a_role(people, new_page, shot):
    from haven.accounts.models import Role
    from tests.conftest import make_user

    agency = people["caseworker"].agency
    make_user("adele", agency, agency.offices.first(), "agency_admin", "agency")
    page = new_page()
    page.goto("/login/")
    page.get_by_label("Username").fill("adele")
    from tests.conftest import PASSWORD

    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.goto("/manage/")
    expect(page.get_by_role("heading", name="Set up two-factor authentication")).to_be_visible()
    assert violations(page) == []
    shot(page, "07-two-factor-setup")
    secret = page.locator("code").inner_text()
    page.get_by_label("Code from your authenticator app").fill(current_code(secret))
    page.get_by_role("button", name="Confirm").click()
    expect(page.get_by_text("Two-factor authentication is on.")).to_be_visible()

    page.goto("/manage/")
    expect(page.get_by_role("heading", name="Agency A")).to_be_visible()
    page.get_by_role("link", name="New user").click()
    page.get_by_label("Username").fill("new.caseworker")
    page.get_by_label("Initial password").fill("A-long-enough-passphrase")
    page.get_by_label("A north").check()
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("User created: give them a role.")).to_be_visible()
    page.get_by_label("Role", exact=True).select_option(label="Caseworker")
    page.get_by_label("Scope").select_option("own")
    page.get_by_role("button", name="Grant role").click()
    expect(page.get_by_text("Role granted.")).to_be_visible()
    assert violations(page) == []
    shot(page, "08-user-with-role")
    user = User.objects.get(username="new.caseworker")
    assert RoleGrant.objects.filter(user=user, role=Role.objects.get(code="caseworker")).exists()

    # A forgotten password: the administrator sets a new one, checked like any other.
    page.get_by_text("Set a new password…").click()
    page.get_by_label("New password").fill("short")
    page.get_by_role("button", name="Set this password").click()
    expect(page.get_by_text("too short", exact=False)).to_be_visible()
    page.get_by_text("Set a new password…").click()
    page.get_by_label("New password").fill("Another-long-passphrase-2026")
    page.get_by_role("button", name="Set this password").click()
    expect(page.get_by_text("New password set: give it to the user in person")).to_be_visible()
    assert violations(page) == []
    shot(page, "08-new-password")
    user.refresh_from_db()
    assert user.check_password("Another-long-passphrase-2026")

    # Deactivating asks first; confirming takes effect.
    page.get_by_text("Deactivate…").click()
    page.get_by_role("button", name="Yes, deactivate").click()
    expect(page.get_by_text("Account deactivated.")).to_be_visible()
    user.refresh_from_db()
    assert not user.is_active

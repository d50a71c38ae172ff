"""API tokens are one factor: roles that require two-factor get no access by a token until
their authenticator app is set up, tokens are issued only then, and a change to what a user
may do revokes their tokens."""

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from haven.accounts import actions
from haven.accounts.models import Role
from haven.audit.models import AuditEvent
from haven.feedback import actions as feedback_actions


def _client(token) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


@pytest.fixture
def allegation(world):
    submission, _code = feedback_actions.submit_public(
        world["a"], category="misconduct", text="A staff member asked for favours"
    )
    return submission


def test_a_token_alone_is_refused_for_a_role_that_requires_two_factor(world, allegation):
    psea = world["psea"]
    token = Token.objects.create(user=psea)  # e.g. made before the rule, or by hand
    refused = _client(token).get(f"/api/v1/feedback/{allegation.pk}/")
    assert refused.status_code in (401, 403)
    assert "two-factor" in refused.json()["detail"]
    assert "favours" not in refused.content.decode()
    TOTPDevice.objects.create(user=psea, name="phone", confirmed=True)
    allowed = _client(token).get(f"/api/v1/feedback/{allegation.pk}/")
    assert allowed.status_code == 200


def test_tokens_are_issued_only_after_two_factor_is_set_up(world):
    psea = world["psea"]
    with pytest.raises(ValidationError, match="two-factor"):
        actions.issue_token(world["agency_admin"], psea)
    assert not Token.objects.filter(user=psea).exists()
    TOTPDevice.objects.create(user=psea, name="phone", confirmed=True)
    token = actions.issue_token(world["agency_admin"], psea)
    assert Token.objects.get(user=psea) == token
    assert AuditEvent.objects.filter(action="token.issue", object_id=str(psea.pk)).exists()


def test_the_token_command_refuses_with_what_to_do(world, capsys):
    with pytest.raises(CommandError, match="two-factor"):
        call_command("api_token", "priya")
    with pytest.raises(CommandError, match="No user"):
        call_command("api_token", "nobody")
    call_command("api_token", "alice")
    assert capsys.readouterr().out.strip() == Token.objects.get(user=world["caseworker"]).key


def test_a_caseworker_given_the_psea_role_loses_the_token_made_before(world, allegation):
    caseworker = world["caseworker"]
    token = Token.objects.create(user=caseworker)
    actions.grant_role(
        world["agency_admin"], caseworker, Role.objects.get(code="psea_focal_point"), "agency"
    )
    assert not Token.objects.filter(pk=token.pk).exists()
    refused = _client(token).get(f"/api/v1/feedback/{allegation.pk}/")
    assert refused.status_code in (401, 403)
    assert AuditEvent.objects.filter(action="token.revoke", object_id=str(caseworker.pk)).exists()


def test_revoking_a_role_deactivating_or_resetting_two_factor_revokes_tokens(world):
    admin, supervisor = world["agency_admin"], world["supervisor"]
    Token.objects.create(user=supervisor)
    actions.revoke_role(admin, supervisor.grants.get())
    assert not Token.objects.filter(user=supervisor).exists()
    dpo = world["dpo"]
    TOTPDevice.objects.create(user=dpo, name="phone", confirmed=True)
    actions.issue_token(admin, dpo)
    actions.reset_two_factor(admin, dpo)
    assert not Token.objects.filter(user=dpo).exists()
    actions.issue_token(admin, world["caseworker"])
    actions.set_active(admin, world["caseworker"], False)
    assert not Token.objects.filter(user=world["caseworker"]).exists()


def test_changing_a_role_revokes_its_holders_tokens(world):
    root = world["system_admin"]
    role = actions.save_role(
        root, code="reader2", name="Reader", permissions=["case.view"], two_factor=False
    )
    actions.grant_role(root, world["caseworker2"], role, "own")
    Token.objects.create(user=world["caseworker2"])
    actions.save_role(
        root, code="reader2", name="Reader", permissions=["case.view"], two_factor=True, role=role
    )
    assert not Token.objects.filter(user=world["caseworker2"]).exists()

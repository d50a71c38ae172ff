"""Who is calling: the signed-in user read with their agency in one query.

Nearly every request needs the user's agency (scope of the access policy, case numbers,
audit events), so both ways in — the browser session and an integration's API token —
read it together with the user instead of in a second query later.
"""

import functools

from django.contrib.auth.backends import ModelBackend
from django.db import connection
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication
from rest_framework.authtoken.models import Token

from haven.accounts import held, policy
from haven.accounts.models import Agency, User


class UserWithAgencyBackend(ModelBackend):
    """Django's model backend; the user of a session comes with their agency."""

    def get_user(self, user_id):
        try:
            user = User._default_manager.select_related("agency").get(pk=user_id)
        except User.DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None


class AgencyTokenAuthentication(TokenAuthentication):
    """DRF's token authentication; the token's user comes with their agency.

    Integrations call the API many times a second, so the token, user and agency are read
    with one plain statement built once, and turned into model objects as the ORM would.
    """

    def authenticate_credentials(self, key):
        token = _token_with_user_and_agency(key)
        if token is None:
            raise exceptions.AuthenticationFailed(_("Invalid token."))
        if not token.user.is_active:
            raise exceptions.AuthenticationFailed(_("User inactive or deleted."))
        if not two_factor_satisfied(token.user):
            # A token is one factor: a role that requires two gets no access by it alone.
            raise exceptions.AuthenticationFailed(
                _(
                    "Your role requires two-factor authentication: sign in on the web, set "
                    "up an authenticator app, then ask for a new token."
                )
            )
        return (token.user, token)


def two_factor_satisfied(user) -> bool:
    """A user whose roles require two-factor has a confirmed device (tokens are only issued
    after it, but a role may be granted to a token's holder later)."""
    if not policy.two_factor_required(user):
        return True
    from django_otp.plugins.otp_totp.models import TOTPDevice

    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def _columns(model) -> list[str]:
    return [field.attname for field in model._meta.concrete_fields]


@functools.cache
def _converters(model) -> list[tuple]:
    """What the ORM applies to each column read (SQLite's datetimes and booleans, say)."""
    out = []
    for field in model._meta.concrete_fields:
        column = field.get_col(model._meta.db_table)
        functions = connection.ops.get_db_converters(column) + field.get_db_converters(connection)
        out.append((column, functions))
    return out


def _from_row(model, values):
    converted = []
    for value, (column, functions) in zip(values, _converters(model), strict=True):
        for function in functions:
            value = function(value, column, connection)
        converted.append(value)
    return model.from_db(connection.alias, _columns(model), converted)


@functools.cache
def _token_sql() -> str:
    def select(model, alias):
        return ", ".join(f'{alias}."{column}"' for column in _columns(model))

    token, user, agency = Token._meta.db_table, User._meta.db_table, Agency._meta.db_table
    return (
        f"SELECT {select(Token, 't')}, {select(User, 'u')}, {select(Agency, 'a')} "  # noqa: S608
        f"FROM {token} t JOIN {user} u ON u.id = t.user_id "
        f"LEFT JOIN {agency} a ON a.id = u.agency_id WHERE t.key = %s"
    )


def _token_with_user_and_agency(key: str) -> Token | None:
    grant_rows = None
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Client-side binding sends both statements in one round trip: the token's user
            # and, by the token's key again, that user's grants for the access policy.
            cursor.execute(f"{_token_sql()}; {_grants_by_key_sql()}", [key] * 4)
            row = cursor.fetchone()
            cursor.nextset()
            grant_rows = cursor.fetchall()
        else:
            cursor.execute(_token_sql(), [key])
            row = cursor.fetchone()
    if row is None:
        return None
    models, start = [], 0
    for model in (Token, User, Agency):
        width = len(model._meta.concrete_fields)
        models.append(_from_row(model, row[start : start + width]))
        start += width
    token, user, agency = models
    Token.user.field.set_cached_value(token, user)
    User.agency.field.set_cached_value(user, agency if user.agency_id is not None else None)
    if grant_rows is not None:
        held.remember(user, grant_rows)
    return token


@functools.cache
def _grants_by_key_sql() -> str:
    """The policy's grant statement, with the user found by the token's key."""
    by_key = f"(SELECT user_id FROM {Token._meta.db_table} WHERE key = %s)"  # noqa: S608
    return held.grants_sql(user=by_key)

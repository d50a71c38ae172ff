"""What a user holds: each permission's scopes, their offices and teams — read in one
statement and kept with the user object, so a request reads them once. The access policy
(policy.py) decides with them; signing in with a token reads them with the user
(authentication.py, `remember`)."""

import json
from typing import Any, TypeAlias

from django.contrib.auth.models import AnonymousUser
from django.db import connection

from haven.accounts.models import Role, RoleGrant, Team, User

_CACHE = "_haven_policy"

# Who asks: a signed-in user, a visitor (who holds nothing), or nobody (the system).
Actor: TypeAlias = User | AnonymousUser | None
# A row read: ("g", scope, permissions as JSON, requires 2FA), ("o", office id, …), ("t", …).
GrantRow: TypeAlias = tuple[Any, ...]


class Holdings:
    """What one user may do, read once per user object (i.e. once per request)."""

    def __init__(self, user: Actor, rows: list[GrantRow] | None = None):
        self.by_perm: dict[str, set[str]] = {}
        self.two_factor_required = False
        self.office_ids: frozenset[int] = frozenset()
        self.team_ids: frozenset[int] = frozenset()
        if isinstance(user, User) and user.is_active:  # a visitor or the system holds nothing
            self._load(rows if rows is not None else _read_grant_rows(user.pk))

    def _load(self, rows: list[GrantRow]) -> None:
        offices: list[int] = []
        teams: list[int] = []
        for kind, value, permissions, requires_two_factor in rows:
            if kind == "g":
                self.two_factor_required |= bool(requires_two_factor)
                for perm in json.loads(permissions):
                    self.by_perm.setdefault(perm, set()).add(value)
            elif kind == "o":
                offices.append(int(value))
            else:
                teams.append(int(value))
        self.office_ids, self.team_ids = frozenset(offices), frozenset(teams)


def _read_grant_rows(user_id: int) -> list[GrantRow]:
    # Every request needs this, so it is one plain statement, not three ORM queries.
    with connection.cursor() as cursor:
        cursor.execute(_GRANTS_SQL, [user_id] * 3)
        return [tuple(row) for row in cursor.fetchall()]


def remember(user: User, rows: list[GrantRow]) -> None:
    """Keep the grants already read with the user (by whoever read the user: one round
    trip for both), so the policy does not read them again."""
    setattr(user, _CACHE, Holdings(user, rows))


def grants_sql(user: str = "%s") -> str:
    """The statement that reads the grants, offices and teams (rows for `remember`) of the
    user that the SQL expression `user` names three times (a parameter by default)."""
    grant, role = RoleGrant._meta.db_table, Role._meta.db_table
    offices = User.offices.through._meta.db_table
    teams = Team.members.through._meta.db_table
    return (
        f"SELECT 'g', g.scope, CAST(r.permissions AS TEXT), r.requires_two_factor "  # noqa: S608
        f"FROM {grant} g JOIN {role} r ON r.id = g.role_id WHERE g.user_id = {user} "
        f"UNION ALL SELECT 'o', CAST(office_id AS TEXT), NULL, NULL FROM {offices} "
        f"WHERE user_id = {user} "
        f"UNION ALL SELECT 't', CAST(team_id AS TEXT), NULL, NULL FROM {teams} "
        f"WHERE user_id = {user}"
    )


_GRANTS_SQL = grants_sql()


def holdings(user: Actor) -> Holdings:
    cached = getattr(user, _CACHE, None)
    if cached is None:
        cached = Holdings(user)
        if user is not None:
            setattr(user, _CACHE, cached)
    return cached


def forget(user: Actor) -> None:
    """Drop the cached grants (after a role change)."""
    if hasattr(user, _CACHE):
        delattr(user, _CACHE)

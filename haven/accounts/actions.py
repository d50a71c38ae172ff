"""Every write to agencies, offices, teams, users, roles and role grants."""

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from haven.accounts import held, policy
from haven.accounts.models import Agency, Office, Role, RoleGrant, Team, User
from haven.accounts.permissions import PERMISSIONS, SCOPES
from haven.audit.actions import audited, record_event
from haven.core.errors import NotAllowed

# Permissions only a system administrator may hand out.
SYSTEM_ONLY = {"system.manage"}


def _require_manage(actor, agency_id) -> None:
    if not policy.may_manage_agency(actor, agency_id):
        raise NotAllowed(_("You may not manage this agency."))


def _require_manage_user(actor, user: User) -> None:
    if not policy.may_manage_user(actor, user):
        raise NotAllowed(_("You may not manage this user."))


def _require_system(actor) -> None:
    if not policy.has_perm(actor, "system.manage"):
        raise NotAllowed(_("Only a system administrator may do this."))


@audited
def create_agency(actor, *, code: str, name: str) -> Agency:
    _require_system(actor)
    agency = Agency(code=code.strip().lower(), name=name.strip())
    agency.full_clean()
    agency.save()
    record_event(
        actor, "agency.create", obj=agency, agency_id=agency.pk, details={"code": agency.code}
    )
    return agency


@audited
def create_office(actor, agency: Agency, *, name: str, location=None) -> Office:
    _require_manage(actor, agency.pk)
    office = Office(agency=agency, name=name.strip(), location=location)
    office.full_clean()
    office.save()
    record_event(actor, "office.create", obj=office, details={"name": office.name})
    return office


@audited
def save_team(actor, agency: Agency, *, name: str, office=None, members=(), team=None) -> Team:
    _require_manage(actor, agency.pk)
    outsiders = [m.username for m in members if m.agency_id != agency.pk]
    if outsiders:
        raise ValidationError(
            {"members": _("Not users of this agency: %(u)s") % {"u": ", ".join(outsiders)}}
        )
    created = team is None
    team = team or Team(agency=agency)
    team.name, team.office = name.strip(), office
    team.full_clean()
    team.save()
    team.members.set(members)
    record_event(
        actor,
        "team.create" if created else "team.update",
        obj=team,
        details={"name": team.name, "members": sorted(m.pk for m in members)},
    )
    return team


@audited
def create_user(
    actor, agency: Agency, *, username, first_name="", last_name="", email="", offices=(), password
) -> User:
    _require_manage(actor, agency.pk)
    if User.objects.filter(username__iexact=username).exists():
        raise ValidationError({"username": _("This username is taken.")})
    if any(o.agency_id != agency.pk for o in offices):
        raise ValidationError({"offices": _("Choose offices of this agency.")})
    user = User(
        username=username, first_name=first_name, last_name=last_name, email=email, agency=agency
    )
    validate_password(password, user)
    user.set_password(password)
    user.full_clean(exclude=["password"])
    user.save()
    user.offices.set(offices)
    record_event(
        actor, "user.create", obj=user, agency_id=agency.pk, details={"username": username}
    )
    return user


@audited
def set_active(actor, user: User, active: bool) -> User:
    _require_manage_user(actor, user)
    if user.pk == actor.pk and not active:
        raise ValidationError(_("You cannot deactivate your own account."))
    if user.is_active != active:
        user.is_active = active
        user.save(update_fields=["is_active"])
        if not active:
            revoke_tokens(actor, [user], "user.deactivate")
        record_event(
            actor,
            "user.activate" if active else "user.deactivate",
            obj=user,
            agency_id=user.agency_id,
        )
    return user


@audited
def set_offices(actor, user: User, offices) -> User:
    _require_manage_user(actor, user)
    if any(o.agency_id != user.agency_id for o in offices):
        raise ValidationError({"offices": _("Choose offices of the user's agency.")})
    user.offices.set(offices)
    record_event(
        actor,
        "user.offices",
        obj=user,
        agency_id=user.agency_id,
        details={"offices": sorted(o.pk for o in offices)},
    )
    return user


@audited
def grant_role(actor, user: User, role: Role, scope: str) -> RoleGrant:
    """Give a role over a scope. Only system administrators give system rights or 'all'."""
    _require_manage_user(actor, user)
    if scope not in SCOPES:
        raise ValidationError({"scope": _("Choose one of: %(s)s") % {"s": ", ".join(SCOPES)}})
    system_grant = scope == "all" or SYSTEM_ONLY & set(role.permissions)
    if system_grant and not policy.has_perm(actor, "system.manage"):
        raise NotAllowed(_("Only a system administrator may grant this role or scope."))
    if user.agency_id is None and scope != "all":
        raise ValidationError(
            {"scope": _("A user without an agency can only hold the 'all' scope.")}
        )
    grant, created = RoleGrant.objects.update_or_create(
        user=user, role=role, defaults={"scope": scope}
    )
    held.forget(user)
    revoke_tokens(actor, [user], "role.grant")
    record_event(
        actor,
        "role.grant",
        obj=user,
        agency_id=user.agency_id,
        details={"role": role.code, "scope": scope, "new": created},
    )
    return grant


@audited
def revoke_role(actor, grant: RoleGrant) -> None:
    user = grant.user
    _require_manage_user(actor, user)
    if SYSTEM_ONLY & set(grant.role.permissions) and not policy.has_perm(actor, "system.manage"):
        raise NotAllowed(_("Only a system administrator may revoke this role."))
    if user.pk == actor.pk and {"agency.manage", "system.manage"} & set(grant.role.permissions):
        raise ValidationError(_("You cannot remove your own administration rights."))
    record_event(
        actor, "role.revoke", obj=user, agency_id=user.agency_id, details={"role": grant.role.code}
    )
    grant.delete()
    held.forget(user)
    revoke_tokens(actor, [user], "role.revoke")


@audited
def save_role(
    actor, *, code: str, name: str, permissions: list[str], two_factor: bool, role=None
) -> Role:
    _require_system(actor)
    if role is not None and role.builtin:
        raise ValidationError(_("Built-in roles cannot be changed; create a new role instead."))
    unknown = sorted(set(permissions) - set(PERMISSIONS))
    if unknown:
        raise ValidationError(
            {"permissions": _("Unknown permissions: %(codes)s") % {"codes": ", ".join(unknown)}}
        )
    created = role is None
    role = role or Role()
    role.code, role.name = code, name
    role.permissions, role.requires_two_factor = sorted(permissions), two_factor
    role.full_clean()
    role.save()
    if not created:
        # What the role's holders may do changed: their tokens were given for the old rights.
        revoke_tokens(actor, User.objects.filter(grants__role=role).distinct(), "role.update")
    record_event(
        actor,
        "role.create" if created else "role.update",
        obj=role,
        details={"code": code, "permissions": role.permissions, "two_factor": two_factor},
    )
    return role


@audited
def unlock(actor, user: User) -> None:
    """Lift a lockout after failed logins."""
    from axes.utils import reset

    _require_manage_user(actor, user)
    reset(username=user.username)
    record_event(actor, "user.unlock", obj=user, agency_id=user.agency_id)


@audited
def set_password(actor, user: User, password: str) -> None:
    """An administrator gives a user a new password (forgotten, or the account taken
    over): checked like any password; the user's API tokens go and the lockout lifts."""
    from axes.utils import reset

    _require_manage_user(actor, user)
    if user.pk == actor.pk:
        raise ValidationError(_("Ask another administrator to reset your own password."))
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise ValidationError({"password": exc.messages}) from exc
    user.set_password(password)
    user.save(update_fields=["password"])
    reset(username=user.username)
    revoke_tokens(actor, [user], "user.password_reset")
    record_event(actor, "user.password_reset", obj=user, agency_id=user.agency_id)


@audited
def reset_two_factor(actor, user: User) -> int:
    """Remove a user's authenticator devices (a lost phone); they set up a new one at sign-in."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    _require_manage_user(actor, user)
    if user.pk == actor.pk:
        raise ValidationError(_("Ask another administrator to reset your own second factor."))
    removed, _details = TOTPDevice.objects.filter(user=user).delete()
    revoke_tokens(actor, [user], "user.two_factor_reset")
    record_event(actor, "user.two_factor_reset", obj=user, agency_id=user.agency_id)
    return removed


# ---- API tokens ---------------------------------------------------------------------------


@audited
def issue_token(actor, user: User):
    """A new API token for `user` (any earlier one is replaced). A user whose roles require
    two-factor gets one only once their authenticator app is set up: the token alone then
    stands for both factors, so it is given to someone who has shown both."""
    from rest_framework.authtoken.models import Token

    from haven.accounts.authentication import two_factor_satisfied

    if actor is not None and actor.pk != user.pk:
        _require_manage_user(actor, user)
    if not user.is_active:
        raise ValidationError(_("This account is deactivated: activate it first."))
    if not two_factor_satisfied(user):
        raise ValidationError(
            _(
                "%(user)s holds a role that requires two-factor authentication and has not "
                "set it up: they sign in on the web and add an authenticator app first."
            )
            % {"user": user.username}
        )
    Token.objects.filter(user=user).delete()
    token = Token.objects.create(user=user)
    record_event(actor, "token.issue", obj=user, agency_id=user.agency_id)
    return token


def revoke_tokens(actor, users, reason: str) -> int:
    """Remove the API tokens of `users` (after a change to what they may do), audited."""
    from rest_framework.authtoken.models import Token

    removed = 0
    for user in users:
        count, _details = Token.objects.filter(user=user).delete()
        if count:
            removed += count
            record_event(
                actor,
                "token.revoke",
                obj=user,
                agency_id=user.agency_id,
                details={"reason": reason},
            )
    return removed


@audited
def create_first_administrator(*, username: str, password: str) -> User:
    """The system administrator of a new installation: only while no user exists (later
    administrators are made by an administrator, on the Administration pages)."""
    if User.objects.exists():
        raise ValidationError(
            _("Haven already has users: an administrator adds new ones under Administration.")
        )
    user = User(username=username)
    validate_password(password, user)
    user.set_password(password)
    user.full_clean(exclude=["password"])
    user.save()
    RoleGrant.objects.create(user=user, role=Role.objects.get(code="system_admin"), scope="all")
    record_event(None, "user.create", obj=user, details={"username": username, "first": True})
    return user

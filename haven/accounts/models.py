from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from haven.accounts.permissions import PERMISSIONS, SCOPE_LABELS
from haven.core.models import TimeStamped


class Agency(TimeStamped):
    code = models.SlugField(_("code"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=200, unique=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = _("agencies")

    def __str__(self) -> str:
        return self.name


class Office(TimeStamped):
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="offices")
    name = models.CharField(_("name"), max_length=200)
    location = models.ForeignKey(
        "core.Location", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["agency__name", "name"]
        constraints = [
            models.UniqueConstraint(fields=["agency", "name"], name="office_name_unique_in_agency")
        ]

    def __str__(self) -> str:
        return self.name


class User(AbstractUser):
    agency = models.ForeignKey(
        Agency, null=True, blank=True, on_delete=models.PROTECT, related_name="users"
    )
    offices = models.ManyToManyField(Office, blank=True, related_name="users")
    preferred_language = models.CharField(_("language"), max_length=8, blank=True)

    class Meta:
        ordering = ["username"]

    def display_name(self) -> str:
        return self.get_full_name() or self.username


class Team(TimeStamped):
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="teams")
    office = models.ForeignKey(
        Office, null=True, blank=True, on_delete=models.PROTECT, related_name="teams"
    )
    name = models.CharField(_("name"), max_length=200)
    members = models.ManyToManyField(User, blank=True, related_name="teams")

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["agency", "name"], name="team_name_unique_in_agency")
        ]

    def __str__(self) -> str:
        return self.name


class Role(TimeStamped):
    """A named set of permissions (codes from haven.accounts.permissions.PERMISSIONS)."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=100)
    permissions = models.JSONField(_("permissions"), default=list)
    requires_two_factor = models.BooleanField(_("two-factor required"), default=False)
    builtin = models.BooleanField(default=False, editable=False)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def clean(self):
        unknown = sorted(set(self.permissions) - set(PERMISSIONS))
        if unknown:
            raise ValidationError(
                {"permissions": _("Unknown permissions: %(codes)s") % {"codes": ", ".join(unknown)}}
            )


class RoleGrant(TimeStamped):
    """A role held by a user over a scope relative to the user's own agency, offices, teams."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="grants")
    role = models.ForeignKey(Role, on_delete=models.PROTECT, related_name="grants")
    scope = models.CharField(_("scope"), max_length=10, choices=list(SCOPE_LABELS.items()))

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "role"], name="one_grant_per_role_and_user")
        ]

    def __str__(self) -> str:
        return f"{self.user} – {self.role} ({self.scope})"

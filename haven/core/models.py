from django.db import models
from django.utils.translation import gettext_lazy as _


class TimeStamped(models.Model):
    created_at = models.DateTimeField(auto_now_add=True, editable=False)
    updated_at = models.DateTimeField(auto_now=True, editable=False)

    class Meta:
        abstract = True


class Location(models.Model):
    """A place in the administrative hierarchy: country (level 0), admin1, admin2, …"""

    code = models.CharField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=200)
    level = models.PositiveSmallIntegerField(_("level"))
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    country_code = models.CharField(_("country"), max_length=2)

    class Meta:
        ordering = ["country_code", "level", "name"]
        indexes = [models.Index(fields=["country_code", "level"])]

    def __str__(self) -> str:
        return self.name

"""Append-only, hash-chained records of every change and every view of personal data.

Each row stores the hash of its predecessor and a hash over its own content, in a chain
numbered 1, 2, 3, … per table. The application never updates or deletes them; on PostgreSQL
a trigger refuses UPDATE and DELETE as well (migration 0002).
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AppendOnlyError(Exception):
    pass


class AppendOnlyQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnlyError("Audit records cannot be changed.")

    def delete(self):
        raise AppendOnlyError("Audit records cannot be deleted.")


class ChainedRecord(models.Model):
    seq = models.BigIntegerField(unique=True, editable=False)
    created_at = models.DateTimeField(editable=False, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    actor_username = models.CharField(max_length=150, blank=True)
    agency_id = models.BigIntegerField(null=True, db_index=True)
    object_type = models.CharField(max_length=40, blank=True)
    object_id = models.CharField(max_length=40, blank=True)
    ip = models.CharField(max_length=45, blank=True)
    channel = models.CharField(max_length=10, default="system")
    # The enrolled device the change or view came from (field work offline), if any.
    device_id = models.BigIntegerField(null=True, blank=True)
    prev_hash = models.CharField(max_length=64, editable=False)
    hash = models.CharField(max_length=64, editable=False)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True
        ordering = ["-seq"]

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise AppendOnlyError("Audit records cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("Audit records cannot be deleted.")


class AuditEvent(ChainedRecord):
    action = models.CharField(_("action"), max_length=60, db_index=True)
    details = models.JSONField(_("details"), default=dict)

    class Meta(ChainedRecord.Meta):
        indexes = [models.Index(fields=["object_type", "object_id"])]

    def __str__(self) -> str:
        return f"#{self.seq} {self.action} {self.object_type}:{self.object_id}"


class AccessLog(ChainedRecord):
    """One view of a person's or a case's personal data."""

    view = models.CharField(_("what was viewed"), max_length=60)
    # When a view made offline on a device happened (the record itself is written at sync).
    occurred_at = models.DateTimeField(null=True, blank=True)

    class Meta(ChainedRecord.Meta):
        indexes = [models.Index(fields=["object_type", "object_id"])]

    def __str__(self) -> str:
        return f"#{self.seq} {self.view} {self.object_type}:{self.object_id}"


class ChainHead(models.Model):
    """The last link of each chain: locked while appending, compared when verifying."""

    name = models.CharField(max_length=40, primary_key=True)
    seq = models.BigIntegerField(default=0)
    hash = models.CharField(max_length=64, default="0" * 64)
    # The first record linked with the keyed MAC (earlier ones: plain SHA-256). Written to
    # every anchor outside the database, which `audit verify` holds it against.
    keyed_from = models.BigIntegerField(default=1)

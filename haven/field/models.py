"""Devices enrolled for work offline, the cases each holds, the operations they send back,
and the conflicts those operations leave for a person to resolve."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from haven.core.fields import EncryptedBinaryField, EncryptedJSONField, EncryptedTextField


class Device(models.Model):
    """A browser a user enrolled for work offline. The device proves itself with a secret
    only it holds (the server keeps its digest); the server also keeps the device's
    recovery key, which unlocks the device's data after an online sign-in when its
    passphrase is forgotten (the device alone, or the server alone, can read nothing)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="devices"
    )
    name = models.CharField(_("device name"), max_length=100)
    secret_digest = models.CharField(max_length=64, editable=False)
    recovery_key = EncryptedTextField(editable=False)
    user_agent = models.CharField(max_length=200, blank=True)
    enrolled_at = models.DateTimeField(auto_now_add=True)
    last_contact_at = models.DateTimeField(null=True, blank=True)
    last_sync_at = models.DateTimeField(null=True, blank=True)
    held_cases = models.PositiveIntegerField(default=0)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    revoke_reason = models.CharField(_("reason"), max_length=300, blank=True)
    # When the device was last told to wipe its data (revoked, user deactivated, role changed).
    wipe_sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-enrolled_at", "-id"]

    def __str__(self) -> str:
        return self.name


class HeldCase(models.Model):
    """A case the server sent to a device and has not yet told it to remove."""

    device = models.ForeignKey(Device, on_delete=models.CASCADE, related_name="holdings")
    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="+")
    sent_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["device", "case"], name="held_case_once_per_device")
        ]


class OperationStatus(models.TextChoices):
    APPLIED = "applied", _("Applied")
    CONFLICT = "conflict", _("Conflict")
    REFUSED = "refused", _("Refused")
    WAITING = "waiting", _("Waiting")


class Operation(models.Model):
    """One change made offline, as the device sent it: its id makes a second sending a
    no-op, its digest tells a replay with other content from an honest retry."""

    device = models.ForeignKey(Device, on_delete=models.CASCADE, related_name="operations")
    op_id = models.UUIDField()
    kind = models.CharField(max_length=30)
    digest = models.CharField(max_length=64)
    # A registration's local reference ("local:…"), by which later operations name its case.
    ref = models.CharField(max_length=64, blank=True, db_index=True)
    status = models.CharField(max_length=10, choices=OperationStatus.choices)
    reason = models.CharField(max_length=500, blank=True)
    case = models.ForeignKey(
        "cases.Case", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    result = models.JSONField(default=dict)
    made_at = models.DateTimeField(null=True, blank=True)
    received_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-received_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["device", "op_id"], name="operation_once_per_device")
        ]


class Conflict(models.Model):
    """A field changed offline that someone else changed since the device's copy: both
    values kept until the case owner or a supervisor chooses."""

    class State(models.TextChoices):
        OPEN = "open", _("To resolve")
        RESOLVED = "resolved", _("Resolved")

    class Choice(models.TextChoices):
        SERVER = "server", _("Keep the value saved on the server")
        DEVICE = "device", _("Use the value made offline")

    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="+")
    operation = models.ForeignKey(Operation, on_delete=models.CASCADE, related_name="conflicts")
    record = models.CharField(max_length=10)  # "case" or "person"
    field = models.CharField(max_length=40)
    # Values may be names or summaries: encrypted, each wrapped as {"v": value}.
    base_value = EncryptedJSONField()
    device_value = EncryptedJSONField()
    server_value = EncryptedJSONField()
    state = models.CharField(max_length=10, choices=State.choices, default=State.OPEN)
    chosen = models.CharField(max_length=10, choices=Choice.choices, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    resolved_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]


class OfflinePick(models.Model):
    """A case in the user's scope they chose to take offline besides their own (a
    colleague's case they will visit): it joins their devices' slice while it stays in
    scope and open."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="offline_picks"
    )
    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="+")
    picked_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-picked_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["user", "case"], name="offline_pick_once_per_user")
        ]


class DeviceFile(models.Model):
    """A file a device sent ahead of the operation that names it (a photo answering an
    assessment filled offline): kept encrypted until that operation arrives, then handed to
    the record it belongs to and removed; never kept long unclaimed."""

    device = models.ForeignKey(Device, on_delete=models.CASCADE, related_name="files")
    file_id = models.UUIDField()
    data = EncryptedBinaryField(editable=False)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    received_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["received_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["device", "file_id"], name="device_file_once")
        ]

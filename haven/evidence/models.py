"""The register of releases and exports: every one, who asked for it and why, with what
parameters, what came out (its report, rows and checksum), and until when it can be had."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from haven.core.fields import EncryptedTextField


class ReleaseStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Ready")
    FAILED = "failed", _("Failed")
    CANCELLED = "cancelled", _("Cancelled")


class ReleaseKind(models.TextChoices):
    DEIDENTIFIED = "deidentified", _("De-identified cases (k-anonymous)")
    CTDC = "ctdc", _("Counter-trafficking, CTDC style (k-anonymous)")
    CASE_LIST = "case_list", _("Case list (identified)")
    HTCDS = "htcds", _("Counter-trafficking cases, HTCDS fields (identified)")
    INDICATORS = "indicators", _("Indicators (tables of counts)")


# Exports that name people: a password-protected archive, downloaded by the one who asked.
IDENTIFIED = (ReleaseKind.CASE_LIST, ReleaseKind.HTCDS)


class FileFormat(models.TextChoices):
    CSV = "csv", "CSV"
    XLSX = "xlsx", "XLSX"
    JSON = "json", "JSON"
    HXL = "hxl", "HXL"


class Release(models.Model):
    agency = models.ForeignKey("accounts.Agency", on_delete=models.PROTECT, related_name="+")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(
        max_length=15, choices=ReleaseKind.choices, default=ReleaseKind.DEIDENTIFIED
    )
    purpose = models.CharField(_("purpose"), max_length=500)
    # The parameters, enough to make the same release again.
    fields = models.JSONField(default=list)
    filters = models.JSONField(default=dict, blank=True)
    file_format = models.CharField(max_length=4, choices=FileFormat.choices, default="csv")
    k = models.PositiveSmallIntegerField(null=True, blank=True)
    suppression_limit = models.FloatField(null=True, blank=True)
    # Optional ℓ-diversity of a sensitive attribute (released as it is).
    sensitive = models.CharField(max_length=30, blank=True)
    l_diversity = models.PositiveSmallIntegerField(null=True, blank=True)
    seed = models.PositiveIntegerField()
    status = models.CharField(max_length=10, choices=ReleaseStatus.choices, default="queued")
    progress = models.PositiveSmallIntegerField(default=0)
    stage = models.CharField(max_length=100, blank=True)
    report = models.JSONField(default=dict)
    rows = models.PositiveIntegerField(default=0)
    checksum = models.CharField(max_length=64, blank=True)
    error = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    # The archive's password, encrypted, only until the job has used it.
    archive_key = EncryptedTextField(blank=True, editable=False)

    # The kinds the access policy tells apart (it reads them here: it imports no model of
    # the apps above it).
    IDENTIFIED_KINDS = IDENTIFIED
    INDICATORS_KIND = ReleaseKind.INDICATORS

    class Meta:
        ordering = ["-created_at", "-id"]

    @property
    def identified(self) -> bool:
        return self.kind in IDENTIFIED

    @property
    def file_name(self) -> str:
        if self.identified:
            return f"export-{self.pk}.zip"
        if self.kind == ReleaseKind.INDICATORS:
            from haven.core.table_exports import EXTENSIONS

            return f"indicators-{self.pk}.{EXTENSIONS[self.file_format]}"
        return f"release-{self.pk}.csv"

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from haven.core.fields import EncryptedBinaryField, EncryptedJSONField
from haven.core.models import TimeStamped
from haven.scoring.xlsform import Form


class AssessmentDefinition(TimeStamped):
    """One published version of an assessment form, exactly as uploaded, and as read.

    Versions are never edited: a changed form is a new version, so every response keeps the
    definition it was filled with. Forms shipped with Haven belong to no agency.
    """

    agency = models.ForeignKey(
        "accounts.Agency",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="assessment_definitions",
    )
    form_id = models.CharField(_("form id"), max_length=100)
    version = models.PositiveIntegerField(_("version"))
    form_version = models.CharField(_("version in the form"), max_length=60, blank=True)
    title = models.CharField(_("title"), max_length=250)
    source = models.BinaryField(_("XLSForm file"))
    source_name = models.CharField(_("file name"), max_length=250)
    source_sha256 = models.CharField(max_length=64)
    form = models.JSONField(_("form as read"))
    # The XForm pyxform makes from `source`: what ODK Web Forms fills, online and offline.
    xform = models.TextField(_("XForm"), blank=True, default="")
    # The CSV files of choices uploaded beside the form ({file name: text}), which its
    # `select_one_from_file` questions read, here and in the form engine.
    media = models.JSONField(_("files beside the form"), default=dict, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    retired = models.BooleanField(_("retired"), default=False)

    class Meta:
        ordering = ["form_id", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["agency", "form_id", "version"],
                condition=Q(agency__isnull=False),
                name="definition_version_unique_in_agency",
            ),
            models.UniqueConstraint(
                fields=["form_id", "version"],
                condition=Q(agency__isnull=True),
                name="shipped_definition_version_unique",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} (v{self.version})"

    @property
    def shipped(self) -> bool:
        return self.agency_id is None

    def parsed(self) -> Form:
        cached = getattr(self, "_parsed", None)
        if cached is None:
            cached = self._parsed = Form.from_dict(self.form)
        return cached


class AssessmentStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")


class Assessment(TimeStamped):
    """A response to one definition version for one case, with the scores it gave."""

    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="assessments")
    definition = models.ForeignKey(
        AssessmentDefinition, on_delete=models.PROTECT, related_name="responses"
    )
    status = models.CharField(
        _("status"), max_length=12, choices=AssessmentStatus.choices, default=AssessmentStatus.DRAFT
    )
    # Answers hold names, phones, what happened to the person: encrypted like every other
    # personal field (rotated with the keys by `haven rotate-keys`).
    answers = EncryptedJSONField(_("answers"), default=dict, blank=True)
    scores = models.JSONField(_("scores"), default=dict)
    # The version whose scoring gave `scores`: the definition itself, or a later version
    # when someone recomputed the scores on purpose.
    scored_with = models.ForeignKey(
        AssessmentDefinition, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    # A round planned ahead (e.g. the sustainability survey 3, 6 and 12 months after
    # return): a draft with a due date, a task of the case until it is submitted.
    due_on = models.DateField(_("due"), null=True, blank=True)
    version = models.PositiveIntegerField(default=1)
    # A response imported from KoboToolbox or ODK keeps its instance id: a second import of
    # the same export finds it and creates nothing.
    instance_id = models.CharField(_("instance id"), max_length=100, blank=True, default="")

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["case", "definition"], name="assessment_case_definition"),
            # Rounds still to do, by due date: the dashboards' overdue lists.
            models.Index(
                fields=["due_on"],
                condition=models.Q(status="draft", due_on__isnull=False),
                name="assessment_draft_due",
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["instance_id"],
                condition=~models.Q(instance_id=""),
                name="assessment_instance_once",
            )
        ]

    def __str__(self) -> str:
        return f"{self.definition.title} — {self.case.number}"

    @property
    def is_overdue(self) -> bool:
        return (
            self.status == AssessmentStatus.DRAFT
            and self.due_on is not None
            and self.due_on < timezone.localdate()
        )


class Attachment(models.Model):
    """A photo, a recording or a document answering an image, audio or file question: its
    bytes encrypted (rotated with the keys), its type read from them, named as the answer
    names it."""

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="attachments")
    question = models.CharField(_("question"), max_length=200)
    name = models.CharField(_("file name"), max_length=120)
    content_type = models.CharField(_("type"), max_length=100)
    size = models.PositiveIntegerField(_("size"))
    sha256 = models.CharField(max_length=64)
    data = EncryptedBinaryField(editable=False)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("uploaded"), auto_now_add=True)

    class Meta:
        ordering = ["assessment_id", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["assessment", "name"], name="assessment_attachment_name_once"
            )
        ]

    def __str__(self) -> str:
        return self.name

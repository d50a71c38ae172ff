"""Data subjects' requests: what a person asked, how their identity was checked, by when it
is due, and the officer's decisions on what their answer withholds."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from haven.core import validators
from haven.core.fields import EncryptedTextField


class RequestKind(models.TextChoices):
    ACCESS = "access", _("Access: a copy of what is held")
    RECTIFICATION = "rectification", _("Correction of what is wrong")
    ERASURE = "erasure", _("Erasure")


class RequestChannel(models.TextChoices):
    IN_PERSON = "in_person", _("In person")
    LETTER = "letter", _("Letter")
    EMAIL = "email", _("Email")
    PHONE = "phone", _("Phone")
    REPRESENTATIVE = "representative", _("Through a representative")


class RequestStatus(models.TextChoices):
    OPEN = "open", _("Open")
    ANSWERED = "answered", _("Answered")


class Decision(models.TextChoices):
    ACCEPTED = "accepted", _("Accepted: corrected as asked")
    PARTLY = "partly", _("Partly accepted")
    REFUSED = "refused", _("Refused")


class AnswerLanguage(models.TextChoices):
    EN = "en", "English"
    FR = "fr", "Français"
    ES = "es", "Español"
    AR = "ar", "العربية"


class SubjectRequest(models.Model):
    agency = models.ForeignKey("accounts.Agency", on_delete=models.PROTECT, related_name="+")
    person = models.ForeignKey(
        "people.Person", on_delete=models.PROTECT, related_name="subject_requests"
    )
    kind = models.CharField(_("request"), max_length=15, choices=RequestKind.choices)
    received_on = models.DateField(_("received on"), validators=[validators.not_in_future])
    channel = models.CharField(_("received by"), max_length=15, choices=RequestChannel.choices)
    identity_checked = models.CharField(
        _("how the person's identity was checked"),
        max_length=300,
        help_text=_("For example: passport seen, answers only the person knows, caseworker known."),
    )
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("identity checked by"),
    )
    details = EncryptedTextField(_("what the person asks"), blank=True, max_length=2000)
    language = models.CharField(
        _("language of the answer"),
        max_length=2,
        choices=AnswerLanguage.choices,
        default=AnswerLanguage.EN,
    )
    due_on = models.DateField(_("due on"))
    status = models.CharField(
        _("status"), max_length=10, choices=RequestStatus.choices, default=RequestStatus.OPEN
    )
    answered_on = models.DateField(_("answered on"), null=True, blank=True)
    # A correction's outcome: what was decided and why (the changes go through the normal
    # edit pages, each in the audit trail).
    decision = models.CharField(_("decision"), max_length=10, choices=Decision.choices, blank=True)
    decision_reason = EncryptedTextField(_("why"), blank=True, max_length=1000)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        ordering = ["due_on", "id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.received_on:%Y-%m-%d}"


class Withholding(models.Model):
    """An officer's decision on one item of an answer: withheld, or released although a rule
    withholds it; always with the reason."""

    request = models.ForeignKey(
        SubjectRequest, on_delete=models.CASCADE, related_name="withholdings"
    )
    record = models.CharField(max_length=60)  # "cases.Note:12"
    field = models.CharField(max_length=60, blank=True)  # blank: the whole record
    withhold = models.BooleanField()
    reason = models.CharField(_("reason"), max_length=500)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["request", "record", "field"], name="one_decision_per_item"
            )
        ]


class HoldKind(models.TextChoices):
    PROCEEDINGS = "proceedings", _("Legal proceedings")
    INVESTIGATION = "investigation", _("Investigation")
    OBLIGATION = "obligation", _("A legal obligation to keep the record")


class LegalHold(models.Model):
    """While a hold stands, nothing about the person is erased or anonymised."""

    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("kind of hold"), max_length=15, choices=HoldKind.choices)
    reason = models.CharField(_("reason"), max_length=500)
    placed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    placed_at = models.DateTimeField(_("placed at"), auto_now_add=True)
    lifted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    lifted_at = models.DateTimeField(_("lifted at"), null=True, blank=True)
    lift_reason = models.CharField(_("why it was lifted"), max_length=500, blank=True)

    class Meta:
        ordering = ["-placed_at", "-id"]


class Erasure(models.Model):
    """A person's identifying data erased: by whom, when, why, and how many records of
    each kind were deleted or had their text removed (no value kept)."""

    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="+")
    request = models.ForeignKey(
        SubjectRequest, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reason = models.CharField(_("reason"), max_length=500)
    erased_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    erased_at = models.DateTimeField(_("erased at"), auto_now_add=True)
    counts = models.JSONField(default=dict)


class RetentionKind(models.TextChoices):
    PERSONS = "persons", _("Anonymise persons after their last case closed")
    FEEDBACK_CONTACTS = "feedback_contacts", _("Delete feedback contact details after the answer")
    IDENTIFIED_EXPORTS = "identified_exports", _("Delete identified export archives")
    DEVICE_FILES = "device_files", _("Delete files devices sent that no change claimed")


class RetentionRule(models.Model):
    """How long an agency keeps a kind of record. A new rule applies only after an officer
    approved its first run, seen as a dry run."""

    agency = models.ForeignKey("accounts.Agency", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("what is removed"), max_length=20, choices=RetentionKind.choices)
    programme = models.CharField(
        _("programme"),
        max_length=30,
        blank=True,
        help_text=_("Empty: every programme."),
    )
    after_days = models.PositiveIntegerField(_("after (days)"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["kind", "programme", "id"]


class RetentionRun(models.Model):
    """One application (or dry run) of a rule: counts only, never names."""

    rule = models.ForeignKey(RetentionRule, on_delete=models.CASCADE, related_name="runs")
    dry_run = models.BooleanField()
    counts = models.JSONField(default=dict)
    ran_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    ran_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-ran_at", "-id"]

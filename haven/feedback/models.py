"""Feedback, complaints and misconduct reports from migrants and communities.

The person who wrote is known to staff only by what they chose to give; to themselves by a
tracking code, of which Haven keeps only a digest. Allegations against staff (sexual
exploitation and abuse, other misconduct) are seen by the PSEA focal points alone.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from haven.accounts.policy import MISCONDUCT_CATEGORIES  # the Category values below
from haven.core.fields import EncryptedTextField
from haven.core.text_limits import LONG_TEXT, SHORT_TEXT


class Category(models.TextChoices):
    FEEDBACK = "feedback", _("Feedback or suggestion")
    INFORMATION = "information", _("Request for information or help")
    SERVICE_COMPLAINT = "service_complaint", _("Complaint about a service")
    MISCONDUCT = "misconduct", _("Sexual exploitation or abuse, or other misconduct by staff")
    RIGHTS_VIOLATION = "rights_violation", _("Report of a rights violation")


# Categories handled by the PSEA focal points only: MISCONDUCT_CATEGORIES, named by the access
# policy (tests/test_layers.py checks they are values of Category).


class Channel(models.TextChoices):
    WEB = "web", _("Public web form")
    HOTLINE = "hotline", _("Hotline")
    IN_PERSON = "in_person", _("In person")
    SMS = "sms", _("SMS")
    EMAIL = "email", _("Email")
    SUGGESTION_BOX = "suggestion_box", _("Suggestion box")
    COMMUNITY_MEETING = "community_meeting", _("Community meeting")


# The channels staff record for someone; the web form records itself.
STAFF_CHANNELS = [choice for choice in Channel.choices if choice[0] != Channel.WEB]


class Status(models.TextChoices):
    RECEIVED = "received", _("Received")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged")
    IN_PROGRESS = "in_progress", _("Being dealt with")
    RESOLVED = "resolved", _("Resolved")
    CLOSED = "closed", _("Closed")


class Priority(models.TextChoices):
    LOW = "low", _("Low")
    NORMAL = "normal", _("Normal")
    HIGH = "high", _("High")
    URGENT = "urgent", _("Urgent")


RATINGS = [
    (1, _("Very unhappy")),
    (2, _("Unhappy")),
    (3, _("Neither happy nor unhappy")),
    (4, _("Happy")),
    (5, _("Very happy")),
]


class Submission(models.Model):
    """One piece of feedback, request, complaint or report, from whatever channel."""

    agency = models.ForeignKey("accounts.Agency", on_delete=models.PROTECT, related_name="feedback")
    office = models.ForeignKey(
        "accounts.Office", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    category = models.CharField(_("category"), max_length=20, choices=Category.choices)
    channel = models.CharField(_("channel"), max_length=20, choices=Channel.choices)
    status = models.CharField(
        _("status"), max_length=15, choices=Status.choices, default=Status.RECEIVED
    )
    priority = models.CharField(
        _("priority"), max_length=10, choices=Priority.choices, default=Priority.NORMAL
    )
    # SHA-256 of the tracking code; the code itself is shown once and never stored.
    tracking_digest = models.CharField(max_length=64, unique=True, editable=False)
    # Digest of the form's one-time token, so a form sent twice is stored once.
    intake_token = models.CharField(max_length=64, unique=True, null=True, editable=False)
    text = EncryptedTextField(_("what happened, or what the person asks"), max_length=LONG_TEXT)
    place = EncryptedTextField(_("where it happened"), blank=True, max_length=SHORT_TEXT)
    contact_name = EncryptedTextField(_("name given"), blank=True, max_length=SHORT_TEXT)
    contact = EncryptedTextField(_("how to reach the person"), blank=True, max_length=SHORT_TEXT)
    consent_to_contact = models.BooleanField(_("may be contacted"), default=False)
    language = models.CharField(_("language"), max_length=8, blank=True)
    # The staff member an allegation names, once the PSEA focal point knows who it is:
    # that person never sees the allegation, whatever their roles.
    subject = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("staff member concerned"),
    )
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("focal point"),
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    case = models.ForeignKey(
        "cases.Case", null=True, blank=True, on_delete=models.PROTECT, related_name="feedback"
    )
    received_at = models.DateTimeField(_("received"), db_index=True)
    acknowledge_due_at = models.DateTimeField(_("to acknowledge by"))
    resolve_due_at = models.DateTimeField(_("to resolve by"))
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    escalation_level = models.PositiveSmallIntegerField(_("escalation level"), default=0)
    resolution = EncryptedTextField(_("what was done (internal)"), blank=True, max_length=LONG_TEXT)
    answer = EncryptedTextField(_("answer to the person"), blank=True, max_length=LONG_TEXT)
    satisfaction = models.PositiveSmallIntegerField(_("satisfaction (1–5)"), null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-received_at"]
        indexes = [
            models.Index(fields=["agency", "status", "category"]),
            models.Index(fields=["agency", "received_at"]),
        ]

    def __str__(self) -> str:
        return f"#{self.pk}"

    @property
    def is_misconduct(self) -> bool:
        return self.category in MISCONDUCT_CATEGORIES

    @property
    def is_open(self) -> bool:
        return self.status not in (Status.RESOLVED, Status.CLOSED)


class DeadlineSetting(models.Model):
    """An agency's own deadlines for one category (the defaults are in deadlines.py)."""

    agency = models.ForeignKey(
        "accounts.Agency", on_delete=models.CASCADE, related_name="feedback_deadlines"
    )
    category = models.CharField(_("category"), max_length=20, choices=Category.choices)
    acknowledge_hours = models.PositiveIntegerField(_("hours to acknowledge"))
    resolve_days = models.PositiveIntegerField(_("days to resolve"))

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["agency", "category"], name="feedback_deadline_unique_per_category"
            )
        ]


class RateBucket(models.Model):
    """Requests from one (hashed) address in one window, for the public pages' limits."""

    key = models.CharField(max_length=64)
    window_start = models.DateTimeField()
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["key", "window_start"], name="rate_bucket_unique")
        ]


class IncidentKind(models.TextChoices):
    ARBITRARY_DETENTION = "arbitrary_detention", _("Arbitrary detention")
    PUSHBACK = "pushback", _("Pushback or collective expulsion")
    VIOLENCE_BY_OFFICIALS = "violence_by_officials", _("Violence by officials")
    SEXUAL_VIOLENCE = "sexual_violence", _("Sexual violence")
    EXTORTION = "extortion", _("Extortion or robbery")
    TRAFFICKING = "trafficking", _("Trafficking or forced labour")
    DENIAL_OF_SERVICES = "denial_of_services", _("Denial of access to services or asylum")
    FAMILY_SEPARATION = "family_separation", _("Family separation")
    DEATH_OR_DISAPPEARANCE = "death_or_disappearance", _("Death or disappearance")
    OTHER = "other", _("Other violation")


class Perpetrator(models.TextChoices):
    """Who did it, as a category: incidents never name anyone."""

    POLICE = "police", _("Police")
    BORDER_OFFICIALS = "border_officials", _("Border or immigration officials")
    MILITARY = "military", _("Military")
    DETENTION_STAFF = "detention_staff", _("Detention staff")
    ARMED_GROUP = "armed_group", _("Armed group")
    SMUGGLER_OR_TRAFFICKER = "smuggler_or_trafficker", _("Smuggler or trafficker")
    EMPLOYER = "employer", _("Employer")
    HOST_COMMUNITY = "host_community", _("Member of the host community")
    OTHER_MIGRANT = "other_migrant", _("Other migrant")
    UNKNOWN = "unknown", _("Unknown")
    OTHER = "other", _("Other")


class AffectedSex(models.TextChoices):
    FEMALE = "female", _("Female")
    MALE = "male", _("Male")
    OTHER = "other", _("Other or unknown")


class AgeBand(models.TextChoices):
    CHILD = "0_17", _("0–17")
    ADULT = "18_59", _("18–59")
    OLDER = "60_plus", _("60 and over")
    UNKNOWN = "unknown", _("Age unknown")


class Incident(models.Model):
    """One rights violation or incident, for the internal monitoring mechanism: what, when,
    where, which category of perpetrator, and how many people of each sex and age band."""

    agency = models.ForeignKey(
        "accounts.Agency", on_delete=models.PROTECT, related_name="incidents"
    )
    office = models.ForeignKey(
        "accounts.Office", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(_("type"), max_length=30, choices=IncidentKind.choices)
    occurred_on = models.DateField(_("date"))
    location = models.ForeignKey(
        "core.Location",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("place"),
    )
    perpetrator = models.CharField(
        _("perpetrator (category)"), max_length=30, choices=Perpetrator.choices
    )
    description = EncryptedTextField(
        _("what happened (no names)"), blank=True, max_length=LONG_TEXT
    )
    source = models.ForeignKey(
        Submission, null=True, blank=True, on_delete=models.PROTECT, related_name="incidents"
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-occurred_on", "-pk"]
        indexes = [models.Index(fields=["agency", "occurred_on"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.occurred_on}"

    @property
    def people_affected(self) -> int:
        return sum(row.count for row in self.affected.all())


class IncidentCount(models.Model):
    """How many people of one sex and age band an incident affected."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="affected")
    sex = models.CharField(max_length=10, choices=AffectedSex.choices)
    age_band = models.CharField(max_length=10, choices=AgeBand.choices)
    count = models.PositiveIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["incident", "sex", "age_band"], name="incident_count_unique_cell"
            )
        ]

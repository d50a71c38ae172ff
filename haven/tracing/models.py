"""Tracing requests, their potential matches and reunifications, and the blocking keys
that find them: of every person, and of every person sought."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from haven.core import validators
from haven.core.fields import EncryptedTextField
from haven.core.models import TimeStamped
from haven.core.text_limits import LONG_TEXT
from haven.people.models import BirthDatePrecision, Relationship, Sex
from haven.tracing.labels import percent


class TracingStatus(models.TextChoices):
    OPEN = "open", _("Open: looking")
    LOCATED = "located", _("Located: a match is confirmed")
    REUNIFIED = "reunified", _("Reunified")
    CLOSED = "closed", _("Closed without reunification")


# Matches are looked for, and refreshed, only while a request is in one of these.
ACTIVE_STATUSES = (TracingStatus.OPEN, TracingStatus.LOCATED)


class SeparationCause(models.TextChoices):
    JOURNEY = "journey", _("Lost on the migration journey")
    CONFLICT = "conflict", _("Conflict or violence")
    DISASTER = "disaster", _("Natural disaster")
    DETENTION = "detention", _("Arrest, detention or deportation")
    TRAFFICKING = "trafficking", _("Trafficking or abduction")
    LEFT_BEHIND = "left_behind", _("Left behind or sent ahead")
    OTHER = "other", _("Other")


class TracingRequest(TimeStamped):
    """An enquirer (the person of `case`) looking for a relative: who is sought, when and
    where they were last seen, and how they were separated."""

    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="tracing")
    relationship = models.CharField(
        _("the person sought is the enquirer's"), max_length=20, choices=Relationship.Kind.choices
    )
    given_name = models.CharField(_("given name"), max_length=120, blank=True)
    family_name = models.CharField(_("family name"), max_length=120, blank=True)
    other_names = models.CharField(_("other names and aliases"), max_length=250, blank=True)
    original_script_name = models.CharField(
        _("name in original script"), max_length=250, blank=True
    )
    sex = models.CharField(_("sex"), max_length=10, choices=Sex.choices, default=Sex.UNKNOWN)
    birth_date = models.DateField(
        _("date of birth"), null=True, blank=True, validators=[validators.not_in_future]
    )
    birth_date_precision = models.CharField(
        _("precision of the date of birth"),
        max_length=10,
        choices=BirthDatePrecision.choices,
        default=BirthDatePrecision.EXACT,
    )
    nationality = models.CharField(
        _("nationality"), max_length=2, blank=True, validators=[validators.country_code]
    )
    last_seen_location = models.ForeignKey(
        "core.Location",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("place last seen"),
    )
    last_seen_place = models.CharField(_("place last seen, in words"), max_length=250, blank=True)
    last_seen_on = models.DateField(
        _("date last seen"), null=True, blank=True, validators=[validators.not_in_future]
    )
    separation_cause = models.CharField(
        _("cause of separation"), max_length=15, choices=SeparationCause.choices
    )
    circumstances = EncryptedTextField(
        _("circumstances of separation"), blank=True, max_length=LONG_TEXT
    )
    status = models.CharField(
        _("status"), max_length=10, choices=TracingStatus.choices, default=TracingStatus.OPEN
    )
    closure_reason = models.CharField(_("reason for closing"), max_length=500, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "-created_at"])]

    def __str__(self) -> str:
        return self.sought_name() or str(_("(no name)"))

    def sought_name(self) -> str:
        name = " ".join(p for p in (self.given_name, self.family_name) if p)
        return name or self.original_script_name

    @property
    def active(self) -> bool:
        return self.status in ACTIVE_STATUSES


class TracingRequestKey(models.Model):
    """One hashed blocking key of a request's sought person: a person registered or changed
    later finds the open requests that may be looking for them."""

    request = models.ForeignKey(TracingRequest, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=24, db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["request", "key"], name="tracing_key_once_per_request")
        ]


class MatchStatus(models.TextChoices):
    PENDING = "pending", _("To review")
    CONFIRMED = "confirmed", _("Confirmed")
    REJECTED = "rejected", _("Rejected")


class PotentialMatch(models.Model):
    """A registered person who may be the one a request seeks, with the engine's reasons;
    a caseworker's decision on it also teaches the model (LinkageModel)."""

    request = models.ForeignKey(TracingRequest, on_delete=models.CASCADE, related_name="matches")
    person = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="+")
    probability = models.FloatField()
    explanation = models.JSONField(default=dict)
    # The comparison levels of the pair, which calibration learns from.
    vector = models.JSONField(default=list)
    status = models.CharField(max_length=10, choices=MatchStatus.choices, default="pending")
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.CharField(_("why"), max_length=500, blank=True)
    found_at = models.DateTimeField(auto_now_add=True)
    scored_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-probability", "id"]
        constraints = [
            models.UniqueConstraint(fields=["request", "person"], name="match_once_per_request")
        ]

    @property
    def percent(self) -> int:
        return percent(self.probability)


class BestInterests(models.TextChoices):
    IN_FAVOUR = "in_favour", _("Reunification is in the child's best interests")
    AGAINST = "against", _("Reunification is not in the child's best interests")


class CareArrangement(models.TextChoices):
    FAMILY = "family", _("With the family member sought")
    EXTENDED_FAMILY = "extended_family", _("With other members of the family")
    CONTACT_ONLY = "contact_only", _("Contact restored, living apart")


class Reunification(models.Model):
    """How a request ended in reunification; for a child, after a best-interests check."""

    request = models.OneToOneField(
        TracingRequest, on_delete=models.PROTECT, related_name="reunification"
    )
    match = models.ForeignKey(PotentialMatch, on_delete=models.PROTECT, related_name="+")
    reunified_on = models.DateField(
        _("date of reunification"), validators=[validators.not_in_future]
    )
    place = models.CharField(_("place"), max_length=250, blank=True)
    arrangement = models.CharField(_("arrangement"), max_length=20, choices=CareArrangement.choices)
    child_involved = models.BooleanField(default=False, editable=False)
    best_interests = models.CharField(
        _("best-interests determination"), max_length=10, choices=BestInterests.choices, blank=True
    )
    best_interests_on = models.DateField(
        _("date of the determination"), null=True, blank=True, validators=[validators.not_in_future]
    )
    best_interests_by = models.CharField(
        _("determined by (person or panel)"), max_length=200, blank=True
    )
    notes = EncryptedTextField(_("notes"), blank=True, max_length=LONG_TEXT)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)


class LinkageModel(models.Model):
    """The person model recalibrated from caseworkers' decisions; the latest is in use."""

    parameters = models.JSONField()
    confirmed = models.PositiveIntegerField()
    rejected = models.PositiveIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-id"]


class PersonPopulation(models.Model):
    """The person model as the last deduplication job adapted it to the persons held (u,
    u within families) and how common each name and date of birth is among them (keyed
    digests, never the values): lookups score with it, so a pair weighs there as in the
    job."""

    profile = models.JSONField()
    parameters = models.JSONField(default=dict)
    # The recalibrated model the job adapted (LinkageModel id; 0: the shipped one): once
    # another is in use, only the counts are.
    model_version = models.PositiveIntegerField(default=0)
    persons = models.PositiveIntegerField()
    # A digest made with the key in use when the profile was made: after a key rotation
    # the profile's digests no longer meet, and it is not used.
    key_check = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-id"]


class PersonMerge(models.Model):
    """Two records of one person made one: `merged` was folded into `survivor`. Everything
    moved and every value replaced is kept, so the merge can be undone."""

    survivor = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="+")
    merged = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="+")
    # The survivor's fields that took the merged record's value, and the values they had
    # (personal data: encrypted).
    taken_fields = models.JSONField(default=list)
    survivor_before = EncryptedTextField(blank=True)
    # Row ids moved from the merged record to the survivor, by kind.
    moved = models.JSONField(default=dict)
    merged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    merged_at = models.DateTimeField(auto_now_add=True)
    undone_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    undone_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-merged_at", "-id"]

    @property
    def undone(self) -> bool:
        return self.undone_at is not None


class JobStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")
    CANCELLED = "cancelled", _("Cancelled")


class DedupeJob(models.Model):
    """One run of the deduplication over all persons, with its progress."""

    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(max_length=10, choices=JobStatus.choices, default="queued")
    progress = models.PositiveSmallIntegerField(default=0)  # percent
    stage = models.CharField(max_length=100, blank=True)
    persons = models.PositiveIntegerField(default=0)
    pairs = models.PositiveIntegerField(default=0)
    error = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]


class PairStatus(models.TextChoices):
    PENDING = "pending", _("To review")
    MERGED = "merged", _("Merged")
    DISMISSED = "dismissed", _("Not the same person")


class DuplicatePair(models.Model):
    """Two persons the deduplication found likely to be one, waiting for a person to look.
    `first` is always the lower id, so a pair is stored once whatever job found it."""

    job = models.ForeignKey(DedupeJob, on_delete=models.CASCADE, related_name="found")
    first = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="+")
    second = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="+")
    probability = models.FloatField()
    explanation = models.JSONField(default=dict)
    vector = models.JSONField(default=list)
    status = models.CharField(max_length=10, choices=PairStatus.choices, default="pending")
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-probability", "id"]
        constraints = [
            models.UniqueConstraint(fields=["first", "second"], name="duplicate_pair_once"),
            models.CheckConstraint(
                condition=models.Q(first__lt=models.F("second")), name="duplicate_pair_ordered"
            ),
        ]

    @property
    def percent(self) -> int:
        return percent(self.probability)

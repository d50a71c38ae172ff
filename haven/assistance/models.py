from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from haven.core.fields import EncryptedTextField
from haven.core.models import TimeStamped
from haven.core.text_limits import LONG_TEXT, REASON
from haven.core.validators import country_code


class ServiceType(models.Model):
    """One kind of service in the taxonomy (editable by administrators)."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=120)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    # Days the receiving side has to complete a referral for this service.
    due_days = models.PositiveSmallIntegerField(_("days to complete a referral"), default=14)
    # An urgent referral is due after this many days when that is sooner.
    urgent_due_days = models.PositiveSmallIntegerField(
        _("days to complete an urgent referral"), default=2
    )
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Provider(TimeStamped):
    """An organisation that gives services: an agency in Haven, or one outside it."""

    name = models.CharField(_("name"), max_length=200)
    agency = models.OneToOneField(
        "accounts.Agency",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="provider",
        help_text=_("Set when the organisation uses Haven: referrals reach it in Haven."),
    )
    # The agency whose directory managers keep this entry (the one that added it); none:
    # shared, kept by system administrators.
    maintained_by = models.ForeignKey(
        "accounts.Agency",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("maintained by"),
    )
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    email = models.EmailField(_("email"), blank=True)
    notes = models.TextField(_("notes"), blank=True, max_length=REASON)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def uses_haven(self) -> bool:
        return self.agency_id is not None


class ServicePoint(TimeStamped):
    """Where a provider gives services, to whom, and when (service mapping)."""

    provider = models.ForeignKey(Provider, on_delete=models.CASCADE, related_name="points")
    name = models.CharField(_("name"), max_length=200)
    services = models.ManyToManyField(ServiceType, related_name="points")
    location = models.ForeignKey(
        "core.Location", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    address = models.CharField(_("address"), max_length=300, blank=True)
    languages = models.JSONField(_("languages"), default=list, blank=True)
    # Eligibility: empty means everyone.
    min_age = models.PositiveSmallIntegerField(_("minimum age"), null=True, blank=True)
    max_age = models.PositiveSmallIntegerField(_("maximum age"), null=True, blank=True)
    sexes = models.JSONField(_("sexes served"), default=list, blank=True)
    nationalities = models.JSONField(_("nationalities served"), default=list, blank=True)
    vulnerabilities = models.JSONField(_("vulnerabilities served"), default=list, blank=True)
    opening_hours = models.CharField(_("opening hours"), max_length=200, blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    capacity = models.PositiveIntegerField(_("capacity"), null=True, blank=True)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["provider__name", "name"]

    def __str__(self) -> str:
        return f"{self.provider.name} — {self.name}"


class ReferralStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")
    IN_PROGRESS = "in_progress", _("In progress")
    COMPLETED = "completed", _("Completed")
    NOT_COMPLETED = "not_completed", _("Not completed")


class Referral(TimeStamped):
    """A case referred for one service: to a team of the agency, another agency in Haven,
    or a provider outside Haven. The receiving side sees this and the shared fields only."""

    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="referrals")
    service = models.ForeignKey(ServiceType, on_delete=models.PROTECT, related_name="+")
    to_team = models.ForeignKey(
        "accounts.Team", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    to_agency = models.ForeignKey(
        "accounts.Agency",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="referrals_received",
    )
    to_point = models.ForeignKey(
        ServicePoint, null=True, blank=True, on_delete=models.PROTECT, related_name="referrals"
    )
    urgent = models.BooleanField(_("urgent"), default=False)
    reason = EncryptedTextField(_("what the person needs"), max_length=REASON)
    # The fields shared, chosen by the referring caseworker, as they were when referred.
    shared_fields = models.JSONField(_("fields shared"), default=list)
    shared = EncryptedTextField(_("shared information"), blank=True, max_length=LONG_TEXT)
    # Set when the person withdrew their consent while the referral was pending: what was
    # shared is removed then.
    unshared_on = models.DateField(_("shared information removed on"), null=True, blank=True)
    consent_override_reason = EncryptedTextField(
        _("reason for referring without consent"), blank=True
    )
    status = models.CharField(
        _("status"), max_length=15, choices=ReferralStatus.choices, default=ReferralStatus.PENDING
    )
    decline_reason = models.CharField(_("reason for declining"), max_length=500, blank=True)
    outcome = models.CharField(_("outcome"), max_length=1000, blank=True)
    due_on = models.DateField(_("due"))
    referred_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    answered_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(to_team__isnull=False, to_agency__isnull=True, to_point__isnull=True)
                    | Q(to_team__isnull=True, to_agency__isnull=False, to_point__isnull=True)
                    | Q(to_team__isnull=True, to_agency__isnull=True, to_point__isnull=False)
                ),
                name="referral_has_one_receiver",
            )
        ]
        indexes = [
            models.Index(fields=["to_agency", "status"], name="referral_agency_status"),
            models.Index(fields=["status", "due_on"], name="referral_status_due"),
        ]


class ReminderKind(models.TextChoices):
    DUE_SOON = "due_soon", _("Due soon")
    OVERDUE = "overdue", _("Overdue")


class ReferralReminder(models.Model):
    """A reminder sent about an open referral: one row per referral, kind and day, so a
    reminder run repeated the same day sends nothing twice."""

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="reminders")
    kind = models.CharField(_("kind"), max_length=10, choices=ReminderKind.choices)
    sent_on = models.DateField(_("sent on"))
    recipients = models.PositiveIntegerField(_("people reminded"), default=0)

    class Meta:
        ordering = ["-sent_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["referral", "kind", "sent_on"], name="one_reminder_per_kind_and_day"
            )
        ]


class DeliveryStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    DELIVERED = "delivered", _("Delivered")
    CANCELLED = "cancelled", _("Cancelled")


class ServiceDelivery(TimeStamped):
    """A service given to the person of a case: what, when, by whom, at what cost, paid
    from which fund."""

    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="deliveries")
    service = models.ForeignKey(ServiceType, on_delete=models.PROTECT, related_name="+")
    delivered_on = models.DateField(_("date"))
    provider = models.CharField(_("provider"), max_length=200, blank=True)
    referral = models.ForeignKey(
        Referral, null=True, blank=True, on_delete=models.SET_NULL, related_name="deliveries"
    )
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=DeliveryStatus.choices,
        default=DeliveryStatus.DELIVERED,
    )
    cost = models.DecimalField(_("cost"), max_digits=12, decimal_places=2, null=True, blank=True)
    currency = models.CharField(_("currency"), max_length=3, blank=True)
    funding_source = models.CharField(_("funding source"), max_length=120, blank=True)
    notes = EncryptedTextField(_("notes"), blank=True, max_length=LONG_TEXT)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-delivered_on", "-id"]


class ReturnStatus(models.TextChoices):
    IN_PROGRESS = "in_progress", _("In progress")
    COMPLETED = "completed", _("Completed")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class ReturnMovement(TimeStamped):
    """An assisted voluntary return of a case's person, followed step by step
    (`assistance.returns.STEPS`). The person may withdraw at any step."""

    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="returns")
    country_of_departure = models.CharField(
        _("country of departure"), max_length=2, validators=[country_code]
    )
    country_of_return = models.CharField(
        _("country of return"), max_length=2, validators=[country_code]
    )
    destination = models.ForeignKey(
        "core.Location", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(
        _("status"), max_length=12, choices=ReturnStatus.choices, default=ReturnStatus.IN_PROGRESS
    )
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    withdrawn_on = models.DateField(_("withdrawn on"), null=True, blank=True)
    withdrawn_at_step = models.CharField(_("withdrawn at step"), max_length=30, blank=True)
    # The person's own words may describe them: encrypted, and never in the audit trail.
    withdrawal_reason = EncryptedTextField(
        _("reason for withdrawing"), blank=True, max_length=REASON
    )
    completed_on = models.DateField(_("completed on"), null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["case"],
                condition=Q(status="in_progress"),
                name="one_return_in_progress_per_case",
            )
        ]


class ReturnStep(models.Model):
    """One step of a return: its checklist, the details it records, when it was done."""

    movement = models.ForeignKey(ReturnMovement, on_delete=models.CASCADE, related_name="steps")
    code = models.CharField(_("step"), max_length=30)
    position = models.PositiveSmallIntegerField()
    done = models.BooleanField(_("done"), default=False)
    done_on = models.DateField(_("done on"), null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    checklist = models.JSONField(_("checklist"), default=dict, blank=True)
    details = models.JSONField(_("details"), default=dict, blank=True)
    notes = EncryptedTextField(_("notes"), blank=True, max_length=LONG_TEXT)

    class Meta:
        ordering = ["position"]
        constraints = [
            models.UniqueConstraint(fields=["movement", "code"], name="one_row_per_return_step")
        ]


class PlanKind(models.TextChoices):
    INDIVIDUAL = "individual", _("Individual")
    COLLECTIVE = "collective", _("Collective")
    COMMUNITY = "community", _("Community")


class PlanStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    COMPLETED = "completed", _("Completed")
    CLOSED = "closed", _("Closed before completion")


class ReintegrationPlan(TimeStamped):
    """Support for a returnee to reintegrate: individual, shared with other returnees
    (collective), or a project of the community they returned to."""

    case = models.ForeignKey(
        "cases.Case", on_delete=models.PROTECT, related_name="reintegration_plans"
    )
    kind = models.CharField(_("kind"), max_length=10, choices=PlanKind.choices)
    title = models.CharField(_("title"), max_length=200)
    # Collective plans: the other returnees' cases that take part.
    members = models.ManyToManyField(
        "cases.Case", blank=True, related_name="shared_reintegration_plans"
    )
    community = models.ForeignKey(
        "core.Location", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    movement = models.ForeignKey(
        ReturnMovement,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="reintegration_plans",
    )
    status = models.CharField(
        _("status"), max_length=10, choices=PlanStatus.choices, default=PlanStatus.ACTIVE
    )
    started_on = models.DateField(_("started on"))
    review_on = models.DateField(_("next review"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-started_on", "-id"]


class Dimension(models.TextChoices):
    ECONOMIC = "economic", _("Economic")
    SOCIAL = "social", _("Social")
    PSYCHOSOCIAL = "psychosocial", _("Psychosocial")


class ComponentStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    IN_PROGRESS = "in_progress", _("In progress")
    DONE = "done", _("Done")
    CANCELLED = "cancelled", _("Cancelled")


class ReintegrationComponent(models.Model):
    """One piece of support in a plan, in one dimension of reintegration."""

    plan = models.ForeignKey(ReintegrationPlan, on_delete=models.CASCADE, related_name="components")
    dimension = models.CharField(_("dimension"), max_length=12, choices=Dimension.choices)
    service = models.ForeignKey(
        ServiceType, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # What is planned may describe the person's situation: encrypted.
    description = EncryptedTextField(_("what is planned"), max_length=LONG_TEXT)
    status = models.CharField(
        _("status"), max_length=12, choices=ComponentStatus.choices, default=ComponentStatus.PLANNED
    )
    due_on = models.DateField(_("due"), null=True, blank=True)
    done_on = models.DateField(_("done on"), null=True, blank=True)

    class Meta:
        ordering = ["dimension", "id"]

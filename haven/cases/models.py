from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from haven.cases.workflow import Status
from haven.core import validators
from haven.core.fields import EncryptedTextField
from haven.core.models import TimeStamped
from haven.core.text_limits import LONG_TEXT, REASON


class Programme(models.TextChoices):
    COUNTER_TRAFFICKING = "counter_trafficking", _("Counter-trafficking")
    CHILD_PROTECTION = "child_protection", _("Child protection")
    GBV = "gbv", _("Gender-based violence")
    VULNERABLE_MIGRANTS = "vulnerable_migrants", _("Vulnerable migrant assistance")
    RETURN_REINTEGRATION = "return_reintegration", _("Return and reintegration")


class Vulnerability(models.TextChoices):
    TRAFFICKING_VICTIM = "trafficking_victim", _("Victim of trafficking")
    SMUGGLED_MIGRANT = "smuggled_migrant", _("Smuggled migrant with protection needs")
    UASC = "uasc", _("Unaccompanied or separated child")
    GBV_SURVIVOR = "gbv_survivor", _("Survivor of gender-based violence")
    DETAINED = "detained", _("Migrant in detention")
    STRANDED = "stranded", _("Stranded migrant")
    RETURNEE = "returnee", _("Returnee")
    DISABILITY = "disability", _("Person with disability")
    OTHER = "other", _("Other")


class RiskLevel(models.TextChoices):
    LOW = "low", _("Low")
    MEDIUM = "medium", _("Medium")
    HIGH = "high", _("High")
    CRITICAL = "critical", _("Critical")


class ClosureReason(models.TextChoices):
    GOALS_MET = "goals_met", _("Case plan goals met")
    REFERRED = "referred", _("Closed – referred")
    DECLINED = "declined", _("Person declined further assistance")
    LOST_CONTACT = "lost_contact", _("Lost contact")
    RELOCATED = "relocated", _("Person moved or relocated")
    TRANSFERRED = "transferred", _("Transferred to another agency")
    DECEASED = "deceased", _("Person deceased")
    OTHER = "other", _("Other")


class Case(TimeStamped):
    VULNERABILITY_CHOICES = Vulnerability.choices

    # agency, office and owner lead composite indexes (Meta.indexes): no single-column ones.
    agency = models.ForeignKey(
        "accounts.Agency", on_delete=models.PROTECT, related_name="cases", db_index=False
    )
    number = models.CharField(_("case number"), max_length=40)
    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="cases")
    programme = models.CharField(_("programme"), max_length=25, choices=Programme.choices)
    vulnerabilities = models.JSONField(
        _("vulnerability categories"),
        default=list,
        validators=[validators.ChoiceList(Vulnerability.choices)],
    )
    risk_level = models.CharField(
        _("risk level"), max_length=10, choices=RiskLevel.choices, default=RiskLevel.MEDIUM
    )
    sensitive = models.BooleanField(
        _("sensitive"),
        default=False,
        help_text=_("Only owner, assigned users and protection officers see it."),
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="owned_cases",
        db_index=False,
    )
    office = models.ForeignKey(
        "accounts.Office", on_delete=models.PROTECT, related_name="cases", db_index=False
    )
    status = models.CharField(
        _("status"), max_length=15, choices=Status.choices, default=Status.REGISTERED
    )
    summary = EncryptedTextField(_("summary"), blank=True, max_length=LONG_TEXT)
    registered_on = models.DateField(
        _("registered on"), default=timezone.localdate, validators=[validators.not_in_future]
    )
    assessment_due = models.DateField(_("assessment due"), null=True, blank=True)
    plan_due = models.DateField(_("case plan due"), null=True, blank=True)
    follow_up_due = models.DateField(_("follow-up due"), null=True, blank=True)
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    closure_reason = models.CharField(
        _("closure reason"), max_length=15, choices=ClosureReason.choices, blank=True
    )
    # A supervisor may set the risk level against the assessments' result, with a reason;
    # while set, submitted assessments no longer move the level.
    risk_override_reason = EncryptedTextField(
        _("reason for the risk level"), blank=True, max_length=REASON
    )
    risk_overridden_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("risk level set by"),
        db_index=False,  # users are deactivated, never deleted; no look-up by it
    )
    version = models.PositiveIntegerField(default=1, editable=False)
    # The due date of the step the case is in: "overdue" is one indexed comparison.
    next_due = models.GeneratedField(
        expression=models.Case(
            models.When(
                status__in=[Status.REGISTERED, Status.ASSESSMENT, Status.REOPENED],
                then=models.F("assessment_due"),
            ),
            models.When(status=Status.CASE_PLAN, then=models.F("plan_due")),
            models.When(status=Status.FOLLOW_UP, then=models.F("follow_up_due")),
            default=None,
        ),
        output_field=models.DateField(null=True),
        db_persist=True,
    )

    class Meta:
        ordering = ["-registered_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["agency", "number"], name="case_number_unique_in_agency"
            )
        ]
        # Lists are read newest first within an agency, an office or an owner's caseload.
        indexes = [
            models.Index(fields=["agency", "-registered_on", "-id"], name="case_agency_newest"),
            models.Index(fields=["office", "-registered_on", "-id"], name="case_office_newest"),
            models.Index(fields=["owner", "-registered_on", "-id"], name="case_owner_newest"),
            models.Index(fields=["agency", "status", "-registered_on"], name="case_agency_status"),
            models.Index(fields=["office", "status"], name="case_office_status"),
            models.Index(fields=["owner", "status"], name="case_owner_status"),
            models.Index(fields=["agency", "next_due"], name="case_agency_next_due"),
            models.Index(fields=["office", "next_due"], name="case_office_next_due"),
            models.Index(fields=["owner", "next_due"], name="case_owner_next_due"),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def is_closed(self) -> bool:
        return self.status == Status.CLOSED


class CaseCounter(models.Model):
    """Next case number per agency and year."""

    agency = models.ForeignKey("accounts.Agency", on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["agency", "year"], name="one_counter_per_year")
        ]


class Migof(models.TextChoices):
    """The Migration Governance Framework: its 3 principles and 3 objectives, the categories
    results are reported under."""

    P1 = "p1", _("Principle 1: adherence to international standards and migrants' rights")
    P2 = "p2", _("Principle 2: evidence and whole-of-government approach")
    P3 = "p3", _("Principle 3: partnerships")
    O1 = "o1", _("Objective 1: socio-economic well-being of migrants and society")
    O2 = "o2", _("Objective 2: the mobility dimensions of crises")
    O3 = "o3", _("Objective 3: safe, orderly and dignified migration")


# The categories each programme reports under until the agency sets its own.
DEFAULT_MIGOF = {
    Programme.COUNTER_TRAFFICKING: [Migof.P1, Migof.O3],
    Programme.CHILD_PROTECTION: [Migof.P1, Migof.O2],
    Programme.GBV: [Migof.P1, Migof.O2],
    Programme.VULNERABLE_MIGRANTS: [Migof.P1, Migof.O2, Migof.O3],
    Programme.RETURN_REINTEGRATION: [Migof.O1, Migof.O3],
}


class ProgrammeSetting(models.Model):
    """Per agency and programme: which workflow steps need a supervisor's approval, and the
    MiGOF categories its results are reported under."""

    agency = models.ForeignKey("accounts.Agency", on_delete=models.CASCADE, related_name="+")
    programme = models.CharField(max_length=25, choices=Programme.choices)
    plan_needs_approval = models.BooleanField(_("case plan needs approval"), default=True)
    closure_needs_approval = models.BooleanField(_("closure needs approval"), default=True)
    # None: the default categories of DEFAULT_MIGOF.
    migof = models.JSONField(
        _("MiGOF categories"),
        null=True,
        blank=True,
        validators=[validators.ChoiceList(Migof.choices)],
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["agency", "programme"], name="one_setting_per_programme"
            )
        ]


class CaseAssignment(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="assignments")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    assigned_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["case", "user"], name="assign_once")]
        indexes = [models.Index(fields=["user", "case"])]


class CasePlan(TimeStamped):
    class State(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Waiting for approval")
        APPROVED = "approved", _("Approved")
        RETURNED = "returned", _("Returned for changes")

    case = models.OneToOneField(Case, on_delete=models.CASCADE, related_name="plan")
    goals = EncryptedTextField(_("goals"), max_length=LONG_TEXT)
    state = models.CharField(max_length=10, choices=State.choices, default=State.DRAFT)


class PlanAction(models.Model):
    plan = models.ForeignKey(CasePlan, on_delete=models.CASCADE, related_name="actions")
    description = models.CharField(_("action"), max_length=500)
    responsible = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("responsible"),
    )
    due_on = models.DateField(_("due"), null=True, blank=True)
    done = models.BooleanField(_("done"), default=False)

    class Meta:
        ordering = ["due_on", "id"]


class Approval(models.Model):
    class Kind(models.TextChoices):
        PLAN = "plan", _("Case plan")
        CLOSURE = "closure", _("Closure")
        ASSESSMENT = "assessment", _("Assessment sign-off")

    class Decision(models.TextChoices):
        PENDING = "pending", _("Pending")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="approvals")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(auto_now_add=True)
    closure_reason = models.CharField(max_length=15, choices=ClosureReason.choices, blank=True)
    decision = models.CharField(max_length=10, choices=Decision.choices, default=Decision.PENDING)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    comment = models.CharField(_("comment"), max_length=1000, blank=True)
    # For sign-offs: the assessment signed off.
    assessment = models.ForeignKey(
        "assessments.Assessment",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="approvals",
    )

    class Meta:
        ordering = ["-requested_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["case", "kind"],
                condition=models.Q(decision="pending") & ~models.Q(kind="assessment"),
                name="one_pending_approval_per_kind",
            ),
            models.UniqueConstraint(
                fields=["assessment"],
                condition=models.Q(decision="pending", assessment__isnull=False),
                name="one_pending_sign_off_per_assessment",
            ),
        ]


class Note(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    body = EncryptedTextField(_("note"), max_length=LONG_TEXT)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]


class Flag(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="flags")
    text = models.CharField(_("flag"), max_length=300)
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    raised_at = models.DateTimeField(auto_now_add=True)
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["resolved_at", "-raised_at"]


class Transfer(models.Model):
    class State(models.TextChoices):
        PENDING = "pending", _("Pending")
        ACCEPTED = "accepted", _("Accepted")
        DECLINED = "declined", _("Declined")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="transfers")
    from_agency = models.ForeignKey("accounts.Agency", on_delete=models.PROTECT, related_name="+")
    to_agency = models.ForeignKey("accounts.Agency", on_delete=models.PROTECT, related_name="+")
    reason = models.CharField(_("reason"), max_length=1000)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(auto_now_add=True)
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["case"], condition=models.Q(state="pending"), name="one_pending_transfer"
            )
        ]


class Exploitation(models.TextChoices):
    SEXUAL = "sexual", _("Sexual exploitation")
    FORCED_LABOUR = "forced_labour", _("Forced labour")
    FORCED_MARRIAGE = "forced_marriage", _("Forced marriage")
    FORCED_MILITARY = "forced_military", _("Forced military service")
    ORGAN_REMOVAL = "organ_removal", _("Organ removal")
    SLAVERY = "slavery", _("Slavery and similar practices")
    OTHER = "other", _("Other exploitation")


class ControlMeans(models.TextChoices):
    """The means of control of IOM's Human Trafficking Case Data Standard (HTCDS)."""

    DEBT_BONDAGE = "debt_bondage", _("Debt bondage")
    TAKES_EARNINGS = "takes_earnings", _("Takes earnings")
    RESTRICTS_FINANCIAL_ACCESS = "restricts_financial_access", _("Restricts financial access")
    THREATS = "threats", _("Threats")
    PSYCHOLOGICAL_ABUSE = "psychological_abuse", _("Psychological abuse")
    PHYSICAL_ABUSE = "physical_abuse", _("Physical abuse")
    SEXUAL_ABUSE = "sexual_abuse", _("Sexual abuse")
    FALSE_PROMISES = "false_promises", _("False promises")
    PSYCHOACTIVE_SUBSTANCES = "psychoactive_substances", _("Psychoactive substances")
    RESTRICTS_MOVEMENT = "restricts_movement", _("Restricts movement")
    RESTRICTS_MEDICAL_CARE = "restricts_medical_care", _("Restricts medical care")
    EXCESSIVE_WORKING_HOURS = "excessive_working_hours", _("Excessive working hours")
    USES_CHILDREN = "uses_children", _("Uses children")
    THREAT_OF_LAW_ENFORCEMENT = "threat_of_law_enforcement", _("Threat of law enforcement")
    WITHHOLDS_NECESSITIES = "withholds_necessities", _("Withholds necessities")
    WITHHOLDS_DOCUMENTS = "withholds_documents", _("Withholds documents")
    OTHER = "other", _("Other")


class LabourExploitation(models.TextChoices):
    AGRICULTURE = "agriculture", _("Agriculture")
    AQUAFARMING = "aquafarming", _("Aquafarming")
    BEGGING = "begging", _("Begging")
    CONSTRUCTION = "construction", _("Construction")
    DOMESTIC_WORK = "domestic_work", _("Domestic work")
    HOSPITALITY = "hospitality", _("Hospitality")
    ILLICIT_ACTIVITIES = "illicit_activities", _("Illicit activities")
    MANUFACTURING = "manufacturing", _("Manufacturing")
    MINING_OR_DRILLING = "mining_or_drilling", _("Mining or drilling")
    PEDDLING = "peddling", _("Peddling")
    TRANSPORTATION = "transportation", _("Transportation")
    OTHER = "other", _("Other")


class SexExploitation(models.TextChoices):
    PROSTITUTION = "prostitution", _("Prostitution")
    PORNOGRAPHY = "pornography", _("Pornography")
    REMOTE_INTERACTIVE_SERVICES = "remote_interactive_services", _("Remote interactive services")
    PRIVATE_SEXUAL_SERVICES = "private_sexual_services", _("Private sexual services")


class Recruitment(models.TextChoices):
    ABDUCTION = "abduction", _("Abduction")
    EDUCATIONAL_FACILITY = "educational_facility", _("Educational facility")
    FAMILIAL = "familial", _("Family")
    INTERNET = "internet", _("Internet (social media, online advertisement)")
    MARRIAGE_BROKER = "marriage_broker", _("International marriage broker")
    INTIMATE_PARTNER = "intimate_partner", _("Intimate partner or marriage proposition")
    JOB_OFFER = "job_offer", _("Job offer or advertisement")
    POSING_AS_BENEFACTOR = "posing_as_benefactor", _("Posing as benefactor")
    PUBLIC_AREA = "public_area", _("Public area")
    OFFER_OF_ACCOMMODATION = "offer_of_accommodation", _("Offer of accommodation")
    SHELTER = "shelter", _("Shelter")
    SMUGGLING = "smuggling", _("Smuggling, ransom")
    WORK = "work", _("Work")
    OTHER = "other", _("Other")
    UNKNOWN = "unknown", _("Unknown")


class TraffickingProfile(TimeStamped):
    """What a counter-trafficking case records of the trafficking itself: the types of
    exploitation, the means of control and the recruitment (the HTCDS victim context)."""

    case = models.OneToOneField(Case, on_delete=models.CASCADE, related_name="trafficking")
    exploitation = models.JSONField(
        _("types of exploitation"),
        default=list,
        blank=True,
        validators=[validators.ChoiceList(Exploitation.choices)],
    )
    means_of_control = models.JSONField(
        _("means of control"),
        default=list,
        blank=True,
        validators=[validators.ChoiceList(ControlMeans.choices)],
    )
    labour_exploitation = models.JSONField(
        _("types of labour exploitation"),
        default=list,
        blank=True,
        validators=[validators.ChoiceList(LabourExploitation.choices)],
    )
    sex_exploitation = models.JSONField(
        _("types of sexual exploitation"),
        default=list,
        blank=True,
        validators=[validators.ChoiceList(SexExploitation.choices)],
    )
    recruitment = models.JSONField(
        _("methods of recruitment"),
        default=list,
        blank=True,
        validators=[validators.ChoiceList(Recruitment.choices)],
    )
    country_of_exploitation = models.CharField(
        _("country of exploitation"),
        max_length=2,
        blank=True,
        validators=[validators.country_code],
    )

from datetime import date

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from haven.core import validators
from haven.core.fields import EncryptedTextField
from haven.core.models import TimeStamped
from haven.core.text_limits import SHORT_TEXT


class Sex(models.TextChoices):
    FEMALE = "female", _("Female")
    MALE = "male", _("Male")
    INTERSEX = "intersex", _("Intersex")
    UNKNOWN = "unknown", _("Unknown")


class BirthDatePrecision(models.TextChoices):
    EXACT = "exact", _("Exact date")
    YEAR = "year", _("Year only")
    ESTIMATED = "estimated", _("Estimated from stated age")


class CareStatus(models.TextChoices):
    NOT_APPLICABLE = "", _("Not applicable (adult)")
    ACCOMPANIED = "accompanied", _("Accompanied child")
    SEPARATED = "separated", _("Separated child")
    UNACCOMPANIED = "unaccompanied", _("Unaccompanied child")


class Difficulty(models.IntegerChoices):
    """Washington Group short set answer scale."""

    NONE = 1, _("No difficulty")
    SOME = 2, _("Some difficulty")
    A_LOT = 3, _("A lot of difficulty")
    CANNOT = 4, _("Cannot do at all")


WG_DOMAINS = {
    "wg_seeing": _("Seeing, even if wearing glasses"),
    "wg_hearing": _("Hearing, even if using a hearing aid"),
    "wg_walking": _("Walking or climbing steps"),
    "wg_cognition": _("Remembering or concentrating"),
    "wg_selfcare": _("Self-care, such as washing all over or dressing"),
    "wg_communication": _("Communicating, in the usual language"),
}


def age_on(born: date | None, on: date) -> int | None:
    """Whole years from `born` to `on`, or None without a date of birth."""
    if born is None:
        return None
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


class Person(TimeStamped):
    agency = models.ForeignKey("accounts.Agency", on_delete=models.PROTECT, related_name="persons")
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    given_name = models.CharField(_("given name"), max_length=120)
    family_name = models.CharField(_("family name"), max_length=120, blank=True)
    other_names = models.CharField(_("other names and aliases"), max_length=250, blank=True)
    original_script_name = models.CharField(
        _("name in original script"), max_length=250, blank=True
    )
    sex = models.CharField(_("sex"), max_length=10, choices=Sex.choices)
    gender_identity = EncryptedTextField(_("gender identity"), blank=True, max_length=SHORT_TEXT)
    birth_date = models.DateField(
        _("date of birth"), null=True, blank=True, validators=[validators.not_in_future]
    )
    birth_date_precision = models.CharField(
        _("precision of the date of birth"),
        max_length=10,
        choices=BirthDatePrecision.choices,
        default=BirthDatePrecision.EXACT,
    )
    nationalities = models.JSONField(
        _("nationalities"), default=list, blank=True, validators=[validators.country_codes]
    )
    stateless = models.BooleanField(_("stateless"), default=False)
    languages = models.JSONField(
        _("languages"), default=list, blank=True, validators=[validators.language_codes]
    )
    care_status = models.CharField(
        _("care status"), max_length=15, choices=CareStatus.choices, blank=True, default=""
    )
    current_location = models.ForeignKey(
        "core.Location", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    wg_seeing = models.PositiveSmallIntegerField(null=True, blank=True, choices=Difficulty.choices)
    wg_hearing = models.PositiveSmallIntegerField(null=True, blank=True, choices=Difficulty.choices)
    wg_walking = models.PositiveSmallIntegerField(null=True, blank=True, choices=Difficulty.choices)
    wg_cognition = models.PositiveSmallIntegerField(
        null=True, blank=True, choices=Difficulty.choices
    )
    wg_selfcare = models.PositiveSmallIntegerField(
        null=True, blank=True, choices=Difficulty.choices
    )
    wg_communication = models.PositiveSmallIntegerField(
        null=True, blank=True, choices=Difficulty.choices
    )
    # Derived from the names by the actions, for search (duplicates: tracing.PersonMatchKey).
    search_name = models.TextField(editable=False, default="")
    # Set when this record was merged into another (tracing.PersonMerge): it is then kept
    # only so that the merge can be undone, and seen by nobody.
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="+", editable=False
    )
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        ordering = ["family_name", "given_name"]

    def __str__(self) -> str:
        return self.full_name()

    def full_name(self) -> str:
        return " ".join(part for part in (self.given_name, self.family_name) if part)

    def age(self, on: date | None = None) -> int | None:
        """Age in whole years on a day (today by default), or None without a birth date."""
        return age_on(self.birth_date, on or date.today())

    def has_disability(self) -> bool:
        """Washington Group cut-off: 'a lot of difficulty' or worse in any domain."""
        return any((getattr(self, name) or 0) >= Difficulty.A_LOT for name in WG_DOMAINS)


class Contact(TimeStamped):
    class Kind(models.TextChoices):
        PHONE = "phone", _("Phone")
        EMAIL = "email", _("Email")
        ADDRESS = "address", _("Address")
        MESSAGING = "messaging", _("Messaging app")

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="contacts")
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    value = EncryptedTextField(_("value"), max_length=SHORT_TEXT)
    safe_to_contact = models.BooleanField(_("safe to contact"), default=True)


class IdentityDocument(TimeStamped):
    class Kind(models.TextChoices):
        PASSPORT = "passport", _("Passport")
        NATIONAL_ID = "national_id", _("National identity card")
        BIRTH_CERTIFICATE = "birth_certificate", _("Birth certificate")
        REFUGEE_ID = "refugee_id", _("Refugee or asylum-seeker document")
        TRAVEL_DOCUMENT = "travel_document", _("Travel document")
        OTHER = "other", _("Other")

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="documents")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    number = EncryptedTextField(_("number"), max_length=SHORT_TEXT)
    # Keyed digest of the normalised number: exact search without decrypting every row.
    number_index = models.CharField(max_length=64, editable=False, db_index=True)
    issuing_country = models.CharField(
        _("issuing country"), max_length=2, blank=True, validators=[validators.country_code]
    )
    expires_on = models.DateField(_("expires on"), null=True, blank=True)


class Relationship(TimeStamped):
    class Kind(models.TextChoices):
        PARENT = "parent", _("Parent")
        CHILD = "child", _("Child")
        SIBLING = "sibling", _("Sibling")
        SPOUSE = "spouse", _("Spouse or partner")
        GUARDIAN = "guardian", _("Legal guardian")
        OTHER_RELATIVE = "other_relative", _("Other relative")

    INVERSE = {
        "parent": "child",
        "child": "parent",
        "sibling": "sibling",
        "spouse": "spouse",
        "guardian": "other_relative",
        "other_relative": "other_relative",
    }

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="relationships")
    relative = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(_("relationship"), max_length=20, choices=Kind.choices)
    separated = models.BooleanField(_("separated from this relative"), default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["person", "relative", "kind"], name="relationship_unique"
            ),
            models.CheckConstraint(
                condition=~models.Q(person=models.F("relative")), name="relationship_not_self"
            ),
        ]


class ConsentPurpose(models.TextChoices):
    REGISTRATION = "registration", _("Registration")
    ASSISTANCE = "assistance", _("Assistance")
    REFERRAL = "referral", _("Referral to services")
    TRACING = "tracing", _("Family tracing")
    REPORTING = "reporting", _("Statistics and reporting")
    FOLLOW_UP = "follow_up", _("Follow-up contact")


class LegalBasis(models.TextChoices):
    CONSENT = "consent", _("Consent")
    VITAL_INTEREST = "vital_interest", _("Vital interest")
    PUBLIC_INTEREST = "public_interest", _("Public interest")
    LEGITIMATE_INTEREST = "legitimate_interest", _("Legitimate interest")
    LEGAL_OBLIGATION = "legal_obligation", _("Legal obligation")
    CONTRACT = "contract", _("Contract")


class Consent(models.Model):
    """One decision about one purpose; the latest per purpose is the one in force."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="consents")
    purpose = models.CharField(_("purpose"), max_length=20, choices=ConsentPurpose.choices)
    legal_basis = models.CharField(_("legal basis"), max_length=20, choices=LegalBasis.choices)
    given = models.BooleanField(_("given"), help_text=_("Unticked records a withdrawal."))
    decided_on = models.DateField(_("date"), validators=[validators.not_in_future])
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)
    remarks = models.CharField(_("remarks"), max_length=500, blank=True)

    class Meta:
        ordering = ["-recorded_at", "-id"]
        indexes = [models.Index(fields=["person", "purpose", "-recorded_at"])]


class PersonMatchKey(models.Model):
    """One hashed blocking key of a person (see haven.linkage.keys): the index that finds
    the few persons worth comparing with a new record, among all agencies' persons."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=24, db_index=True)

    class Meta:
        db_table = "tracing_personmatchkey"  # where it was first made, by tracing
        constraints = [
            models.UniqueConstraint(fields=["person", "key"], name="tracing_key_once_per_person")
        ]

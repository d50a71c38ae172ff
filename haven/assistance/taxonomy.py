"""The service taxonomy Haven starts with: (code, name, days to complete a referral, parent)."""

from django.utils.translation import gettext_noop as _

SERVICE_TYPES = [
    ("shelter", _("Accommodation and shelter"), 3, None),
    ("food_nfi", _("Food and non-food items"), 3, None),
    ("medical", _("Medical care"), 3, None),
    ("mhpss", _("Mental health and psychosocial support"), 14, None),
    ("legal_aid", _("Legal aid"), 14, None),
    ("documentation", _("Documentation and consular assistance"), 30, None),
    ("interpretation", _("Interpretation"), 7, None),
    ("security", _("Security and risk assessment"), 2, None),
    ("family_tracing", _("Family tracing and reunification"), 60, None),
    ("education", _("Education and vocational training"), 30, None),
    ("livelihood", _("Livelihood and microbusiness support"), 60, None),
    ("cash", _("Cash assistance"), 7, None),
    ("transportation", _("Transportation"), 3, None),
    ("avr", _("Assisted voluntary return"), 60, None),
    ("reintegration", _("Reintegration"), 90, None),
    ("reintegration_economic", _("Reintegration: economic"), 90, "reintegration"),
    ("reintegration_social", _("Reintegration: social"), 90, "reintegration"),
    ("reintegration_psychosocial", _("Reintegration: psychosocial"), 90, "reintegration"),
    ("other", _("Other"), 30, None),
]


# Days to complete an urgent referral, where the field's default (2) does not fit: life-saving
# services the same or next day, the slow ones (documents, tracing, livelihoods) sooner than
# usual but not in days.
URGENT_DUE_DAYS = {
    "shelter": 1,
    "food_nfi": 1,
    "medical": 1,
    "security": 1,
    "transportation": 1,
    "documentation": 7,
    "family_tracing": 14,
    "education": 14,
    "livelihood": 14,
    "avr": 14,
    "reintegration": 14,
    "reintegration_economic": 14,
    "reintegration_social": 14,
    "reintegration_psychosocial": 7,
    "other": 7,
}


def set_urgent_due_days(service_type_model) -> None:
    """Give the shipped types their urgent delays (takes the model, for migrations)."""
    for code, days in URGENT_DUE_DAYS.items():
        service_type_model.objects.filter(code=code).update(urgent_due_days=days)


def install(service_type_model) -> None:
    """Create the taxonomy's types that are missing (takes the model, for migrations)."""
    for code, name, days, parent in SERVICE_TYPES:
        service_type_model.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "due_days": days,
                "parent": service_type_model.objects.get(code=parent) if parent else None,
            },
        )

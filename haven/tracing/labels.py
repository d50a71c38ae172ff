"""The engine's field and level names, in the user's language."""

from django.utils.translation import gettext_lazy as _

FIELDS = {
    "given_name": _("Given name"),
    "family_name": _("Family name"),
    "birth_date": _("Date of birth"),
    "sex": _("Sex"),
    "nationality": _("Nationality"),
    "place": _("Current location"),
    "relatives": _("Relatives"),
    "documents": _("Identity documents"),
    "contacts": _("Contacts"),
    "within a family": _("Within a family"),
}

LEVELS = {
    "missing": _("missing on one side or both"),
    "exact": _("exact"),
    "the same name in another spelling, script or short form": _(
        "the same name in another spelling, script or short form"
    ),
    # The label explanations saved before short forms were recognised.
    "same consonants (spelling or script)": _("same consonants (spelling or script)"),
    "very similar": _("very similar"),
    "similar": _("similar"),
    "somewhat similar": _("somewhat similar"),
    "different": _("different"),
    "one digit differs": _("one digit differs"),
    "day and month transposed": _("day and month transposed"),
    "same year": _("same year"),
    "same year, another day": _("same year, another day"),
    "within a year": _("within a year"),
    "within 5 years": _("within 5 years"),
    "same": _("same"),
    "similar spelling": _("similar spelling"),
    "same area": _("same area"),
    "a rare relative's name agrees": _("a rare relative's name agrees"),
    "a common relative's name agrees": _("a common relative's name agrees"),
    "no relative's name agrees": _("no relative's name agrees"),
    "shares one": _("one in common"),
    "one character off": _("one differs by a single character"),
    "shares none": _("none in common"),
    "relatives often share these": _(
        "relatives often share these: the agreements above count for less"
    ),
}


def percent(probability: float) -> int:
    """A likelihood for people to read: never 100 %, a match is a judgement to check."""
    return min(99, round(probability * 100))


def translated(explanation: dict) -> list[dict]:
    """The explanation's fields with labels to show."""
    return [
        {
            **part,
            "field_label": FIELDS.get(part["field"], part["field"]),
            "level_label": LEVELS.get(part["level"], part["level"]),
        }
        for part in explanation["fields"]
    ]

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext as _

from haven.core import reference


def not_in_future(value):
    if value and value > timezone.localdate():
        raise ValidationError(
            _("%(date)s is in the future; enter a date on or before today.") % {"date": value},
            code="future_date",
        )


def country_codes(values):
    if not isinstance(values, list):
        raise ValidationError(_("Give a list of ISO 3166-1 alpha-2 country codes."))
    unknown = [v for v in values if not (isinstance(v, str) and reference.is_country(v))]
    if unknown:
        raise ValidationError(
            _("Unknown country code(s): %(codes)s. Use ISO 3166-1 alpha-2 codes such as SY or ER.")
            % {"codes": ", ".join(map(str, unknown))},
            code="unknown_country",
        )


def country_code(value):
    if value:
        country_codes([value])


def language_codes(values):
    if not isinstance(values, list):
        raise ValidationError(_("Give a list of ISO 639 language codes."))
    unknown = [
        v for v in values if not (isinstance(v, str) and reference.normalise_language(v) == v)
    ]
    if unknown:
        raise ValidationError(
            _("Unknown language code(s): %(codes)s. Use ISO 639 codes such as ar, ti or fra.")
            % {"codes": ", ".join(map(str, unknown))},
            code="unknown_language",
        )


@deconstructible
class ChoiceList:
    """Validates a JSON list whose items must come from `choices`."""

    def __init__(self, choices):
        self.allowed = sorted(value for value, _label in choices)

    def __call__(self, values):
        if not isinstance(values, list):
            raise ValidationError(_("Give a list of values."))
        unknown = [v for v in values if v not in self.allowed]
        if unknown:
            raise ValidationError(
                _("Unknown value(s): %(values)s. Allowed: %(allowed)s.")
                % {"values": ", ".join(map(str, unknown)), "allowed": ", ".join(self.allowed)},
                code="unknown_choice",
            )

    def __eq__(self, other):
        return isinstance(other, ChoiceList) and self.allowed == other.allowed

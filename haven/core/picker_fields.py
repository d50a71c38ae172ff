"""Form fields for countries and languages picked by name in the user's language: a text
box with the names as suggestions (a native datalist, no script needed), and the names —
or codes — typed resolved to codes, with a clear error for any that is neither."""

import re

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from haven.core import locations, pickers
from haven.core.models import Location

# Commas and semicolons, Latin and Arabic, separate the names typed.
_SEPARATORS = re.compile(r"[,;،؛]")
MESSAGES = {
    "country": _(
        "Not a country: %(names)s. Type a few letters of the name and pick it from the list."
    ),
    "language": _(
        "Not a language: %(names)s. Type a few letters of the name and pick it from the list."
    ),
}


class PickerInput(forms.TextInput):
    template_name = "picker_input.html"

    def __init__(self, kind: str, attrs=None):
        self.kind = kind
        super().__init__({"autocomplete": "off", "data-picker": kind, **(attrs or {})})

    def format_value(self, value):
        if isinstance(value, list | tuple):
            language = get_language() or "en"
            return ", ".join(pickers.name_of(self.kind, code, language) for code in value)
        return super().format_value(value)

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        language = get_language() or "en"
        rows = (
            pickers.countries(language) if self.kind == "country" else pickers.languages(language)
        )
        context["widget"]["options"] = [name for _code, name in rows]
        context["widget"]["list_id"] = f"{context['widget']['attrs'].get('id', name)}-options"
        return context


class PickerListField(forms.CharField):
    """Several countries or languages, as names in any language Haven speaks, or codes."""

    def __init__(self, kind: str, **kwargs):
        self.kind = kind
        kwargs.setdefault("widget", PickerInput(kind))
        super().__init__(**kwargs)

    def to_python(self, value):
        if isinstance(value, list | tuple):
            return list(value)
        text = super().to_python(value)
        parts = [part.strip() for part in _SEPARATORS.split(text) if part.strip()]
        codes, unknown, start = [], [], 0
        while start < len(parts):
            # The longest run of parts that names one country ("Palestine, State of").
            for end in range(len(parts), start, -1):
                code = pickers.resolve(self.kind, ", ".join(parts[start:end]))
                if code:
                    codes.append(code)
                    start = end
                    break
            else:
                unknown.append(parts[start])
                start += 1
        if unknown:
            raise ValidationError(MESSAGES[self.kind] % {"names": ", ".join(unknown)})
        return list(dict.fromkeys(codes))


class LocationInput(forms.TextInput):
    """A place typed by name; the browser's suggestions come from the location search."""

    template_name = "picker_input.html"

    def __init__(self, attrs=None):
        super().__init__(
            {"autocomplete": "off", "data-location-search": "/api/v1/locations/", **(attrs or {})}
        )

    def format_value(self, value):
        if isinstance(value, Location):
            return locations.label(value)
        if isinstance(value, int) or (isinstance(value, str) and value.isdigit()):
            found = Location.objects.select_related("parent").filter(pk=int(value)).first()
            return locations.label(found) if found else ""
        return super().format_value(value)

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        context["widget"]["options"] = []
        context["widget"]["list_id"] = f"{context['widget']['attrs'].get('id', name)}-options"
        return context


class LocationField(forms.CharField):
    """One place of the location hierarchy, picked by name (or typed with its code)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("widget", LocationInput())
        super().__init__(**kwargs)

    def to_python(self, value):
        if isinstance(value, Location) or value is None:
            return value
        text = super().to_python(value)
        if not text:
            return None
        try:
            found = locations.resolve(text)
        except ValueError as exc:
            raise ValidationError(
                _("Several places are called %(name)s: pick the one you mean from the list.")
                % {"name": text}
            ) from exc
        if found is None:
            raise ValidationError(
                _("No place called %(name)s: type a few letters and pick it from the list.")
                % {"name": text}
            )
        return found

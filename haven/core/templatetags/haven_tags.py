import re

from django import template
from django.utils.html import format_html

from haven.core import reference

register = template.Library()


@register.filter
def get_item(mapping, key):
    return mapping.get(key) if mapping else None


@register.filter
def country_names(codes):
    return ", ".join(reference.country_name(c) for c in codes or [])


@register.filter
def country_label(code):
    return reference.country_name(code) if code else ""


@register.filter
def language_names(codes):
    return ", ".join(reference.language_name(c) for c in codes or [])


@register.filter
def choice_labels(values, choices):
    labels = dict(choices)
    return ", ".join(str(labels.get(v, v)) for v in values or [])


@register.filter
def get_field(form, name):
    return form[name]


@register.filter
def split(text):
    return text.split()


# Characters that embed, override or isolate a direction: in a name they can make text
# read backwards ("abc\u202egpj.exe" shows as "abcexe.jpg"). Shown as their code instead.
_BIDI_CONTROLS = re.compile("[\u202a-\u202e\u2066-\u2069]")


@register.filter
def isolate(value):
    """User-supplied text (a name, a username) isolated from the text around it, so that a
    name in another script keeps its own direction and punctuation stays in place; any
    direction-changing control character is shown as its code."""
    if value in (None, ""):
        return ""
    text = _BIDI_CONTROLS.sub(lambda found: f"[U+{ord(found.group()):04X}]", str(value))
    return format_html("<bdi>{}</bdi>", text)

from django import template

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

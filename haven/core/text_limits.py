"""Every text Haven stores has a length it may not pass, checked before any write.

Model fields carry their `max_length` (free text too: a case summary, a note, a reason);
forms, serializers and `full_clean` read it, and so that no write path can skip it (an
action that saves without `full_clean`, an import), every save is checked here first and a
text over its limit is refused with the limit and its length in the message — never
truncated, never left to the database to reject.
"""

from django.core.exceptions import ValidationError
from django.db.models.signals import pre_save
from django.utils.translation import gettext as _

# The limits of free text, by what it holds.
SHORT_TEXT = 500  # a place, a way to reach someone, a name given
REASON = 4_000  # why something was done or asked for
LONG_TEXT = 20_000  # a summary, a note, what happened


def too_long(model_instance) -> dict[str, str]:
    errors = {}
    for field in model_instance._meta.concrete_fields:
        limit = getattr(field, "max_length", None)
        value = getattr(model_instance, field.attname, None)
        if limit and isinstance(value, str) and len(value) > limit:
            errors[field.name] = _(
                "At most %(limit)s characters (this has %(length)s): shorten it."
            ) % {"limit": f"{limit:,}", "length": f"{len(value):,}"}
    return errors


def _check(sender, instance, raw=False, **kwargs) -> None:
    # Haven's own records (libraries keep theirs: django-axes shortens what it stores).
    if raw or not sender.__module__.startswith("haven."):
        return
    errors = too_long(instance)
    if errors:
        raise ValidationError(errors)


def connect() -> None:
    pre_save.connect(_check, dispatch_uid="haven.core.text_limits")

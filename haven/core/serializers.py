import copy

from rest_framework import serializers

from haven.core.models import Location

# Arguments a field only reads: every copy of the field may share them. (Validators and
# regexes DRF itself shares; choices and querysets are copied by the field when it uses them.)
_SHARED_ARGUMENTS = frozenset({"validators", "regex", "choices", "queryset"})


def _copy_field(field):
    """A new field like `field`, as DRF's deep copy makes it, cheaper.

    A leaf field is copied attribute by attribute: the templates copied here are never
    bound, and what copies share (choices, validators, messages) fields only read. A field
    holding other fields (a nested serializer, a list's child, a many-related field) is
    rebuilt from its arguments, because binding a copy binds its children.
    """
    if (
        isinstance(field, serializers.BaseSerializer)
        or hasattr(field, "child")
        or hasattr(field, "child_relation")
    ):
        kwargs = {
            key: value if key in _SHARED_ARGUMENTS else copy.deepcopy(value)
            for key, value in field._kwargs.items()
        }
        return field.__class__(*field._args, **kwargs)
    return copy.copy(field)


def _copy_fields(fields: dict) -> dict:
    return {name: _copy_field(field) for name, field in fields.items()}


class Serializer(serializers.Serializer):
    # DRF deep-copies every declared field (and its choices) for every serializer instance,
    # which costs more than the queries of a small request. The copy made here shares what
    # fields only read. (A comment, not a docstring: the API schema shows docstrings.)

    def get_fields(self):
        return _copy_fields(self._declared_fields)


class ModelSerializer(serializers.ModelSerializer):
    # DRF also inspects the model to build a ModelSerializer's fields on every instance.
    # The fields depend only on the class, so they are built once and copied as above.

    def get_fields(self):
        cls = type(self)
        built = cls.__dict__.get("_built_fields")
        if built is None:
            built = super().get_fields()
            cls._built_fields = built
        return _copy_fields(built)


class LocationSerializer(ModelSerializer):
    level = serializers.IntegerField(
        min_value=0, max_value=5, help_text="0 = country, 1 = admin1, …"
    )
    label = serializers.SerializerMethodField(
        help_text="As a place picker shows it: name (parent or country) · code"
    )

    class Meta:
        model = Location
        fields = ["id", "code", "name", "level", "parent", "country_code", "label"]

    def get_label(self, location) -> str:
        from haven.core.locations import label

        return label(location)


class ReportTableSerializer(serializers.Serializer):
    """A published table of counts (core.reporting.Table); hidden cells are null."""

    title = serializers.CharField()
    columns = serializers.ListField(child=serializers.CharField())
    rows = serializers.ListField(
        child=serializers.ListField(), help_text="[label, [count or null, …, total]]"
    )
    totals = serializers.ListField(child=serializers.IntegerField(allow_null=True))

"""The duplicate check before saving a registration, for devices and integrations."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from haven.core.permissions import HavenPermission
from haven.linkage.validate import MAX_FIELD_LENGTH, check_record
from haven.people.models import BirthDatePrecision, Sex
from haven.tracing.matching import person_record
from haven.tracing.selectors import likely_duplicates


class DuplicateQuerySerializer(serializers.Serializer):
    given_name = serializers.CharField(
        max_length=MAX_FIELD_LENGTH, required=False, allow_blank=True
    )
    family_name = serializers.CharField(
        max_length=MAX_FIELD_LENGTH, required=False, allow_blank=True
    )
    sex = serializers.ChoiceField(choices=Sex.choices, required=False)
    birth_date = serializers.DateField(required=False, allow_null=True)
    birth_date_precision = serializers.ChoiceField(
        choices=BirthDatePrecision.choices, required=False
    )
    nationalities = serializers.ListField(
        child=serializers.CharField(max_length=3), required=False, max_length=10
    )

    def validate(self, attrs):
        # The engine's own check says what a lookup can use; its errors stop the request.
        check = check_record(person_record(attrs))
        if check.errors:
            raise serializers.ValidationError({k: _(v) for k, v in check.errors.items()})
        return attrs


# The engine's messages are English; those a caller can meet here are in the catalogue.
gettext_noop("Give at least a given or a family name to look for matches.")


class ReasonSerializer(serializers.Serializer):
    field = serializers.CharField()
    level = serializers.CharField()
    bits = serializers.FloatField()


class DuplicateMatchSerializer(serializers.Serializer):
    person = serializers.IntegerField(source="person.pk")
    probability = serializers.FloatField()
    reasons = ReasonSerializer(many=True, source="explanation.fields")


class DuplicateResultSerializer(serializers.Serializer):
    matches = DuplicateMatchSerializer(many=True)
    elsewhere = serializers.ListField(
        child=serializers.CharField(),
        help_text="Offices (agencies) to contact about likely duplicates the caller cannot see.",
    )


class DuplicateCheckView(APIView):
    """Likely existing records of the person about to be registered, before saving: those
    the caller may see, with the probability and the reasons; for the others only the
    office to contact. Each person returned is written to the access log."""

    permission_classes = [HavenPermission]
    required_perms = {"*": "case.create"}

    @extend_schema(request=DuplicateQuerySerializer, responses=DuplicateResultSerializer)
    def post(self, request):
        query = DuplicateQuerySerializer(data=request.data)
        query.is_valid(raise_exception=True)
        data = dict(query.validated_data)
        data["nationalities"] = [c.upper() for c in data.get("nationalities", [])]
        check = likely_duplicates(request.user, data)
        return Response(
            DuplicateResultSerializer({"matches": check.visible, "elsewhere": check.elsewhere}).data
        )

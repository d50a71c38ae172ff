from rest_framework import serializers

from haven.accounts import policy
from haven.core.serializers import ModelSerializer, Serializer
from haven.people.actions import EDITABLE_FIELDS
from haven.people.models import Consent, ConsentPurpose, Difficulty, LegalBasis, Person

IDENTIFYING = {
    "given_name",
    "family_name",
    "other_names",
    "original_script_name",
    "gender_identity",
}


class PersonSerializer(ModelSerializer):
    # Declared so the schema is the same on every database backend.
    wg_seeing = serializers.ChoiceField(choices=Difficulty.choices, allow_null=True, required=False)
    wg_hearing = serializers.ChoiceField(
        choices=Difficulty.choices, allow_null=True, required=False
    )
    wg_walking = serializers.ChoiceField(
        choices=Difficulty.choices, allow_null=True, required=False
    )
    wg_cognition = serializers.ChoiceField(
        choices=Difficulty.choices, allow_null=True, required=False
    )
    wg_selfcare = serializers.ChoiceField(
        choices=Difficulty.choices, allow_null=True, required=False
    )
    wg_communication = serializers.ChoiceField(
        choices=Difficulty.choices, allow_null=True, required=False
    )

    class Meta:
        model = Person
        fields = ["id", *EDITABLE_FIELDS, "version"]
        read_only_fields = ["id", "version"]

    def to_representation(self, instance):
        data = super().to_representation(instance)
        request = self.context.get("request")
        if request is not None and not policy.can_see_identity(request.user):
            for name in IDENTIFYING:
                data.pop(name, None)
        return data


class PersonInputSerializer(Serializer):
    """Shapes and types only; the domain rules are checked once, in the actions."""

    given_name = serializers.CharField(max_length=120)
    family_name = serializers.CharField(max_length=120, required=False, allow_blank=True)
    other_names = serializers.CharField(max_length=250, required=False, allow_blank=True)
    original_script_name = serializers.CharField(max_length=250, required=False, allow_blank=True)
    sex = serializers.ChoiceField(choices=Person._meta.get_field("sex").choices)
    gender_identity = serializers.CharField(required=False, allow_blank=True)
    birth_date = serializers.DateField(required=False, allow_null=True)
    birth_date_precision = serializers.ChoiceField(
        choices=Person._meta.get_field("birth_date_precision").choices, required=False
    )
    nationalities = serializers.ListField(child=serializers.CharField(max_length=3), required=False)
    stateless = serializers.BooleanField(required=False)
    languages = serializers.ListField(child=serializers.CharField(max_length=3), required=False)
    care_status = serializers.ChoiceField(
        choices=Person._meta.get_field("care_status").choices, required=False, allow_blank=True
    )


class PersonUpdateSerializer(PersonInputSerializer):
    version = serializers.IntegerField(
        help_text="The version you read; a stale one is refused (409)."
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            if name != "version":
                field.required = False


class ConsentSerializer(ModelSerializer):
    purpose = serializers.ChoiceField(choices=ConsentPurpose.choices)
    legal_basis = serializers.ChoiceField(choices=LegalBasis.choices)
    recorded_by = serializers.SlugRelatedField(slug_field="username", read_only=True)

    class Meta:
        model = Consent
        fields = [
            "id",
            "purpose",
            "legal_basis",
            "given",
            "decided_on",
            "remarks",
            "recorded_by",
            "recorded_at",
        ]
        read_only_fields = ["id", "recorded_by", "recorded_at"]

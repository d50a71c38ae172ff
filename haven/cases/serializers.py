from rest_framework import serializers

from haven.accounts.models import Agency, Office, User
from haven.cases.models import (
    Approval,
    Case,
    ClosureReason,
    Note,
    Programme,
    RiskLevel,
    Transfer,
)
from haven.cases.workflow import Status
from haven.core.serializers import ModelSerializer, Serializer
from haven.people.models import ConsentPurpose, LegalBasis
from haven.people.serializers import PersonInputSerializer, PersonSerializer


class CaseSerializer(ModelSerializer):
    person = PersonSerializer(read_only=True)
    owner = serializers.SlugRelatedField(slug_field="username", read_only=True)
    assigned = serializers.SerializerMethodField()
    closure_reason = serializers.ChoiceField(
        choices=ClosureReason.choices, read_only=True, allow_blank=True
    )

    class Meta:
        model = Case
        fields = [
            "id",
            "number",
            "agency",
            "office",
            "person",
            "programme",
            "vulnerabilities",
            "risk_level",
            "sensitive",
            "owner",
            "assigned",
            "status",
            "registered_on",
            "assessment_due",
            "plan_due",
            "follow_up_due",
            "closed_on",
            "closure_reason",
            "version",
        ]
        read_only_fields = fields

    def get_assigned(self, case) -> list[str]:
        return [a.user.username for a in case.assignments.all()]


class ConsentInputSerializer(Serializer):
    purpose = serializers.ChoiceField(choices=ConsentPurpose.choices)
    legal_basis = serializers.ChoiceField(choices=LegalBasis.choices, default=LegalBasis.CONSENT)
    given = serializers.BooleanField(default=True)


class CaseCreateSerializer(Serializer):
    person = PersonInputSerializer()
    number = serializers.CharField(
        max_length=40, required=False, help_text="Leave out to number automatically."
    )
    programme = serializers.ChoiceField(choices=Programme.choices)
    vulnerabilities = serializers.ListField(
        child=serializers.CharField(max_length=30), allow_empty=False
    )
    risk_level = serializers.ChoiceField(choices=RiskLevel.choices, default=RiskLevel.MEDIUM)
    sensitive = serializers.BooleanField(default=False)
    office = serializers.PrimaryKeyRelatedField(queryset=Office.objects.all(), required=False)
    summary = serializers.CharField(required=False, allow_blank=True)
    registered_on = serializers.DateField(required=False)
    registration_basis = serializers.ChoiceField(
        choices=LegalBasis.choices, default=LegalBasis.CONSENT
    )
    consent_given = serializers.BooleanField(default=True)
    consents = ConsentInputSerializer(many=True, required=False)


class CaseUpdateSerializer(Serializer):
    version = serializers.IntegerField(
        help_text="The version you read; a stale one is refused (409)."
    )
    programme = serializers.ChoiceField(choices=Programme.choices, required=False)
    vulnerabilities = serializers.ListField(
        child=serializers.CharField(max_length=30), required=False
    )
    risk_level = serializers.ChoiceField(choices=RiskLevel.choices, required=False)
    sensitive = serializers.BooleanField(required=False)
    office = serializers.PrimaryKeyRelatedField(queryset=Office.objects.all(), required=False)
    summary = serializers.CharField(required=False, allow_blank=True)


class TransitionSerializer(Serializer):
    to = serializers.CharField(help_text=f"One of: {', '.join(Status.values)}")
    version = serializers.IntegerField()
    closure_reason = serializers.ChoiceField(
        choices=ClosureReason.choices, required=False, allow_blank=True
    )
    comment = serializers.CharField(required=False, allow_blank=True, max_length=1000)


class RiskOverrideSerializer(Serializer):
    risk_level = serializers.ChoiceField(
        choices=RiskLevel.choices, allow_blank=True, help_text="Empty: lift the override."
    )
    reason = serializers.CharField(required=False, allow_blank=True, max_length=2000)
    version = serializers.IntegerField()


class ClosureRequestSerializer(Serializer):
    closure_reason = serializers.ChoiceField(choices=ClosureReason.choices)
    comment = serializers.CharField(required=False, allow_blank=True, max_length=1000)


class AssignSerializer(Serializer):
    owner = serializers.SlugRelatedField(
        slug_field="username", queryset=User.objects.all(), required=False
    )
    assignees = serializers.SlugRelatedField(
        slug_field="username", queryset=User.objects.all(), many=True, required=False
    )


class TransferRequestSerializer(Serializer):
    to_agency = serializers.SlugRelatedField(slug_field="code", queryset=Agency.objects.all())
    reason = serializers.CharField(max_length=1000)


class PlanActionSerializer(Serializer):
    description = serializers.CharField(max_length=500)
    responsible = serializers.SlugRelatedField(
        slug_field="username", queryset=User.objects.all(), required=False, allow_null=True
    )
    due_on = serializers.DateField(required=False, allow_null=True)
    done = serializers.BooleanField(default=False)


class PlanSerializer(Serializer):
    goals = serializers.CharField()
    actions = PlanActionSerializer(many=True, required=False)
    submit = serializers.BooleanField(default=True)


class NoteSerializer(ModelSerializer):
    author = serializers.SlugRelatedField(slug_field="username", read_only=True)

    class Meta:
        model = Note
        fields = ["id", "body", "author", "created_at"]
        read_only_fields = ["id", "author", "created_at"]


class ApprovalSerializer(ModelSerializer):
    requested_by = serializers.SlugRelatedField(slug_field="username", read_only=True)
    decided_by = serializers.SlugRelatedField(
        slug_field="username", read_only=True, allow_null=True
    )
    case_number = serializers.CharField(source="case.number", read_only=True)

    class Meta:
        model = Approval
        fields = [
            "id",
            "case",
            "case_number",
            "kind",
            "closure_reason",
            "assessment",
            "requested_by",
            "requested_at",
            "decision",
            "decided_by",
            "decided_at",
            "comment",
        ]
        read_only_fields = fields


class DecisionSerializer(Serializer):
    approve = serializers.BooleanField()
    comment = serializers.CharField(required=False, allow_blank=True, max_length=1000)


class TransferSerializer(ModelSerializer):
    """What a receiving agency sees before accepting: no names, no notes."""

    from_agency = serializers.SlugRelatedField(slug_field="code", read_only=True)
    to_agency = serializers.SlugRelatedField(slug_field="code", read_only=True)
    programme = serializers.CharField(source="case.programme", read_only=True)
    vulnerabilities = serializers.JSONField(source="case.vulnerabilities", read_only=True)
    risk_level = serializers.CharField(source="case.risk_level", read_only=True)

    class Meta:
        model = Transfer
        fields = [
            "id",
            "from_agency",
            "to_agency",
            "programme",
            "vulnerabilities",
            "risk_level",
            "reason",
            "state",
            "requested_at",
        ]
        read_only_fields = fields


class TransferAnswerSerializer(Serializer):
    accept = serializers.BooleanField()


class BatchItemResultSerializer(Serializer):
    index = serializers.IntegerField(help_text="Position of the item in the request")
    status = serializers.IntegerField(help_text="201 created, 400 refused (see errors), 403")
    id = serializers.IntegerField(required=False)
    number = serializers.CharField(required=False)
    errors = serializers.DictField(required=False)


class BatchResultSerializer(Serializer):
    created = serializers.IntegerField()
    refused = serializers.IntegerField()
    results = BatchItemResultSerializer(many=True)

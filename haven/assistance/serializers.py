"""The shapes of the service directory, referrals, deliveries and the assistance report in
the API (api.py)."""

from django.utils import timezone
from rest_framework import serializers

from haven.accounts.models import Agency, Team
from haven.assistance import selectors, sharing, sla
from haven.assistance.models import (
    Provider,
    Referral,
    ServiceDelivery,
    ServicePoint,
    ServiceType,
)
from haven.core.serializers import ModelSerializer, ReportTableSerializer, Serializer


class ServiceTypeSerializer(ModelSerializer):
    parent = serializers.SlugRelatedField(
        slug_field="code", queryset=ServiceType.objects.all(), required=False, allow_null=True
    )
    # Numbers declared here so that the schema is the same on every database backend.
    due_days = serializers.IntegerField(min_value=1, max_value=365, required=False)

    class Meta:
        model = ServiceType
        fields = ["id", "code", "name", "parent", "due_days", "active"]


class ProviderSerializer(ModelSerializer):
    agency = serializers.SlugRelatedField(
        slug_field="code", queryset=Agency.objects.all(), required=False, allow_null=True
    )
    uses_haven = serializers.BooleanField(read_only=True)

    class Meta:
        model = Provider
        fields = ["id", "name", "agency", "uses_haven", "phone", "email", "notes"]


class ServicePointSerializer(ModelSerializer):
    services = serializers.SlugRelatedField(
        slug_field="code", queryset=ServiceType.objects.all(), many=True
    )
    provider_name = serializers.CharField(source="provider.name", read_only=True)
    min_age = serializers.IntegerField(min_value=0, max_value=130, required=False, allow_null=True)
    max_age = serializers.IntegerField(min_value=0, max_value=130, required=False, allow_null=True)
    capacity = serializers.IntegerField(
        min_value=0, max_value=1_000_000, required=False, allow_null=True
    )

    def validate(self, data):
        low = data.get("min_age", getattr(self.instance, "min_age", None))
        high = data.get("max_age", getattr(self.instance, "max_age", None))
        if low is not None and high is not None and low > high:
            raise serializers.ValidationError(
                {"max_age": f"The maximum age ({high}) is below the minimum age ({low})."}
            )
        return data

    class Meta:
        model = ServicePoint
        fields = [
            "id",
            "provider",
            "provider_name",
            "name",
            "services",
            "location",
            "address",
            "languages",
            "min_age",
            "max_age",
            "sexes",
            "nationalities",
            "vulnerabilities",
            "opening_hours",
            "phone",
            "capacity",
            "active",
        ]


class ReferSerializer(Serializer):
    case = serializers.IntegerField()
    service = serializers.SlugRelatedField(slug_field="code", queryset=ServiceType.objects.all())
    reason = serializers.CharField(max_length=2000)
    shared_fields = serializers.ListField(
        child=serializers.ChoiceField(choices=sorted(sharing.SHAREABLE)),
        help_text="The fields to share: the minimum the receiver needs.",
    )
    to_team = serializers.PrimaryKeyRelatedField(queryset=Team.objects.all(), required=False)
    to_agency = serializers.SlugRelatedField(
        slug_field="code", queryset=Agency.objects.all(), required=False
    )
    to_point = serializers.PrimaryKeyRelatedField(
        queryset=ServicePoint.objects.all(), required=False
    )
    urgent = serializers.BooleanField(default=False)
    override_reason = serializers.CharField(
        required=False, allow_blank=True, help_text="Only to refer without consent."
    )


class ReferralSerializer(ModelSerializer):
    """The referring side's view."""

    service = serializers.SlugRelatedField(slug_field="code", read_only=True)
    to_agency = serializers.SlugRelatedField(slug_field="code", read_only=True)
    shared = serializers.SerializerMethodField()
    days_overdue = serializers.SerializerMethodField()

    class Meta:
        model = Referral
        fields = [
            "id",
            "case",
            "service",
            "to_team",
            "to_agency",
            "to_point",
            "urgent",
            "reason",
            "shared_fields",
            "shared",
            "unshared_on",
            "status",
            "decline_reason",
            "outcome",
            "due_on",
            "days_overdue",
            "created_at",
            "answered_at",
            "closed_at",
            "version",
        ]
        read_only_fields = fields

    def get_shared(self, referral) -> dict[str, str]:
        return selectors.shared_with_receiver(referral)

    def get_days_overdue(self, referral) -> int:
        return sla.days_overdue(referral.status, referral.due_on, timezone.localdate())


class ReceivedReferralSerializer(ReferralSerializer):
    """The receiving side's view: the referral and the fields shared — no case."""

    from_agency = serializers.CharField(source="case.agency.name", read_only=True)

    class Meta(ReferralSerializer.Meta):
        fields = [f for f in ReferralSerializer.Meta.fields if f != "case"] + ["from_agency"]
        read_only_fields = fields


class ServiceDeliverySerializer(ModelSerializer):
    # A number, checked against the caller's cases: out of scope is "not found".
    case = serializers.IntegerField(source="case_id")
    service = serializers.SlugRelatedField(slug_field="code", queryset=ServiceType.objects.all())
    cost = serializers.DecimalField(
        max_digits=12, decimal_places=2, required=False, allow_null=True, min_value=0
    )

    class Meta:
        model = ServiceDelivery
        fields = [
            "id",
            "case",
            "service",
            "delivered_on",
            "provider",
            "status",
            "cost",
            "currency",
            "funding_source",
            "notes",
        ]
        # Notes may describe the person: written here, read on the case's pages (logged).
        extra_kwargs = {"notes": {"write_only": True}}


class DirectoryUploadSerializer(Serializer):
    file = serializers.FileField(help_text="CSV with HXL hashtags (#org+name, #loc+name, …).")


class DirectoryImportSerializer(Serializer):
    created = serializers.IntegerField()
    updated = serializers.IntegerField()
    errors = serializers.ListField(child=serializers.CharField())


class ReferralSummarySerializer(ReferralSerializer):
    # Lists leave out what describes the person: reading a referral is a logged view.
    class Meta(ReferralSerializer.Meta):
        fields = [f for f in ReferralSerializer.Meta.fields if f not in ("reason", "shared")]
        read_only_fields = fields


class ReceivedSummarySerializer(ReceivedReferralSerializer):
    class Meta(ReceivedReferralSerializer.Meta):
        fields = [
            f for f in ReceivedReferralSerializer.Meta.fields if f not in ("reason", "shared")
        ]
        read_only_fields = fields


class AnswerSerializer(Serializer):
    accept = serializers.BooleanField()
    reason = serializers.CharField(required=False, allow_blank=True, max_length=500)
    version = serializers.IntegerField()


class ProgressSerializer(Serializer):
    status = serializers.ChoiceField(choices=["in_progress", "completed", "not_completed"])
    outcome = serializers.CharField(required=False, allow_blank=True, max_length=1000)
    version = serializers.IntegerField()


class ReportFiguresSerializer(Serializer):
    referrals = serializers.IntegerField(allow_null=True)
    acceptance_rate = serializers.FloatField(allow_null=True)
    median_days_to_acceptance = serializers.FloatField(allow_null=True)
    median_days_to_completion = serializers.FloatField(allow_null=True)
    overdue = serializers.IntegerField(allow_null=True)


class AssistanceReportSerializer(Serializer):
    protected = serializers.BooleanField(help_text="Small cells hidden (null counts)")
    threshold = serializers.IntegerField()
    base = serializers.IntegerField(help_text="Counts rounded to this base (1: as counted)")
    figures = ReportFiguresSerializer()
    referrals = ReportTableSerializer()
    costs = serializers.ListField(child=serializers.DictField())
    returns = ReportTableSerializer()

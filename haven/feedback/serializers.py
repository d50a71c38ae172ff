"""Shapes of feedback in the API. Lists carry no text and no contact; one submission does."""

from rest_framework import serializers

from haven.feedback.actions import MAX_SHORT, MAX_TEXT
from haven.feedback.models import STAFF_CHANNELS, Category, Priority, Status, Submission

_SUMMARY = [
    "id",
    "agency",
    "office",
    "category",
    "channel",
    "status",
    "priority",
    "received_at",
    "acknowledge_due_at",
    "resolve_due_at",
    "acknowledged_at",
    "resolved_at",
    "closed_at",
    "escalation_level",
    "assigned_to",
    "case",
    "satisfaction",
    "version",
]


class SubmissionSummarySerializer(serializers.ModelSerializer):
    overdue = serializers.BooleanField(read_only=True, default=False)

    class Meta:
        model = Submission
        fields = [*_SUMMARY, "overdue"]
        read_only_fields = fields


class SubmissionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Submission
        fields = [
            *_SUMMARY,
            "text",
            "place",
            "contact_name",
            "contact",
            "consent_to_contact",
            "language",
            "subject",
            "resolution",
            "answer",
        ]
        read_only_fields = fields


class IntakeSerializer(serializers.Serializer):
    category = serializers.ChoiceField(choices=Category.choices)
    text = serializers.CharField(max_length=MAX_TEXT)
    place = serializers.CharField(max_length=MAX_SHORT, required=False, default="")
    contact_name = serializers.CharField(max_length=MAX_SHORT, required=False, default="")
    contact = serializers.CharField(max_length=MAX_SHORT, required=False, default="")
    consent_to_contact = serializers.BooleanField(required=False, default=False)
    language = serializers.CharField(max_length=8, required=False, default="")


class StaffIntakeSerializer(IntakeSerializer):
    channel = serializers.ChoiceField(choices=STAFF_CHANNELS)
    priority = serializers.ChoiceField(choices=Priority.choices, default=Priority.NORMAL)
    office = serializers.IntegerField(required=False, allow_null=True, default=None)


class RecordedSerializer(serializers.Serializer):
    """The answer to an intake: the tracking code, shown this once, and the submission."""

    tracking_code = serializers.CharField()
    submission = SubmissionSummarySerializer()


class MoveSerializer(serializers.Serializer):
    to = serializers.ChoiceField(choices=Status.choices)
    version = serializers.IntegerField()


class ResolveSerializer(serializers.Serializer):
    answer = serializers.CharField(max_length=MAX_TEXT)
    resolution = serializers.CharField(max_length=MAX_TEXT, required=False, default="")
    version = serializers.IntegerField()


class TriageSerializer(serializers.Serializer):
    priority = serializers.ChoiceField(choices=Priority.choices)
    assignee = serializers.IntegerField(required=False, allow_null=True, default=None)
    version = serializers.IntegerField()


class LinkCaseSerializer(serializers.Serializer):
    case = serializers.IntegerField()
    version = serializers.IntegerField()

"""The duplicate check before saving a registration, and family tracing, for devices and
integrations: the same policy, actions and audit as the web pages."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.views import APIView

from haven.accounts import policy
from haven.audit.actions import record_access
from haven.cases import selectors as case_selectors
from haven.core.errors import NotAllowed
from haven.core.models import Location
from haven.core.serializers import ModelSerializer
from haven.linkage.validate import MAX_FIELD_LENGTH, check_record
from haven.people.match_keys import person_record
from haven.people.models import BirthDatePrecision, Sex
from haven.tracing import actions, selectors
from haven.tracing.models import PotentialMatch, Reunification, TracingRequest
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


# ---- tracing ----------------------------------------------------------------------------


class TracingRequestSerializer(ModelSerializer):
    case = serializers.IntegerField(source="case_id", help_text="The enquirer's case.")
    last_seen_location = serializers.PrimaryKeyRelatedField(
        queryset=Location.objects.all(), required=False, allow_null=True
    )
    version = serializers.IntegerField(
        required=False, help_text="The version edited (required to change a request)."
    )

    class Meta:
        model = TracingRequest
        fields = [
            "id",
            "case",
            *actions.REQUEST_FIELDS,
            "status",
            "closure_reason",
            "created_at",
            "version",
        ]
        read_only_fields = ["id", "status", "closure_reason", "created_at"]

    def validate_nationality(self, value):
        return (value or "").strip().upper()


class TracingRequestSummarySerializer(ModelSerializer):
    # Lists leave out what describes the person: reading a request is a logged view.
    case = serializers.IntegerField(source="case_id", read_only=True)

    class Meta:
        model = TracingRequest
        fields = ["id", "case", "relationship", "separation_cause", "status", "created_at"]
        read_only_fields = fields


class PotentialMatchSerializer(ModelSerializer):
    person = serializers.SerializerMethodField(help_text="Null when the caller may not see them.")
    contact = serializers.SerializerMethodField(
        help_text="The office (agency) to contact about a person the caller may not see."
    )
    reasons = ReasonSerializer(many=True, source="explanation.fields", read_only=True)

    class Meta:
        model = PotentialMatch
        fields = [
            "id",
            "person",
            "contact",
            "probability",
            "reasons",
            "status",
            "decision_note",
            "decided_at",
        ]
        read_only_fields = fields

    def get_person(self, match) -> int | None:
        return None if getattr(match, "contact", None) is not None else match.person_id

    def get_contact(self, match) -> str | None:
        return getattr(match, "contact", None)


class MatchesSerializer(serializers.Serializer):
    enquirer_consent = serializers.BooleanField()
    matches = PotentialMatchSerializer(many=True)


class MatchDecisionSerializer(serializers.Serializer):
    match = serializers.IntegerField()
    confirm = serializers.BooleanField()
    note = serializers.CharField(required=False, allow_blank=True, max_length=500)


class TracingCloseSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=500)
    version = serializers.IntegerField()


class ReunificationSerializer(ModelSerializer):
    match = serializers.IntegerField(source="match_id")
    version = serializers.IntegerField(write_only=True)
    child_involved = serializers.BooleanField(read_only=True)

    class Meta:
        model = Reunification
        fields = [
            "id",
            "match",
            "reunified_on",
            "place",
            "arrangement",
            "child_involved",
            "best_interests",
            "best_interests_on",
            "best_interests_by",
            "notes",
            "version",
        ]
        read_only_fields = ["id", "child_involved"]
        extra_kwargs = {"notes": {"write_only": True}}


class TracingRequestViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """Family tracing requests, seen through the enquirer's case. Their matches are found
    by Haven (after every change on either side); the caller confirms or rejects them."""

    serializer_class = TracingRequestSerializer
    required_perms = {
        "*": "case.view",
        "create": "tracing.manage",
        "partial_update": "tracing.manage",
        "decide": "tracing.manage",
        "close": "tracing.manage",
        "reunify": "tracing.manage",
    }
    filterset_fields = ["status", "case"]

    def get_queryset(self):
        return selectors.visible_requests(self.request.user).order_by("-created_at", "-id")

    def get_serializer_class(self):
        if self.action == "list":
            return TracingRequestSummarySerializer
        return TracingRequestSerializer

    def _managed(self, pk) -> TracingRequest:
        return selectors.get_request(self.request.user, pk, "tracing.manage")

    def retrieve(self, request, pk=None):
        tracing = selectors.get_request(request.user, pk)
        record_access(request.user, "tracing.view", tracing.case)
        return Response(TracingRequestSerializer(tracing).data)

    @extend_schema(request=TracingRequestSerializer, responses={201: TracingRequestSerializer})
    def create(self, request):
        payload = TracingRequestSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = dict(payload.validated_data)
        data.pop("version", None)
        case = case_selectors.get_case(request.user, data.pop("case_id"), "tracing.manage")
        tracing = actions.open_request(request.user, case, data)
        return Response(TracingRequestSerializer(tracing).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=TracingRequestSerializer, responses=TracingRequestSerializer)
    def partial_update(self, request, pk=None):
        tracing = self._managed(pk)
        payload = TracingRequestSerializer(tracing, data=request.data, partial=True)
        payload.is_valid(raise_exception=True)
        data = dict(payload.validated_data)
        if "version" not in data:
            raise serializers.ValidationError({"version": [_("Give the version you edited.")]})
        version = data.pop("version")
        if data.pop("case_id", tracing.case_id) != tracing.case_id:
            raise serializers.ValidationError({"case": [_("A request stays with its case.")]})
        actions.update_request(request.user, tracing, data, version)
        return Response(TracingRequestSerializer(tracing).data)

    @extend_schema(responses=MatchesSerializer)
    @action(detail=True, methods=["get"])
    def matches(self, request, pk=None):
        tracing = selectors.get_request(request.user, pk)
        if not policy.can_see_identity(request.user):
            raise NotAllowed(_("Your role does not see the persons matched."))
        found = selectors.matches_for(request.user, tracing)
        body = {
            "enquirer_consent": found.enquirer_consent,
            "matches": [*found.shown, *found.elsewhere],
        }
        return Response(MatchesSerializer(body).data)

    @extend_schema(request=MatchDecisionSerializer, responses=PotentialMatchSerializer)
    @action(detail=True, methods=["post"])
    def decide(self, request, pk=None):
        tracing = self._managed(pk)
        payload = MatchDecisionSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        match = selectors.get_match(request.user, tracing, data["match"])
        actions.decide_match(
            request.user, match, confirm=data["confirm"], note=data.get("note", "")
        )
        return Response(PotentialMatchSerializer(match).data)

    @extend_schema(request=TracingCloseSerializer, responses=TracingRequestSerializer)
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        tracing = self._managed(pk)
        payload = TracingCloseSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        actions.close_request(request.user, tracing, data["reason"], data["version"])
        return Response(TracingRequestSerializer(tracing).data)

    @extend_schema(request=ReunificationSerializer, responses={201: ReunificationSerializer})
    @action(detail=True, methods=["post"])
    def reunify(self, request, pk=None):
        tracing = self._managed(pk)
        payload = ReunificationSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = dict(payload.validated_data)
        match = selectors.get_match(request.user, tracing, data.pop("match_id"))
        version = data.pop("version")
        record = actions.reunify(request.user, tracing, match, data, version)
        return Response(ReunificationSerializer(record).data, status=status.HTTP_201_CREATED)

"""Assisted voluntary returns and reintegration plans over the API: the same policy,
actions and audit as the case's Return and reintegration tab."""

from typing import ClassVar

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from haven.assistance import reintegration_actions, return_actions, returns, selectors
from haven.assistance.models import (
    ComponentStatus,
    Dimension,
    PlanKind,
    ReintegrationComponent,
    ReintegrationPlan,
    ReturnMovement,
    ReturnStep,
    ServiceType,
)
from haven.audit.actions import record_access
from haven.cases import selectors as case_selectors
from haven.core.models import Location
from haven.core.serializers import ModelSerializer, Serializer


class ReturnStepSerializer(ModelSerializer):
    done_by = serializers.SlugRelatedField(slug_field="username", read_only=True)

    class Meta:
        model = ReturnStep
        fields = ["code", "position", "done", "done_on", "done_by", "checklist", "details", "notes"]
        read_only_fields = fields


class ReturnSerializer(ModelSerializer):
    steps = ReturnStepSerializer(many=True, read_only=True)

    class Meta:
        model = ReturnMovement
        fields = [
            "id",
            "case",
            "country_of_departure",
            "country_of_return",
            "destination",
            "status",
            "created_at",
            "completed_on",
            "withdrawn_on",
            "withdrawn_at_step",
            "withdrawal_reason",
            "version",
            "steps",
        ]
        read_only_fields = fields


class ReturnSummarySerializer(ReturnSerializer):
    # Lists leave out what may describe the person: reading one return is a logged view.
    class Meta(ReturnSerializer.Meta):
        fields = [
            f for f in ReturnSerializer.Meta.fields if f not in ("withdrawal_reason", "steps")
        ]
        read_only_fields = fields


class StartReturnSerializer(Serializer):
    case = serializers.IntegerField()
    country_of_departure = serializers.CharField(max_length=2, help_text="ISO 3166-1 alpha-2")
    country_of_return = serializers.CharField(max_length=2, help_text="ISO 3166-1 alpha-2")


class StepSerializer(Serializer):
    done_on = serializers.DateField()
    checklist = serializers.DictField(
        child=serializers.BooleanField(),
        help_text="Item code -> ticked; the items of each step are in docs/assistance.md.",
    )
    details = serializers.DictField(required=False, help_text="The step's details by code.")
    notes = serializers.CharField(required=False, allow_blank=True, max_length=4000)
    version = serializers.IntegerField()


class WithdrawSerializer(Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, max_length=2000)
    version = serializers.IntegerField()


class _CaseRecordViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """Records of the cases in the caller's scope (returns, reintegration plans): listed as
    summaries, read in full (an access-log entry), changed through actions that answer with
    the record read again."""

    record_serializer: ClassVar[type[serializers.Serializer]]
    seen_as: ClassVar[str]  # the access-log action of reading one

    def records(self) -> QuerySet:
        raise NotImplementedError

    def get_record(self, pk):
        raise NotImplementedError

    def in_full(self, records: QuerySet) -> QuerySet:
        return records

    def _body(self, record) -> dict:
        return self.record_serializer(self.in_full(self.records()).get(pk=record.pk)).data

    def _valid(self, serializer_class: type[serializers.Serializer]) -> dict:
        payload = serializer_class(data=self.request.data)
        payload.is_valid(raise_exception=True)
        return dict(payload.validated_data)

    def retrieve(self, request, pk=None):
        record = self.get_record(pk)
        record_access(request.user, self.seen_as, record)
        return Response(self._body(record))


@extend_schema_view(retrieve=extend_schema(responses=ReturnSerializer))
class ReturnViewSet(_CaseRecordViewSet):
    """Returns of the cases in the caller's scope, their steps and the person's withdrawal."""

    serializer_class = ReturnSummarySerializer
    record_serializer = ReturnSerializer
    seen_as = "return.detail"
    required_perms = {
        "*": "case.view",
        "create": "case.update",
        "step": "case.update",
        "withdraw": "case.update",
    }
    filterset_fields = ["case", "status", "country_of_return"]

    def records(self) -> QuerySet:
        return selectors.returns_of(self.request.user)

    def get_record(self, pk):
        return selectors.get_return(self.request.user, pk)

    def in_full(self, records: QuerySet) -> QuerySet:
        return records.prefetch_related("steps")

    def get_queryset(self):
        return self.records().order_by("-created_at", "-id")

    @extend_schema(request=StartReturnSerializer, responses={201: ReturnSerializer})
    def create(self, request):
        data = self._valid(StartReturnSerializer)
        case = case_selectors.get_case(request.user, data["case"])
        movement = return_actions.start_return(
            request.user,
            case,
            country_of_departure=data["country_of_departure"],
            country_of_return=data["country_of_return"],
        )
        return Response(self._body(movement), status=status.HTTP_201_CREATED)

    @extend_schema(
        request=StepSerializer,
        responses=ReturnSerializer,
        description=f"Record a step as done, in order: {', '.join(returns.ORDER)}.",
    )
    @action(detail=True, methods=["post"], url_path=r"steps/(?P<code>[a-z_]+)")
    def step(self, request, pk=None, code=None):
        movement = self.get_record(pk)
        data = self._valid(StepSerializer)
        return_actions.complete_step(
            request.user,
            movement,
            code,
            done_on=data["done_on"],
            checklist=data["checklist"],
            details=data.get("details", {}),
            notes=data.get("notes", ""),
            version=data["version"],
        )
        return Response(self._body(movement))

    @extend_schema(request=WithdrawSerializer, responses=ReturnSerializer)
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        movement = self.get_record(pk)
        data = self._valid(WithdrawSerializer)
        return_actions.withdraw_return(
            request.user, movement, reason=data.get("reason", ""), version=data["version"]
        )
        return Response(self._body(movement))


class ComponentSerializer(ModelSerializer):
    service = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = ReintegrationComponent
        fields = ["id", "dimension", "service", "description", "status", "due_on", "done_on"]
        read_only_fields = fields


class PlanSerializer(ModelSerializer):
    components = ComponentSerializer(many=True, read_only=True)
    members = serializers.SlugRelatedField(slug_field="number", many=True, read_only=True)
    community = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)
    sustainability_rounds = serializers.SerializerMethodField()

    class Meta:
        model = ReintegrationPlan
        fields = [
            "id",
            "case",
            "kind",
            "title",
            "members",
            "community",
            "movement",
            "status",
            "started_on",
            "review_on",
            "version",
            "components",
            "sustainability_rounds",
        ]
        read_only_fields = fields

    def get_sustainability_rounds(self, plan) -> list[dict]:
        return selectors.sustainability_rounds(plan.case)


class PlanSummarySerializer(PlanSerializer):
    class Meta(PlanSerializer.Meta):
        fields = [
            f
            for f in PlanSerializer.Meta.fields
            if f not in ("components", "sustainability_rounds")
        ]
        read_only_fields = fields


class CreatePlanSerializer(Serializer):
    case = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=PlanKind.choices)
    title = serializers.CharField(max_length=200)
    started_on = serializers.DateField()
    review_on = serializers.DateField(required=False, allow_null=True)
    members = serializers.ListField(
        child=serializers.IntegerField(), required=False, help_text="Case ids (collective)"
    )
    community = serializers.SlugRelatedField(
        slug_field="code", queryset=Location.objects.all(), required=False, allow_null=True
    )
    movement = serializers.IntegerField(required=False, allow_null=True)


class AddComponentSerializer(Serializer):
    dimension = serializers.ChoiceField(choices=Dimension.choices)
    description = serializers.CharField(max_length=4000)
    service = serializers.SlugRelatedField(
        slug_field="code", queryset=ServiceType.objects.all(), required=False, allow_null=True
    )
    due_on = serializers.DateField(required=False, allow_null=True)
    version = serializers.IntegerField()


class MoveComponentSerializer(Serializer):
    status = serializers.ChoiceField(choices=ComponentStatus.choices)
    done_on = serializers.DateField(required=False, allow_null=True)
    version = serializers.IntegerField()


class ClosePlanSerializer(Serializer):
    completed = serializers.BooleanField()
    version = serializers.IntegerField()


@extend_schema_view(retrieve=extend_schema(responses=PlanSerializer))
class ReintegrationPlanViewSet(_CaseRecordViewSet):
    """Reintegration plans of the cases in the caller's scope, with the person's
    sustainability rounds beside each plan."""

    serializer_class = PlanSummarySerializer
    record_serializer = PlanSerializer
    seen_as = "reintegration_plan.detail"
    required_perms = {
        "*": "case.view",
        "create": "case.update",
        "components": "case.update",
        "move_component": "case.update",
        "close": "case.update",
    }
    filterset_fields = ["case", "kind", "status"]

    def records(self) -> QuerySet:
        return selectors.plans_of(self.request.user)

    def get_record(self, pk):
        return selectors.get_plan(self.request.user, pk)

    def in_full(self, records: QuerySet) -> QuerySet:
        return records.prefetch_related("components__service", "members").select_related(
            "community"
        )

    def get_queryset(self):
        return self.records().order_by("-started_on", "-id")

    @extend_schema(request=CreatePlanSerializer, responses={201: PlanSerializer})
    def create(self, request):
        data = self._valid(CreatePlanSerializer)
        user = request.user
        case = case_selectors.get_case(user, data.pop("case"))
        members = [case_selectors.get_case(user, pk) for pk in data.pop("members", [])]
        movement_id = data.pop("movement", None)
        movement = selectors.get_return(user, movement_id) if movement_id else None
        plan = reintegration_actions.create_plan(
            user, case, members=members, movement=movement, **data
        )
        return Response(self._body(plan), status=status.HTTP_201_CREATED)

    @extend_schema(request=AddComponentSerializer, responses=PlanSerializer)
    @action(detail=True, methods=["post"])
    def components(self, request, pk=None):
        plan = self.get_record(pk)
        reintegration_actions.add_component(
            request.user, plan, **self._valid(AddComponentSerializer)
        )
        return Response(self._body(plan))

    @extend_schema(
        request=MoveComponentSerializer,
        responses=PlanSerializer,
        operation_id="v1_reintegration_plans_component_move",
    )
    @action(detail=True, methods=["post"], url_path=r"components/(?P<component>[0-9]{1,18})")
    def move_component(self, request, pk=None, component=None):
        plan = self.get_record(pk)
        target = get_object_or_404(plan.components, pk=component)
        reintegration_actions.move_component(
            request.user, target, **self._valid(MoveComponentSerializer)
        )
        return Response(self._body(plan))

    @extend_schema(request=ClosePlanSerializer, responses=PlanSerializer)
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        plan = self.get_record(pk)
        reintegration_actions.close_plan(request.user, plan, **self._valid(ClosePlanSerializer))
        return Response(self._body(plan))

from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from haven.accounts import policy
from haven.audit.actions import record_access
from haven.cases import actions, approval_actions, selectors, serializers, transfer_actions
from haven.cases.filters import CaseFilter
from haven.cases.models import CaseAssignment
from haven.core.errors import HavenError, NotAllowed


class CaseViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Cases in the caller's scope; writes go through the same actions as the web pages."""

    serializer_class = serializers.CaseSerializer
    filterset_class = CaseFilter
    required_perms = {
        "*": "case.view",
        "create": "case.create",
        "batch": "case.create",
        "partial_update": "case.update",
        "transition": "case.transition",
        "request_closure": "case.transition",
        "assign": "case.assign",
        "transfer": "case.transfer",
        "notes": "case.view",
        "plan": "case.update",
        "risk_override": "case.approve",
    }

    def get_queryset(self):
        return (
            selectors.case_list(self.request.user, query=self.request.query_params.get("q", ""))
            .prefetch_related(
                Prefetch("assignments", CaseAssignment.objects.select_related("user"))
            )
            .order_by("-registered_on", "-id")
        )

    def _reload(self, case):
        return self.get_serializer(self.get_queryset().get(pk=case.pk)).data

    @extend_schema(
        parameters=[OpenApiParameter("q", str, description="Name, case or document number")]
    )
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    def retrieve(self, request, *args, **kwargs):
        case = self.get_object()
        record_access(request.user, "case.detail", case)
        return Response(self.get_serializer(case).data)

    @extend_schema(
        request=serializers.CaseCreateSerializer, responses={201: serializers.CaseSerializer}
    )
    def create(self, request, *args, **kwargs):
        payload = serializers.CaseCreateSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        case = _register(request.user, payload.validated_data)
        # The new case has no assignments yet: serialise it as it is, without reading it back.
        case._prefetched_objects_cache = {"assignments": []}
        return Response(self.get_serializer(case).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=serializers.CaseCreateSerializer(many=True),
        responses=serializers.BatchResultSerializer,
        description=(
            "Register up to 100 people and cases in one request, e.g. a device syncing "
            "registrations it took offline. Each one is validated, numbered, audited and "
            "committed on its own: a refused item is reported with its reasons and never "
            "stops or undoes the others."
        ),
    )
    @action(detail=False, methods=["post"])
    def batch(self, request):
        items = request.data
        if not isinstance(items, list) or not 1 <= len(items) <= BATCH_LIMIT:
            return Response(
                {"detail": f"Send a JSON list of 1 to {BATCH_LIMIT} registrations."}, status=400
            )
        results = [_register_one(request.user, index, item) for index, item in enumerate(items)]
        created = sum(1 for r in results if r["status"] == 201)
        return Response({"created": created, "refused": len(results) - created, "results": results})

    @extend_schema(request=serializers.CaseUpdateSerializer, responses=serializers.CaseSerializer)
    def partial_update(self, request, *args, **kwargs):
        case = self.get_object()
        payload = serializers.CaseUpdateSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = dict(payload.validated_data)
        version = data.pop("version")
        actions.update_case(request.user, case, data, version)
        return Response(self._reload(case))

    @extend_schema(request=serializers.TransitionSerializer, responses=serializers.CaseSerializer)
    @action(detail=True, methods=["post"])
    def transition(self, request, pk=None):
        case = self.get_object()
        payload = serializers.TransitionSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        actions.transition(
            request.user,
            case,
            data["to"],
            data["version"],
            closure_reason=data.get("closure_reason", ""),
            comment=data.get("comment", ""),
        )
        return Response(self._reload(case))

    @extend_schema(
        request=serializers.RiskOverrideSerializer,
        responses=serializers.CaseSerializer,
        description=(
            "A supervisor sets the case's risk level by hand, with the reason; while set, "
            "submitted assessments no longer change it. An empty risk_level lets assessments "
            "set it again."
        ),
    )
    @action(detail=True, methods=["post"], url_path="risk-override")
    def risk_override(self, request, pk=None):
        case = self.get_object()
        payload = serializers.RiskOverrideSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        actions.override_risk(
            request.user, case, data["risk_level"], data.get("reason", ""), data["version"]
        )
        return Response(self._reload(case))

    @extend_schema(
        request=serializers.ClosureRequestSerializer,
        responses={201: serializers.ApprovalSerializer},
    )
    @action(detail=True, methods=["post"], url_path="request-closure")
    def request_closure(self, request, pk=None):
        case = self.get_object()
        payload = serializers.ClosureRequestSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        approval = approval_actions.request_closure(
            request.user, case, data["closure_reason"], comment=data.get("comment", "")
        )
        return Response(
            serializers.ApprovalSerializer(approval).data, status=status.HTTP_201_CREATED
        )

    @extend_schema(request=serializers.AssignSerializer, responses=serializers.CaseSerializer)
    @action(detail=True, methods=["post"])
    def assign(self, request, pk=None):
        case = self.get_object()
        payload = serializers.AssignSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        actions.assign(
            request.user,
            case,
            owner=payload.validated_data.get("owner"),
            assignees=payload.validated_data.get("assignees"),
        )
        return Response(self._reload(case))

    @extend_schema(
        request=serializers.TransferRequestSerializer,
        responses={201: serializers.TransferSerializer},
    )
    @action(detail=True, methods=["post"])
    def transfer(self, request, pk=None):
        case = self.get_object()
        payload = serializers.TransferRequestSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        transfer = transfer_actions.request_transfer(request.user, case, **payload.validated_data)
        return Response(
            serializers.TransferSerializer(transfer).data, status=status.HTTP_201_CREATED
        )

    @extend_schema(request=serializers.PlanSerializer, responses={201: serializers.PlanSerializer})
    @action(detail=True, methods=["post"])
    def plan(self, request, pk=None):
        case = self.get_object()
        payload = serializers.PlanSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        plan = approval_actions.save_plan(
            request.user,
            case,
            goals=data["goals"],
            actions=[dict(a) for a in data.get("actions", [])],
            submit=data["submit"],
        )
        return Response({"goals": plan.goals, "state": plan.state}, status=status.HTTP_201_CREATED)

    @extend_schema(methods=["GET"], responses=serializers.NoteSerializer(many=True))
    @extend_schema(
        methods=["POST"],
        request=serializers.NoteSerializer,
        responses={201: serializers.NoteSerializer},
    )
    @action(detail=True, methods=["get", "post"])
    def notes(self, request, pk=None):
        case = self.get_object()
        if not policy.can_see_identity(request.user):
            raise NotAllowed("Your role may not read notes.")
        if request.method == "POST":
            payload = serializers.NoteSerializer(data=request.data)
            payload.is_valid(raise_exception=True)
            note = actions.add_note(request.user, case, payload.validated_data["body"])
            return Response(serializers.NoteSerializer(note).data, status=status.HTTP_201_CREATED)
        record_access(request.user, "case.notes", case)
        notes = case.notes.select_related("author").order_by("-created_at", "-id")
        page = self.paginate_queryset(notes)
        return self.get_paginated_response(serializers.NoteSerializer(page, many=True).data)


CASE_INPUT_FIELDS = (
    "programme",
    "vulnerabilities",
    "risk_level",
    "sensitive",
    "office",
    "summary",
    "registered_on",
)


def _register(user, validated: dict):
    data = dict(validated)
    return actions.register(
        user,
        person=dict(data.pop("person")),
        case={k: data[k] for k in CASE_INPUT_FIELDS if k in data},
        registration_basis=data["registration_basis"],
        consent_given=data["consent_given"],
        other_consents=[dict(c) for c in data.get("consents", [])],
        number=data.get("number"),
    )


BATCH_LIMIT = 100


def _register_one(user, index: int, item) -> dict:
    payload = serializers.CaseCreateSerializer(data=item)
    if not payload.is_valid():
        return {"index": index, "status": 400, "errors": payload.errors}
    try:
        case = _register(user, payload.validated_data)
    except HavenError as exc:
        return {"index": index, "status": exc.status_code, "errors": {"detail": exc.message}}
    except ValidationError as exc:
        errors = exc.message_dict if hasattr(exc, "message_dict") else {"detail": exc.messages}
        return {"index": index, "status": 400, "errors": errors}
    return {"index": index, "status": 201, "id": case.pk, "number": case.number}


class ApprovalViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """Approvals waiting for the caller's decision."""

    serializer_class = serializers.ApprovalSerializer
    required_perms = {"*": "case.approve"}

    def get_queryset(self):
        return selectors.pending_approvals_for(self.request.user).order_by("requested_at")

    @extend_schema(request=serializers.DecisionSerializer, responses=serializers.ApprovalSerializer)
    @action(detail=True, methods=["post"])
    def decide(self, request, pk=None):
        approval = self.get_object()
        payload = serializers.DecisionSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        approval_actions.decide(request.user, approval, **payload.validated_data)
        return Response(serializers.ApprovalSerializer(approval).data)


class TransferViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """Transfers waiting for the caller's agency to accept or decline."""

    serializer_class = serializers.TransferSerializer
    required_perms = {"*": "case.transfer"}

    def get_queryset(self):
        return selectors.incoming_transfers(self.request.user).order_by("requested_at")

    @extend_schema(
        request=serializers.TransferAnswerSerializer, responses=serializers.TransferSerializer
    )
    @action(detail=True, methods=["post"])
    def answer(self, request, pk=None):
        transfer = self.get_object()
        payload = serializers.TransferAnswerSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        transfer_actions.answer_transfer(
            request.user, transfer, accept=payload.validated_data["accept"]
        )
        return Response(serializers.TransferSerializer(transfer).data)

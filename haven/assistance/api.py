"""The service directory and referrals over the API: the same policy, actions and audit as
the web pages. The receiving side of a referral sees it and the fields shared, never the
case."""

from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from haven.accounts import policy
from haven.assistance import actions, directory, reports, selectors
from haven.assistance.models import (
    Provider,
    ServiceDelivery,
    ServicePoint,
    ServiceType,
)
from haven.assistance.serializers import (
    AnswerSerializer,
    AssistanceReportSerializer,
    DirectoryImportSerializer,
    DirectoryUploadSerializer,
    ProgressSerializer,
    ProviderSerializer,
    ReceivedReferralSerializer,
    ReceivedSummarySerializer,
    ReferralSerializer,
    ReferralSummarySerializer,
    ReferSerializer,
    ServiceDeliverySerializer,
    ServicePointSerializer,
    ServiceTypeSerializer,
)
from haven.audit.actions import record_access
from haven.cases import selectors as case_selectors
from haven.cases.models import Case
from haven.core.api import PeriodReportView, period_report_schema
from haven.core.errors import NotAllowed
from haven.core.models import Location


class _DirectoryViewSet(viewsets.ModelViewSet):
    """Readable by everyone signed in; written by those who manage the directory."""

    required_perms = {
        "*": None,
        "create": "service.manage",
        "update": "service.manage",
        "partial_update": "service.manage",
        "destroy": "service.manage",
    }
    http_method_names = ["get", "post", "patch", "head", "options"]

    WRITES = ("create", "update", "partial_update", "destroy")

    def check_object_permissions(self, request, obj):
        # Refused before the body is read: the entry is another agency's (or shared).
        super().check_object_permissions(request, obj)
        if self.action in self.WRITES and not selectors.may_change_directory_entry(
            request.user, obj
        ):
            self.permission_denied(request, message=actions.KEPT_ELSEWHERE)

    def perform_create(self, serializer):
        actions.save_directory_entry(self.request.user, serializer)

    def perform_update(self, serializer):
        actions.save_directory_entry(self.request.user, serializer)


class ServiceTypeViewSet(_DirectoryViewSet):
    serializer_class = ServiceTypeSerializer
    queryset = ServiceType.objects.order_by("name")

    def check_permissions(self, request):
        super().check_permissions(request)
        if self.action in self.WRITES and not policy.may_manage_service_types(request.user):
            self.permission_denied(request, message=actions.TAXONOMY_SHARED)


class ProviderViewSet(_DirectoryViewSet):
    serializer_class = ProviderSerializer
    queryset = Provider.objects.select_related("agency").order_by("name")


class ServicePointViewSet(_DirectoryViewSet):
    serializer_class = ServicePointSerializer
    queryset = ServicePoint.objects.select_related("provider").prefetch_related("services")
    required_perms = {**_DirectoryViewSet.required_perms, "import_hxl": "service.manage"}

    @extend_schema(
        responses={(200, "text/csv"): str},
        description="The directory as CSV with HXL hashtags (see docs/assistance.md).",
    )
    @action(detail=False, methods=["get"], url_path="export")
    def export_hxl(self, request):
        body = directory.export_csv(self.get_queryset().filter(active=True))
        response = HttpResponse(body, content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="service-points.csv"'
        return response

    @extend_schema(
        request={"multipart/form-data": DirectoryUploadSerializer},
        responses=DirectoryImportSerializer,
        description="Create or update service points from HXL-tagged CSV; a file with any "
        "bad row is refused whole, each problem with its line.",
    )
    @action(detail=False, methods=["post"], url_path="import")
    def import_hxl(self, request):
        upload = request.FILES.get("file")
        if upload is None:
            return Response({"file": ["Attach the CSV as 'file'."]}, status=400)
        result = actions.import_directory(request.user, upload.read())
        body = {"created": result.created, "updated": result.updated, "errors": result.errors}
        return Response(body, status=400 if result.errors else 200)

    @extend_schema(
        parameters=[
            OpenApiParameter("service", str, description="A service type's code"),
            OpenApiParameter("location", int, description="A place, or any place above it"),
            OpenApiParameter("case", int, description="Only points that take this person"),
            OpenApiParameter("q", str, description="Part of the provider's or point's name"),
        ]
    )
    def list(self, request, *args, **kwargs):
        params = request.query_params
        service = (
            get_object_or_404(ServiceType, code=params["service"])
            if params.get("service")
            else None
        )
        location = (
            get_object_or_404(Location, pk=params["location"])
            if params.get("location", "").isdigit()
            else None
        )
        case = (
            case_selectors.get_case(request.user, params["case"])
            if params.get("case", "").isdigit()
            else None
        )
        found = selectors.points(
            service=service, location=location, case=case, text=params.get("q", "")
        )
        page = self.paginate_queryset(found)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)


class ReferralViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """Referrals the caller sent (through their cases) or their agency or team received."""

    serializer_class = ReferralSerializer
    required_perms = {
        "*": ("case.view", "referral.receive"),
        "create": "referral.create",
        "answer": "referral.receive",
        "progress": "referral.receive",
        "form": "referral.create",
    }
    filterset_fields = ["status", "urgent"]

    def get_queryset(self):
        user = self.request.user
        if self.request.query_params.get("box") == "received":
            found = selectors.received(user).select_related("case__agency").order_by("due_on")
        else:
            found = selectors.sent(user).select_related("service", "to_agency")
            found = found.order_by("-created_at")
        if self.request.query_params.get("overdue") in ("true", "1"):
            found = selectors.overdue(found, timezone.localdate())
        return found

    def get_serializer_class(self):
        if self.request.query_params.get("box") == "received":
            return ReceivedSummarySerializer
        return ReferralSummarySerializer

    @extend_schema(
        parameters=[
            OpenApiParameter("box", str, enum=["sent", "received"]),
            OpenApiParameter(
                "overdue", bool, description="Only open referrals past their due date"
            ),
        ],
    )
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    def _body(self, referral, receiving):
        serializer = ReceivedReferralSerializer if receiving else ReferralSerializer
        return serializer(referral).data

    @extend_schema(responses=ReferralSerializer)
    def retrieve(self, request, pk=None):
        referral, receiving = selectors.get_referral(request.user, pk)
        record_access(request.user, "referral.detail", referral)
        return Response(self._body(referral, receiving))

    @extend_schema(request=ReferSerializer, responses={201: ReferralSerializer})
    def create(self, request):
        payload = ReferSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = dict(payload.validated_data)
        case = case_selectors.get_case(request.user, data.pop("case"))
        referral = actions.refer(
            request.user,
            case,
            data.pop("service"),
            reason=data.pop("reason"),
            fields=data.pop("shared_fields"),
            **data,
        )
        return Response(ReferralSerializer(referral).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=AnswerSerializer, responses=ReceivedReferralSerializer)
    @action(detail=True, methods=["post"])
    def answer(self, request, pk=None):
        referral, data = self._received(request, pk, AnswerSerializer)
        actions.answer(
            request.user,
            referral,
            accept=data["accept"],
            reason=data.get("reason", ""),
            version=data["version"],
        )
        return Response(self._body(referral, True))

    @extend_schema(request=ProgressSerializer, responses=ReceivedReferralSerializer)
    @action(detail=True, methods=["post"])
    def progress(self, request, pk=None):
        referral, data = self._received(request, pk, ProgressSerializer)
        actions.progress(
            request.user,
            referral,
            status=data["status"],
            outcome=data.get("outcome", ""),
            version=data["version"],
        )
        return Response(self._body(referral, True))

    @extend_schema(
        responses={(200, "application/pdf"): OpenApiTypes.BINARY},
        description=(
            "The printable referral form (PDF) for a provider outside Haven: referring side "
            "only, with the person's referral consent in force; recorded as an export."
        ),
    )
    @action(detail=True, methods=["get"])
    def form(self, request, pk=None):
        referral, receiving = selectors.get_referral(request.user, pk)
        if receiving:
            raise NotAllowed(_("Only the referring side can print this referral."))
        pdf = actions.print_form(request.user, referral)
        response = HttpResponse(pdf, content_type="application/pdf")
        response["Content-Disposition"] = f'inline; filename="referral-{referral.pk}.pdf"'
        return response

    def _received(self, request, pk, serializer_class):
        """The referral, if the caller is its receiving side, and the request's data."""
        referral, receiving = selectors.get_referral(request.user, pk)
        if not receiving:
            raise NotAllowed(_("Only the receiving side can answer this referral."))
        payload = serializer_class(data=request.data)
        payload.is_valid(raise_exception=True)
        return referral, payload.validated_data


class ServiceDeliveryViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """Services given to the people of the caller's cases (filter by case)."""

    serializer_class = ServiceDeliverySerializer
    required_perms = {"*": "case.view", "create": "case.update"}
    filterset_fields = ["case", "service", "status"]

    def get_queryset(self):
        return (
            ServiceDelivery.objects.filter(
                case__in=Case.objects.filter(policy.case_q(self.request.user))
            )
            .select_related("service")
            .order_by("-delivered_on", "-id")
        )

    @extend_schema(request=ServiceDeliverySerializer, responses={201: ServiceDeliverySerializer})
    def create(self, request):
        payload = ServiceDeliverySerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = dict(payload.validated_data)
        case = case_selectors.get_case(request.user, data.pop("case_id"))
        delivery = actions.record_delivery(request.user, case, data.pop("service"), **data)
        return Response(ServiceDeliverySerializer(delivery).data, status=status.HTTP_201_CREATED)


@period_report_schema("Made from this day")
class AssistanceReportView(PeriodReportView):
    """Referrals by service and status, acceptance and completion times, overdue referrals,
    services delivered and their cost by funding source, returns by country; over the
    caller's reporting scope, small cells hidden for roles without access to the records."""

    build = staticmethod(reports.assistance_report)
    serializer_class = AssistanceReportSerializer

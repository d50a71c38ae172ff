"""API plumbing shared by every app: domain errors become clear JSON answers."""

from collections.abc import Callable
from dataclasses import asdict
from typing import Any, ClassVar

from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import serializers, status, viewsets
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView
from rest_framework.views import exception_handler as drf_exception_handler

from haven.core import locations
from haven.core.errors import HavenError
from haven.core.models import Location
from haven.core.reporting import dashboard_parameters
from haven.core.serializers import LocationSerializer


def exception_handler(exc, context):
    if isinstance(exc, HavenError):
        body = {"detail": exc.message, "code": exc.code}
        if exc.field:
            body["field"] = exc.field
        problems = getattr(exc, "problems", None)
        if problems:
            body["problems"] = [asdict(problem) for problem in problems]
        return Response(body, status=exc.status_code)
    if isinstance(exc, DjangoValidationError):
        if hasattr(exc, "message_dict"):
            return Response(exc.message_dict, status=status.HTTP_400_BAD_REQUEST)
        return Response({"detail": exc.messages}, status=status.HTTP_400_BAD_REQUEST)
    return drf_exception_handler(exc, context)


def period_report_response(request, build, serializer) -> Response:
    """The answer of a dashboard endpoint: `build(user, since=, until=, base=)` over the
    period of `?from=&to=`, counts rounded to `?base=` where protected, or 400 saying what
    is wrong."""
    period, base, problems = dashboard_parameters(request.query_params)
    if problems:
        return Response({"detail": " ".join(problems)}, status=status.HTTP_400_BAD_REQUEST)
    return Response(serializer(asdict(build(request.user, base=base, **period))).data)


class PeriodReportView(APIView):
    """A dashboard's figures over the API: `build(user, since=, until=, base=)` over the
    period of `?from=&to=`, for holders of `report.view`. A subclass names its `build` and
    `serializer_class`, and is decorated with `period_report_schema` (or, with parameters
    of its own, overrides `get` and its schema, as the indicators do)."""

    required_perms: ClassVar[dict[str, str]] = {"*": "report.view"}
    build: ClassVar[Callable[..., Any]]
    serializer_class: ClassVar[type[serializers.Serializer]]

    def get(self, request: Request) -> Response:
        return period_report_response(request, type(self).build, self.serializer_class)


def period_report_schema(counted_from: str) -> Callable[[type], type]:
    """The report's parameters in the API schema; `counted_from` says which date counts
    ("Received from this day")."""
    parameters = [
        OpenApiParameter("from", OpenApiTypes.DATE, description=counted_from),
        OpenApiParameter("to", OpenApiTypes.DATE, description="… up to this day"),
        OpenApiParameter("base", int, description="Round protected counts to this base (1 to 100)"),
    ]
    return extend_schema_view(get=extend_schema(parameters=parameters))


class LocationViewSet(viewsets.ReadOnlyModelViewSet):
    """The location hierarchy (reference data, readable by every signed-in user)."""

    serializer_class = LocationSerializer
    queryset = Location.objects.select_related("parent").order_by("country_code", "level", "name")
    filterset_fields = ["country_code", "level", "parent"]

    def get_queryset(self):
        text = self.request.query_params.get("q", "") if self.action == "list" else ""
        if text:
            return locations.search(text)
        return super().get_queryset()

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "q", str, description="Places whose name holds this (2 letters or more)"
            )
        ]
    )
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

"""De-identified releases over the API: the same register, checks, job and audit as the
pages."""

from dataclasses import asdict

from django.http import FileResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response

from haven.core.api import PeriodReportView
from haven.core.serializers import ModelSerializer, ReportTableSerializer, Serializer
from haven.evidence import actions, indicators, selectors
from haven.evidence.datasets import FIELDS, SENSITIVE
from haven.evidence.models import Release, ReleaseKind


class ReleaseSerializer(ModelSerializer):
    created_by = serializers.CharField(source="created_by.username", read_only=True)

    class Meta:
        model = Release
        fields = [
            "id",
            "kind",
            "purpose",
            "fields",
            "filters",
            "file_format",
            "k",
            "suppression_limit",
            "sensitive",
            "l_diversity",
            "seed",
            "status",
            "progress",
            "stage",
            "report",
            "rows",
            "checksum",
            "error",
            "created_by",
            "created_at",
            "finished_at",
            "expires_at",
        ]
        read_only_fields = fields


class ReleaseRequestSerializer(Serializer):
    kind = serializers.ChoiceField(
        choices=[ReleaseKind.DEIDENTIFIED, ReleaseKind.CTDC],
        default=ReleaseKind.DEIDENTIFIED,
        help_text="ctdc: counter-trafficking cases in CTDC's layout; its fields are fixed.",
    )
    purpose = serializers.CharField(max_length=500)
    fields = serializers.ListField(
        child=serializers.ChoiceField(choices=list(FIELDS)), required=False, default=list
    )
    k = serializers.IntegerField(min_value=2, max_value=1000)
    suppression_limit = serializers.FloatField(min_value=0, max_value=1)
    sensitive = serializers.ChoiceField(choices=list(SENSITIVE), required=False, allow_blank=True)
    l_diversity = serializers.IntegerField(min_value=2, max_value=20, required=False)
    seed = serializers.IntegerField(
        min_value=0,
        max_value=2**31 - 1,
        required=False,
        help_text="Give the seed of an earlier release to make the same file again.",
    )


class ReleaseViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """The register of releases and exports of the caller's agency. Exports that name
    people are asked for and downloaded on the pages alone, after re-authentication."""

    serializer_class = ReleaseSerializer
    required_perms = {"*": "release.create"}

    def get_queryset(self):
        return selectors.visible_releases(self.request.user)

    @extend_schema(request=ReleaseRequestSerializer, responses={201: ReleaseSerializer})
    def create(self, request):
        payload = ReleaseRequestSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        release = actions.request_release(request.user, **payload.validated_data)
        release.refresh_from_db()
        return Response(ReleaseSerializer(release).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=ReleaseSerializer)
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        release = actions.cancel_release(request.user, selectors.get_release(request.user, pk))
        return Response(ReleaseSerializer(release).data)

    @extend_schema(
        responses={(200, "text/csv"): OpenApiTypes.BINARY},
        description="The release's CSV while it is available (audited); 410 otherwise.",
    )
    @action(detail=True, methods=["get"])
    def download(self, request, pk=None):
        release = selectors.get_release(request.user, pk)
        if release.identified:
            raise PermissionDenied(
                "An export that names people is downloaded from its page, after re-authentication."
            )
        path = selectors.available_file(release)
        if path is None:
            return Response(
                {"detail": "This release is not available: it is not ready, or it has expired."},
                status=status.HTTP_410_GONE,
            )
        actions.downloaded(request.user, release)
        return FileResponse(path.open("rb"), as_attachment=True, filename=release.file_name)


class IndicatorsSerializer(Serializer):
    protected = serializers.BooleanField(help_text="Small cells hidden (null counts)")
    threshold = serializers.IntegerField()
    base = serializers.IntegerField(help_text="Counts rounded to this base (1: as counted)")
    cases = serializers.IntegerField(allow_null=True)
    by_status = ReportTableSerializer()
    by_vulnerability = ReportTableSerializer()
    disaggregated = ReportTableSerializer()
    caseload = ReportTableSerializer()
    stages = ReportTableSerializer()
    migof = ReportTableSerializer()
    referrals = ReportTableSerializer()
    services = ReportTableSerializer()


class IndicatorsView(PeriodReportView):
    """The indicators of the page /indicators/ over the caller's reporting scope: cases by
    status, programme, vulnerability and risk, one disaggregation, caseload, time in each
    stage, MiGOF categories, referrals and services delivered; small cells hidden for roles
    without the records."""

    # The page's own parameters (dimension, age bands, place level): its own `get`.
    @extend_schema(
        parameters=[
            OpenApiParameter("from", OpenApiTypes.DATE, description="Registered from this day"),
            OpenApiParameter("to", OpenApiTypes.DATE, description="… up to this day"),
            OpenApiParameter("by", str, enum=list(indicators.DIMENSIONS)),
            OpenApiParameter("bands", str, description="Age bands' lower edges: 0,18,60"),
            OpenApiParameter("level", int, description="Place level (0 country, 1 region…)"),
            OpenApiParameter("base", int, description="Round counts to this base"),
        ],
        responses=IndicatorsSerializer,
    )
    def get(self, request):
        options, _period, problems = indicators.parse(request.query_params)
        if problems:
            return Response({"detail": " ".join(problems)}, status=status.HTTP_400_BAD_REQUEST)
        report = indicators.indicators(request.user, options)
        return Response(IndicatorsSerializer(asdict(report)).data)

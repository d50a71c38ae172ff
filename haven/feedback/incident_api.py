"""The REST API of the incident monitoring mechanism: the same policy and actions as the
pages, and the dashboard's protected counts."""

from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.response import Response

from haven.accounts.models import Office
from haven.audit.actions import record_access
from haven.core.api import PeriodReportView, period_report_schema
from haven.core.models import Location
from haven.core.serializers import ReportTableSerializer
from haven.feedback import incident_actions, incident_reports, incident_selectors, selectors
from haven.feedback.models import AffectedSex, AgeBand, Incident, IncidentKind, Perpetrator


class AffectedSerializer(serializers.Serializer):
    sex = serializers.ChoiceField(choices=AffectedSex.choices)
    age_band = serializers.ChoiceField(choices=AgeBand.choices)
    count = serializers.IntegerField(min_value=0, max_value=incident_actions.MAX_AFFECTED)


class IncidentSerializer(serializers.ModelSerializer):
    affected = AffectedSerializer(many=True, read_only=True)

    class Meta:
        model = Incident
        fields = [
            "id",
            "agency",
            "office",
            "kind",
            "occurred_on",
            "location",
            "perpetrator",
            "description",
            "source",
            "recorded_by",
            "recorded_at",
            "affected",
        ]
        read_only_fields = fields


class IncidentInputSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=IncidentKind.choices)
    occurred_on = serializers.DateField()
    perpetrator = serializers.ChoiceField(choices=Perpetrator.choices)
    location = serializers.IntegerField(required=False, allow_null=True, default=None)
    office = serializers.IntegerField(required=False, allow_null=True, default=None)
    description = serializers.CharField(required=False, default="", allow_blank=True)
    source = serializers.IntegerField(required=False, allow_null=True, default=None)
    affected = AffectedSerializer(many=True)


class IncidentViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """Incidents and rights violations of the caller's scope (categories and counts only)."""

    serializer_class = IncidentSerializer
    required_perms = {"*": "incident.record"}
    filterset_fields = ["kind", "perpetrator", "location"]

    def get_queryset(self):
        return incident_selectors.visible(self.request.user)

    def retrieve(self, request, pk=None):
        incident = incident_selectors.get_incident(request.user, pk)
        record_access(request.user, "incident.detail", incident)
        return Response(IncidentSerializer(incident).data)

    @extend_schema(request=IncidentInputSerializer, responses={201: IncidentSerializer})
    def create(self, request):
        payload = IncidentInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = dict(payload.validated_data)
        counts = {}
        for row in data.pop("affected"):
            key = (row["sex"], row["age_band"])
            counts[key] = counts.get(key, 0) + row["count"]
        incident = incident_actions.record_incident(
            request.user,
            location=_found(Location.objects.all(), data.pop("location")),
            office=_found(
                Office.objects.filter(agency_id=request.user.agency_id), data.pop("office")
            ),
            source=_found(selectors.visible(request.user), data.pop("source")),
            counts=counts,
            **data,
        )
        return Response(IncidentSerializer(incident).data, status=status.HTTP_201_CREATED)


def _found(queryset, pk):
    if pk is None:
        return None
    found = queryset.filter(pk=pk).first()
    if found is None:
        raise Http404
    return found


class IncidentReportSerializer(serializers.Serializer):
    protected = serializers.BooleanField(help_text="Small cells hidden (null counts)")
    threshold = serializers.IntegerField()
    base = serializers.IntegerField(help_text="Counts rounded to this base (1: as counted)")
    incidents = serializers.IntegerField(allow_null=True)
    people_affected = serializers.IntegerField(allow_null=True)
    by_month = ReportTableSerializer()
    by_place = ReportTableSerializer()
    by_perpetrator = ReportTableSerializer()
    affected = ReportTableSerializer()


@period_report_schema("Happened from this day")
class IncidentReportView(PeriodReportView):
    """Incidents by type and month, place and category of perpetrator; people affected by
    sex and age band; small cells hidden for roles that do not record incidents."""

    build = staticmethod(incident_reports.incident_report)
    serializer_class = IncidentReportSerializer

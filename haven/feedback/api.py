"""The REST API of feedback and complaints for staff: the same policy and actions as the
pages. Public intake stays on the web form, where the abuse protections live."""

from django.http import Http404
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from haven.accounts.models import Office, User
from haven.audit.actions import record_access
from haven.cases import selectors as case_selectors
from haven.core.api import PeriodReportView, period_report_schema
from haven.core.serializers import ReportTableSerializer
from haven.feedback import actions, codes, escalation, reports, selectors
from haven.feedback.serializers import (
    LinkCaseSerializer,
    MoveSerializer,
    RecordedSerializer,
    ResolveSerializer,
    StaffIntakeSerializer,
    SubmissionSerializer,
    SubmissionSummarySerializer,
    TriageSerializer,
)


class SubmissionViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """Feedback, complaints and reports the caller may handle (misconduct: PSEA only)."""

    serializer_class = SubmissionSummarySerializer
    required_perms = {"*": selectors.HANDLING, "create": "feedback.record"}
    filterset_fields = ["status", "category", "channel", "priority"]

    def get_queryset(self):
        found = selectors.visible(self.request.user).order_by("-received_at")
        if self.request.query_params.get("overdue") in ("true", "1"):
            found = found.filter(selectors.overdue_q(timezone.now()))
        return found

    @extend_schema(
        parameters=[OpenApiParameter("overdue", bool, description="Only those past a deadline")]
    )
    def list(self, request, *args, **kwargs):
        response = super().list(request, *args, **kwargs)
        now = timezone.now()
        page = {s.pk: s for s in self.paginator.page.object_list}
        for row in response.data["results"]:
            row["overdue"] = escalation.is_overdue(page[row["id"]], now)
        return response

    @extend_schema(responses=SubmissionSerializer)
    def retrieve(self, request, pk=None):
        submission = selectors.get_submission(request.user, pk)
        record_access(request.user, "feedback.detail", submission)
        return Response(SubmissionSerializer(submission).data)

    @extend_schema(request=StaffIntakeSerializer, responses={201: RecordedSerializer})
    def create(self, request):
        payload = StaffIntakeSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = dict(payload.validated_data)
        office_id = data.pop("office")
        office = Office.objects.filter(pk=office_id).first() if office_id else None
        if office_id and office is None:
            raise Http404
        submission, code = actions.record(request.user, office=office, **data)
        body = {"tracking_code": codes.display(code), "submission": submission}
        return Response(RecordedSerializer(body).data, status=status.HTTP_201_CREATED)

    def _payload(self, request, serializer):
        payload = serializer(data=request.data)
        payload.is_valid(raise_exception=True)
        return payload.validated_data

    def _answer(self, submission):
        return Response(SubmissionSerializer(submission).data)

    @extend_schema(request=MoveSerializer, responses=SubmissionSerializer)
    @action(detail=True, methods=["post"])
    def move(self, request, pk=None):
        submission = selectors.get_submission(request.user, pk)
        data = self._payload(request, MoveSerializer)
        actions.move(request.user, submission, data["to"], data["version"])
        return self._answer(submission)

    @extend_schema(request=ResolveSerializer, responses=SubmissionSerializer)
    @action(detail=True, methods=["post"])
    def resolve(self, request, pk=None):
        submission = selectors.get_submission(request.user, pk)
        data = self._payload(request, ResolveSerializer)
        actions.resolve(request.user, submission, **data)
        return self._answer(submission)

    @extend_schema(request=TriageSerializer, responses=SubmissionSerializer)
    @action(detail=True, methods=["post"])
    def triage(self, request, pk=None):
        submission = selectors.get_submission(request.user, pk)
        data = self._payload(request, TriageSerializer)
        assignee = None
        if data["assignee"] is not None:
            assignee = User.objects.filter(
                pk=data["assignee"], agency_id=submission.agency_id
            ).first()
            if assignee is None:
                raise Http404
        actions.triage(
            request.user,
            submission,
            priority=data["priority"],
            assignee=assignee,
            version=data["version"],
        )
        return self._answer(submission)

    @extend_schema(request=LinkCaseSerializer, responses=SubmissionSerializer)
    @action(detail=True, methods=["post"], url_path="link-case")
    def link_case(self, request, pk=None):
        submission = selectors.get_submission(request.user, pk)
        data = self._payload(request, LinkCaseSerializer)
        case = case_selectors.get_case(request.user, data["case"])
        actions.link_case(request.user, submission, case, data["version"])
        return self._answer(submission)


class FeedbackFiguresSerializer(serializers.Serializer):
    submissions = serializers.IntegerField(allow_null=True)
    overdue = serializers.IntegerField(allow_null=True)
    median_hours_to_acknowledge = serializers.FloatField(allow_null=True)
    median_days_to_resolve = serializers.FloatField(allow_null=True)
    mean_satisfaction = serializers.FloatField(allow_null=True)
    ratings = serializers.IntegerField(allow_null=True)


class FeedbackReportSerializer(serializers.Serializer):
    protected = serializers.BooleanField(help_text="Small cells hidden (null counts)")
    threshold = serializers.IntegerField()
    base = serializers.IntegerField(help_text="Counts rounded to this base (1: as counted)")
    figures = FeedbackFiguresSerializer()
    by_channel = ReportTableSerializer()
    by_office = ReportTableSerializer()
    satisfaction = ReportTableSerializer()


@period_report_schema("Received from this day")
class FeedbackReportView(PeriodReportView):
    """Volumes by channel, category and office, time to acknowledge and resolve, overdue,
    satisfaction; misconduct as counts only, small cells hidden unless the caller handles
    every kind of submission."""

    build = staticmethod(reports.feedback_report)
    serializer_class = FeedbackReportSerializer

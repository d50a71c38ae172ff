from django.urls import path
from rest_framework.routers import DefaultRouter

from haven.accounts import api as accounts_api
from haven.assessments import api as assessments_api
from haven.assistance import api as assistance_api
from haven.assistance import return_api
from haven.cases import api as cases_api
from haven.core import api as core_api
from haven.evidence import api as evidence_api
from haven.feedback import api as feedback_api
from haven.feedback import incident_api
from haven.field import api as field_api
from haven.people import api as people_api
from haven.tracing import api as tracing_api
from haven.tracing import merge_api


class NumericIdRouter(DefaultRouter):
    """Every record is addressed by its numeric id: anything else in its place (`false`,
    `null,null`, an id too long for the database) is a 404 from the URL itself, never a
    query with a value the database cannot take."""

    def get_lookup_regex(self, viewset, lookup_prefix=""):
        field = getattr(viewset, "lookup_url_kwarg", None) or getattr(viewset, "lookup_field", "pk")
        value = getattr(viewset, "lookup_value_regex", r"[0-9]{1,18}")
        return f"(?P<{lookup_prefix}{field}>{value})"


router = NumericIdRouter()
router.register("cases", cases_api.CaseViewSet, basename="case")
router.register("persons", people_api.PersonViewSet, basename="person")
router.register("approvals", cases_api.ApprovalViewSet, basename="approval")
router.register("transfers", cases_api.TransferViewSet, basename="transfer")
router.register("locations", core_api.LocationViewSet, basename="location")
router.register(
    "assessment-definitions", assessments_api.DefinitionViewSet, basename="assessment_definition"
)
router.register("assessments", assessments_api.AssessmentViewSet, basename="assessment")
router.register("service-types", assistance_api.ServiceTypeViewSet, basename="service_type")
router.register("providers", assistance_api.ProviderViewSet, basename="provider")
router.register("service-points", assistance_api.ServicePointViewSet, basename="service_point")
router.register("referrals", assistance_api.ReferralViewSet, basename="referral")
router.register(
    "service-deliveries", assistance_api.ServiceDeliveryViewSet, basename="service_delivery"
)
router.register("returns", return_api.ReturnViewSet, basename="return")
router.register(
    "reintegration-plans", return_api.ReintegrationPlanViewSet, basename="reintegration_plan"
)
router.register("tracing-requests", tracing_api.TracingRequestViewSet, basename="tracing_request")
router.register("dedupe-jobs", merge_api.DedupeJobViewSet, basename="dedupe_job")
router.register("duplicate-pairs", merge_api.DuplicatePairViewSet, basename="duplicate_pair")
router.register("person-merges", merge_api.PersonMergeViewSet, basename="person_merge")
router.register("releases", evidence_api.ReleaseViewSet, basename="release")
router.register("feedback", feedback_api.SubmissionViewSet, basename="feedback")
router.register("incidents", incident_api.IncidentViewSet, basename="incident")

urlpatterns = [
    path("users/me/", accounts_api.me, name="users_me"),
    path("duplicate-check/", tracing_api.DuplicateCheckView.as_view(), name="duplicate_check_api"),
    path(
        "assistance-report/",
        assistance_api.AssistanceReportView.as_view(),
        name="assistance_report_api",
    ),
    path("feedback-report/", feedback_api.FeedbackReportView.as_view(), name="feedback_report_api"),
    path(
        "incidents-report/", incident_api.IncidentReportView.as_view(), name="incident_report_api"
    ),
    path("indicators/", evidence_api.IndicatorsView.as_view(), name="indicators_api"),
    path("field/devices/", field_api.DevicesView.as_view(), name="field_devices_api"),
    path("field/devices/status/", field_api.DeviceStatusView.as_view(), name="field_status_api"),
    path("field/devices/<int:pk>/revoke/", field_api.RevokeView.as_view(), name="field_revoke_api"),
    path(
        "field/devices/recovery-key/",
        field_api.RecoveryKeyView.as_view(),
        name="field_recovery_key_api",
    ),
    path("field/pull/", field_api.PullView.as_view(), name="field_pull_api"),
    path("field/push/", field_api.PushView.as_view(), name="field_push_api"),
    path("field/files/", field_api.DeviceFilesView.as_view(), name="field_files_api"),
    *router.urls,
]

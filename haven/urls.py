from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.views.i18n import set_language
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from haven.accounts import views as account_views
from haven.assessments import attachment_views as assessment_attachment_views
from haven.assessments import import_views as assessment_import_views
from haven.assessments import views as assessment_views
from haven.assistance import return_views
from haven.assistance import views as assistance_views
from haven.cases import person_views, programme_views, workflow_views
from haven.cases import views as case_views
from haven.core import views as core_views
from haven.evidence import views as evidence_views
from haven.feedback import incident_views
from haven.feedback import public_views as feedback_public
from haven.feedback import views as feedback_views
from haven.oversight import retention_views, subject_views
from haven.oversight import views as oversight_views
from haven.tracing import merge_views
from haven.tracing import views as tracing_views

urlpatterns = [
    path("healthz", core_views.healthz, name="healthz"),
    path("readyz", core_views.readyz, name="readyz"),
    path("i18n/setlang/", set_language, name="set_language"),
    path("login/", account_views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("me/", account_views.profile, name="profile"),
    path("account/two-factor/", account_views.two_factor_setup, name="two_factor"),
    path("account/verify/", account_views.verify_otp, name="verify_otp"),
    path("account/confirm/", account_views.reauthenticate, name="reauthenticate"),
    path("manage/", account_views.manage_home, name="manage_home"),
    path("manage/agencies/new/", account_views.agency_new, name="agency_new"),
    path("manage/agencies/<int:pk>/", account_views.agency_detail, name="agency_detail"),
    path("manage/agencies/<int:pk>/offices/new/", account_views.office_new, name="office_new"),
    path("manage/agencies/<int:pk>/teams/new/", account_views.team_edit, name="team_new"),
    path(
        "manage/agencies/<int:pk>/teams/<int:team_pk>/", account_views.team_edit, name="team_edit"
    ),
    path("manage/agencies/<int:pk>/users/new/", account_views.user_new, name="user_new"),
    path("manage/users/<int:pk>/", account_views.user_detail, name="user_detail"),
    path("manage/users/<int:pk>/grant/", account_views.user_grant, name="user_grant"),
    path(
        "manage/users/<int:pk>/revoke/<int:grant_pk>/",
        account_views.user_revoke,
        name="user_revoke",
    ),
    path("manage/users/<int:pk>/active/", account_views.user_active, name="user_active"),
    path("manage/users/<int:pk>/unlock/", account_views.user_unlock, name="user_unlock"),
    path("manage/users/<int:pk>/password/", account_views.user_password, name="user_password"),
    path(
        "manage/users/<int:pk>/two-factor/reset/",
        account_views.user_reset_two_factor,
        name="user_reset_two_factor",
    ),
    path("manage/users/<int:pk>/offices/", account_views.user_offices, name="user_offices"),
    path(
        "manage/agencies/<int:pk>/feedback-deadlines/",
        feedback_views.deadlines_manage,
        name="feedback_deadlines",
    ),
    path(
        "manage/agencies/<int:pk>/programmes/",
        programme_views.programmes_manage,
        name="programmes_manage",
    ),
    path("manage/roles/", account_views.role_list, name="role_list"),
    path("manage/forms/", assessment_views.forms_manage, name="forms_manage"),
    path("manage/roles/new/", account_views.role_edit, name="role_new"),
    path("manage/roles/<int:pk>/", account_views.role_edit, name="role_edit"),
    path("", case_views.dashboard, name="dashboard"),
    path("cases/", case_views.case_list, name="case_list"),
    path("cases/new/", case_views.case_register, name="case_register"),
    path("cases/<int:pk>/", case_views.case_detail, name="case_detail"),
    path("cases/<int:pk>/edit/", case_views.case_edit, name="case_edit"),
    path("cases/<int:pk>/transition/", workflow_views.case_transition, name="case_transition"),
    path(
        "cases/<int:pk>/request-closure/",
        workflow_views.case_request_closure,
        name="case_request_closure",
    ),
    path("cases/<int:pk>/plan/", workflow_views.case_plan, name="case_plan"),
    path("cases/<int:pk>/notes/", case_views.case_note_add, name="case_note_add"),
    path("cases/<int:pk>/risk/", case_views.case_risk_override, name="case_risk_override"),
    path("cases/<int:pk>/trafficking/", case_views.case_trafficking, name="case_trafficking"),
    path(
        "cases/<int:pk>/assessments/start/",
        assessment_views.assessment_start,
        name="assessment_start",
    ),
    path(
        "cases/<int:pk>/assessments/schedule/",
        assessment_views.assessment_schedule,
        name="assessment_schedule",
    ),
    path("assessments/report/", assessment_views.assessment_report, name="assessment_report"),
    path("cases/<int:pk>/referrals/", assistance_views.referral_new, name="referral_new"),
    path("cases/<int:pk>/services/", assistance_views.delivery_new, name="delivery_new"),
    path("cases/<int:pk>/returns/", return_views.return_new, name="return_new"),
    path("returns/<int:pk>/steps/<slug:code>/", return_views.return_step, name="return_step"),
    path("returns/<int:pk>/withdraw/", return_views.return_withdraw, name="return_withdraw"),
    path("cases/<int:pk>/reintegration/", return_views.plan_new, name="plan_new"),
    path("reintegration/<int:pk>/components/", return_views.component_new, name="component_new"),
    path(
        "reintegration/<int:pk>/components/<int:component>/move/",
        return_views.component_move,
        name="component_move",
    ),
    path("reintegration/<int:pk>/close/", return_views.plan_close, name="plan_close"),
    path("assistance/report/", assistance_views.assistance_report, name="assistance_report"),
    path("tracing/", tracing_views.tracing_list, name="tracing_list"),
    path("cases/<int:pk>/tracing/new/", tracing_views.tracing_new, name="tracing_new"),
    path("tracing/<int:pk>/", tracing_views.tracing_detail, name="tracing_detail"),
    path("tracing/<int:pk>/edit/", tracing_views.tracing_edit, name="tracing_edit"),
    path(
        "tracing/<int:pk>/matches/<int:match_pk>/decide/",
        tracing_views.tracing_decide,
        name="tracing_decide",
    ),
    path("tracing/<int:pk>/close/", tracing_views.tracing_close, name="tracing_close"),
    path("tracing/<int:pk>/reunify/", tracing_views.tracing_reunify, name="tracing_reunify"),
    path("persons/duplicates/", merge_views.duplicates_queue, name="duplicates_queue"),
    path("persons/duplicates/<int:pk>/dismiss/", merge_views.pair_dismiss, name="pair_dismiss"),
    path("persons/merge/", merge_views.person_merge, name="person_merge"),
    path("persons/merges/<int:pk>/", merge_views.merge_detail, name="merge_detail"),
    path("persons/merges/<int:pk>/undo/", merge_views.merge_undo, name="merge_undo"),
    path("cases/<int:pk>/merge/", merge_views.merge_from_case, name="merge_from_case"),
    path("manage/deduplication/", merge_views.dedupe_jobs, name="dedupe_jobs"),
    path("manage/deduplication/<int:pk>/cancel/", merge_views.dedupe_cancel, name="dedupe_cancel"),
    path("releases/", evidence_views.release_list, name="release_list"),
    path("releases/new/", evidence_views.release_new, name="release_new"),
    path("releases/<int:pk>/", evidence_views.release_detail, name="release_detail"),
    path("releases/<int:pk>/download/", evidence_views.release_download, name="release_download"),
    path("releases/<int:pk>/cancel/", evidence_views.release_cancel, name="release_cancel"),
    path("exports/", evidence_views.export_list, name="export_list"),
    path("indicators/", evidence_views.indicator_dashboard, name="indicator_dashboard"),
    path("indicators/file/", evidence_views.indicator_file, name="indicator_file"),
    path(
        "indicators/charts/<slug:name>.svg",
        evidence_views.indicator_chart,
        name="indicator_chart",
    ),
    path("exports/new/", evidence_views.export_new, name="export_new"),
    path("referrals/", assistance_views.referrals_received, name="referrals_received"),
    path("referrals/sent/", assistance_views.referrals_sent, name="referrals_sent"),
    path("referrals/<int:pk>/", assistance_views.referral_detail, name="referral_detail"),
    path("referrals/<int:pk>/form.pdf", assistance_views.referral_form, name="referral_form"),
    path("referrals/<int:pk>/move/", assistance_views.referral_move, name="referral_move"),
    path("assessments/<int:pk>/", assessment_views.assessment_detail, name="assessment_detail"),
    path("assessments/<int:pk>/check/", assessment_views.assessment_check, name="assessment_check"),
    path(
        "assessments/<int:pk>/instance/",
        assessment_views.assessment_instance,
        name="assessment_instance",
    ),
    path(
        "assessments/import/",
        assessment_import_views.assessment_import,
        name="assessment_import",
    ),
    path(
        "assessments/<int:pk>/files/<int:number>/",
        assessment_attachment_views.assessment_attachment,
        name="assessment_attachment",
    ),
    path(
        "assessments/<int:pk>/recompute/",
        assessment_views.assessment_recompute,
        name="assessment_recompute",
    ),
    path("cases/<int:pk>/flags/", case_views.case_flag_add, name="case_flag_add"),
    path(
        "cases/<int:pk>/flags/<int:flag_pk>/resolve/",
        case_views.case_flag_resolve,
        name="case_flag_resolve",
    ),
    path("cases/<int:pk>/consent/", person_views.case_consent_add, name="case_consent_add"),
    path("cases/<int:pk>/assign/", case_views.case_assign, name="case_assign"),
    path("cases/<int:pk>/person/", person_views.person_edit, name="person_edit"),
    path(
        "cases/<int:pk>/person/contacts/",
        person_views.person_contact_add,
        name="person_contact_add",
    ),
    path(
        "cases/<int:pk>/person/documents/",
        person_views.person_document_add,
        name="person_document_add",
    ),
    path(
        "cases/<int:pk>/person/relatives/",
        person_views.person_relative_add,
        name="person_relative_add",
    ),
    path("cases/<int:pk>/transfer/", workflow_views.case_transfer, name="case_transfer"),
    path("approvals/<int:pk>/decide/", workflow_views.approval_decide, name="approval_decide"),
    path("transfers/<int:pk>/answer/", workflow_views.transfer_answer, name="transfer_answer"),
    path("feedback/", feedback_public.public_form, name="feedback_public"),
    path("feedback/status/", feedback_public.public_status, name="feedback_status"),
    path("feedback/inbox/", feedback_views.inbox, name="feedback_inbox"),
    path("feedback/report/", feedback_views.report, name="feedback_report"),
    path("feedback/report.csv", feedback_views.report_export, name="feedback_report_export"),
    path("feedback/record/", feedback_views.record, name="feedback_record"),
    path("feedback/<int:pk>/", feedback_views.detail, name="feedback_detail"),
    path("feedback/<int:pk>/move/", feedback_views.move, name="feedback_move"),
    path("feedback/<int:pk>/resolve/", feedback_views.resolve, name="feedback_resolve"),
    path("feedback/<int:pk>/triage/", feedback_views.triage, name="feedback_triage"),
    path("feedback/<int:pk>/subject/", feedback_views.subject, name="feedback_subject"),
    path("feedback/<int:pk>/link/", feedback_views.link_case, name="feedback_link_case"),
    path("feedback/<int:pk>/open-case/", feedback_views.open_case, name="feedback_open_case"),
    path("incidents/", incident_views.incident_list, name="incident_list"),
    path("incidents/new/", incident_views.incident_new, name="incident_new"),
    path("incidents/report/", incident_views.incident_report, name="incident_report"),
    path("incidents/<int:pk>/", incident_views.incident_detail, name="incident_detail"),
    path("audit/", oversight_views.audit_events, name="audit_events"),
    path("audit/access/", oversight_views.access_log, name="access_log"),
    path("subjects/", subject_views.subjects, name="subjects"),
    path("retention/", retention_views.retention, name="retention"),
    path("retention/suggested/", retention_views.retention_suggested, name="retention_suggested"),
    path(
        "retention/register/",
        retention_views.processing_register,
        name="processing_register",
    ),
    path(
        "retention/<int:pk>/dry-run/", retention_views.retention_dry_run, name="retention_dry_run"
    ),
    path(
        "retention/<int:pk>/approve/", retention_views.retention_approve, name="retention_approve"
    ),
    path(
        "retention/<int:pk>/deactivate/",
        retention_views.retention_deactivate,
        name="retention_deactivate",
    ),
    path("subjects/<int:pk>/", subject_views.subject, name="subject_records"),
    path("subjects/<int:pk>/holds/", subject_views.subject_hold, name="subject_hold"),
    path("subjects/<int:pk>/erase/", subject_views.subject_erase, name="subject_erase"),
    path(
        "subjects/holds/<int:pk>/lift/", subject_views.subject_hold_lift, name="subject_hold_lift"
    ),
    path("subjects/requests/<int:pk>/", subject_views.subject_request, name="subject_request"),
    path(
        "subjects/requests/<int:pk>/decide/",
        subject_views.subject_request_decide,
        name="subject_request_decide",
    ),
    path(
        "subjects/requests/<int:pk>/correction/",
        subject_views.subject_request_correction,
        name="subject_request_correction",
    ),
    path(
        "subjects/requests/<int:pk>/answer/",
        subject_views.subject_request_answer,
        name="subject_request_answer",
    ),
    path("field/", include("haven.field.urls")),
    path("api/v1/", include("haven.api_urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api_schema"),
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api_schema"), name="api_docs"),
]

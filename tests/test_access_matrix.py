"""Every web page and API endpoint, with every HTTP method it accepts, for every built-in
role, users and an administrator of another agency, a caseworker of another office and an
anonymous visitor: who gets in (ok), who is refused (403), who is told it does not exist
(404) and — only where a row says so — whose request is read and refused as incomplete
(400). A URL added without an entry fails `test_every_url_is_in_the_matrix`; a method an
endpoint accepts without a row fails `test_every_accepted_method_is_in_the_matrix`.
"""

import json
from datetime import date

import pytest
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from haven.cases import approval_actions, transfer_actions
from haven.cases.models import Flag
from tests.conftest import consented_referral, sign_in

PERSONAS = [
    "caseworker",
    "caseworker2",
    "supervisor",
    "protection",
    "analyst",
    "dpo",
    "agency_admin",
    "system_admin",
    "feedback_focal",
    "psea",
    "other_agency",
    "other_supervisor",
    "other_admin",
    "caseworker_south",
    "anonymous",
]
SIGNED_IN = [p for p in PERSONAS if p != "anonymous"]


def expect(ok=(), not_found=(), anonymous="login", default=403):
    table = dict.fromkeys(SIGNED_IN, default)
    table.update(dict.fromkeys(ok, "ok"))
    table.update(dict.fromkeys(not_found, 404))
    table["anonymous"] = anonymous
    return table


def incomplete(table, *also):
    """The row sends an empty or partial body: those allowed in are answered 400 (the body
    was read and refused with what to fix), never let through."""
    out = {p: 400 if outcome == "ok" else outcome for p, outcome in table.items()}
    out.update(dict.fromkeys(also, 400))
    return out


EVERYONE = expect(ok=SIGNED_IN)
PUBLIC = expect(ok=SIGNED_IN, anonymous="ok")
CASE_TEAM = ["caseworker", "supervisor", "protection"]
OUT_OF_SCOPE = ["caseworker2", "caseworker_south", "other_agency", "other_supervisor"]
CASE_HOLDERS = [
    "caseworker",
    "caseworker2",
    "caseworker_south",
    "supervisor",
    "protection",
    "other_agency",
    "other_supervisor",
]
ON_CASE = expect(ok=CASE_TEAM, not_found=OUT_OF_SCOPE)
ON_CASE_API = expect(ok=CASE_TEAM, not_found=OUT_OF_SCOPE, anonymous=403)
# The audit pages: each reads the events of their own scope (B's administrator, B's).
AUDITORS = expect(ok=["dpo", "agency_admin", "other_admin", "system_admin"])
# Administration of agency A and its users: B's administrator is told they do not exist.
ADMINS = expect(ok=["agency_admin", "system_admin"], not_found=["other_admin"])
# Administration pages of no one agency: every administrator, each in their own scope.
ADMIN_PAGES = expect(ok=["agency_admin", "other_admin", "system_admin"])
SYSTEM = expect(ok=["system_admin"])
REPORTERS = expect(
    ok=[
        "feedback_focal",
        "psea",
        "supervisor",
        "protection",
        "analyst",
        "dpo",
        "agency_admin",
        "other_admin",
        "system_admin",
        "other_supervisor",
    ]
)

# A complaint of agency A: its feedback focal point; other handlers are out of scope.
FEEDBACK_HANDLERS = expect(
    ok=["feedback_focal"], not_found=["psea", "supervisor", "other_supervisor"]
)

# Merging: supervisors and protection officers, on persons of their scope.
MERGERS = ["supervisor", "protection", "other_supervisor"]
ON_PAIR = expect(ok=["supervisor", "protection"], not_found=["other_supervisor"])
# Runs of the deduplication: every administrator's list; a run of agency A's is A's.
DEDUPERS = ADMIN_PAGES
ON_JOB = expect(ok=["agency_admin", "system_admin"], not_found=["other_admin"])
# De-identified releases: analysts and protection officers, of their own agency.
RELEASERS = expect(ok=["analyst", "protection"])
# Exports that name people: supervisors and protection officers; the register shows them to
# releasers too, the file goes to its requester alone.
EXPORTERS = expect(ok=["supervisor", "protection", "other_supervisor"])
# Every holder of report.view reaches the register's pages (their own indicator files):
# what they may not see there does not exist for them.
REPORT_HOLDERS = [p for p, outcome in REPORTERS.items() if outcome == "ok"]


def on_register(*ok):
    return expect(ok=ok, not_found=[p for p in REPORT_HOLDERS if p not in ok])


RELEASE_REGISTER = on_register("analyst", "protection")
EXPORT_REGISTER = on_register("analyst", "protection", "supervisor")
# Releasers see the export in the register; its file is refused them.
EXPORT_FILE = on_register("supervisor") | {"protection": 403, "analyst": 403}

INCIDENT_RECORDERS = expect(ok=["supervisor", "protection", "feedback_focal", "other_supervisor"])
INCIDENT_A = expect(
    ok=["supervisor", "protection", "feedback_focal"], not_found=["other_supervisor"]
)


def api(table):
    return {**table, "anonymous": 403}


def gone(table):
    """The file of the targets is not made (its job has not run): 410 to those who may have
    it, the refusals as they are."""
    return {p: 410 if outcome == "ok" else outcome for p, outcome in table.items()}


DIRECTORY = expect(ok=["agency_admin", "other_admin", "system_admin"])
# The caseworker's device: theirs, their office's supervisor's and their agency admin's.
DEVICE_PAGES = [*CASE_HOLDERS, "agency_admin", "other_admin"]
DEVICE_OVERSEERS = ["caseworker", "supervisor", "agency_admin"]
ON_DEVICE = expect(
    ok=DEVICE_OVERSEERS, not_found=[p for p in DEVICE_PAGES if p not in DEVICE_OVERSEERS]
)


# name: (method, path template, data, expected)
MATRIX = {
    "healthz": ("get", "/healthz", None, PUBLIC),
    "readyz": ("get", "/readyz", None, PUBLIC),
    "set_language": ("post", "/i18n/setlang/", {"language": "fr"}, PUBLIC),
    "login": ("get", "/login/", None, {**expect(ok=SIGNED_IN), "anonymous": "ok"}),
    # Signing out (or trying to, signed out) lands on the sign-in page.
    "logout": ("post", "/logout/", None, dict.fromkeys(PERSONAS, "login")),
    "profile": ("get", "/me/", None, EVERYONE),
    "two_factor": ("get", "/account/two-factor/", None, EVERYONE),
    "verify_otp": ("get", "/account/verify/", None, EVERYONE),
    "reauthenticate": ("get", "/account/confirm/", None, EVERYONE),
    "manage_home": ("get", "/manage/", None, ADMIN_PAGES),
    "agency_new": ("get", "/manage/agencies/new/", None, SYSTEM),
    "agency_detail": ("get", "/manage/agencies/{agency}/", None, ADMINS),
    "office_new": ("get", "/manage/agencies/{agency}/offices/new/", None, ADMINS),
    "team_new": ("get", "/manage/agencies/{agency}/teams/new/", None, ADMINS),
    "team_edit": ("get", "/manage/agencies/{agency}/teams/{team}/", None, ADMINS),
    "user_new": ("get", "/manage/agencies/{agency}/users/new/", None, ADMINS),
    "user_detail": ("get", "/manage/users/{user}/", None, ADMINS),
    "user_grant": ("post", "/manage/users/{user}/grant/", {}, ADMINS),
    "user_revoke": ("post", "/manage/users/{user}/revoke/{grant}/", {}, ADMINS),
    "user_active": ("post", "/manage/users/{user}/active/", {"active": "1"}, ADMINS),
    "user_unlock": ("post", "/manage/users/{user}/unlock/", {}, ADMINS),
    "user_password": ("post", "/manage/users/{user}/password/", {}, ADMINS),
    "user_reset_two_factor": ("post", "/manage/users/{user}/two-factor/reset/", {}, ADMINS),
    "user_offices": ("post", "/manage/users/{user}/offices/", {}, ADMINS),
    "role_list": ("get", "/manage/roles/", None, SYSTEM),
    "feedback_deadlines": ("get", "/manage/agencies/{agency}/feedback-deadlines/", None, ADMINS),
    "programmes_manage": ("get", "/manage/agencies/{agency}/programmes/", None, ADMINS),
    "forms_manage": ("get", "/manage/forms/", None, ADMIN_PAGES),
    "role_new": ("get", "/manage/roles/new/", None, SYSTEM),
    "role_edit": ("get", "/manage/roles/{role}/", None, SYSTEM),
    "dashboard": ("get", "/", None, EVERYONE),
    "case_list": ("get", "/cases/", None, expect(ok=CASE_HOLDERS)),
    "case_register": ("get", "/cases/new/", None, expect(ok=CASE_HOLDERS)),
    "case_detail": ("get", "/cases/{case}/", None, ON_CASE),
    "case_edit": ("get", "/cases/{case}/edit/", None, ON_CASE),
    "case_trafficking": ("get", "/cases/{case}/trafficking/", None, ON_CASE),
    "case_transition": ("post", "/cases/{case}/transition/", {}, ON_CASE),
    "case_request_closure": ("post", "/cases/{case}/request-closure/", {}, ON_CASE),
    "case_plan": ("get", "/cases/{case}/plan/", None, ON_CASE),
    "case_note_add": ("post", "/cases/{case}/notes/", {"body": "hello"}, ON_CASE),
    "case_flag_add": ("post", "/cases/{case}/flags/", {"text": "x"}, ON_CASE),
    "case_risk_override": (
        "post",
        "/cases/{case}/risk/",
        {},
        expect(ok=["supervisor"], not_found=["other_supervisor"]),
    ),
    "case_flag_resolve": ("post", "/cases/{case}/flags/{flag}/resolve/", {}, ON_CASE),
    "case_consent_add": ("post", "/cases/{case}/consent/", {}, ON_CASE),
    "person_edit": ("get", "/cases/{case}/person/", None, ON_CASE),
    "person_contact_add": ("post", "/cases/{case}/person/contacts/", {}, ON_CASE),
    "person_document_add": ("post", "/cases/{case}/person/documents/", {}, ON_CASE),
    "person_relative_add": ("post", "/cases/{case}/person/relatives/", {}, ON_CASE),
    "case_assign": (
        "get",
        "/cases/{case}/assign/",
        None,
        expect(ok=["supervisor", "protection"], not_found=["other_supervisor"]),
    ),
    "case_transfer": (
        "get",
        "/cases/{case}/transfer/",
        None,
        expect(ok=["supervisor"], not_found=["other_supervisor"]),
    ),
    "approval_decide": (
        "post",
        "/approvals/{approval}/decide/",
        {},
        expect(ok=["supervisor"], not_found=["other_supervisor"]),
    ),
    "transfer_answer": (
        "post",
        "/transfers/{transfer}/answer/",
        {"accept": "0"},
        expect(ok=["other_supervisor"], not_found=["supervisor"]),
    ),
    # The public pages: no account; the person's own code is the only key.
    "feedback_public": ("get", "/feedback/", None, PUBLIC),
    "feedback_status": ("post", "/feedback/status/", {"code": "{code}"}, PUBLIC),
    "feedback_inbox": (
        "get",
        "/feedback/inbox/",
        None,
        expect(ok=["feedback_focal", "psea", "supervisor", "other_supervisor"]),
    ),
    "feedback_report": ("get", "/feedback/report/", None, REPORTERS),
    "feedback_report_export": ("get", "/feedback/report.csv", None, REPORTERS),
    "feedback_report_api": ("get", "/api/v1/feedback-report/", None, api(REPORTERS)),
    "feedback_record": (
        "get",
        "/feedback/record/",
        None,
        expect(ok=[*CASE_HOLDERS, "feedback_focal", "psea"]),
    ),
    "feedback_detail": ("get", "/feedback/{submission}/", None, FEEDBACK_HANDLERS),
    "feedback_move": ("post", "/feedback/{submission}/move/", {}, FEEDBACK_HANDLERS),
    "feedback_resolve": ("post", "/feedback/{submission}/resolve/", {}, FEEDBACK_HANDLERS),
    "feedback_triage": ("post", "/feedback/{submission}/triage/", {}, FEEDBACK_HANDLERS),
    "feedback_subject": ("post", "/feedback/{submission}/subject/", {}, FEEDBACK_HANDLERS),
    "feedback_link_case": ("post", "/feedback/{submission}/link/", {}, FEEDBACK_HANDLERS),
    "feedback_open_case": ("post", "/feedback/{submission}/open-case/", {}, FEEDBACK_HANDLERS),
    "feedback-list": (
        "get",
        "/api/v1/feedback/",
        None,
        api(expect(ok=["feedback_focal", "psea", "supervisor", "other_supervisor"])),
    ),
    "feedback-detail": ("get", "/api/v1/feedback/{submission}/", None, api(FEEDBACK_HANDLERS)),
    "feedback-move": ("post", "/api/v1/feedback/{submission}/move/", {}, api(FEEDBACK_HANDLERS)),
    "feedback-resolve": (
        "post",
        "/api/v1/feedback/{submission}/resolve/",
        {},
        api(FEEDBACK_HANDLERS),
    ),
    "feedback-triage": (
        "post",
        "/api/v1/feedback/{submission}/triage/",
        {},
        api(FEEDBACK_HANDLERS),
    ),
    "feedback-link-case": (
        "post",
        "/api/v1/feedback/{submission}/link-case/",
        {},
        api(FEEDBACK_HANDLERS),
    ),
    "incident_list": ("get", "/incidents/", None, INCIDENT_RECORDERS),
    "incident_new": ("get", "/incidents/new/", None, INCIDENT_RECORDERS),
    "incident_report": ("get", "/incidents/report/", None, REPORTERS),
    # Agency A's incident: its recorders; agency B's supervisor is out of scope.
    "incident_detail": ("get", "/incidents/{incident}/", None, INCIDENT_A),
    "incident-list": ("get", "/api/v1/incidents/", None, api(INCIDENT_RECORDERS)),
    "incident-detail": ("get", "/api/v1/incidents/{incident}/", None, api(INCIDENT_A)),
    "incident_report_api": ("get", "/api/v1/incidents-report/", None, api(REPORTERS)),
    "audit_events": ("get", "/audit/", None, AUDITORS),
    "access_log": ("get", "/audit/access/", None, AUDITORS),
    # Data subjects' requests: data-protection and protection officers of the person's agency.
    "subjects": ("get", "/subjects/", None, expect(ok=["dpo", "protection"])),
    "subject_records": ("get", "/subjects/{person}/", None, expect(ok=["dpo", "protection"])),
    # An empty request form comes back with what to fix.
    "subject_records POST": (
        "post",
        "/subjects/{person}/",
        {},
        expect(ok=["dpo", "protection"]),
    ),
    # Empty forms: sent back to the person's page saying what is missing; nothing changes.
    "subject_hold": ("post", "/subjects/{person}/holds/", {}, expect(ok=["dpo", "protection"])),
    "subject_erase": ("post", "/subjects/{person}/erase/", {}, expect(ok=["dpo", "protection"])),
    "subject_hold_lift": (
        "post",
        "/subjects/holds/{hold}/lift/",
        {},
        expect(ok=["dpo", "protection"]),
    ),
    # Retention rules: the data-protection officer of the agency.
    "retention": ("get", "/retention/", None, expect(ok=["dpo"])),
    "retention POST": ("post", "/retention/", {}, incomplete(expect(ok=["dpo"]))),
    "retention_suggested": ("post", "/retention/suggested/", {}, expect(ok=["dpo"])),
    "processing_register": ("get", "/retention/register/", None, expect(ok=["dpo"])),
    "retention_dry_run": ("post", "/retention/{rule}/dry-run/", {}, expect(ok=["dpo"])),
    "retention_approve": ("post", "/retention/{rule}/approve/", {}, expect(ok=["dpo"])),
    "retention_deactivate": ("post", "/retention/{rule}/deactivate/", {}, expect(ok=["dpo"])),
    "subject_request": (
        "get",
        "/subjects/requests/{subject_request}/",
        None,
        expect(ok=["dpo", "protection"]),
    ),
    "subject_request_decide": (
        "post",
        "/subjects/requests/{subject_request}/decide/",
        {},
        incomplete(expect(ok=["dpo", "protection"])),
    ),
    "subject_request_correction": (
        "post",
        "/subjects/requests/{subject_request}/correction/",
        {},
        expect(ok=["dpo", "protection"]),
    ),
    "subject_request_answer": (
        "post",
        "/subjects/requests/{subject_request}/answer/",
        {},
        incomplete(expect(ok=["dpo", "protection"])),
    ),
    "api_schema": ("get", "/api/schema/", None, PUBLIC),
    "api_docs": ("get", "/api/docs/", None, PUBLIC),
    "api-root": ("get", "/api/v1/", None, api(EVERYONE)),
    "users_me": ("get", "/api/v1/users/me/", None, api(EVERYONE)),
    "duplicate_check_api": (
        "post",
        "/api/v1/duplicate-check/",
        {"given_name": "Amal", "family_name": "Haddad"},
        api(expect(ok=CASE_HOLDERS)),
    ),
    "tracing_list": ("get", "/tracing/", None, expect(ok=CASE_HOLDERS)),
    "tracing_new": ("get", "/cases/{case}/tracing/new/", None, ON_CASE),
    "tracing_detail": ("get", "/tracing/{tracing}/", None, ON_CASE),
    "tracing_edit": ("get", "/tracing/{tracing}/edit/", None, ON_CASE),
    "tracing_decide": ("post", "/tracing/{tracing}/matches/{match}/decide/", {}, ON_CASE),
    "tracing_close": ("post", "/tracing/{tracing}/close/", {}, ON_CASE),
    "tracing_reunify": ("get", "/tracing/{tracing}/reunify/", None, ON_CASE),
    "tracing_request-list": (
        "get",
        "/api/v1/tracing-requests/",
        None,
        api(expect(ok=CASE_HOLDERS)),
    ),
    "tracing_request-list POST": (
        "post",
        "/api/v1/tracing-requests/",
        {
            "case": "{case}",
            "relationship": "parent",
            "given_name": "Omar",
            "separation_cause": "journey",
        },
        ON_CASE_API,
    ),
    "tracing_request-detail": ("get", "/api/v1/tracing-requests/{tracing}/", None, ON_CASE_API),
    "tracing_request-matches": (
        "get",
        "/api/v1/tracing-requests/{tracing}/matches/",
        None,
        ON_CASE_API,
    ),
    "tracing_request-decide": (
        "post",
        "/api/v1/tracing-requests/{tracing}/decide/",
        {},
        ON_CASE_API,
    ),
    "tracing_request-close": ("post", "/api/v1/tracing-requests/{tracing}/close/", {}, ON_CASE_API),
    "tracing_request-reunify": (
        "post",
        "/api/v1/tracing-requests/{tracing}/reunify/",
        {},
        ON_CASE_API,
    ),
    "duplicates_queue": ("get", "/persons/duplicates/", None, expect(ok=MERGERS)),
    "pair_dismiss": ("post", "/persons/duplicates/{pair}/dismiss/", {}, ON_PAIR),
    "person_merge": ("get", "/persons/merge/?a={pair_a}&b={pair_b}", None, ON_PAIR),
    "merge_detail": ("get", "/persons/merges/{merge}/", None, ON_PAIR),
    "merge_undo": ("post", "/persons/merges/{merge}/undo/", {}, ON_PAIR),
    "merge_from_case": ("post", "/cases/{case}/merge/", {}, ON_PAIR),
    "dedupe_jobs": ("get", "/manage/deduplication/", None, DEDUPERS),
    # The run in the targets is finished: cancelling it is refused as too late (400).
    "dedupe_cancel": ("post", "/manage/deduplication/{job}/cancel/", {}, ON_JOB),
    "dedupe_job-cancel": (
        "post",
        "/api/v1/dedupe-jobs/{job}/cancel/",
        {},
        incomplete(api(ON_JOB)),
    ),
    "dedupe_job-list": ("get", "/api/v1/dedupe-jobs/", None, api(DEDUPERS)),
    "dedupe_job-list POST": ("post", "/api/v1/dedupe-jobs/", {}, api(DEDUPERS)),
    "dedupe_job-detail": ("get", "/api/v1/dedupe-jobs/{job}/", None, api(ON_JOB)),
    "duplicate_pair-list": ("get", "/api/v1/duplicate-pairs/", None, api(expect(ok=MERGERS))),
    "duplicate_pair-dismiss": ("post", "/api/v1/duplicate-pairs/{pair}/dismiss/", {}, api(ON_PAIR)),
    "person_merge-list": ("post", "/api/v1/person-merges/", {}, api(expect(ok=MERGERS))),
    "person_merge-detail": ("get", "/api/v1/person-merges/{merge}/", None, api(ON_PAIR)),
    "person_merge-undo": ("post", "/api/v1/person-merges/{merge}/undo/", {}, api(ON_PAIR)),
    "release_list": ("get", "/releases/", None, RELEASERS),
    "release_new": ("get", "/releases/new/", None, RELEASERS),
    "release_detail": ("get", "/releases/{release}/", None, RELEASE_REGISTER),
    "release_download": ("get", "/releases/{release}/download/", None, gone(RELEASE_REGISTER)),
    "release_cancel": ("post", "/releases/{release}/cancel/", {}, RELEASE_REGISTER),
    "export_list": ("get", "/exports/", None, EXPORTERS),
    "export_new": ("get", "/exports/new/", None, EXPORTERS),
    "export_detail": ("get", "/releases/{export}/", None, EXPORT_REGISTER),
    "export_download": ("get", "/releases/{export}/download/", None, gone(EXPORT_FILE)),
    "export_cancel": ("post", "/releases/{export}/cancel/", {}, EXPORT_FILE),
    "release-download-export": (
        "get",
        "/api/v1/releases/{export}/download/",
        None,
        api(RELEASERS) | {"protection": 403, "analyst": 403},
    ),
    "release-list": ("get", "/api/v1/releases/", None, api(RELEASERS)),
    "release-list POST": ("post", "/api/v1/releases/", {}, api(RELEASERS)),
    "release-detail": ("get", "/api/v1/releases/{release}/", None, api(RELEASERS)),
    "release-cancel": ("post", "/api/v1/releases/{release}/cancel/", {}, api(RELEASERS)),
    # The release of the targets is not made yet (its job has not run): gone, for those
    # who may have it.
    "release-download": (
        "get",
        "/api/v1/releases/{release}/download/",
        None,
        gone(api(RELEASERS)),
    ),
    "case-list": ("get", "/api/v1/cases/", None, api(expect(ok=CASE_HOLDERS))),
    "case-detail": ("get", "/api/v1/cases/{case}/", None, ON_CASE_API),
    "case-batch": ("post", "/api/v1/cases/batch/", {}, api(expect(ok=CASE_HOLDERS))),
    "case-transition": ("post", "/api/v1/cases/{case}/transition/", {}, ON_CASE_API),
    "case-request-closure": ("post", "/api/v1/cases/{case}/request-closure/", {}, ON_CASE_API),
    "case-assign": (
        "post",
        "/api/v1/cases/{case}/assign/",
        {},
        api(expect(ok=["supervisor", "protection"], not_found=["other_supervisor"])),
    ),
    "case-transfer": (
        "post",
        "/api/v1/cases/{case}/transfer/",
        {},
        api(expect(ok=["supervisor"], not_found=["other_supervisor"])),
    ),
    "case-plan": ("post", "/api/v1/cases/{case}/plan/", {}, ON_CASE_API),
    "case-risk-override": (
        "post",
        "/api/v1/cases/{case}/risk-override/",
        {},
        api(expect(ok=["supervisor"], not_found=["other_supervisor"])),
    ),
    "case-notes": ("get", "/api/v1/cases/{case}/notes/", None, ON_CASE_API),
    "person-list": ("get", "/api/v1/persons/", None, api(expect(ok=CASE_HOLDERS))),
    "person-detail": ("get", "/api/v1/persons/{person}/", None, ON_CASE_API),
    "person-consents": ("get", "/api/v1/persons/{person}/consents/", None, ON_CASE_API),
    "approval-list": (
        "get",
        "/api/v1/approvals/",
        None,
        api(expect(ok=["supervisor", "other_supervisor"])),
    ),
    "approval-decide": (
        "post",
        "/api/v1/approvals/{approval}/decide/",
        {},
        api(expect(ok=["supervisor"], not_found=["other_supervisor"])),
    ),
    "transfer-list": (
        "get",
        "/api/v1/transfers/",
        None,
        api(expect(ok=["supervisor", "other_supervisor"])),
    ),
    "transfer-answer": (
        "post",
        "/api/v1/transfers/{transfer}/answer/",
        {},
        api(expect(ok=["other_supervisor"], not_found=["supervisor"])),
    ),
    "location-list": ("get", "/api/v1/locations/", None, api(EVERYONE)),
    "location-detail": ("get", "/api/v1/locations/{location}/", None, api(EVERYONE)),
    "assessment_start": (
        "post",
        "/cases/{case}/assessments/start/",
        {"definition": "{definition}"},
        ON_CASE,
    ),
    "referral_new": ("post", "/cases/{case}/referrals/", {}, ON_CASE),
    "delivery_new": ("post", "/cases/{case}/services/", {}, ON_CASE),
    "referrals_received": ("get", "/referrals/", None, expect(ok=CASE_HOLDERS)),
    "return_new": ("post", "/cases/{case}/returns/", {}, ON_CASE),
    "return_step": ("post", "/returns/{return}/steps/counselling/", {}, ON_CASE),
    "return_withdraw": ("post", "/returns/{return}/withdraw/", {}, ON_CASE),
    "plan_new": ("post", "/cases/{case}/reintegration/", {}, ON_CASE),
    "component_new": ("post", "/reintegration/{plan}/components/", {}, ON_CASE),
    "component_move": (
        "post",
        "/reintegration/{plan}/components/{component}/move/",
        {},
        ON_CASE,
    ),
    "plan_close": ("post", "/reintegration/{plan}/close/", {}, ON_CASE),
    "reintegration_plan-list": (
        "get",
        "/api/v1/reintegration-plans/",
        None,
        api(expect(ok=CASE_HOLDERS)),
    ),
    "reintegration_plan-detail": ("get", "/api/v1/reintegration-plans/{plan}/", None, ON_CASE_API),
    "reintegration_plan-components": (
        "post",
        "/api/v1/reintegration-plans/{plan}/components/",
        {},
        ON_CASE_API,
    ),
    "reintegration_plan-move-component": (
        "post",
        "/api/v1/reintegration-plans/{plan}/components/{component}/",
        {},
        ON_CASE_API,
    ),
    "reintegration_plan-close": (
        "post",
        "/api/v1/reintegration-plans/{plan}/close/",
        {},
        ON_CASE_API,
    ),
    "return-list": ("get", "/api/v1/returns/", None, api(expect(ok=CASE_HOLDERS))),
    "return-detail": ("get", "/api/v1/returns/{return}/", None, ON_CASE_API),
    "return-step": ("post", "/api/v1/returns/{return}/steps/counselling/", {}, ON_CASE_API),
    "return-withdraw": ("post", "/api/v1/returns/{return}/withdraw/", {}, ON_CASE_API),
    "referrals_sent": ("get", "/referrals/sent/", None, expect(ok=CASE_HOLDERS)),
    # The printable form: the referring side only; the receiving agency is refused.
    "referral_form": (
        "get",
        "/referrals/{referral}/form.pdf",
        None,
        expect(ok=CASE_TEAM, not_found=["caseworker2", "caseworker_south"]),
    ),
    "referral_detail": (
        "get",
        "/referrals/{referral}/",
        None,
        expect(
            ok=[*CASE_TEAM, "other_agency", "other_supervisor"],
            not_found=[
                "caseworker2",
                "caseworker_south",
                "other_admin",
                "analyst",
                "dpo",
                "agency_admin",
                "system_admin",
                "feedback_focal",
                "psea",
            ],
        ),
    ),
    "referral_move": (
        "post",
        "/referrals/{referral}/move/",
        {},
        expect(
            ok=["other_agency", "other_supervisor"], not_found=["caseworker2", "caseworker_south"]
        ),
    ),
    "assessment_schedule": (
        "post",
        "/cases/{case}/assessments/schedule/",
        {"definition": "{definition}", "start": "2030-01-01", "months": "3 6"},
        ON_CASE,
    ),
    "assessment_detail": ("get", "/assessments/{assessment}/", None, ON_CASE),
    "assessment_report": ("get", "/assessments/report/", None, REPORTERS),
    "assessment_import": ("get", "/assessments/import/", None, expect(ok=CASE_HOLDERS)),
    "assistance_report": ("get", "/assistance/report/", None, REPORTERS),
    "indicator_dashboard": ("get", "/indicators/", None, REPORTERS),
    "indicators_api": ("get", "/api/v1/indicators/", None, api(REPORTERS)),
    "indicator_file": ("post", "/indicators/file/", {"file_format": "csv"}, REPORTERS),
    "indicator_chart": ("get", "/indicators/charts/by_status.svg", None, REPORTERS),
    "assistance_report_xlsx": ("get", "/assistance/report/?format=xlsx", None, REPORTERS),
    "incident_report_csv": ("get", "/incidents/report/?format=csv", None, REPORTERS),
    "feedback_report_xlsx": ("get", "/feedback/report/?format=xlsx", None, REPORTERS),
    "assistance_report_api": ("get", "/api/v1/assistance-report/", None, api(REPORTERS)),
    "assessment_recompute": ("post", "/assessments/{assessment}/recompute/", {}, ON_CASE),
    "assessment_check": ("post", "/assessments/{assessment}/check/", {}, ON_CASE),
    "assessment_instance": (
        "post",
        "/assessments/{assessment}/instance/",
        {},
        incomplete(ON_CASE),
    ),
    "assessment_attachment": (
        "get",
        "/assessments/{assessment}/files/{attachment}/",
        None,
        ON_CASE,
    ),
    "service_type-list": ("get", "/api/v1/service-types/", None, api(EVERYONE)),
    "service_type-detail": ("get", "/api/v1/service-types/{service_type}/", None, api(EVERYONE)),
    "provider-list": ("get", "/api/v1/providers/", None, api(EVERYONE)),
    "provider-detail": ("get", "/api/v1/providers/{provider}/", None, api(EVERYONE)),
    "service_point-list": ("get", "/api/v1/service-points/", None, api(EVERYONE)),
    "service_point-detail": ("get", "/api/v1/service-points/{point}/", None, api(EVERYONE)),
    "service_point-export-hxl": ("get", "/api/v1/service-points/export/", None, api(EVERYONE)),
    "service_point-import-hxl": (
        "post",
        "/api/v1/service-points/import/",
        {},
        api(DIRECTORY),
    ),
    "referral-list": ("get", "/api/v1/referrals/", None, api(expect(ok=CASE_HOLDERS))),
    "service_delivery-list": (
        "get",
        "/api/v1/service-deliveries/",
        None,
        api(expect(ok=CASE_HOLDERS)),
    ),
    # Seen by the referring side through the case, and by the receiving agency (B).
    "referral-detail": (
        "get",
        "/api/v1/referrals/{referral}/",
        None,
        api(
            expect(
                ok=[*CASE_TEAM, "other_agency", "other_supervisor"],
                not_found=["caseworker2", "caseworker_south"],
            )
        ),
    ),
    "referral-form": (
        "get",
        "/api/v1/referrals/{referral}/form/",
        None,
        api(expect(ok=CASE_TEAM, not_found=["caseworker2", "caseworker_south"])),
    ),
    "referral-answer": (
        "post",
        "/api/v1/referrals/{referral}/answer/",
        {},
        api(
            expect(
                ok=["other_agency", "other_supervisor"],
                not_found=["caseworker2", "caseworker_south"],
            )
        ),
    ),
    "referral-progress": (
        "post",
        "/api/v1/referrals/{referral}/progress/",
        {},
        api(
            expect(
                ok=["other_agency", "other_supervisor"],
                not_found=["caseworker2", "caseworker_south"],
            )
        ),
    ),
    "assessment_definition-list": (
        "get",
        "/api/v1/assessment-definitions/",
        None,
        api(expect(ok=[*CASE_HOLDERS, "agency_admin", "other_admin", "system_admin"])),
    ),
    "assessment_definition-detail": (
        "get",
        "/api/v1/assessment-definitions/{definition}/",
        None,
        api(expect(ok=[*CASE_HOLDERS, "agency_admin", "other_admin", "system_admin"])),
    ),
    "assessment_definition-import-responses": (
        "post",
        "/api/v1/assessment-definitions/{definition}/import/",
        {},
        api(expect(ok=CASE_HOLDERS)),
    ),
    "assessment-list": ("get", "/api/v1/assessments/", None, api(expect(ok=CASE_HOLDERS))),
    "assessment-detail": ("get", "/api/v1/assessments/{assessment}/", None, ON_CASE_API),
    "assessment-schedule": (
        "post",
        "/api/v1/assessments/schedule/",
        {},
        api(expect(ok=CASE_HOLDERS)),
    ),
    "assessment-answers": ("post", "/api/v1/assessments/{assessment}/answers/", {}, ON_CASE_API),
    "assessment-attachments": (
        "post",
        "/api/v1/assessments/{assessment}/attachments/",
        {},
        ON_CASE_API,
    ),
    "assessment-recompute": (
        "post",
        "/api/v1/assessments/{assessment}/recompute/",
        {},
        ON_CASE_API,
    ),
    # Field work offline: the app for those who may work offline; its worker and manifest
    # hold no data. A device is seen by its user and those who oversee devices in scope.
    "field_app": ("get", "/field/", None, expect(ok=CASE_HOLDERS)),
    "field_service_worker": ("get", "/field/sw.js", None, PUBLIC),
    "field_manifest": ("get", "/field/manifest.webmanifest", None, PUBLIC),
    "field_devices": ("get", "/field/devices/", None, expect(ok=DEVICE_PAGES)),
    "field_device": ("get", "/field/devices/{device}/", None, ON_DEVICE),
    "field_device_revoke": ("get", "/field/devices/{device}/revoke/", None, ON_DEVICE),
    "field_device_revoke POST": ("post", "/field/devices/{device}/revoke/", {}, ON_DEVICE),
    "field_conflicts": ("get", "/field/conflicts/", None, expect(ok=CASE_HOLDERS)),
    "field_picks": ("get", "/field/picks/", None, expect(ok=CASE_HOLDERS)),
    "field_picks POST": ("post", "/field/picks/", {}, expect(ok=CASE_HOLDERS)),
    "field_unpick": (
        "post",
        "/field/picks/{pick}/remove/",
        {},
        expect(ok=["caseworker"], not_found=[p for p in CASE_HOLDERS if p != "caseworker"]),
    ),
    "field_conflict": ("get", "/field/conflicts/{conflict}/", None, ON_CASE),
    "field_conflict POST": ("post", "/field/conflicts/{conflict}/", {}, ON_CASE),
    "field_devices_api": ("get", "/api/v1/field/devices/", None, api(EVERYONE)),
    "field_devices_api POST": (
        "post",
        "/api/v1/field/devices/",
        {},
        incomplete(api(expect(ok=CASE_HOLDERS))),
    ),
    # Without the device's own header every device call is refused (or unknown, for the
    # status that a device asks signed out); the header's checks are in test_field_sync.
    "field_status_api": (
        "get",
        "/api/v1/field/devices/status/",
        None,
        expect(not_found=SIGNED_IN, anonymous=404),
    ),
    "field_revoke_api": (
        "post",
        "/api/v1/field/devices/{device}/revoke/",
        {},
        api(
            expect(
                ok=DEVICE_OVERSEERS, not_found=[p for p in SIGNED_IN if p not in DEVICE_OVERSEERS]
            )
        ),
    ),
    "field_recovery_key_api": ("post", "/api/v1/field/devices/recovery-key/", {}, api(expect())),
    "field_pull_api": ("get", "/api/v1/field/pull/", None, api(expect())),
    "field_push_api": ("post", "/api/v1/field/push/", {}, api(expect())),
    "field_files_api": ("post", "/api/v1/field/files/", {}, api(expect())),
}
# Pages with a form post to themselves: the same people, an empty form coming back with
# what to fix.
FORM_PAGES = [
    "agency_new",
    "assessment_import",
    "assessment_detail",
    "case_assign",
    "case_edit",
    "case_plan",
    "case_register",
    "case_trafficking",
    "case_transfer",
    "dedupe_jobs",
    "export_new",
    "feedback_deadlines",
    "feedback_public",
    "feedback_record",
    "forms_manage",
    "incident_new",
    "login",
    "office_new",
    "person_edit",
    "programmes_manage",
    "reauthenticate",
    "release_new",
    "role_edit",
    "role_new",
    "team_edit",
    "team_new",
    "tracing_edit",
    "tracing_new",
    "tracing_reunify",
    "two_factor",
    "user_new",
    "verify_otp",
]
for _page in FORM_PAGES:
    MATRIX[f"{_page} POST"] = ("post", MATRIX[_page][1], {}, MATRIX[_page][3])

MATRIX.update(
    {
        # The public status page opens with the code field; the language is set by POST, a
        # GET only goes back.
        "feedback_status GET": ("get", "/feedback/status/", None, PUBLIC),
        "person_merge POST": (
            "post",
            "/persons/merge/",
            {"a": "{pair_a}", "b": "{pair_b}"},
            ON_PAIR,
        ),
        "set_language GET": ("get", "/i18n/setlang/", None, PUBLIC),
        # API writes sent empty: those allowed in are told what to send (400).
        "case-list POST": ("post", "/api/v1/cases/", {}, incomplete(api(expect(ok=CASE_HOLDERS)))),
        "case-detail PATCH": ("patch", "/api/v1/cases/{case}/", {}, incomplete(ON_CASE_API)),
        "case-notes POST": ("post", "/api/v1/cases/{case}/notes/", {}, incomplete(ON_CASE_API)),
        "person-detail PATCH": ("patch", "/api/v1/persons/{person}/", {}, incomplete(ON_CASE_API)),
        "person-consents POST": (
            "post",
            "/api/v1/persons/{person}/consents/",
            {},
            incomplete(ON_CASE_API),
        ),
        "tracing_request-detail PATCH": (
            "patch",
            "/api/v1/tracing-requests/{tracing}/",
            {},
            incomplete(ON_CASE_API),
        ),
        "assessment-list POST": (
            "post",
            "/api/v1/assessments/",
            {},
            incomplete(api(expect(ok=CASE_HOLDERS))),
        ),
        "assessment_definition-list POST": (
            "post",
            "/api/v1/assessment-definitions/",
            {},
            incomplete(api(expect(ok=["agency_admin", "other_admin", "system_admin"]))),
        ),
        "feedback-list POST": (
            "post",
            "/api/v1/feedback/",
            {},
            incomplete(api(expect(ok=[*CASE_HOLDERS, "feedback_focal", "psea"]))),
        ),
        "incident-list POST": (
            "post",
            "/api/v1/incidents/",
            {},
            incomplete(api(INCIDENT_RECORDERS)),
        ),
        "referral-list POST": (
            "post",
            "/api/v1/referrals/",
            {},
            incomplete(api(expect(ok=CASE_HOLDERS))),
        ),
        "service_delivery-list POST": (
            "post",
            "/api/v1/service-deliveries/",
            {},
            incomplete(api(expect(ok=CASE_HOLDERS))),
        ),
        "return-list POST": (
            "post",
            "/api/v1/returns/",
            {},
            incomplete(api(expect(ok=CASE_HOLDERS))),
        ),
        "reintegration_plan-list POST": (
            "post",
            "/api/v1/reintegration-plans/",
            {},
            incomplete(api(expect(ok=CASE_HOLDERS))),
        ),
        # The directory: agency A's administrators keep what agency A added; the taxonomy
        # is the system administrators'.
        "provider-list POST": ("post", "/api/v1/providers/", {}, incomplete(api(DIRECTORY))),
        "provider-detail PATCH": (
            "patch",
            "/api/v1/providers/{provider}/",
            {},
            api(expect(ok=["agency_admin", "system_admin"])),
        ),
        "service_point-list POST": (
            "post",
            "/api/v1/service-points/",
            {},
            incomplete(api(DIRECTORY)),
        ),
        "service_point-detail PATCH": (
            "patch",
            "/api/v1/service-points/{point}/",
            {},
            api(expect(ok=["agency_admin", "system_admin"])),
        ),
        "service_type-list POST": (
            "post",
            "/api/v1/service-types/",
            {},
            incomplete(api(expect(ok=["system_admin"]))),
        ),
        "service_type-detail PATCH": (
            "patch",
            "/api/v1/service-types/{service_type}/",
            {},
            api(expect(ok=["system_admin"])),
        ),
    }
)

# API actions sent with an empty body: those allowed in are told what to send (400).
EMPTY_BODIES = [
    "approval-decide",
    "assessment-answers",
    "assessment-attachments",
    "assessment-recompute",
    "assessment-schedule",
    "assessment_definition-import-responses",
    "case-batch",
    "case-plan",
    "case-request-closure",
    "case-risk-override",
    "case-transfer",
    "case-transition",
    "feedback-link-case",
    "feedback-move",
    "feedback-resolve",
    "feedback-triage",
    "feedback_public POST",
    "person_merge-list",
    "referral-answer",
    "referral-progress",
    "reintegration_plan-close",
    "reintegration_plan-components",
    "reintegration_plan-move-component",
    "release-list POST",
    "return-step",
    "return-withdraw",
    "service_point-import-hxl",
    "tracing_request-close",
    "tracing_request-decide",
    "tracing_request-reunify",
]
for _key in EMPTY_BODIES:
    _method, _path, _data, _expected = MATRIX[_key]
    MATRIX[_key] = (_method, _path, _data, incomplete(_expected))

# Names that are the same views as above under another URL form (format suffixes, etc.).
COVERED_ELSEWHERE = {"api-root", "case-detail", "person-detail"}


def _names(patterns, prefix=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _names(pattern.url_patterns)
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield pattern.name


def _name(key: str) -> str:
    """A row's URL name: "case-detail" or, for a further method, "case-detail PATCH"."""
    return key.partition(" ")[0]


METHODS = ("get", "post", "put", "patch", "delete")


def test_every_url_is_in_the_matrix():
    missing = set(_names(get_resolver().url_patterns)) - {_name(key) for key in MATRIX}
    assert not missing, f"Add these URLs to the access matrix: {sorted(missing)}"


def test_every_accepted_method_is_in_the_matrix(world, targets):
    """A method without a row must be refused as a method (405), or refused outright, to
    everyone who may use the URL with another method: otherwise it needs a row."""
    url_names = set(_names(get_resolver().url_patterns))
    rows: dict[str, list] = {}
    for key, row in MATRIX.items():
        if _name(key) in url_names:  # other keys try the same URL on other records
            rows.setdefault(_name(key), []).append(row)
    unlisted = []
    for name, found in sorted(rows.items()):
        listed = {method for method, *_rest in found}
        template = found[0][1]
        insiders = sorted(
            {p for *_row, expected in found for p, got in expected.items() if got in ("ok", 400)}
        )
        path = template.format(**targets)
        for method in (m for m in METHODS if m not in listed):
            for persona in insiders:
                client = Client()
                if persona != "anonymous":
                    sign_in(client, world[persona])
                with transaction.atomic():
                    response = _send(client, method, path, None)
                    transaction.set_rollback(True)
                if _outcome(response) not in (405, 403, 404, "login"):
                    unlisted.append(f"{name} {method.upper()} ({persona}: {response.status_code})")
                    break
    assert not unlisted, f"Accepted methods with no row in the matrix: {unlisted}"


@pytest.fixture
def targets(world, register):
    from haven.core.models import Location

    case = register(world["caseworker"])
    flag = Flag.objects.create(case=case, text="check", raised_by=world["caseworker"])
    approval = approval_actions.request_closure(world["caseworker"], case, "declined")
    other = register(world["caseworker"], person={"given_name": "Moved"})
    transfer = transfer_actions.request_transfer(world["supervisor"], other, world["b"], "moved")
    location = Location.objects.create(code="NE", name="Niger", level=0, country_code="NE")
    from haven.accounts.models import Role

    role = Role.objects.create(code="reader", name="Reader", permissions=["case.view"])
    from haven.assessments import actions as assessment_actions
    from haven.assessments.models import AssessmentDefinition

    definition = AssessmentDefinition.objects.get(form_id="haven_protection_risk")
    assessment = assessment_actions.start(world["caseworker"], case, definition)
    from haven.assessments.models import Attachment

    attachment = Attachment.objects.create(
        assessment=assessment,
        question="photo",
        name="photo.png",
        content_type="image/png",
        size=8,
        sha256="",
        data=b"\x89PNG\r\n\x1a\n",
    )
    from haven.assistance.models import Provider, ServicePoint, ServiceType

    shelter = ServiceType.objects.get(code="shelter")
    provider = Provider.objects.create(name="Safe House", maintained_by=world["a"])
    point = ServicePoint.objects.create(provider=provider, name="Safe House North")
    point.services.add(shelter)
    referral = _referral(world, case, shelter)
    from haven.assistance import reintegration_actions, return_actions

    movement = return_actions.start_return(
        world["caseworker"], case, country_of_departure="NE", country_of_return="ML"
    )
    plan = reintegration_actions.create_plan(
        world["caseworker"], case, kind="individual", title="Stall", started_on=date.today()
    )
    component = reintegration_actions.add_component(
        world["caseworker"], plan, dimension="economic", description="Stall", version=1
    )
    from haven.feedback import actions as feedback_actions

    submission, code = feedback_actions.submit_public(
        world["a"], category="service_complaint", text="The tap is broken"
    )
    from haven.feedback import incident_actions

    incident = incident_actions.record_incident(
        world["feedback_focal"],
        kind="pushback",
        occurred_on=date.today(),
        perpetrator="border_officials",
        counts={("male", "18_59"): 12},
    )
    tracing, match = _tracing(world, register, case)
    pair, merge, job = _duplicates(world, register)
    device, conflict, pick = _field(world, case)
    from haven.evidence import actions as evidence_actions

    release = evidence_actions.request_release(
        world["analyst"], purpose="Donor report", fields=["sex"], k=2, suppression_limit=0.1
    )
    export = evidence_actions.request_export(
        world["supervisor"],
        kind="case_list",
        purpose="Case review",
        fields=["number"],
        file_format="csv",
        password="a long password",
    )
    from haven.oversight import actions as oversight_actions

    subject_request = oversight_actions.record_request(
        world["dpo"],
        case.person,
        kind="access",
        received_on=date.today(),
        channel="in_person",
        identity_checked="Passport seen",
    )
    hold = oversight_actions.place_hold(
        world["dpo"], case.person, kind="investigation", reason="Police inquiry"
    )
    rule = oversight_actions.create_rule(
        world["dpo"], kind="feedback_contacts", programme="", after_days=365
    )
    return {
        "rule": rule.pk,
        "subject_request": subject_request.pk,
        "hold": hold.pk,
        "device": device.pk,
        "pick": pick.pk,
        "conflict": conflict.pk,
        "release": release.pk,
        "export": export.pk,
        "pair": pair.pk,
        "pair_a": pair.first_id,
        "pair_b": pair.second_id,
        "merge": merge.pk,
        "job": job.pk,
        "tracing": tracing.pk,
        "match": match.pk,
        "incident": incident.pk,
        "submission": submission.pk,
        "code": code,
        "return": movement.pk,
        "plan": plan.pk,
        "component": component.pk,
        "service_type": shelter.pk,
        "provider": provider.pk,
        "point": point.pk,
        "referral": referral.pk,
        "definition": definition.pk,
        "assessment": assessment.pk,
        "attachment": attachment.pk,
        "agency": world["a"].pk,
        "team": world["team"].pk,
        "user": world["caseworker"].pk,
        "grant": world["caseworker"].grants.get().pk,
        "role": role.pk,
        "case": case.pk,
        "person": case.person_id,
        "flag": flag.pk,
        "approval": approval.pk,
        "transfer": transfer.pk,
        "location": location.pk,
    }


def _duplicates(world, register):
    """A pair in the review queue and a merge, of persons of the caseworker's office."""
    from haven.tracing import merge_actions
    from haven.tracing.models import DedupeJob, DuplicatePair

    one, two, three, four = (
        register(world["caseworker"], person={"given_name": name}).person
        for name in ("Sara", "Sarah", "Idris", "Idriss")
    )
    job = DedupeJob.objects.create(started_by=world["agency_admin"], status="done")
    pair = DuplicatePair.objects.create(job=job, first=one, second=two, probability=0.9)
    merge = merge_actions.merge_persons(
        world["supervisor"], three, four, take=[], versions=(three.version, four.version)
    )
    return pair, merge, job


def _tracing(world, register, case):
    """A tracing request of the caseworker's case, with one match (a person registered by
    the same caseworker)."""
    from haven.people import actions as people_actions
    from haven.tracing import actions as tracing_actions
    from haven.tracing import match_jobs

    consent = {"purpose": "tracing", "legal_basis": "consent", "given": True}
    people_actions.record_consent(
        world["caseworker"], case.person, decided_on=date.today(), **consent
    )
    father = {"given_name": "Omar", "sex": "male", "birth_date": date(1960, 2, 1)}
    register(world["caseworker"], person=father, other_consents=[consent])
    tracing = tracing_actions.open_request(
        world["caseworker"],
        case,
        {
            "relationship": "parent",
            "given_name": "Omar",
            "family_name": "Haddad",
            "sex": "male",
            "birth_date": date(1960, 1, 1),
            "birth_date_precision": "year",
            "separation_cause": "journey",
        },
    )
    [match] = match_jobs.refresh_matches(tracing)
    return tracing, match


def _field(world, case):
    """The caseworker's enrolled device, and a conflict it left on their case."""
    import uuid

    from haven.field import actions as field_actions
    from haven.field.models import Conflict, OfflinePick, Operation

    device, _secret = field_actions.enrol(world["caseworker"], name="Tablet")
    operation = Operation.objects.create(
        device=device, op_id=uuid.uuid4(), kind="case.update", digest="0", status="conflict"
    )
    conflict = Conflict.objects.create(
        case=case,
        operation=operation,
        record="case",
        field="summary",
        base_value={"v": ""},
        device_value={"v": "field"},
        server_value={"v": "office"},
    )
    pick = OfflinePick.objects.create(user=world["caseworker"], case=case)
    return device, conflict, pick


def _referral(world, case, service):
    """A referral of the caseworker's case to agency B, with the person's consent."""
    return consented_referral(world["caseworker"], case, service, to_agency=world["b"])


def _outcome(response) -> object:
    """ok (2xx, or a redirect other than to sign in), login, or the refusal's status code
    itself: a 400, 405 or 415 is never taken for access."""
    assert response.status_code < 500, response.content[:500]
    if response.status_code == 401:
        return 403
    if response.status_code >= 400:
        return response.status_code
    if response.status_code == 302 and "/login/" in response.get("Location", ""):
        return "login"
    return "ok"


def _send(client, method: str, path: str, data):
    if method in ("patch", "put"):
        body = json.dumps(data or {})
        return getattr(client, method)(
            path, data=body, content_type="application/json", HTTP_HOST="localhost"
        )
    return getattr(client, method)(path, data=data, HTTP_HOST="localhost")


@pytest.mark.parametrize("name", sorted(MATRIX))
def test_access(world, targets, name):
    method, template, data, expected = MATRIX[name]
    path = template.format(**targets)
    if data:
        data = {key: str(value).format(**targets) for key, value in data.items()}
    got = {}
    for persona in PERSONAS:
        client = Client()
        if persona != "anonymous":
            sign_in(client, world[persona])
        with transaction.atomic():
            response = _send(client, method, path, data)
            got[persona] = _outcome(response)
            transaction.set_rollback(True)
    assert got == expected

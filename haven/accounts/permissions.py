"""Every named permission in Haven, and the built-in roles made of them."""

from django.utils.translation import gettext_lazy as _

PERMISSIONS = {
    "case.view": _("See cases in scope"),
    "case.create": _("Register people and open cases"),
    "case.update": _("Edit cases and the people in them"),
    "case.transition": _("Move cases through the workflow"),
    "case.assign": _("Assign cases to users of the agency"),
    "case.transfer": _("Transfer cases to and accept cases from other agencies"),
    "case.approve": _("Approve case plans and closures"),
    "case.view_sensitive": _("See the agency's sensitive cases"),
    "person.view_identifying": _("See names, contacts, documents and notes"),
    "note.add": _("Write case notes"),
    "consent.manage": _("Record and withdraw consent"),
    "person.merge": _("Merge two records of the same person, and undo a merge"),
    "person.deduplicate": _("Run the deduplication of all persons (counts only, no names)"),
    "tracing.manage": _(
        "Open tracing requests for cases in scope, decide on their matches, record reunification"
    ),
    "assessment.fill": _("Fill in and submit assessments of cases in scope"),
    "assessment.forms": _("Publish assessment forms (XLSForm)"),
    "referral.create": _("Refer cases in scope for services"),
    "referral.receive": _("Receive, accept and complete referrals sent to the agency"),
    "referral.override_consent": _("Refer without the person's consent, giving the reason"),
    "service.manage": _("Manage the service taxonomy and the provider directory"),
    "feedback.record": _("Record feedback and complaints received by hotline, in person, SMS…"),
    "feedback.handle": _("Triage, answer and resolve feedback and complaints in scope"),
    "feedback.misconduct": _(
        "Handle allegations of sexual exploitation, abuse and misconduct (PSEA focal point)"
    ),
    "feedback.oversee": _("Receive the escalations of feedback and complaints left overdue"),
    "incident.record": _("Record and see incidents and rights violations (never names)"),
    "report.view": _("See aggregate dashboards"),
    "release.create": _("Make de-identified releases of the agency's cases, and download them"),
    "case.export": _(
        "Export lists of cases in scope with names (encrypted archive, after re-authentication)"
    ),
    "audit.view": _("Search the audit and access logs"),
    "retention.manage": _(
        "Set how long the agency keeps each kind of record, and approve the removals"
    ),
    "subject.access": _(
        "Gather everything held about a person, and who saw or changed it, to answer their "
        "data-protection requests"
    ),
    "field.offline": _(
        "Work offline on an enrolled device, with the cases in scope the work needs"
    ),
    "field.offline_sensitive": _("Take sensitive cases offline on an enrolled device"),
    "field.devices": _("See and revoke the enrolled devices of the users in scope"),
    "agency.manage": _("Manage the agency's offices, teams and users"),
    "system.manage": _("Manage agencies and roles"),
}

SCOPES = ("own", "team", "office", "agency", "all")
SCOPE_LABELS = {
    "own": _("Own and assigned"),
    "team": _("Team"),
    "office": _("Office"),
    "agency": _("Agency"),
    "all": _("All agencies"),
}

_CASEWORK = [
    "case.view",
    "case.create",
    "case.update",
    "case.transition",
    "person.view_identifying",
    "note.add",
    "consent.manage",
    "tracing.manage",
    "assessment.fill",
    "referral.create",
    "referral.receive",
    "feedback.record",
    "field.offline",
]

# code: (name, permissions, default scope, two-factor required)
BUILTIN_ROLES = {
    "caseworker": (_("Caseworker"), _CASEWORK, "own", False),
    "supervisor": (
        _("Supervisor"),
        [
            *_CASEWORK,
            "case.assign",
            "case.approve",
            "case.transfer",
            "person.merge",
            "referral.override_consent",
            "field.devices",
            "feedback.oversee",
            "incident.record",
            "report.view",
            "case.export",
        ],
        "office",
        False,
    ),
    "protection_officer": (
        _("Protection officer"),
        [
            *_CASEWORK,
            "case.view_sensitive",
            "case.assign",
            "person.merge",
            "referral.override_consent",
            "incident.record",
            "report.view",
            "release.create",
            "case.export",
            "subject.access",
        ],
        "agency",
        False,
    ),
    "analyst": (_("Analyst"), ["report.view", "release.create"], "agency", False),
    "feedback_focal_point": (
        _("Feedback and complaints focal point"),
        ["feedback.record", "feedback.handle", "incident.record", "report.view"],
        "agency",
        False,
    ),
    # Allegations against staff are the most dangerous records Haven holds: two-factor.
    "psea_focal_point": (
        _("PSEA focal point"),
        ["feedback.record", "feedback.misconduct", "report.view"],
        "agency",
        True,
    ),
    "data_protection_officer": (
        _("Data protection officer"),
        ["audit.view", "report.view", "subject.access", "retention.manage"],
        "agency",
        True,
    ),
    "agency_admin": (
        _("Agency administrator"),
        [
            "agency.manage",
            "assessment.forms",
            "service.manage",
            "person.deduplicate",
            "field.devices",
            "audit.view",
            "report.view",
        ],
        "agency",
        True,
    ),
    "system_admin": (
        _("System administrator"),
        [
            "system.manage",
            "agency.manage",
            "assessment.forms",
            "service.manage",
            "person.deduplicate",
            "audit.view",
            "report.view",
        ],
        "all",
        True,
    ),
}

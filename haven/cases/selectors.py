"""Reads of cases, always through the access policy; out-of-scope records answer 404."""

from django.conf import settings
from django.db import connection
from django.db.models import Count, Q
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from haven.accounts import policy
from haven.cases.models import Approval, Case, ProgrammeSetting, RiskLevel, Transfer
from haven.cases.workflow import OPEN_STATUSES, Status
from haven.core import crypto
from haven.core.reporting import Table, cross_table, pair_counts
from haven.people import names
from haven.people.actions import normalise_document_number
from haven.people.models import IdentityDocument


def with_vulnerability_q(code: str) -> Q:
    """Cases whose vulnerability categories include `code`."""
    if connection.vendor == "postgresql":
        # jsonb containment, served by the GIN index of migration cases 0002.
        return Q(vulnerabilities__contains=[code])
    # Elsewhere match the quoted code in the list's JSON text.
    return Q(vulnerabilities__icontains=f'"{code}"')


def visible_cases(user, perm: str = "case.view"):
    return Case.objects.filter(policy.case_q(user, perm))


def get_case(user, pk, perm: str = "case.view") -> Case:
    case = (
        visible_cases(user, perm)
        .select_related("person", "owner", "office", "agency")
        .filter(pk=pk)
        .first()
    )
    if case is None:
        raise Http404("No such case")
    return case


def case_list(user, *, query: str = ""):
    """The case list: policy-scoped, with what the list shows joined in one query."""
    cases = visible_cases(user).select_related("person", "owner", "office")
    if query:
        cases = search(cases, query, identity=policy.can_see_identity(user))
    return cases


def search(cases, query: str, *, identity: bool):
    """Case number (prefix), document number (exact) and, for those allowed, name (partial)."""
    query = query.strip()
    # The name is checked on the joined person row (the list joins it anyway) and document
    # numbers through a subquery (no join, so no duplicates to remove): the database can
    # check a small caseload case by case, or walk a large one newest first and stop after
    # a page, instead of first collecting every person with a common name.
    match = Q(number__startswith=query.upper())
    if identity:
        match |= Q(person__search_name__contains=names.fold(query))
        doc_number = normalise_document_number(query)
        if doc_number:
            holders = IdentityDocument.objects.filter(
                number_index__in=crypto.blind_index_candidates(doc_number)
            ).values("person_id")
            match |= Q(person_id__in=holders)
    return cases.filter(match)


def approval_needed(case: Case, kind: str) -> bool:
    setting = ProgrammeSetting.objects.filter(
        agency_id=case.agency_id, programme=case.programme
    ).first()
    if setting is None:
        return True
    return setting.plan_needs_approval if kind == "plan" else setting.closure_needs_approval


def pending_approvals_for(user):
    """Approvals waiting for this user: pending, in scope for case.approve, not their own."""
    if not policy.has_perm(user, "case.approve"):
        return Approval.objects.none()
    return (
        Approval.objects.filter(decision=Approval.Decision.PENDING)
        .filter(case__in=visible_cases(user, "case.approve"))
        .exclude(requested_by=user)
        .select_related("case", "requested_by")
    )


def incoming_transfers(user):
    if not (policy.has_perm(user, "case.transfer") and user.agency_id):
        return Transfer.objects.none()
    return Transfer.objects.filter(
        to_agency_id=user.agency_id, state=Transfer.State.PENDING
    ).select_related("case", "from_agency")


def overdue_q(today=None) -> Q:
    """The step the case is in is past its due date (see Case.next_due)."""
    return Q(next_due__lt=today or timezone.localdate())


def _protected_counts(cases) -> Table:
    """Cases by status and risk level with their totals, small cells hidden together with
    those that would give them away."""
    return cross_table(
        _("Cases by status and risk level"),
        pair_counts(cases, "status", "risk_level"),
        list(Status.choices),
        list(RiskLevel.choices),
        settings.HAVEN_SMALL_CELL,
        kinds=("status", "risk"),
    )


def dashboard(user) -> dict:
    """Counts for the dashboard: a fixed number of aggregate queries, whatever the caseload."""
    scoped = visible_cases(user) if policy.has_perm(user, "case.view") else None
    data = {"my": None, "by_status": [], "by_risk": [], "overdue": None}
    if scoped is not None:
        mine = scoped.filter(policy.involved_q(user))
        data["my"] = mine.filter(status__in=OPEN_STATUSES).count()
        data["overdue"] = scoped.filter(overdue_q()).count()
        data["overdue_cases"] = list(scoped.filter(overdue_q()).order_by("next_due")[:10])
    base = None
    if policy.has_perm(user, "report.view"):
        # Counts only, over the report scope: sensitive cases are counted, never listed.
        base = Case.objects.filter(policy.scope_q(user, "report.view"))
        if scoped is None:
            # A role without the records sees the counts protected like every dashboard's.
            data["protected"] = _protected_counts(base)
            data["threshold"] = settings.HAVEN_SMALL_CELL
            data["total"] = data["protected"].totals[-1] if data["protected"].rows else 0
            return data
    elif scoped is not None:
        base = scoped
    if base is not None:
        # One pass over the cases in scope, folded into both tables here.
        by_status, by_risk = {}, {}
        for row in base.values("status", "risk_level").annotate(n=Count("id")).order_by():
            by_status[row["status"]] = by_status.get(row["status"], 0) + row["n"]
            if row["status"] in OPEN_STATUSES:
                by_risk[row["risk_level"]] = by_risk.get(row["risk_level"], 0) + row["n"]
        data["by_status"] = [{"status": s, "n": n} for s, n in sorted(by_status.items())]
        data["by_risk"] = [{"risk_level": r, "n": n} for r, n in sorted(by_risk.items())]
        data["total"] = sum(by_status.values())
    return data

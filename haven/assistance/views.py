"""The referral pages: refer from a case, and the receiving side's inbox."""

from datetime import date
from decimal import Decimal, InvalidOperation

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from haven.accounts import policy
from haven.accounts.gates import requires
from haven.accounts.models import Agency, Team
from haven.accounts.two_factor import recent_login_required
from haven.assistance import actions, reports, selectors, sharing, sla
from haven.assistance.models import DeliveryStatus, ReferralStatus, ServicePoint, ServiceType
from haven.audit.actions import record_access
from haven.cases import selectors as case_selectors
from haven.core import report_pages
from haven.core.errors import HavenError
from haven.core.web import paginate, posted_version, query_without_page, succeeded
from haven.people.models import ConsentPurpose
from haven.people.selectors import has_consent


def case_tab_context(user, case) -> dict:
    """What the case's Referrals tab shows: its referrals, and the form to make one."""
    can_refer = policy.can_case(user, "referral.create", case)
    return {
        "referrals": case.referrals.select_related(
            "service", "to_team", "to_agency", "to_point__provider"
        ),
        "can_refer": can_refer,
        "can_override": policy.can_case(user, "referral.override_consent", case),
        "has_referral_consent": has_consent(case.person, ConsentPurpose.REFERRAL),
        "services": ServiceType.objects.filter(active=True).order_by("name") if can_refer else [],
        "teams": Team.objects.filter(agency_id=case.agency_id).order_by("name"),
        "agencies": Agency.objects.filter(is_active=True).exclude(pk=case.agency_id),
        "points": ServicePoint.objects.filter(active=True).select_related("provider"),
        "shareable": [(code, label) for code, (label, _getter) in sharing.SHAREABLE.items()],
        "deliveries": case.deliveries.select_related("service"),
        "delivery_totals": selectors.delivery_totals(case.deliveries.all()),
        "can_record": policy.can_case(user, "case.update", case),
        "delivery_statuses": DeliveryStatus.choices,
        "all_services": ServiceType.objects.filter(active=True).order_by("name"),
    }


def referrals_on_dashboard(user) -> dict:
    return {"referrals": referral_counts(user)}


def referral_counts(user) -> dict[str, int | None]:
    """For the dashboard: referrals waiting for an answer from the user's agency or teams,
    those received and those sent (from cases in scope) that are past due. None where the
    user has no such box."""
    today = timezone.localdate()
    counts = {"waiting": None, "received_overdue": None, "sent_overdue": None}
    if policy.has_perm(user, "referral.receive"):
        counts.update(
            selectors.received(user).aggregate(
                waiting=Count("id", filter=Q(status=ReferralStatus.PENDING)),
                received_overdue=Count("id", filter=selectors.overdue_q(today)),
            )
        )
    if policy.has_perm(user, "referral.create"):
        counts["sent_overdue"] = selectors.overdue(selectors.sent(user), today).count()
    return counts


def _case_tab(case) -> str:
    return reverse("case_detail", kwargs={"pk": case.pk}) + "?tab=referrals"


@require_POST
@requires("referral.create")
def referral_new(request, pk):
    case = case_selectors.get_case(request.user, pk)
    post = request.POST
    service = ServiceType.objects.filter(code=post.get("service", "")).first()
    receiver = post.get("receiver", "")
    kind, _sep, ident = receiver.partition(":")
    targets = {"team": Team, "agency": Agency, "point": ServicePoint}
    if service is None or kind not in targets or not ident.isdigit():
        messages.error(request, _("Choose the service and who the referral goes to."))
        return redirect(_case_tab(case))
    target = targets[kind].objects.filter(pk=int(ident)).first()
    if target is None:
        messages.error(request, _("Choose the service and who the referral goes to."))
        return redirect(_case_tab(case))
    succeeded(
        request,
        None,
        lambda: actions.refer(
            request.user,
            case,
            service,
            reason=post.get("reason", ""),
            fields=post.getlist("fields"),
            urgent=bool(post.get("urgent")),
            override_reason=post.get("override_reason", ""),
            **{f"to_{kind}": target},
        ),
        _("Referral sent."),
    )
    return redirect(_case_tab(case))


@require_POST
@requires("case.update")
def delivery_new(request, pk):
    case = case_selectors.get_case(request.user, pk)
    post = request.POST
    service = ServiceType.objects.filter(code=post.get("service", "")).first()
    try:
        delivered_on = date.fromisoformat(post.get("delivered_on", ""))
        cost = Decimal(post["cost"]) if post.get("cost", "").strip() else None
    except (ValueError, InvalidOperation):
        service = None
    if service is None:
        messages.error(
            request, _("Give the service, its date (YYYY-MM-DD) and a cost as a number.")
        )
        return redirect(_case_tab(case))
    succeeded(
        request,
        None,
        lambda: actions.record_delivery(
            request.user,
            case,
            service,
            delivered_on=delivered_on,
            provider=post.get("provider", ""),
            status=post.get("status", "delivered"),
            cost=cost,
            currency=post.get("currency", ""),
            funding_source=post.get("funding_source", ""),
            notes=post.get("notes", ""),
        ),
        _("Service recorded."),
    )
    return redirect(_case_tab(case))


def _referral_list(request, box: str, referrals):
    status = request.GET.get("status", "")
    only_overdue = request.GET.get("overdue") == "1"
    today = timezone.localdate()
    if status in ReferralStatus.values:
        referrals = referrals.filter(status=status)
    if only_overdue:
        referrals = selectors.overdue(referrals, today)
    else:
        referrals = referrals.order_by("-urgent", "due_on", "-id")
    page = paginate(request, referrals, per_page=50)
    for referral in page:
        referral.days_overdue = sla.days_overdue(referral.status, referral.due_on, today)
    return render(
        request,
        "assistance/referral_list.html",
        {
            "box": box,
            "page": page,
            "status": status,
            "overdue": only_overdue,
            "statuses": ReferralStatus.choices,
            "querystring": query_without_page(request),
            "can_receive": policy.has_perm(request.user, "referral.receive"),
            "can_refer": policy.has_perm(request.user, "referral.create"),
        },
    )


@require_safe
@requires("referral.receive")
def referrals_received(request):
    """What the user's agency or teams received: the referral and its service, never the case."""
    received = selectors.received(request.user).select_related("case__agency")
    return _referral_list(request, "received", received)


@require_safe
@requires("referral.create")
def referrals_sent(request):
    """Referrals made from the cases in the user's scope, with where they went."""
    sent = selectors.sent(request.user).select_related(
        "case", "service", "to_team", "to_agency", "to_point__provider"
    )
    return _referral_list(request, "sent", sent)


@require_safe
@login_required
def referral_detail(request, pk):
    referral, receiving = selectors.get_referral(request.user, pk)
    record_access(request.user, "referral.detail", referral)
    labels = {code: label for code, (label, _getter) in sharing.SHAREABLE.items()}
    shared = [(labels.get(k, k), v) for k, v in selectors.shared_with_receiver(referral).items()]
    return render(
        request,
        "assistance/detail.html",
        {
            "referral": referral,
            "receiving": receiving,
            "shared": shared,
            "next": sorted(actions.NEXT[ReferralStatus(referral.status)]) if receiving else [],
        },
    )


@require_POST
@requires("referral.receive")
def referral_move(request, pk):
    referral, receiving = selectors.get_referral(request.user, pk)
    if not receiving:
        raise PermissionDenied
    post = request.POST
    version = posted_version(post)
    succeeded(
        request,
        None,
        lambda: _move(
            request.user, referral, post.get("status", ""), post.get("text", ""), version
        ),
        _("Referral updated."),
    )
    return redirect("referral_detail", pk=referral.pk)


def _move(user, referral, target: str, text: str, version: int):
    if target in (ReferralStatus.ACCEPTED, ReferralStatus.DECLINED):
        accept = target == ReferralStatus.ACCEPTED
        return actions.answer(user, referral, accept=accept, reason=text, version=version)
    return actions.progress(user, referral, status=target, outcome=text, version=version)


@require_safe
@requires("referral.create")
@recent_login_required
def referral_form(request, pk):
    """The printable form (PDF) of a referral, for a provider outside Haven."""
    referral, receiving = selectors.get_referral(request.user, pk)
    if receiving:
        raise PermissionDenied
    try:
        pdf = actions.print_form(request.user, referral)
    except HavenError as exc:
        messages.error(request, exc.message)
        return redirect("referral_detail", pk=referral.pk)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="referral-{referral.pk}.pdf"'
    return response


@require_safe
@requires("report.view")
def assistance_report(request):
    """Referrals, services delivered and returns in the reporting scope, small cells hidden
    for roles without access to the records."""
    return report_pages.period_report_page(
        request,
        reports.assistance_report,
        name="assistance-report",
        title=_("Assistance"),
        template="assistance/report.html",
    )

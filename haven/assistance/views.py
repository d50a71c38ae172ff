"""The referral pages: refer from a case, and the receiving side's inbox."""

from datetime import date
from decimal import Decimal, InvalidOperation

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from haven.accounts import policy
from haven.accounts.models import Agency, Team
from haven.assistance import actions, selectors, sharing
from haven.assistance.models import DeliveryStatus, ReferralStatus, ServicePoint, ServiceType
from haven.audit.actions import record_access
from haven.cases import selectors as case_selectors
from haven.core.web import requires, succeeded
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


def waiting_count(user) -> int | None:
    """Referrals waiting for an answer from the user's agency or teams (None: not theirs)."""
    if not policy.has_perm(user, "referral.receive"):
        return None
    return selectors.received(user).filter(status=ReferralStatus.PENDING).count()


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


@requires("referral.receive")
def referrals_received(request):
    user = request.user
    status = request.GET.get("status", "")
    referrals = (
        selectors.received(user).select_related("case__agency").order_by("-urgent", "due_on")
    )
    if status in ReferralStatus.values:
        referrals = referrals.filter(status=status)
    return render(
        request,
        "assistance/received.html",
        {"referrals": referrals[:200], "status": status, "statuses": ReferralStatus.choices},
    )


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
    version = int(post["version"]) if post.get("version", "").isdigit() else 0
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

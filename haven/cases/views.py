"""Thin web views for cases: they read through selectors and write through actions."""

from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from haven.accounts import policy
from haven.accounts.gates import requires
from haven.audit.actions import record_access
from haven.audit.selectors import history_for
from haven.cases import actions, due, forms, page, selectors
from haven.cases.filters import CaseFilter
from haven.cases.models import (
    Approval,
    CasePlan,
    Flag,
    Programme,
    RiskLevel,
    TraffickingProfile,
    Vulnerability,
)
from haven.cases.workflow import Status, next_statuses
from haven.core.errors import HavenError
from haven.core.web import paginate, query_without_page, report_errors, submitted, succeeded
from haven.people import forms as person_forms
from haven.people import selectors as people_selectors
from haven.people.models import ConsentPurpose

# Lists count exactly up to these numbers, then say "N+" (see CappedPaginator).
LIST_COUNT_CAP = 1000
SEARCH_COUNT_CAP = 100
TABS = [
    "summary",
    "person",
    "family",
    "consent",
    "assessments",
    "referrals",
    "return",
    "plan",
    "notes",
    "tasks",
    "history",
]
# Tabs that show personal data: seeing them leaves an access-log entry.
IDENTIFYING_TABS = {
    "summary",
    "person",
    "family",
    "consent",
    "assessments",
    "referrals",
    "return",
    "plan",
    "notes",
}


@require_safe
@login_required
def dashboard(request):
    user = request.user
    context = {
        **page.dashboard_context(user),
        "data": selectors.dashboard(user),
        "can_report": policy.has_perm(user, "report.view"),
        "can_import": policy.has_perm(user, "assessment.fill"),
        "approvals": list(selectors.pending_approvals_for(user)[:20]),
        "transfers": list(selectors.incoming_transfers(user)[:20]),
        "status_labels": dict(Status.choices),
    }
    return render(request, "cases/dashboard.html", context)


@require_safe
@requires("case.view")
def case_list(request):
    user = request.user
    query = request.GET.get("q", "").strip()
    cases = selectors.case_list(user, query=query)
    case_filter = CaseFilter(request.GET or None, queryset=cases, user=user)
    cap = SEARCH_COUNT_CAP if query else LIST_COUNT_CAP
    page = paginate(request, case_filter.qs if case_filter.is_bound else cases, cap=cap)
    return render(
        request,
        "cases/list.html",
        {
            "filter": case_filter,
            "page": page,
            "query": query,
            "querystring": query_without_page(request),
            "show_names": policy.can_see_identity(user),
        },
    )


@requires("case.create")
def case_register(request):
    user = request.user
    form = forms.RegistrationForm(request.POST or None, user=user)
    duplicates = None
    if request.method == "POST" and form.is_valid():
        person = form.person_data()
        if not form.cleaned_data["not_a_duplicate"]:
            # Checked only until the user confirms: what is not shown is not logged as seen.
            duplicates = page.likely_duplicates(user, person)
        if duplicates:
            messages.warning(
                request,
                _("This person may already be registered. Check the records below before saving."),
            )
        else:
            try:
                case = actions.register(
                    user,
                    person=person,
                    case=form.case_data(),
                    registration_basis=form.cleaned_data["registration_basis"],
                    consent_given=form.cleaned_data["consent_given"],
                    other_consents=[
                        {"purpose": p, "legal_basis": "consent", "given": True}
                        for p in form.cleaned_data["consent_purposes"]
                    ],
                )
            except (HavenError, ValidationError) as exc:
                report_errors(request, form, exc)
            else:
                messages.success(request, _("Case %(n)s registered.") % {"n": case.number})
                return redirect("case_detail", pk=case.pk)
    return render(request, "cases/register.html", {"form": form, "duplicates": duplicates})


@require_safe
@requires("case.view")
def case_detail(request, pk):
    user = request.user
    case = selectors.get_case(user, pk)
    tab = request.GET.get("tab", "summary")
    if tab not in TABS:
        raise Http404("No such tab")
    identity = policy.can_see_identity(user)
    if identity and tab in IDENTIFYING_TABS:
        record_access(user, f"case.{tab}", case)
    plan = CasePlan.objects.filter(case=case).prefetch_related("actions__responsible").first()
    context = {
        "case": case,
        "person": case.person,
        "tab": tab,
        "tabs": TABS,
        "show_identity": identity,
        "plan": plan,
        "transitions": _transition_choices(user, case),
        "can": {
            perm: policy.can_case(user, perm, case)
            for perm in (
                "case.update",
                "case.transition",
                "case.assign",
                "case.transfer",
                "note.add",
                "case.approve",
            )
        },
        "risk_levels": RiskLevel.choices,
        "flags": case.flags.filter(resolved_at__isnull=True).select_related("raised_by"),
        "pending": case.approvals.filter(decision=Approval.Decision.PENDING).select_related(
            "requested_by"
        ),
        "approvable": selectors.pending_approvals_for(user).filter(case=case),
        "transition_form": forms.TransitionForm(initial={"version": case.version}),
        "closure_form": forms.ClosureRequestForm(),
        "closure_needs_approval": selectors.approval_needed(case, "closure")
        and not policy.can_case(user, "case.approve", case),
    }
    closable = any(status == Status.CLOSED for status, _label in context["transitions"])
    context["can_close_directly"] = closable and not context["closure_needs_approval"]
    context["closure_requestable"] = (
        closable
        and context["closure_needs_approval"]
        and not any(a.kind == Approval.Kind.CLOSURE for a in context["pending"])
    )
    context.update(_tab_context(user, case, tab, plan))
    return render(request, "cases/detail.html", context)


def _transition_choices(user, case):
    if not policy.can_case(user, "case.transition", case):
        return []
    return [(s, Status(s).label) for s in next_statuses(case.status)]


def _tab_context(user, case, tab, plan):
    person = case.person
    if tab == "family":
        return {
            "relationships": person.relationships.select_related("relative").filter(
                relative__in=people_selectors.visible_persons(user)
            ),
            "relative_form": person_forms.RelativeForm(),
            **page.tab_context(tab, user, case),
        }
    if tab == "consent":
        return {
            "consents": people_selectors.consent_summary(person),
            "consent_history": person.consents.select_related("recorded_by")[:50],
            "purposes": dict(ConsentPurpose.choices),
            "consent_form": forms.ConsentForm(),
        }
    if tab == "notes" and policy.can_see_identity(user):
        return {"notes": case.notes.select_related("author")[:100], "note_form": forms.NoteForm()}
    if tab == "tasks":
        return {"tasks": due.tasks_for(case)}
    if tab == "history":
        return {"events": history_for(case)}
    if tab == "person":
        return {
            "contacts": person.contacts.all(),
            "documents": person.documents.all(),
            "contact_form": person_forms.ContactForm(),
            "document_form": person_forms.DocumentForm(),
            "can_merge": policy.has_perm(user, "person.merge")
            and policy.can_case(user, "case.update", case),
        }
    if tab == "summary":
        return {
            "flag_form": forms.FlagForm(),
            "trafficking": TraffickingProfile.objects.filter(case=case).first(),
            "trafficking_choices": forms.TRAFFICKING_CHOICES,
            "trafficking_case": case.programme == Programme.COUNTER_TRAFFICKING
            or Vulnerability.TRAFFICKING_VICTIM in case.vulnerabilities,
        }
    return page.tab_context(tab, user, case)


@requires("case.update")
def case_edit(request, pk):
    case = selectors.get_case(request.user, pk, "case.update")
    if request.method == "GET":
        record_access(request.user, "case.edit", case)
    form = forms.CaseEditForm(request.POST or None, instance=case)
    if request.method == "POST" and form.is_valid():
        data = {name: form.cleaned_data[name] for name in form.Meta.fields}
        if succeeded(
            request,
            form,
            lambda: actions.update_case(
                request.user,
                selectors.get_case(request.user, pk),
                data,
                form.cleaned_data["version"],
            ),
            _("Case saved."),
        ):
            return redirect("case_detail", pk=case.pk)
    return render(request, "cases/edit.html", {"case": case, "form": form})


@requires("case.update")
def case_trafficking(request, pk):
    """The trafficking profile of a case: types of exploitation, means of control…"""
    case = selectors.get_case(request.user, pk, "case.update")
    profile = TraffickingProfile.objects.filter(case=case).first()
    if request.method == "GET":
        record_access(request.user, "case.trafficking", case)
    form = forms.TraffickingProfileForm(request.POST or None, instance=profile)
    if submitted(
        request,
        form,
        lambda: actions.save_trafficking_profile(
            request.user,
            case,
            {name: form.cleaned_data[name] for name in actions.TRAFFICKING_FIELDS},
        ),
        _("Trafficking profile saved."),
    ):
        return redirect("case_detail", pk=case.pk)
    return render(request, "cases/trafficking.html", {"case": case, "form": form})


def case_url(case) -> str:
    return reverse("case_detail", kwargs={"pk": case.pk})


def posted_on_case(
    request,
    case,
    form,
    run: Callable[[dict], object],
    done: str | Callable[[dict], str] | None,
    invalid: str,
    tab: str = "",
) -> HttpResponse:
    """A small form posted from the case page: the action run with the form's data (a
    refusal shown as a message), or what was wrong said; then back to the case."""
    if form.is_valid():
        data = form.cleaned_data
        message = done(data) if callable(done) else done
        succeeded(request, None, lambda: run(data), message)
    else:
        messages.error(request, invalid)
    return redirect(f"{case_url(case)}?tab={tab}" if tab else case_url(case))


@require_POST
@requires("note.add")
def case_note_add(request, pk):
    case = selectors.get_case(request.user, pk)
    return posted_on_case(
        request,
        case,
        forms.NoteForm(request.POST),
        lambda data: actions.add_note(request.user, case, data["body"]),
        _("Note added."),
        _("The note is empty."),
        tab="notes",
    )


@require_POST
@requires("case.update")
def case_flag_add(request, pk):
    case = selectors.get_case(request.user, pk)
    return posted_on_case(
        request,
        case,
        forms.FlagForm(request.POST),
        lambda data: actions.add_flag(request.user, case, data["text"]),
        None,
        _("Say what the flag is about."),
    )


@require_POST
@requires("case.approve")
def case_risk_override(request, pk):
    case = selectors.get_case(request.user, pk)
    version = request.POST.get("version", "")
    if not version.isdigit():
        messages.error(request, _("Reload the case and try again."))
        return redirect(case_url(case))
    succeeded(
        request,
        None,
        lambda: actions.override_risk(
            request.user,
            case,
            request.POST.get("risk_level", ""),
            request.POST.get("reason", ""),
            int(version),
        ),
        _("Risk level set.") if request.POST.get("risk_level") else _("Risk level released."),
    )
    return redirect(case_url(case))


@require_POST
@requires("case.update")
def case_flag_resolve(request, pk, flag_pk):
    case = selectors.get_case(request.user, pk)
    flag = get_object_or_404(Flag, pk=flag_pk, case=case)
    try:
        actions.resolve_flag(request.user, flag)
    except HavenError as exc:
        report_errors(request, None, exc)
    return redirect(case_url(case))


@requires("case.assign")
def case_assign(request, pk):
    case = selectors.get_case(request.user, pk, "case.assign")
    current = list(case.assignments.values_list("user_id", flat=True))
    form = forms.AssignForm(
        request.POST or None, case=case, initial={"owner": case.owner_id, "assignees": current}
    )
    if submitted(
        request,
        form,
        lambda: actions.assign(
            request.user,
            case,
            owner=form.cleaned_data["owner"],
            assignees=list(form.cleaned_data["assignees"]),
        ),
        _("Assignment saved."),
    ):
        return redirect("case_detail", pk=case.pk)
    return render(request, "cases/assign.html", {"case": case, "form": form})

"""Thin web views for cases: they read through selectors and write through actions."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from haven.accounts import policy
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
from haven.core.web import (
    paginate,
    query_without_page,
    report_errors,
    requires,
    submitted,
    succeeded,
)
from haven.people import actions as people_actions
from haven.people import forms as person_forms
from haven.people import selectors as people_selectors
from haven.people.models import ConsentPurpose, Person

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


@require_POST
@requires("case.transition")
def case_transition(request, pk):
    case = selectors.get_case(request.user, pk)
    form = forms.TransitionForm(request.POST)
    if form.is_valid():
        succeeded(
            request,
            None,
            lambda: actions.transition(
                request.user,
                case,
                form.cleaned_data["to"],
                form.cleaned_data["version"],
                closure_reason=form.cleaned_data["closure_reason"],
                comment=form.cleaned_data["comment"],
            ),
            _("Case moved to %(s)s.") % {"s": Status(case.status).label},
        )
    else:
        messages.error(request, _("Choose a valid next step."))
    return redirect("case_detail", pk=case.pk)


@require_POST
@requires("case.transition")
def case_request_closure(request, pk):
    case = selectors.get_case(request.user, pk)
    form = forms.ClosureRequestForm(request.POST)
    if form.is_valid():
        succeeded(
            request,
            None,
            lambda: actions.request_closure(
                request.user,
                case,
                form.cleaned_data["closure_reason"],
                form.cleaned_data["comment"],
            ),
            _("Closure requested: a supervisor will decide."),
        )
    else:
        messages.error(request, _("Choose a closure reason."))
    return redirect("case_detail", pk=case.pk)


@require_POST
@requires("case.approve")
def approval_decide(request, pk):
    approval = get_object_or_404(selectors.pending_approvals_for(request.user), pk=pk)
    form = forms.DecisionForm(request.POST)
    if form.is_valid():
        succeeded(
            request,
            None,
            lambda: actions.decide(
                request.user,
                approval,
                approve=form.cleaned_data["approve"],
                comment=form.cleaned_data["comment"],
            ),
            _("Decision recorded."),
        )
    else:
        messages.error(request, _("Choose approve or reject."))
    if approval.assessment_id:
        return redirect("assessment_detail", pk=approval.assessment_id)
    return redirect("case_detail", pk=approval.case_id)


@requires("case.update")
def case_plan(request, pk):
    user = request.user
    case = selectors.get_case(user, pk, "case.update")
    if request.method == "GET":
        record_access(user, "case.plan_edit", case)
    plan = CasePlan.objects.filter(case=case).first()
    initial_actions = (
        [
            {
                "description": a.description,
                "responsible": a.responsible,
                "due_on": a.due_on,
                "done": a.done,
            }
            for a in plan.actions.all()
        ]
        if plan
        else []
    )
    form = forms.PlanForm(request.POST or None, initial={"goals": plan.goals if plan else ""})
    formset = forms.PlanActionFormSet(
        request.POST or None, initial=initial_actions, form_kwargs={"agency": case.agency_id}
    )
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        items = [
            {k: f.cleaned_data[k] for k in ("description", "responsible", "due_on", "done")}
            for f in formset.forms
            if f.cleaned_data
            and f.cleaned_data.get("description")
            and not f.cleaned_data.get("DELETE")
        ]
        if succeeded(
            request,
            form,
            lambda: actions.save_plan(user, case, goals=form.cleaned_data["goals"], actions=items),
            _("Case plan saved."),
        ):
            return redirect(f"{case_url(case)}?tab=plan")
    return render(
        request, "cases/plan.html", {"case": case, "form": form, "formset": formset, "plan": plan}
    )


def case_url(case) -> str:
    return reverse("case_detail", kwargs={"pk": case.pk})


@require_POST
@requires("note.add")
def case_note_add(request, pk):
    case = selectors.get_case(request.user, pk)
    form = forms.NoteForm(request.POST)
    if form.is_valid():
        succeeded(
            request,
            None,
            lambda: actions.add_note(request.user, case, form.cleaned_data["body"]),
            _("Note added."),
        )
    else:
        messages.error(request, _("The note is empty."))
    return redirect(f"{case_url(case)}?tab=notes")


@require_POST
@requires("case.update")
def case_flag_add(request, pk):
    case = selectors.get_case(request.user, pk)
    form = forms.FlagForm(request.POST)
    if form.is_valid():
        try:
            actions.add_flag(request.user, case, form.cleaned_data["text"])
        except (HavenError, ValidationError) as exc:
            report_errors(request, None, exc)
    else:
        messages.error(request, _("Say what the flag is about."))
    return redirect(case_url(case))


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


@require_POST
@requires("consent.manage")
def case_consent_add(request, pk):
    def run(case, data):
        people_actions.record_consent(request.user, case.person, **data)

    return _person_post(request, pk, forms.ConsentForm, run, "consent", _("Consent recorded."))


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


@requires("case.transfer")
def case_transfer(request, pk):
    case = selectors.get_case(request.user, pk, "case.transfer")
    form = forms.TransferForm(request.POST or None, case=case)
    if submitted(
        request,
        form,
        lambda: actions.request_transfer(
            request.user, case, form.cleaned_data["to_agency"], form.cleaned_data["reason"]
        ),
        _("Transfer requested: the receiving agency must accept it."),
    ):
        return redirect("case_detail", pk=case.pk)
    return render(request, "cases/transfer.html", {"case": case, "form": form})


@require_POST
@requires("case.transfer")
def transfer_answer(request, pk):
    transfer = get_object_or_404(selectors.incoming_transfers(request.user), pk=pk)
    accept = request.POST.get("accept") == "1"
    try:
        actions.answer_transfer(request.user, transfer, accept=accept)
    except (HavenError, ValidationError) as exc:
        report_errors(request, None, exc)
        return redirect("dashboard")
    if accept:
        messages.success(request, _("Transfer accepted: the case is now yours."))
        return redirect("case_detail", pk=transfer.case_id)
    messages.success(request, _("Transfer declined."))
    return redirect("dashboard")


# ---- the person in the case -----------------------------------------------------------------


@requires("case.update")
def person_edit(request, pk):
    case = selectors.get_case(request.user, pk, "case.update")
    if request.method == "GET":
        record_access(request.user, "person.edit", case.person)
    form = person_forms.PersonForm(request.POST or None, instance=case.person)
    if request.method == "POST" and form.is_valid():
        person = Person.objects.get(pk=case.person_id)
        if succeeded(
            request,
            form,
            lambda: people_actions.update_person(
                request.user, person, form.changes(), form.cleaned_data["version"]
            ),
            _("Person saved."),
        ):
            return redirect(f"{case_url(case)}?tab=person")
    return render(request, "cases/person_edit.html", {"case": case, "form": form})


def _person_post(request, pk, form_class, run, tab, done):
    case = selectors.get_case(request.user, pk, "case.update")
    form = form_class(request.POST)
    if form.is_valid():
        succeeded(request, None, lambda: run(case, form.cleaned_data), done)
    else:
        for field, errors in form.errors.items():
            label = form.fields[field].label if field in form.fields else ""
            for error in errors:
                messages.error(request, f"{label}: {error}" if label else error)
    return redirect(f"{case_url(case)}?tab={tab}")


@require_POST
@requires("case.update")
def person_contact_add(request, pk):
    def run(case, data):
        people_actions.add_contact(request.user, case.person, **data)

    return _person_post(request, pk, person_forms.ContactForm, run, "person", _("Contact added."))


@require_POST
@requires("case.update")
def person_document_add(request, pk):
    def run(case, data):
        people_actions.add_document(request.user, case.person, **data)

    return _person_post(request, pk, person_forms.DocumentForm, run, "person", _("Document added."))


@require_POST
@requires("case.update")
def person_relative_add(request, pk):
    def run(case, data):
        relative_case = (
            selectors.visible_cases(request.user).filter(number=data["case_number"].strip()).first()
        )
        if relative_case is None:
            raise ValidationError(
                _("No case you can see has the number %(n)s.") % {"n": data["case_number"]}
            )
        people_actions.add_relationship(
            request.user,
            case.person,
            relative_case.person,
            kind=data["kind"],
            separated=data["separated"],
        )

    return _person_post(
        request, pk, person_forms.RelativeForm, run, "family", _("Family link added.")
    )

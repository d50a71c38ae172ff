"""Pages of data subjects' requests: find a person, everything held about them, and their
requests worked and answered."""

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from haven.accounts.gates import requires
from haven.accounts.two_factor import reauthentication, recently_authenticated
from haven.audit.actions import record_access
from haven.core.web import paginate, query_without_page, submitted, succeeded
from haven.oversight import actions, erasure, subject_answers, subject_records
from haven.oversight.forms import (
    AnswerForm,
    CorrectionForm,
    DecisionForm,
    EraseForm,
    HoldForm,
    LiftForm,
    RequestForm,
)
from haven.oversight.models import LegalHold


@require_safe
@requires("subject.access")
def subjects(request):
    """The open requests, and a search for the person a request is about. Nobody is listed
    before a search: the page is not a register of everyone."""
    query = request.GET.get("q", "").strip()[:100]
    found = subject_records.subjects(request.user, query) if query else None
    return render(
        request,
        "oversight/subjects.html",
        {
            "query": query,
            "page": paginate(request, found, 25) if found is not None else None,
            "querystring": query_without_page(request),
            "open_requests": subject_records.open_requests(request.user)[:100],
        },
    )


def _person_or_404(request, pk: int):
    person = subject_records.subject_for(request.user, pk)
    if person is None:
        raise Http404
    return person


@require_http_methods(["GET", "HEAD", "POST"])
@requires("subject.access")
def subject(request, pk: int):
    """Everything held about the person; a request about them is recorded here."""
    person = _person_or_404(request, pk)
    form = RequestForm(request.POST or None)
    made = []
    if submitted(
        request,
        form,
        lambda: made.append(actions.record_request(request.user, person, **form.cleaned_data)),
        _("Request recorded."),
    ):
        return redirect("subject_request", pk=made[0].pk)
    gathered = subject_records.gather(person)
    record_access(request.user, "subject.gather", person)
    return render(
        request,
        "oversight/subject.html",
        {
            "gathered": gathered,
            "not_gathered": subject_records.NOT_GATHERED,
            "held": sum(len(section.records) for section in gathered.sections),
            "form": form,
            "requests": person.subject_requests.order_by("-received_on", "-pk"),
            "holds": LegalHold.objects.filter(person=person).select_related("placed_by"),
            "hold_form": HoldForm(prefix="hold"),
            "erase_form": EraseForm(prefix="erase"),
            "refusals": erasure.refusals(person),
        },
    )


def _request_or_404(request, pk: int):
    found = subject_records.request_for(request.user, pk)
    if found is None:
        raise Http404
    return found


@require_safe
@requires("subject.access")
def subject_request(request, pk: int):
    """A request being worked: what the answer withholds and why, and the answer itself."""
    subject_request = _request_or_404(request, pk)
    return _request_page(request, subject_request, AnswerForm())


def _request_page(request, subject_request, answer_form, status: int = 200):
    gathered = subject_records.gather(subject_request.person)
    given = subject_answers.items(subject_request, gathered)
    record_access(request.user, "subject.request", subject_request.person)
    return render(
        request,
        "oversight/request.html",
        {
            "subject_request": subject_request,
            "gathered": gathered,
            "items": given,
            "withheld": [item for fields in given.values() for item in fields if item.withheld],
            "rules": subject_answers.active_rules(),
            "answer_form": answer_form,
            "correction_form": CorrectionForm(),
            # Changes since it was received: the corrections made for it.
            "changes": [
                change
                for change in gathered.changes
                if change.when.date() >= subject_request.received_on
            ],
            "cases": subject_request.person.cases.order_by("number"),
        },
        status=status,
    )


@require_POST
@requires("subject.access")
def subject_request_decide(request, pk: int):
    subject_request = _request_or_404(request, pk)
    form = DecisionForm(request.POST)
    if not form.is_valid():
        return HttpResponse(
            _("Give the reason for the decision."), status=400, content_type="text/plain"
        )
    submitted(
        request,
        form,
        lambda: actions.decide(request.user, subject_request, **form.cleaned_data),
        _("Decision recorded."),
    )
    return redirect("subject_request", pk=subject_request.pk)


@require_POST
@requires("subject.access")
def subject_request_answer(request, pk: int):
    """The answer package, after the officer's password again: names leave Haven."""
    subject_request = _request_or_404(request, pk)
    if not recently_authenticated(request):
        # The password again, then back to the request's page to produce the answer.
        return reauthentication(request, reverse("subject_request", args=[subject_request.pk]))
    form = AnswerForm(request.POST)
    package = []
    if submitted(
        request,
        form,
        lambda: package.append(
            actions.answer(request.user, subject_request, form.cleaned_data["password"])
        ),
    ):
        response = HttpResponse(package[0], content_type="application/zip")
        response["Content-Disposition"] = f'attachment; filename="answer-{subject_request.pk}.zip"'
        response["Cache-Control"] = "private, no-store"
        return response
    return _request_page(request, subject_request, form, status=400)


def _posted(request, form, action, done: str, incomplete: str) -> None:
    """Run `action(cleaned_data)` for a valid form; either way say what happened."""
    if not form.is_valid():
        messages.error(request, incomplete)
    else:
        succeeded(request, form, lambda: action(form.cleaned_data), done)


@require_POST
@requires("subject.access")
def subject_hold(request, pk: int):
    person = _person_or_404(request, pk)
    _posted(
        request,
        HoldForm(request.POST, prefix="hold"),
        lambda data: actions.place_hold(request.user, person, **data),
        _("Legal hold placed: nothing about this person can be erased while it stands."),
        _("Choose the kind of hold and say why the records must be kept."),
    )
    return redirect("subject_records", pk=person.pk)


@require_POST
@requires("subject.access")
def subject_hold_lift(request, pk: int):
    hold = LegalHold.objects.select_related("person").filter(pk=pk).first()
    if hold is None or subject_records.subject_for(request.user, hold.person_id) is None:
        raise Http404
    _posted(
        request,
        LiftForm(request.POST),
        lambda data: actions.lift_hold(request.user, hold, data["lift_reason"]),
        _("Legal hold lifted."),
        _("Say why the hold is lifted."),
    )
    return redirect("subject_records", pk=hold.person_id)


@require_POST
@requires("subject.access")
def subject_erase(request, pk: int):
    """Erase the person's identifying data, after the officer's password again."""
    person = _person_or_404(request, pk)
    if not recently_authenticated(request):
        return reauthentication(request, reverse("subject_records", args=[person.pk]))
    _posted(
        request,
        EraseForm(request.POST, prefix="erase"),
        lambda data: actions.erase_person(request.user, person, data["reason"]),
        _("Erased: names, documents, contacts and free text are gone; statistics stay."),
        _("Give the reason and tick the box to confirm the erasure."),
    )
    return redirect("subject_records", pk=person.pk)


@require_POST
@requires("subject.access")
def subject_request_correction(request, pk: int):
    subject_request = _request_or_404(request, pk)
    _posted(
        request,
        CorrectionForm(request.POST),
        lambda data: actions.decide_correction(request.user, subject_request, **data),
        _("Decision recorded: the request is answered."),
        _("Choose the decision."),
    )
    return redirect("subject_request", pk=subject_request.pk)

"""The public pages: write to an agency and follow the answer, with no account.

A message is acknowledged only after it is committed; when it cannot be stored the person
is told plainly that it was not received and how else to reach the agency. The pages need
no JavaScript, set no cookie but the CSRF one, and are never cached. (The site-wide
Referrer-Policy, same-origin, keeps their addresses from other sites; "no-referrer" would
make browsers post `Origin: null`, which the CSRF check refuses.)
"""

import logging

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, ValidationError
from django.db import DatabaseError, IntegrityError
from django.shortcuts import render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from haven.accounts.models import Agency
from haven.audit import context
from haven.core.web import report_errors
from haven.feedback import actions, challenge, codes, ratelimit, selectors
from haven.feedback.forms import PublicForm
from haven.feedback.models import RATINGS

log = logging.getLogger(__name__)


def _address(request) -> str:
    return request.META.get("REMOTE_ADDR", "")


def _not_received(request, status=503):
    return render(
        request,
        "feedback/not_received.html",
        {"contact": settings.HAVEN_FEEDBACK_CONTACT},
        status=status,
    )


def _form_page(request, form, agencies, status=200, problem=""):
    a, b, token = challenge.new_challenge()
    if form.is_bound:  # a new question each time; what was written stays
        data = form.data.copy()
        data["token"], data["answer"] = token, ""
        form.data = data
    else:
        form.initial["token"] = token
    context_ = {
        "form": form,
        "question": (a, b),
        "several": len(agencies) > 1,
        "problem": problem,
    }
    return render(request, "feedback/public_form.html", context_, status=status)


def _agencies():
    return list(Agency.objects.filter(is_active=True).order_by("name"))


@never_cache
@require_http_methods(["GET", "POST"])
def public_form(request):
    try:
        return _public_form(request)
    except DatabaseError:
        log.exception("A public submission could not be stored")
        return _not_received(request)


def _public_form(request):
    agencies = _agencies()
    if not agencies:
        return _not_received(request)
    if request.method == "GET":
        chosen = request.GET.get("agency", "")
        return _form_page(
            request, PublicForm(agencies=agencies, initial={"agency": chosen}), agencies
        )
    try:
        post = request.POST
    except RequestDataTooBig:
        problem = _("What you sent was too large to receive. Shorten your message.")
        return _form_page(request, PublicForm(agencies=agencies), agencies, 413, problem)
    if not ratelimit.allow(
        "submit", _address(request), limit=settings.HAVEN_FEEDBACK_SUBMIT_LIMIT, window=3600
    ):
        return render(request, "feedback/too_many.html", status=429)
    form = PublicForm(post, agencies=agencies)
    if not form.is_valid():
        return _form_page(request, form, agencies, status=400)
    data = form.cleaned_data
    if data["website"]:
        form.add_error(
            None, _("This form could not be sent. Please reach us another way (see below).")
        )
        return _form_page(request, form, agencies, status=400)
    try:
        token = challenge.check(
            data["token"],
            data["answer"],
            min_seconds=settings.HAVEN_FEEDBACK_MIN_SECONDS,
            max_age=settings.HAVEN_FEEDBACK_FORM_HOURS * 3600,
        )
    except challenge.ChallengeFailed:
        form.add_error(
            "answer",
            _("That answer is not right, or the form was open too long. Answer the new question."),
        )
        return _form_page(request, form, agencies, status=400)
    # The person's address is not kept with what they wrote, not even in the audit trail.
    context.set_request(None, "public")
    try:
        agency = _agency(agencies, data["agency"])
        submission, code = actions.submit_public(
            agency,
            category=data["category"],
            text=data["text"],
            place=data["place"],
            contact_name=data["contact_name"],
            contact=data["contact"],
            consent_to_contact=data["consent_to_contact"],
            language=get_language() or "",
            intake_token=token,
        )
    except IntegrityError:
        return render(request, "feedback/already_received.html", status=409)
    except ValidationError as exc:
        report_errors(request, form, exc)
        return _form_page(request, form, agencies, status=400)
    page = {"code": codes.display(code), "submission": submission, "agency": agency}
    return render(request, "feedback/received.html", page, status=201)


def _agency(agencies, code):
    """The organisation chosen (the only one, when there is one)."""
    chosen = next((a for a in agencies if a.code == code), None)
    if chosen is None and len(agencies) == 1:
        chosen = agencies[0]
    if chosen is None:
        raise ValidationError({"agency": _("Choose the organisation your message is for.")})
    return chosen


@never_cache
@require_http_methods(["GET", "POST"])
def public_status(request):
    """Follow a submission with its tracking code (sent by POST: codes stay out of URLs)."""
    if request.method == "GET":
        return render(request, "feedback/status.html", {})
    try:
        if not ratelimit.allow(
            "status", _address(request), limit=settings.HAVEN_FEEDBACK_STATUS_LIMIT, window=3600
        ):
            return render(request, "feedback/too_many.html", status=429)
        typed = request.POST.get("code", "")[:64]
        submission = selectors.by_code(typed)
        page = {"typed": typed, "submission": submission, "asked": True, "rating_choices": RATINGS}
        if submission is not None and request.POST.get("satisfaction"):
            context.set_request(None, "public")
            try:
                actions.rate(submission, _rating(request.POST["satisfaction"]))
                page["rated"] = True
            except ValidationError as exc:
                page["rating_errors"] = exc.messages
        status = 200 if submission is not None else 404
        return render(request, "feedback/status.html", page, status=status)
    except DatabaseError:
        log.exception("A status check could not be answered")
        return _not_received(request)


def _rating(text: str) -> int:
    return int(text) if text.isdigit() else 0
